/**
 * Payments through Payneteasy on the real Temporal dev server, the real HTTP simulator and the
 * callback receiver: AuthorizeOrCapturePayment, CapturePayment, CancelPayment and the PaymentRequest
 * orchestrator. Every test that does not end in a kept payment checks the simulator's ledger: no
 * money left held or taken.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { cuwoOutcome, cuwoState, startCuwo } from '../../src/client';
import { abortSignal, completeSignal } from '../../src/contracts';
import { workflowIds } from '../../src/contracts/ids';
import { AuthorizeOrCapturePaymentTypes, CancelPaymentTypes } from '../../src/contracts/payment';
import { spawnWorkerProcess, type WorkerProcess } from '../../src/dev/worker-process';
import type { PaymentRequestResult } from '../../src/workflows/payment-request';
import { paymentParams } from '../support/fixtures';
import { testEnv, uniqueId } from '../support/harness';
import { startPayneteasyStack, type PayneteasyStack } from '../support/payneteasy-stack';
import { waitFor } from '../support/payout-stack';
import { recordHistory } from '../support/record';

let stack: PayneteasyStack;
beforeAll(async () => {
  stack = await startPayneteasyStack();
});
afterAll(() => stack?.close());

const ledgerOf = (s: PayneteasyStack, id: string) => s.sim.paymentLedger().find((l) => l.clientOrderId === `payment:${id}`);
const orderOf = (s: PayneteasyStack, id: string) => s.sim.orders().find((o) => o.clientOrderId === `payment:${id}`);
/** No money left held or taken for this request. */
const expectNothingKept = (s: PayneteasyStack, id: string) => {
  const entry = ledgerOf(s, id);
  if (entry) expect(entry).toMatchObject({ heldMinor: '0', takenMinor: '0' });
};

async function start(type: 'AuthorizeOrCapturePayment' | 'PaymentRequest', params: unknown, s = stack): Promise<WorkflowHandle> {
  return (await startCuwo(s.harness.client, type, params, { taskQueue: s.harness.taskQueue })).handle;
}

/** Waits for the CUWO to publish the customer's form, then the "customer" completes it. */
async function customerCompletesForm(
  id: string,
  options: { amountMinor?: string; outcome?: 'approve' | 'decline' } = {},
  s = stack,
): Promise<void> {
  const cuwo = s.harness.client.workflow.getHandle(workflowIds.authorizeOrCapturePayment(id));
  await waitFor(async () => Boolean((await cuwoState(cuwo).catch(() => undefined))?.redirectUrl), 'the payment form URL');
  s.sim.completeForm(orderOf(s, id)!.orderId, options);
}

test('direct capture (sale): CAPTURED with the requested amount, the form URL exposed first', async () => {
  const id = uniqueId('pay-sale');
  const handle = await start('AuthorizeOrCapturePayment', paymentParams(id));
  await waitFor(async () => (await cuwoState(handle))?.stage === 'WAITING_FOR_CUSTOMER', 'the form to be exposed');
  expect((await cuwoState(handle))?.redirectUrl).toMatch(/\/paynet\/form\/\d+$/);
  stack.sim.completeForm(orderOf(stack, id)!.orderId);
  const order = orderOf(stack, id)!;
  expect(await cuwoOutcome(handle)).toEqual({
    outcome: 'SUCCESS',
    workflowId: expect.any(String),
    result: {
      '@type': AuthorizeOrCapturePaymentTypes.result,
      status: 'CAPTURED',
      processedAmount: { amount: '50.00', currency: 'EUR' },
      paymentReference: order.orderId,
      paymentProcessingData: expect.stringContaining('"stage":"CAPTURED"'),
    },
  });
  expect(ledgerOf(stack, id)).toMatchObject({ capturedMinor: '5000', takenMinor: '5000', heldMinor: '0' });
  await recordHistory('payment-authorize-or-capture-captured', handle);
});

test.each([
  ['tip raised', 'ALLOW_MORE', '5750', '57.50'],
  ['tip lowered', 'ALLOW_LESS', '4600', '46.00'],
  ['partial payment (below the amount without tip)', 'ALLOW_LESS', '3000', '30.00'],
])('%s on the form (%s): processedAmount is what the provider captured', async (name, policy, minor, amount) => {
  const id = uniqueId('pay-amount');
  const handle = await start('AuthorizeOrCapturePayment', paymentParams(id, { amountPolicy: policy }));
  await customerCompletesForm(id, { amountMinor: minor });
  expect(await cuwoOutcome(handle)).toMatchObject({
    outcome: 'SUCCESS',
    result: { status: 'CAPTURED', processedAmount: { amount, currency: 'EUR' } },
  });
  expect(ledgerOf(stack, id)).toMatchObject({ takenMinor: minor });
  if (name === 'tip raised') await recordHistory('payment-authorize-or-capture-tip-raised', handle);
});

