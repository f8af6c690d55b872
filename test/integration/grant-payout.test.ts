/**
 * GrantPayout / CancelPayout over disburseFunds, on the real Temporal dev server and a real HTTP
 * simulator: every result code, faults, duplicates, invalid input, cancel requests.
 */
import { cuwoOutcome, cuwoState, InvalidParametersError, startCuwo } from '../../src/client';
import { workflowIds } from '../../src/contracts/ids';
import { CancelPayoutTypes, GrantPayoutTypes } from '../../src/contracts/payout';
import { BEARER_TOKEN, UPI_ACCOUNT, grantPayoutParams } from '../support/fixtures';
import { cuwoDataConverter } from '../../src/codec/data-converter';
import { historyText } from '../support/history';
import { recordHistory } from '../support/record';
import { uniqueId } from '../support/harness';
import { startPayoutStack, waitFor, type PayoutStack } from '../support/payout-stack';
import { openRecord } from '../support/provider-context';
import { closedPort } from '../support/disburse-proxy';
import type { Accounts } from '../../src/config';
import { BEARER_TOKEN as TOKEN, INTEGRATOR_ACCOUNT_ID } from '../support/fixtures';

let stack: PayoutStack;
let sim: PayoutStack['sim'];
let harness: PayoutStack['harness'];
const ledgerFor = (id: string) => stack.ledgerFor(id);
const requestsFor = (id: string) => stack.requestsFor(id);
const exists = (workflowId: string) => stack.exists(workflowId);

beforeAll(async () => {
  stack = await startPayoutStack();
  ({ sim, harness } = stack);
});
afterAll(() => stack?.close());

async function grant(params: ReturnType<typeof grantPayoutParams>) {
  const { handle } = await startCuwo(harness.client, 'GrantPayout', params, { taskQueue: harness.taskQueue });
  return { handle, outcome: await cuwoOutcome(handle) };
}

test("the statement text is in the customer's locale (cuwoContextInformation.locale), sent as the request header's userLocale", async () => {
  const id = uniqueId('locale');
  const params = grantPayoutParams(id);
  const { outcome } = await grant({ ...params, cuwoContextInformation: { ...params.cuwoContextInformation, locale: 'de-DE' } });

  expect(outcome).toMatchObject({ outcome: 'SUCCESS' });
  expect(ledgerFor(id)).toEqual([expect.objectContaining({ transactionDescription: 'Auszahlung für CM-2026-0001', userLocale: 'de-DE' })]);
});

test('pays out exactly the requested amount and returns the GrantPayoutWorkflowResult', async () => {
  const id = uniqueId('ok');
  const { handle, outcome } = await grant(grantPayoutParams(id, { requestedAmount: { amount: '25.50', currency: 'EUR' } }));

  const [disbursement] = ledgerFor(id);
  expect(ledgerFor(id)).toHaveLength(1);
  expect(disbursement).toMatchObject({
    amountMicros: '25500000',
    currencyCode: 'EUR',
    vpa: 'asha@okbank',
    transactionDescription: 'Payout for CM-2026-0001',
  });
  expect(outcome).toEqual({
    outcome: 'SUCCESS',
    workflowId: expect.any(String),
    result: {
      '@type': GrantPayoutTypes.result,
      processedAmount: { amount: '25.50', currency: 'EUR' },
      payoutReference: disbursement.paymentIntegratorTransactionId,
      payoutProcessingData: expect.any(String),
    },
  });
  const processing = openRecord((outcome as { result: { payoutProcessingData: string } }).result.payoutProcessingData, `payout:${id}`);
  expect(processing).toMatchObject({ provider: 'disburse-funds', account: UPI_ACCOUNT, requestId: `payout:${id}`, stage: 'PAID' });

  const state = await cuwoState(handle);
  expect(state).toMatchObject({
    cuwo: 'GrantPayout',
    outcome: 'SUCCESS',
    provider: 'disburse-funds',
    reference: disbursement.paymentIntegratorTransactionId,
  });
  const attributes = (await handle.describe()).searchAttributes;
  expect(attributes).toMatchObject({
    CuwoType: ['GrantPayout'],
    CuwoRequestId: [id],
    CuwoOutcome: ['SUCCESS'],
    CuwoProvider: ['disburse-funds'],
  });
  expect(await exists(workflowIds.cancelPayout(id))).toBe(false);
  await recordHistory('grant-payout-success', handle);
});

