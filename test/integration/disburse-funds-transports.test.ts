/**
 * GrantPayout over disburseFunds as a real integrator speaks it, on the real Temporal dev server: PGP
 * (sign + encrypt, HTTPS) and JWE + JWS over mutual TLS against the simulator, keys generated now and
 * given to the worker as `file:` references. The key material never shows up in a workflow history.
 */
import { cuwoOutcome, startCuwo } from '../../src/client';
import { cuwoDataConverter } from '../../src/codec/data-converter';
import { GrantPayoutTypes } from '../../src/contracts/payout';
import { grantPayoutParams } from '../support/fixtures';
import { uniqueId } from '../support/harness';
import { historyText } from '../support/history';
import { startPayoutStack, type PayoutStack } from '../support/payout-stack';
import { openRecord } from '../support/provider-context';
import { keyMarker } from '../support/transport-keys';

describe.each(['pgp', 'jwe'] as const)('GrantPayout over %s', (transport) => {
  let stack: PayoutStack;
  beforeAll(async () => {
    stack = await startPayoutStack({ transport });
  });
  afterAll(() => stack?.close());

  async function grant(id: string, amount: string) {
    const { handle } = await startCuwo(
      stack.harness.client,
      'GrantPayout',
      grantPayoutParams(id, { requestedAmount: { amount, currency: 'EUR' } }),
      {
        taskQueue: stack.harness.taskQueue,
      },
    );
    return { handle, outcome: await cuwoOutcome(handle) };
  }

  test('pays exactly once over HTTPS, and no key material enters the history', async () => {
    expect(stack.sim.url).toMatch(/^https:/);
    const id = uniqueId(`${transport}-ok`);
    const { handle, outcome } = await grant(id, '25.50');
    const [disbursement] = stack.ledgerFor(id);
    expect(stack.ledgerFor(id)).toHaveLength(1);
    expect(outcome).toMatchObject({
      outcome: 'SUCCESS',
      result: { processedAmount: { amount: '25.50', currency: 'EUR' }, payoutReference: disbursement.paymentIntegratorTransactionId },
    });
    const history = await historyText(handle, cuwoDataConverter().payloadCodecs![0]);
    expect(history).toContain(disbursement.paymentIntegratorTransactionId); // the search reads the decrypted payloads
    for (const secret of stack.secrets) expect(history).not.toContain(keyMarker(secret));
    expect(history).not.toMatch(/PRIVATE KEY/);
  });

  test('a decline comes back through the envelope with its rawResult and limit: Failure AMOUNT_ABOVE_LIMIT, nothing paid', async () => {
    const id = uniqueId(`${transport}-limit`);
    const { outcome } = await grant(id, '1000.01');
    expect(outcome).toMatchObject({
      outcome: 'FAILURE',
      failure: {
        '@type': GrantPayoutTypes.failure,
        failureReason: 'AMOUNT_ABOVE_LIMIT',
        failureCode: 'DISBURSEMENT_EXCEEDS_TRANSACTION_LIMIT',
      },
    });
    const record = openRecord((outcome as { failure: { payoutProcessingData: string } }).failure.payoutProcessingData, `payout:${id}`);
    expect(record).toMatchObject({
      stage: 'DECLINED',
      rawResult: { scope: 'simulator', rawCode: 'LIMIT_MAX' },
      limit: { kind: 'max', amount: '1000.00' },
    });
    expect(stack.ledgerFor(id)).toHaveLength(0);
  });
});