test('the provider processed another amount than the policy allows: Failure AMOUNT_MISMATCH and CancelPayment refunds it', async () => {
  const id = uniqueId('pay-mismatch');
  const handle = await start('AuthorizeOrCapturePayment', paymentParams(id, { amountPolicy: 'EXACT' }));
  await customerCompletesForm(id, { amountMinor: '5500' });
  const outcome = await cuwoOutcome(handle);
  expect(outcome).toMatchObject({ outcome: 'FAILURE', failure: { failureReason: 'AMOUNT_MISMATCH' } });
  expect((outcome as { message: string }).message).toContain('55.00 EUR for a requested 50.00 EUR');
  const compensation = stack.harness.client.workflow.getHandle(workflowIds.cancelPayment(id));
  expect(await cuwoOutcome(compensation)).toMatchObject({ outcome: 'SUCCESS', result: { '@type': CancelPaymentTypes.result } });
  expect(ledgerOf(stack, id)).toMatchObject({ capturedMinor: '5500', refundedMinor: '5500' });
  expectNothingKept(stack, id);
  await recordHistory('payment-authorize-or-capture-amount-mismatch', handle);
  await recordHistory('payment-cancel-payment-refund', compensation);
});

test('declined on the form: Failure DECLINED, nothing authorized, no compensation needed', async () => {
  const id = uniqueId('pay-declined');
  const handle = await start('AuthorizeOrCapturePayment', paymentParams(id));
  await customerCompletesForm(id, { outcome: 'decline' });
  expect(await cuwoOutcome(handle)).toMatchObject({ outcome: 'FAILURE', failure: { failureReason: 'DECLINED', failureCode: 'DECLINED' } });
  expectNothingKept(stack, id);
  await recordHistory('payment-authorize-or-capture-declined', handle);
});

test('invalid payment options are invalid parameters naming the field', async () => {
  const id = uniqueId('pay-badopts');
  const params = {
    ...paymentParams(id),
    paymentMethodConfiguration: { paymentMethodID: 'pm', accountName: 'pne-main', options: { captureMode: 'LATER' } },
  };
  const handle = await stack.harness.client.workflow.start('AuthorizeOrCapturePayment', {
    workflowId: workflowIds.authorizeOrCapturePayment(id),
    taskQueue: stack.harness.taskQueue,
    args: [params],
  });
  const outcome = await cuwoOutcome(handle);
  expect(outcome).toMatchObject({ outcome: 'FAILURE', failure: { failureReason: 'INVALID_PARAMETERS' } });
  expect((outcome as { message: string }).message).toContain('paymentMethodConfiguration.options.captureMode');
  expect(orderOf(stack, id)).toBeUndefined();
});

test('the customer never completes the form: Canceled, nothing authorized', async () => {
  const quick = await startPayneteasyStack({ formTtlMs: 1_500 });
  try {
    const id = uniqueId('pay-noform');
    const handle = await start('AuthorizeOrCapturePayment', paymentParams(id, { captureMode: 'AUTHORIZE' }), quick);
    expect(await cuwoOutcome(handle)).toEqual({
      outcome: 'CANCELED',
      workflowId: expect.any(String),
      cancelation: { '@type': AuthorizeOrCapturePaymentTypes.cancelation, cancelationReason: 'CUSTOMER_DID_NOT_COMPLETE_FORM' },
    });
    expectNothingKept(quick, id);
    await recordHistory('payment-authorize-or-capture-form-never-completed', handle);
  } finally {
    await quick.close();
  }
});

test(
  'a cancel request that arrives before the customer authorizes: ' + 'Failed CANCELED_AFTER_AUTHORIZATION, CancelPayment releases it',
  async () => {
    const id = uniqueId('pay-cancel-late');
    const handle = await start('AuthorizeOrCapturePayment', paymentParams(id, { captureMode: 'AUTHORIZE' }));
    await waitFor(async () => (await cuwoState(handle))?.stage === 'WAITING_FOR_CUSTOMER', 'the form');
    await handle.cancel();
    stack.sim.completeForm(orderOf(stack, id)!.orderId); // the customer was already typing: the money gets authorized
    expect(await cuwoOutcome(handle)).toMatchObject({ outcome: 'FAILURE', failure: { failureReason: 'CANCELED_AFTER_AUTHORIZATION' } });
    const compensation = stack.harness.client.workflow.getHandle(workflowIds.cancelPayment(id));
    expect(await cuwoOutcome(compensation)).toMatchObject({ outcome: 'SUCCESS' });
    expect(ledgerOf(stack, id)).toMatchObject({ authorizedMinor: '5000', releasedMinor: '5000' });
    expectNothingKept(stack, id);
    await recordHistory('payment-authorize-or-capture-canceled-after-authorization', handle);
    await recordHistory('payment-cancel-payment-release', compensation);
  },
);