test.each([
  ['closed@okbank', '25.00', 'RECEIVER_ACCOUNT_CLOSED', 'ACCOUNT_CLOSED'],
  ['takenover@okbank', '25.00', 'RECEIVER_ACCOUNT_CLOSED', 'ACCOUNT_CLOSED_ACCOUNT_TAKEN_OVER'],
  ['fraud@okbank', '25.00', 'RECEIVER_ACCOUNT_CLOSED', 'ACCOUNT_CLOSED_FRAUD'],
  ['hold@okbank', '25.00', 'RECEIVER_ACCOUNT_ON_HOLD', 'ACCOUNT_ON_HOLD'],
  ['asha@okbank', '0.50', 'AMOUNT_BELOW_LIMIT', 'DISBURSEMENT_UNDER_TRANSACTION_LIMIT'],
  ['asha@okbank', '1000.01', 'AMOUNT_ABOVE_LIMIT', 'DISBURSEMENT_EXCEEDS_TRANSACTION_LIMIT'],
])('receiver %s, amount %s EUR -> Failure %s (%s), nothing paid, no compensation needed', async (vpa, amount, reason, code) => {
  const id = uniqueId('decline');
  const { handle, outcome } = await grant(
    grantPayoutParams(id, {
      requestedAmount: { amount, currency: 'EUR' },
      customerIdentifiers: [{ identifierType: 'UPI_VPA', identifier: vpa }],
    }),
  );
  await recordHistory(`grant-payout-failure-${code.toLowerCase().replace(/_/g, '-')}`, handle);
  expect(outcome).toMatchObject({
    outcome: 'FAILURE',
    failure: { '@type': GrantPayoutTypes.failure, failureReason: reason, failureCode: code, payoutProcessingData: expect.any(String) },
  });
  expect(ledgerFor(id)).toHaveLength(0);
  expect(await exists(workflowIds.cancelPayout(id))).toBe(false);
  if (reason === 'AMOUNT_ABOVE_LIMIT') {
    expect((outcome as { message: string }).message).toContain('maximum of 1000.00 EUR');
    expect(
      openRecord((outcome as { failure: { payoutProcessingData: string } }).failure.payoutProcessingData, `payout:${id}`).limit,
    ).toEqual({ kind: 'max', amount: '1000.00', currency: 'EUR' });
  }
  if (reason === 'AMOUNT_BELOW_LIMIT') expect((outcome as { message: string }).message).toContain('minimum of 1.00 EUR');
});

test('a duplicate start finds the first execution, before and after it finished; money moves once', async () => {
  const id = uniqueId('dup');
  const params = grantPayoutParams(id);
  const first = await startCuwo(harness.client, 'GrantPayout', params, { taskQueue: harness.taskQueue });
  const second = await startCuwo(harness.client, 'GrantPayout', params, { taskQueue: harness.taskQueue });
  expect(first.alreadyStarted).toBe(false);
  expect(second.alreadyStarted).toBe(true);
  expect(second.workflowId).toBe(first.workflowId);
  await cuwoOutcome(first.handle);
  const third = await startCuwo(harness.client, 'GrantPayout', params, { taskQueue: harness.taskQueue });
  expect(third.alreadyStarted).toBe(true);
  expect(await cuwoOutcome(third.handle)).toMatchObject({ outcome: 'SUCCESS' });
  expect(ledgerFor(id)).toHaveLength(1);
});

