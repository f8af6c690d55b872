/**
 * Payneteasy as the gateway really is (issue 11 part 2), on the real Temporal dev server with the HTTP
 * simulator and the callback receiver: a stored-card payout on `v4/payout-by-ref`; a payout and a
 * payment through an endpoint-group route (with redirect_url, ipaddress and purpose the endpoint
 * requires); CancelPayment releasing the same day's authorization by `void`, and by `return` once the
 * provider's day has changed (the void refused NOT_VOIDABLE); status answers saying `unknown` for a
 * while, then the approval.
 */
import { cuwoOutcome, cuwoState, startCuwo } from '../../src/client';
import { workflowIds } from '../../src/contracts/ids';
import type { PaymentRequestResult } from '../../src/workflows/payment-request';
import { grantPayoutParams, paymentParams } from '../support/fixtures';
import { uniqueId } from '../support/harness';
import {
  PNE_ACCOUNT,
  PNE_GROUP_ACCOUNT,
  PNE_GROUP_ID,
  PNE_REDIRECT_URL,
  startPayneteasyStack,
  type PayneteasyStack,
} from '../support/payneteasy-stack';
import { waitFor } from '../support/payout-stack';

const DAY = 24 * 60 * 60_000;
let stack: PayneteasyStack;
beforeAll(async () => {
  stack = await startPayneteasyStack();
});
afterAll(() => stack?.close());
afterEach(() => {
  stack.sim.setClockOffset(0);
  stack.sim.setStatusNoise(undefined);
});

const payoutParams = (id: string, account: string) =>
  grantPayoutParams(id, {
    requestedAmount: { amount: '25.00', currency: 'EUR' },
    customerIdentifiers: [{ identifierType: 'CARD_REFERENCE', identifier: `approve-${id}` }],
    paymentMethodConfiguration: { paymentMethodID: 'pm-pne', accountName: account },
  });
const grant = async (id: string, account: string) =>
  (await startCuwo(stack.harness.client, 'GrantPayout', payoutParams(id, account), { taskQueue: stack.harness.taskQueue })).handle;
const paymentOrder = (id: string) => stack.sim.orders(`payment:${id}`)[0];
const paymentLedger = (id: string) => stack.sim.paymentLedger(`payment:${id}`)[0];
const requestHandle = (id: string) => stack.harness.client.workflow.getHandle(workflowIds.paymentRequest(id));

async function customerCompletesForm(id: string): Promise<void> {
  const cuwo = stack.harness.client.workflow.getHandle(workflowIds.authorizeOrCapturePayment(id));
  await waitFor(async () => Boolean((await cuwoState(cuwo).catch(() => undefined))?.redirectUrl), 'the payment form URL');
  stack.sim.completeForm(paymentOrder(id).orderId);
}

test('GrantPayout to a stored card goes to v4/payout-by-ref: paid once', async () => {
  const id = uniqueId('pne-by-ref');
  const outcome = await cuwoOutcome(await grant(id, PNE_ACCOUNT));
  const order = stack.orderFor(id)!;
  expect(outcome).toMatchObject({ outcome: 'SUCCESS', result: { payoutReference: order.orderId } });
  expect(order).toMatchObject({ createdVia: 'payout-by-ref', destination: `approve-${id}`, route: { kind: 'endpoint', id: '1001' } });
  expect(stack.sim.ledger(`payout:${id}`)).toEqual([expect.objectContaining({ paidMinor: '2500', reversedMinor: '0' })]);
});

test('a payout through the endpoint group, with redirect_url and the fields the endpoint requires', async () => {
  const id = uniqueId('pne-group-payout');
  const outcome = await cuwoOutcome(await grant(id, PNE_GROUP_ACCOUNT));
  const order = stack.orderFor(id)!;
  expect(outcome).toMatchObject({ outcome: 'SUCCESS', result: { payoutReference: order.orderId } });
  expect(order).toMatchObject({
    endpointId: '1003',
    route: { kind: 'group', id: PNE_GROUP_ID },
    createdVia: 'payout-by-ref',
    redirectUrl: PNE_REDIRECT_URL,
    customerFields: { ipaddress: '203.0.113.10', purpose: 'enfore payout' },
  });
});