describe('PaymentRequest (the platform role)', () => {
  const requestHandle = (id: string, s = stack) => s.harness.client.workflow.getHandle(workflowIds.paymentRequest(id));

  test('authorize, capture, complete: BOOKED, the money taken once', async () => {
    const id = uniqueId('pr-booked');
    await start('PaymentRequest', paymentParams(id, { captureMode: 'AUTHORIZE' }));
    await customerCompletesForm(id);
    await waitFor(async () => (await cuwoState(requestHandle(id)))?.stage === 'AWAITING_POS', 'the POS step');
    await requestHandle(id).signal(completeSignal);
    const result: PaymentRequestResult = await requestHandle(id).result();
    expect(result).toMatchObject({
      outcome: 'BOOKED',
      authorizeOrCapture: { outcome: 'SUCCESS', result: { status: 'AUTHORIZED' } },
      capture: { outcome: 'SUCCESS' },
    });
    expect(result.compensation).toBeUndefined();
    expect(ledgerOf(stack, id)).toMatchObject({ authorizedMinor: '5000', capturedMinor: '5000', takenMinor: '5000', heldMinor: '0' });
    await recordHistory('payment-request-authorize-capture-booked', requestHandle(id));
    await recordHistory('payment-capture-payment-captured', stack.harness.client.workflow.getHandle(workflowIds.capturePayment(id)));
  });

  test('PaymentRequest options from the client: no capture, and the POS completion timeout books it', async () => {
    const id = uniqueId('pr-no-capture');
    const params = paymentParams(id, { captureMode: 'AUTHORIZE' });
    const options = { taskQueue: stack.harness.taskQueue, paymentRequest: { capture: false, completionTimeoutMs: 1_000 } };
    await startCuwo(stack.harness.client, 'PaymentRequest', params, options);
    await customerCompletesForm(id);
    const result: PaymentRequestResult = await requestHandle(id).result();
    expect(result).toMatchObject({ outcome: 'BOOKED', authorizeOrCapture: { outcome: 'SUCCESS', result: { status: 'AUTHORIZED' } } });
    expect(result.capture).toBeUndefined();
    expect(ledgerOf(stack, id)).toMatchObject({ authorizedMinor: '5000', capturedMinor: '0', heldMinor: '5000' });
    // The same request with other options is another request: refused, naming the option.
    const other = { ...options, paymentRequest: { capture: true } };
    await expect(startCuwo(stack.harness.client, 'PaymentRequest', params, other)).rejects.toThrow(/options\.capture/);
    await recordHistory('payment-request-authorized-no-capture-booked-by-timeout', requestHandle(id));
  });

  test('CapturePayment fails: CancelPayment releases the authorization, exactly once', async () => {
    const id = uniqueId('pr-capture-fails');
    await start('PaymentRequest', paymentParams(id, { captureMode: 'AUTHORIZE' }));
    stack.sim.injectFault({ kind: 'decline-next', transactionType: 'capture' });
    await customerCompletesForm(id);
    const result: PaymentRequestResult = await requestHandle(id).result();
    expect(result).toMatchObject({ outcome: 'FAILED', capture: { outcome: 'FAILURE', failure: { failureReason: 'DECLINED' } } });
    // CapturePayment started the compensation itself; the orchestrator found it instead of starting another, and followed it to its end.
    expect(result.compensation).toMatchObject({
      workflowId: workflowIds.cancelPayment(id),
      startedBy: 'CUWO',
      end: { outcome: 'SUCCESS' },
    });
    expect(await cuwoOutcome(stack.harness.client.workflow.getHandle(workflowIds.cancelPayment(id)))).toMatchObject({ outcome: 'SUCCESS' });
    expect((await stack.harness.client.workflow.count(`WorkflowId = '${workflowIds.cancelPayment(id)}'`)).count).toBe(1);
    expectNothingKept(stack, id);
    await recordHistory('payment-request-capture-failed-compensated', requestHandle(id));
    await recordHistory('payment-capture-payment-declined', stack.harness.client.workflow.getHandle(workflowIds.capturePayment(id)));
  });

  test('the POS side aborts after a successful capture: CancelPayment refunds it', async () => {
    const id = uniqueId('pr-abort');
    await start('PaymentRequest', paymentParams(id));
    await customerCompletesForm(id);
    await waitFor(async () => (await cuwoState(requestHandle(id)))?.stage === 'AWAITING_POS', 'the POS step');
    await requestHandle(id).signal(abortSignal, { reason: 'customer left' });
    const result: PaymentRequestResult = await requestHandle(id).result();
    expect(result).toMatchObject({
      outcome: 'ABORTED',
      abortReason: 'customer left',
      compensation: { startedBy: 'PaymentRequest', end: { outcome: 'SUCCESS' } },
    });
    expect(ledgerOf(stack, id)).toMatchObject({ capturedMinor: '5000', refundedMinor: '5000' });
    expectNothingKept(stack, id);
    await recordHistory('payment-request-pos-abort-refunded', requestHandle(id));
  });

  test('the AuthorizeOrCapturePayment child is terminated mid-payment: the orchestrator compensates with its processing data', async () => {
    const id = uniqueId('pr-terminated');
    await start('PaymentRequest', paymentParams(id, { captureMode: 'AUTHORIZE' }));
    const cuwo = stack.harness.client.workflow.getHandle(workflowIds.authorizeOrCapturePayment(id));
    await waitFor(async () => (await cuwoState(cuwo).catch(() => undefined))?.stage === 'WAITING_FOR_CUSTOMER', 'the form');
    await cuwo.terminate('test: the CUWO dies while the customer is on the form');
    stack.sim.completeForm(orderOf(stack, id)!.orderId); // the customer finishes anyway: money is authorized
    const result: PaymentRequestResult = await requestHandle(id).result();
    expect(result).toMatchObject({
      outcome: 'FAILED',
      authorizeOrCapture: { outcome: 'ABNORMAL' },
      compensation: { startedBy: 'PaymentRequest', end: { outcome: 'SUCCESS' } },
    });
    expect(ledgerOf(stack, id)).toMatchObject({ authorizedMinor: '5000', releasedMinor: '5000' });
    expectNothingKept(stack, id);
    await recordHistory('payment-request-cuwo-terminated-compensated', requestHandle(id));
  });

  test('a duplicate PaymentRequest start finds the first one: one order', async () => {
    const id = uniqueId('pr-dup');
    const params = paymentParams(id);
    const options = { taskQueue: stack.harness.taskQueue };
    const [a, b] = await Promise.all([
      startCuwo(stack.harness.client, 'PaymentRequest', params, options),
      startCuwo(stack.harness.client, 'PaymentRequest', params, options),
    ]);
    expect([a.alreadyStarted, b.alreadyStarted].sort()).toEqual([false, true]);
    await customerCompletesForm(id);
    await waitFor(async () => (await cuwoState(requestHandle(id)))?.stage === 'AWAITING_POS', 'the POS step');
    await requestHandle(id).signal(completeSignal);
    await requestHandle(id).result();
    expect(stack.sim.orders().filter((o) => o.clientOrderId === `payment:${id}`)).toHaveLength(1);
  });
});