test('provider answers 503 twice, then pays: one disbursement, same requestId on every attempt', async () => {
  const id = uniqueId('503');
  sim.injectFault({ kind: 'unavailable', count: 2 });
  const { handle, outcome } = await grant(grantPayoutParams(id));
  await recordHistory('grant-payout-success-after-503s', handle);
  expect(outcome).toMatchObject({ outcome: 'SUCCESS' });
  expect(ledgerFor(id)).toHaveLength(1);
  expect(requestsFor(id).map((r) => r.httpStatus)).toEqual([503, 503, 200]);
});

test('connection dropped after the provider disbursed: the retry learns SUCCESS, one disbursement', async () => {
  const id = uniqueId('drop');
  sim.injectFault({ kind: 'drop-after-disburse' });
  const { handle, outcome } = await grant(grantPayoutParams(id));
  await recordHistory('grant-payout-success-after-dropped-connection', handle);
  const [disbursement] = ledgerFor(id);
  expect(ledgerFor(id)).toHaveLength(1);
  expect(outcome).toMatchObject({ outcome: 'SUCCESS', result: { payoutReference: disbursement.paymentIntegratorTransactionId } });
  expect(requestsFor(id).map((r) => r.httpStatus)).toEqual(['dropped', 200]);
});

describe('invalid parameters end the CUWO at once as a Failure naming the field; nothing is sent', () => {
  const cases: Array<[string, (p: Record<string, unknown>) => unknown, string]> = [
    ['wrong @type', (p) => ({ ...p, '@type': 'n4.cuwo.workflows.paymentsandpayouts.grantpayout.Nope' }), '@type'],
    ['missing payoutRequestID', ({ payoutRequestID: _omit, ...rest }) => rest, 'payoutRequestID'],
    ['negative amount', (p) => ({ ...p, requestedAmount: { amount: '-5.00', currency: 'EUR' } }), 'requestedAmount.amount'],
    ['malformed amount', (p) => ({ ...p, requestedAmount: { amount: '12,50', currency: 'EUR' } }), 'requestedAmount.amount'],
    ['too many decimals', (p) => ({ ...p, requestedAmount: { amount: '1.005', currency: 'EUR' } }), 'requestedAmount.amount'],
    ['unknown currency', (p) => ({ ...p, requestedAmount: { amount: '5.00', currency: 'EUX' } }), 'unknown currency "EUX"'],
    ['zero amount', (p) => ({ ...p, requestedAmount: { amount: '0.00', currency: 'EUR' } }), 'greater than zero'],
    ['missing paymentMethodConfiguration', ({ paymentMethodConfiguration: _omit, ...rest }) => rest, 'paymentMethodConfiguration'],
  ];

  test.each(cases)('%s', async (_name, mutate, fieldInMessage) => {
    const id = uniqueId('invalid');
    const params = mutate(grantPayoutParams(id) as unknown as Record<string, unknown>);
    // The client refuses before starting anything...
    await expect(startCuwo(harness.client, 'GrantPayout', params, { taskQueue: harness.taskQueue })).rejects.toThrow(
      InvalidParametersError,
    );
    await expect(startCuwo(harness.client, 'GrantPayout', params, { taskQueue: harness.taskQueue })).rejects.toThrow(fieldInMessage);
    // ...and the workflow itself, started by any other client, fails at once without a provider call.
    const handle = await harness.client.workflow.start('GrantPayout', {
      workflowId: `grant-payout:${id}`,
      taskQueue: harness.taskQueue,
      args: [params],
    });
    const outcome = await cuwoOutcome(handle);
    expect(outcome).toMatchObject({
      outcome: 'FAILURE',
      failure: { '@type': GrantPayoutTypes.failure, failureReason: 'INVALID_PARAMETERS' },
    });
    expect((outcome as { message: string }).message).toContain(fieldInMessage);
    expect(requestsFor(id)).toHaveLength(0);
    if (_name === 'negative amount') await recordHistory('grant-payout-invalid-parameters', handle);
    const history = await handle.fetchHistory();
    expect(history.events!.filter((e) => e.activityTaskScheduledEventAttributes)).toHaveLength(0);
  });
});