test('a payment through the endpoint group: the sale-form control over the group id is accepted, CAPTURED', async () => {
  const id = uniqueId('pne-group-sale');
  const { handle } = await startCuwo(
    stack.harness.client,
    'AuthorizeOrCapturePayment',
    paymentParams(id, { accountName: PNE_GROUP_ACCOUNT }),
    {
      taskQueue: stack.harness.taskQueue,
    },
  );
  await customerCompletesForm(id);
  expect(await cuwoOutcome(handle)).toMatchObject({
    outcome: 'SUCCESS',
    result: { status: 'CAPTURED', paymentReference: paymentOrder(id).orderId },
  });
  expect(paymentOrder(id)).toMatchObject({
    route: { kind: 'group', id: PNE_GROUP_ID },
    createdVia: 'sale-form',
    redirectUrl: PNE_REDIRECT_URL,
  });
  expect(paymentLedger(id)).toMatchObject({ capturedMinor: '5000', takenMinor: '5000' });
});

describe('CancelPayment of an authorization: void the same day, return after', () => {
  async function captureFails(id: string): Promise<PaymentRequestResult> {
    await startCuwo(stack.harness.client, 'PaymentRequest', paymentParams(id, { captureMode: 'AUTHORIZE' }), {
      taskQueue: stack.harness.taskQueue,
    });
    stack.sim.injectFault({ kind: 'decline-next', transactionType: 'capture' });
    await customerCompletesForm(id);
    return requestHandle(id).result();
  }

  test('the same provider day: CancelPayment releases the authorization by void', async () => {
    const id = uniqueId('pne-void');
    const result = await captureFails(id);
    expect(result).toMatchObject({ outcome: 'FAILED', compensation: { end: { outcome: 'SUCCESS' } } });
    expect(paymentOrder(id).transactions.map((t) => `${t.type}:${t.status}`)).toEqual([
      'preauth:approved',
      'capture:declined',
      'void:approved',
    ]);
    expect(paymentLedger(id)).toMatchObject({ authorizedMinor: '5000', releasedMinor: '5000', voidedMinor: '5000', heldMinor: '0' });
  });

  test("the provider's day has changed: the void is refused NOT_VOIDABLE and return releases it", async () => {
    const id = uniqueId('pne-void-late');
    await startCuwo(stack.harness.client, 'PaymentRequest', paymentParams(id, { captureMode: 'AUTHORIZE' }), {
      taskQueue: stack.harness.taskQueue,
    });
    stack.sim.injectFault({ kind: 'decline-next', transactionType: 'capture' });
    await customerCompletesForm(id);
    // The capture exists (declined a moment later); CancelPayment only starts once CapturePayment learned that.
    await waitFor(async () => paymentOrder(id).transactions.some((t) => t.type === 'capture'), 'the capture');
    stack.sim.setClockOffset(DAY); // by the gateway's clock the authorization is now of yesterday; ours still says today
    const result = await requestHandle(id).result();
    expect(result).toMatchObject({ outcome: 'FAILED', compensation: { end: { outcome: 'SUCCESS' } } });
    expect(paymentOrder(id).transactions.map((t) => `${t.type}:${t.status}`)).toEqual([
      'preauth:approved',
      'capture:declined',
      'return:approved',
    ]);
    expect(paymentLedger(id)).toMatchObject({ releasedMinor: '5000', voidedMinor: '0', heldMinor: '0' });
  });
});

test('status answers say unknown for a while: GrantPayout keeps asking (never a decline), then succeeds', async () => {
  const id = uniqueId('pne-unknown');
  stack.sim.setStatusNoise({ probability: 1, seed: 11 });
  const handle = await grant(id, PNE_ACCOUNT);
  await waitFor(async () => stack.sim.statusNoiseCount() >= 3, 'three status answers saying unknown');
  expect((await handle.describe()).status.name).toBe('RUNNING');
  expect(stack.sim.ledger(`payout:${id}`)).toEqual([expect.objectContaining({ paidMinor: '2500' })]); // paid all along
  stack.sim.setStatusNoise(undefined);
  expect(await cuwoOutcome(handle)).toMatchObject({ outcome: 'SUCCESS', result: { payoutReference: stack.orderFor(id)!.orderId } });
});