describe('worker killed mid-authorization', () => {
  let doomed: WorkerProcess | undefined;
  afterAll(() => doomed?.kill());

  test('SIGKILL while the sale request is in flight: a new worker finds the same order; one authorization', async () => {
    const slow = await startPayneteasyStack({ startWorker: false });
    try {
      const { address, bundlePath } = testEnv();
      doomed = await spawnWorkerProcess({
        address,
        taskQueue: slow.harness.taskQueue,
        accounts: slow.accounts,
        workflowBundlePath: bundlePath,
      });
      slow.sim.injectFault({ kind: 'latency', ms: 4_000 }); // the order is created at once, the answer comes late
      const id = uniqueId('pay-crash');
      const handle = await start('AuthorizeOrCapturePayment', paymentParams(id, { captureMode: 'AUTHORIZE' }), slow);
      await waitFor(() => Boolean(orderOf(slow, id)), 'the order to exist');
      await doomed.kill();
      await slow.harness.startWorker(slow.accounts);
      await customerCompletesForm(id, {}, slow);
      expect(await cuwoOutcome(handle)).toMatchObject({ outcome: 'SUCCESS', result: { status: 'AUTHORIZED' } });
      expect(slow.sim.orders().filter((o) => o.clientOrderId === `payment:${id}`)).toHaveLength(1);
      expect(ledgerOf(slow, id)).toMatchObject({ authorizedMinor: '5000', heldMinor: '5000' });
    } finally {
      await slow.close();
    }
  });
});