test('an account name the worker does not know -> CONFIGURATION_ERROR, nothing sent', async () => {
  const id = uniqueId('noaccount');
  const { handle, outcome } = await grant(
    grantPayoutParams(id, { paymentMethodConfiguration: { paymentMethodID: 'pm-upi', accountName: 'nope' } }),
  );
  await recordHistory('grant-payout-unknown-account', handle);
  expect(outcome).toMatchObject({ outcome: 'FAILURE', failure: { failureReason: 'CONFIGURATION_ERROR', failureCode: 'UNKNOWN_ACCOUNT' } });
  expect((outcome as { message: string }).message).toContain('"nope"');
  expect(requestsFor(id)).toHaveLength(0);
});

test('no UPI_VPA customer identifier -> RECEIVER_NOT_IDENTIFIED, nothing sent', async () => {
  const id = uniqueId('novpa');
  const { handle, outcome } = await grant(
    grantPayoutParams(id, { customerIdentifiers: [{ identifierType: 'EMAIL', identifier: 'a@b.c' }] }),
  );
  await recordHistory('grant-payout-receiver-not-identified', handle);
  expect(outcome).toMatchObject({ outcome: 'FAILURE', failure: { failureReason: 'RECEIVER_NOT_IDENTIFIED' } });
  expect(requestsFor(id)).toHaveLength(0);
});

describe('Temporal cancel requests', () => {
  test('before anything was disbursed -> Canceled with the GrantPayoutWorkflowCancelation', async () => {
    // The workflow is started on a queue nobody polls yet, canceled, then a worker picks it up.
    const queue = `${harness.taskQueue}-late`;
    const id = uniqueId('cancel-early');
    const { handle } = await startCuwo(harness.client, 'GrantPayout', grantPayoutParams(id), { taskQueue: queue });
    await handle.cancel();
    const late = await harness.startWorker(stack.accounts, queue);
    try {
      expect(await cuwoOutcome(handle)).toEqual({
        outcome: 'CANCELED',
        workflowId: expect.any(String),
        cancelation: { '@type': GrantPayoutTypes.cancelation, cancelationReason: 'CANCELED_BY_REQUEST' },
      });
      expect((await handle.describe()).status.name).toBe('CANCELLED');
      expect(requestsFor(id)).toHaveLength(0);
      await recordHistory('grant-payout-canceled-before-payout', handle);
    } finally {
      await late.stop();
    }
  });

  test('while the provider is disbursing -> the payout happens, so Failure CANCELED_AFTER_PAYOUT and one CancelPayout', async () => {
    const id = uniqueId('cancel-late');
    sim.injectFault({ kind: 'latency', ms: 2_000 });
    const { handle } = await startCuwo(harness.client, 'GrantPayout', grantPayoutParams(id), { taskQueue: harness.taskQueue });
    await waitFor(() => requestsFor(id).length > 0, 'the payout request to reach the provider');
    await handle.cancel();
    const outcome = await cuwoOutcome(handle);
    expect(outcome).toMatchObject({ outcome: 'FAILURE', failure: { failureReason: 'CANCELED_AFTER_PAYOUT' } });
    expect(ledgerFor(id)).toHaveLength(1);

    const compensation = harness.client.workflow.getHandle(workflowIds.cancelPayout(id));
    const compensationOutcome = await cuwoOutcome(compensation);
    expect(compensationOutcome).toMatchObject({
      outcome: 'FAILURE',
      failure: { '@type': CancelPayoutTypes.failure, failureReason: 'NOT_REVERSIBLE', failureCode: 'DISBURSED' },
    });
    expect((await compensation.describe()).searchAttributes).toMatchObject({ CuwoNeedsReconciliation: [true] });
    expect(ledgerFor(id)).toHaveLength(1);
    await recordHistory('grant-payout-canceled-after-payout', handle);
    await recordHistory('cancel-payout-started-by-grant-payout-not-reversible', compensation);
  });

  test('while the provider is declining -> nothing was paid, so Canceled', async () => {
    const id = uniqueId('cancel-decline');
    sim.injectFault({ kind: 'latency', ms: 2_000 });
    const { handle } = await startCuwo(
      harness.client,
      'GrantPayout',
      grantPayoutParams(id, { customerIdentifiers: [{ identifierType: 'UPI_VPA', identifier: 'hold@okbank' }] }),
      { taskQueue: harness.taskQueue },
    );
    await waitFor(() => requestsFor(id).length > 0, 'the payout request to reach the provider');
    await handle.cancel();
    expect(await cuwoOutcome(handle)).toMatchObject({ outcome: 'CANCELED', cancelation: { cancelationReason: 'CANCELED_BY_REQUEST' } });
    expect(await exists(workflowIds.cancelPayout(id))).toBe(false);
    await recordHistory('grant-payout-canceled-while-declining', handle);
  });
});

test('the provider secret never enters a workflow history; personal data and amounts only encrypted', async () => {
  const id = uniqueId('secret');
  const { handle } = await grant(
    grantPayoutParams(id, {
      requestedAmount: { amount: '1234.56', currency: 'EUR' }, // above the limit: the failure message names the amount
      customerIdentifiers: [
        { identifierType: 'UPI_VPA', identifier: 'asha@okbank' },
        { identifierType: 'BANK_ACCOUNT', identifier: 'DE89370400440532013000' },
      ],
    }),
  );
  const stored = await historyText(handle); // as stored: base64 payloads decoded, but not decrypted
  for (const plaintext of [BEARER_TOKEN, 'Asha Rao', 'asha@okbank', 'DE89370400440532013000', '1234.56', '1234560000']) {
    expect(stored).not.toContain(plaintext);
  }
  const decrypted = await historyText(handle, cuwoDataConverter().payloadCodecs![0]);
  expect(decrypted).toContain('Asha Rao'); // proves the search above looked at the payloads
  expect(decrypted).toContain('1234.56');
  // The activity's summary (user metadata, shown in the Web UI) names the provider call.
  expect((await handle.fetchHistory()).events!.find((e) => e.activityTaskScheduledEventAttributes)?.userMetadata?.summary).toBeDefined();
  expect(decrypted).toContain('grant payout via account');
  expect(decrypted).not.toContain(BEARER_TOKEN);
  await recordHistory('grant-payout-encrypted-payloads-above-limit', handle);
});

describe('the money rule over disburseFunds (adapter regressions, end to end)', () => {
  test(
    'HTTP 200 with a truncated body after the provider paid, then 429 after processing: ' + 'retried, one disbursement, success',
    async () => {
      const id = uniqueId('garbled');
      sim.injectFault({ kind: 'bad-body', body: 'truncated', process: true });
      sim.injectFault({ kind: 'http-error', status: 429, process: true });
      const { outcome } = await grant(grantPayoutParams(id));
      const [disbursement] = ledgerFor(id);
      expect(outcome).toMatchObject({ outcome: 'SUCCESS', result: { payoutReference: disbursement!.paymentIntegratorTransactionId } });
      expect(ledgerFor(id)).toHaveLength(1);
      expect(requestsFor(id).map((r) => r.httpStatus)).toEqual([200, 429, 200]);
      expect(await exists(workflowIds.cancelPayout(id))).toBe(false);
    },
  );

  test('an undocumented result code is not a decline: retried, then paid', async () => {
    const id = uniqueId('undocumented');
    sim.injectFault({ kind: 'undocumented-result', code: 'UNKNOWN_RESULT' });
    const { outcome } = await grant(grantPayoutParams(id));
    expect(outcome).toMatchObject({ outcome: 'SUCCESS' });
    expect(ledgerFor(id)).toHaveLength(1);
  });

  test('a cancel request while the outcome is unknown: CancelPayout sends nothing and fails OUTCOME_UNKNOWN, flagged', async () => {
    const id = uniqueId('cancel-unknown');
    sim.injectFault({ kind: 'drop-before-processing', count: 1_000 });
    try {
      const { handle } = await startCuwo(harness.client, 'GrantPayout', grantPayoutParams(id), { taskQueue: harness.taskQueue });
      await waitFor(() => requestsFor(id).length > 0, 'the payout request to reach the provider');
      await handle.cancel();
      expect(await cuwoOutcome(handle)).toMatchObject({ outcome: 'FAILURE' });
      const sent = requestsFor(id).length;
      const compensation = harness.client.workflow.getHandle(workflowIds.cancelPayout(id));
      const compensationOutcome = await cuwoOutcome(compensation);
      expect(compensationOutcome).toMatchObject({
        outcome: 'FAILURE',
        failure: { '@type': CancelPayoutTypes.failure, failureReason: 'OUTCOME_UNKNOWN' },
      });
      const { message } = compensationOutcome as { message: string };
      for (const needed of [`payout:${id}`, INTEGRATOR_ACCOUNT_ID, '25.00 EUR', 'asha@okbank']) expect(message).toContain(needed);
      expect((await compensation.describe()).searchAttributes).toMatchObject({ CuwoNeedsReconciliation: [true] });
      expect(requestsFor(id)).toHaveLength(sent); // the compensation sent nothing
      expect(ledgerFor(id)).toHaveLength(0);
      await recordHistory('grant-payout-canceled-outcome-unknown-compensated', handle);
    } finally {
      sim.clearFaults();
    }
  });

  test('connection refused: nothing ever left, so a cancel request ends GrantPayout Canceled without a compensation', async () => {
    const queue = `${harness.taskQueue}-refused`;
    const accounts: Accounts = {
      'upi-refused': {
        provider: 'disburse-funds',
        baseUrl: `http://127.0.0.1:${await closedPort()}`,
        paymentIntegratorAccountId: INTEGRATOR_ACCOUNT_ID,
        bearerToken: TOKEN,
        timeoutMs: 2_000,
      },
    };
    const worker = await harness.startWorker(accounts, queue);
    try {
      const id = uniqueId('refused');
      const params = grantPayoutParams(id, { paymentMethodConfiguration: { paymentMethodID: 'pm-upi', accountName: 'upi-refused' } });
      const { handle } = await startCuwo(harness.client, 'GrantPayout', params, { taskQueue: queue });
      await waitFor(async () => (await cuwoState(handle))?.stage === 'NOT_SENT', 'the refused send to be reported');
      await handle.cancel();
      expect(await cuwoOutcome(handle)).toMatchObject({ outcome: 'CANCELED', cancelation: { cancelationReason: 'CANCELED_BY_REQUEST' } });
      expect(await exists(workflowIds.cancelPayout(id))).toBe(false);
      expect(requestsFor(id)).toHaveLength(0);
      await recordHistory('grant-payout-canceled-nothing-ever-sent', handle);
    } finally {
      await worker.stop();
    }
  });

  test('412: another execution owns the request id -> DUPLICATE_REQUEST, flagged, nothing compensated', async () => {
    const id = uniqueId('conflict');
    // Another execution already used this request's key with another amount.
    await fetch(`${sim.url}/v1/disburseFunds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({
        requestHeader: {
          protocolVersion: { major: 1, minor: 0, revision: 0 },
          requestId: `payout:${id}`,
          requestTimestamp: String(Date.now()),
        },
        paymentIntegratorAccountId: INTEGRATOR_ACCOUNT_ID,
        transactionDescription: 'another execution',
        currencyCode: 'EUR',
        amount: '7770000',
        upiDetails: { vpa: 'asha@okbank' },
      }),
    }).then((r) => r.text());
    const { handle, outcome } = await grant(grantPayoutParams(id));
    expect(outcome).toMatchObject({
      outcome: 'FAILURE',
      failure: { failureReason: 'DUPLICATE_REQUEST', failureCode: 'IDEMPOTENCY_VIOLATION' },
    });
    expect((await handle.describe()).searchAttributes).toMatchObject({ CuwoNeedsReconciliation: [true] });
    expect(await exists(workflowIds.cancelPayout(id))).toBe(false);
    expect(ledgerFor(id)).toEqual([expect.objectContaining({ amountMicros: '7770000' })]);
    await recordHistory('grant-payout-duplicate-request-not-compensated', handle);
  });
});
