/**
 * The Payneteasy payment adapter (sale-form / preauth-form, status, capture, return) against the real
 * simulator behind a misbehaving proxy. Each block names the defect it guards against.
 */
import type { CancelPaymentStep, CaptureStep, PaymentStep } from '../../src/contracts';
import { newId, paymentInput, recordOf, sleep, startAdapterBench, type AdapterBench } from '../support/payneteasy-adapters';
import { refusedUrl } from '../support/payneteasy-proxy';
import { testProviderContext } from '../support/provider-context';

let bench: AdapterBench;
beforeAll(async () => {
  bench = await startAdapterBench({ processingMs: 30, timeoutMs: 300 });
});
afterAll(() => bench?.close());
afterEach(async () => {
  bench.proxy.clear();
  await bench.proxy.settled();
});

const req = (id: string) => `payment:${id}` as const;
const ctxFor = (id: string, options: Parameters<typeof testProviderContext>[1] = {}) => testProviderContext(req(id), options);
const ledgerOf = (id: string) => bench.sim.paymentLedger().find((l) => l.clientOrderId === `payment:${id}`);
const ordersOf = (id: string) => bench.sim.orders().filter((o) => o.clientOrderId === `payment:${id}`);
const commands = (id: string) => bench.proxy.seen.filter((s) => s.form.client_orderid === `payment:${id}`).map((s) => s.command);
const settle = async () => {
  await bench.proxy.settled();
  await sleep(80);
};
const outcomeUnknown = { type: 'OutcomeUnknown' };

async function follow(step: PaymentStep, id: string): Promise<PaymentStep> {
  for (let i = 0; i < 50 && step.status === 'PENDING'; i++) {
    await sleep(20);
    step = await bench.payments().status(recordOf(step.processingData, req(id)), ctxFor(id));
  }
  return step;
}
async function followCapture(step: CaptureStep, id: string): Promise<CaptureStep> {
  for (let i = 0; i < 50 && step.status === 'PENDING'; i++) {
    await sleep(20);
    step = await bench.payments().capture(recordOf(step.processingData, req(id)), ctxFor(id));
  }
  return step;
}
async function followCancel(step: CancelPaymentStep, id: string): Promise<CancelPaymentStep> {
  for (let i = 0; i < 50 && step.status === 'PENDING'; i++) {
    await sleep(20);
    step = await bench.payments().cancel(recordOf(step.processingData, req(id)), ctxFor(id));
  }
  return step;
}
/** Starts a payment, the customer completes the form, and the status settles. */
async function approved(id: string, options: Parameters<typeof paymentInput>[1] & { amountMinor?: string } = {}) {
  const first = await bench.payments().start(paymentInput(id, options), ctxFor(id));
  bench.sim.completeForm(ordersOf(id)[0].orderId, options.amountMinor ? { amountMinor: options.amountMinor } : {});
  await settle();
  const step = await follow(first, id);
  if (step.status !== 'APPROVED') throw new Error(`setup: payment ${id} ended ${step.status}`);
  return { first, step };
}

test('sale-form: SENDING reported with sending first, PENDING with the form and order, APPROVED by status', async () => {
  const id = newId('plain');
  const ctx = ctxFor(id);
  const first = await bench.payments().start(paymentInput(id), ctx);
  expect(ctx.reports[0]).toMatchObject({
    sending: true,
    stage: 'SENDING',
    moneyMayHaveMoved: true,
    order: { clientOrderId: `payment:${id}` },
  });
  expect(first).toMatchObject({
    status: 'PENDING',
    redirectUrl: expect.stringContaining('/paynet/form/'),
    order: { orderId: ordersOf(id)[0].orderId },
  });
  bench.sim.completeForm(ordersOf(id)[0].orderId);
  await settle();
  expect(await follow(first, id)).toMatchObject({
    status: 'APPROVED',
    mode: 'CAPTURE',
    processedAmount: { amount: '50.00', currency: 'EUR' },
  });
});

describe('defect 1: answers outside the protocol are unknown', () => {
  test.each([
    ['HTTP 408 after processing', { kind: 'http', status: 408, body: 'empty', forward: true }],
    ['HTTP 429 after processing', { kind: 'http', status: 429, body: 'keep', forward: true }],
    ['HTTP 200 HTML page', { kind: 'http', status: 200, body: 'html', forward: true }],
    ['HTTP 200 truncated', { kind: 'truncate', keep: 0.7 }],
  ] as const)('sale-form: %s -> outcome unknown; the retry finds the one order', async (_name, mutation) => {
    const id = newId('d1');
    bench.proxy.plan({ mutation, command: 'sale-form' });
    const ctx = ctxFor(id);
    await expect(bench.payments().start(paymentInput(id), ctx)).rejects.toMatchObject(outcomeUnknown);
    expect(ordersOf(id)).toHaveLength(1);
    const retry = await bench.payments().start(paymentInput(id), ctxFor(id, { attempt: 2, resumed: ctx.lastRecord() }));
    expect(retry).toMatchObject({ status: 'PENDING', order: { orderId: ordersOf(id)[0].orderId } });
    expect(ordersOf(id)).toHaveLength(1);
  });

  test('capture answered 429 after processing: outcome unknown; the retry (sending again) captures once', async () => {
    const id = newId('d1c');
    const { step } = await approved(id, { mode: 'AUTHORIZE' });
    bench.proxy.plan({ mutation: { kind: 'http', status: 429, body: 'keep', forward: true }, command: 'capture' });
    const ctx = ctxFor(id);
    await expect(bench.payments().capture(recordOf(step.processingData, req(id)), ctx)).rejects.toMatchObject(outcomeUnknown);
    const retryCtx = ctxFor(id, { attempt: 2, resumed: ctx.lastRecord() });
    const retry = await bench.payments().capture(recordOf(step.processingData, req(id)), retryCtx);
    expect(retryCtx.reports[0]).toMatchObject({ sending: true, stage: 'CAPTURE_SENDING' });
    await settle();
    expect(await followCapture(retry, id)).toMatchObject({ status: 'CAPTURED' });
    expect(ledgerOf(id)).toMatchObject({ capturedMinor: '5000', heldMinor: '0' });
  });
});

describe('defect 2: "order not found" while the request may be on its way', () => {
  test('sale-form held past the timeout: CancelPayment keeps asking, then releases what was authorized', async () => {
    const id = newId('d2');
    bench.proxy.plan({ mutation: { kind: 'delay-request', ms: 500 }, command: 'preauth-form' });
    const ctx = ctxFor(id);
    await expect(bench.payments().start(paymentInput(id, { mode: 'AUTHORIZE' }), ctx)).rejects.toMatchObject(outcomeUnknown);
    const cancel = await bench.payments().cancel(ctx.lastRecord()!, ctxFor(id));
    expect(cancel).toMatchObject({ status: 'PENDING', unknown: expect.any(String) });
    await bench.proxy.settled();
    bench.sim.completeForm(ordersOf(id)[0].orderId);
    await settle();
    expect(await followCancel(cancel, id)).toMatchObject({ status: 'CANCELED' });
    expect(ledgerOf(id)).toMatchObject({ authorizedMinor: '5000', releasedMinor: '5000', heldMinor: '0' });
    expect(commands(id).filter((c) => c === 'preauth-form')).toHaveLength(1);
  });

  test('no order after the window: FAILED OUTCOME_UNKNOWN, flagged', async () => {
    const id = newId('d2w');
    const record = {
      v: 1,
      provider: 'payneteasy',
      account: 'pne-test',
      clientOrderId: `payment:${id}`,
      command: 'sale',
      requested: { amount: '50.00', currency: 'EUR' },
      stage: 'SENDING',
      sentAt: new Date(Date.now() - 7_200_000).toISOString(),
    };
    expect(await bench.payments().cancel(record, ctxFor(id))).toMatchObject({
      status: 'FAILED',
      reason: 'OUTCOME_UNKNOWN',
      needsReconciliation: true,
    });
  });

  test('connection refused on the first send: FAILED NOT_SENT, nothing moved; CancelPayment: nothing to do', async () => {
    const id = newId('d2n');
    const payments = bench.payments({ baseUrl: `${await refusedUrl()}/paynet/` });
    const step = await payments.start(paymentInput(id), ctxFor(id));
    expect(step).toMatchObject({ status: 'FAILED', moneyMayHaveMoved: false, failureCode: 'NOT_SENT' });
    expect(await bench.payments().cancel(recordOf((step as { processingData: string }).processingData, req(id)), ctxFor(id))).toMatchObject(
      { status: 'CANCELED' },
    );
    expect(commands(id)).toEqual([]);
  });
});

describe('defect 3: undocumented statuses are not final', () => {
  test.each(['pending', 'APPROVED', ''])('status "%s": PENDING with unknown (status, capture status and cancel)', async (status) => {
    const id = newId('d3');
    const first = await bench.payments().start(paymentInput(id), ctxFor(id));
    bench.proxy.plan({ mutation: { kind: 'undocumented-status', status }, command: 'status' });
    expect(await bench.payments().status(recordOf(first.processingData!, req(id)), ctxFor(id))).toMatchObject({
      status: 'PENDING',
      unknown: expect.any(String),
    });
    bench.proxy.plan({ mutation: { kind: 'undocumented-status', status }, command: 'status' });
    expect(await bench.payments().cancel(recordOf(first.processingData!, req(id)), ctxFor(id))).toMatchObject({
      status: 'PENDING',
      unknown: expect.any(String),
    });
  });

  test('capture status "APPROVED": PENDING with unknown, then CAPTURED', async () => {
    const id = newId('d3c');
    const { step } = await approved(id, { mode: 'AUTHORIZE' });
    const capturing = await bench.payments().capture(recordOf(step.processingData, req(id)), ctxFor(id));
    await settle();
    bench.proxy.plan({ mutation: { kind: 'undocumented-status', status: 'APPROVED' }, command: 'status' });
    const unknown = await bench.payments().capture(recordOf(capturing.processingData!, req(id)), ctxFor(id));
    expect(unknown).toMatchObject({ status: 'PENDING', unknown: expect.any(String) });
    expect(await followCapture(unknown, id)).toMatchObject({ status: 'CAPTURED' });
  });
});

describe('defect 4: processed amounts are canonical, an unreadable one is a mismatch', () => {
  test('"57.500" EUR (customer tip, padded): APPROVED 57.50 EUR', async () => {
    const id = newId('d4');
    const first = await bench.payments().start(paymentInput(id), ctxFor(id));
    bench.sim.completeForm(ordersOf(id)[0].orderId, { amountMinor: '5750' });
    await settle();
    bench.proxy.plan({ mutation: { kind: 'pad-amount', zeros: 1 }, command: 'status' });
    const step = await bench.payments().status(recordOf(first.processingData!, req(id)), ctxFor(id));
    expect(step).toMatchObject({ status: 'APPROVED', processedAmount: { amount: '57.50', currency: 'EUR' } });
  });

  test('ISK answered "1500.00": APPROVED 1500 ISK', async () => {
    const id = newId('d4isk');
    const { step } = await approved(id, { amount: '1500', currency: 'ISK' });
    expect(step).toMatchObject({ status: 'APPROVED', processedAmount: { amount: '1500', currency: 'ISK' } });
  });

  test.each(['fifty', '50.001', '50,00', ''])('unreadable "%s": FAILED AMOUNT_MISMATCH, money may have moved', async (amount) => {
    const id = newId('d4bad');
    const first = await bench.payments().start(paymentInput(id), ctxFor(id));
    bench.sim.completeForm(ordersOf(id)[0].orderId);
    await settle();
    bench.proxy.plan({ mutation: { kind: 'unreadable-amount', amount }, command: 'status' });
    const step = await bench.payments().status(recordOf(first.processingData!, req(id)), ctxFor(id));
    expect(step).toMatchObject({ status: 'FAILED', reason: 'AMOUNT_MISMATCH', moneyMayHaveMoved: true });
  });
});

describe('defect 5: CancelPayment asks about the transaction it means and resumes from its last report', () => {
  test('its own return was created (answer lost) and declined: the retry reports REVERSAL_DECLINED, not "nothing taken"', async () => {
    const id = newId('d5');
    const { first } = await approved(id);
    const processing = recordOf(first.processingData!, req(id)); // what a terminated CUWO left
    bench.sim.injectFault({ kind: 'decline-next', transactionType: 'return' });
    bench.proxy.plan({ mutation: { kind: 'reset', forward: true }, command: 'return' });
    const ctx = ctxFor(id);
    await expect(bench.payments().cancel(processing, ctx)).rejects.toMatchObject(outcomeUnknown);
    expect(ctx.reports.at(-1)).toMatchObject({ stage: 'RELEASE_SENDING' });
    expect(ctx.reports.at(-1)!.sending).toBeFalsy();
    await settle();
    const end = await followCancel(await bench.payments().cancel(processing, ctxFor(id, { attempt: 2, resumed: ctx.lastRecord() })), id);
    expect(end).toMatchObject({ status: 'FAILED', reason: 'REVERSAL_DECLINED', needsReconciliation: true });
    expect(ledgerOf(id)).toMatchObject({ takenMinor: '5000' });
    expect(commands(id).filter((c) => c === 'return')).toHaveLength(1);
  });
});

describe('defect 6: DUPLICATE_ORDER on the first send', () => {
  test('another execution owns the key: DUPLICATE_REQUEST, nothing moved, flagged; CancelPayment of it sends nothing', async () => {
    const id = newId('d6');
    await approved(id, { amount: '60.00' });
    const step = await bench.payments().start(paymentInput(id), ctxFor(id));
    expect(step).toMatchObject({ status: 'FAILED', reason: 'DUPLICATE_REQUEST', moneyMayHaveMoved: false, needsReconciliation: true });
    const record = recordOf((step as { processingData: string }).processingData, req(id));
    expect(record).toMatchObject({ stage: 'CONFLICT' });
    expect(await bench.payments().cancel(record, ctxFor(id))).toMatchObject({
      status: 'FAILED',
      reason: 'DUPLICATE_REQUEST',
      needsReconciliation: true,
    });
    expect(ledgerOf(id)).toMatchObject({ capturedMinor: '6000', refundedMinor: '0' });
  });
});

describe("defect 7: CancelPayment acts only on its own request's order", () => {
  test("a second execution's SENDING record (other amount) does not refund the first execution's sale", async () => {
    const id = newId('d7');
    await approved(id); // 50.00 EUR captured
    const second = {
      v: 1,
      provider: 'payneteasy',
      account: 'pne-test',
      clientOrderId: `payment:${id}`,
      command: 'sale',
      requested: { amount: '60.00', currency: 'EUR' },
      stage: 'SENDING',
      sentAt: new Date().toISOString(),
    };
    const step = await bench.payments().cancel(second, ctxFor(id));
    expect(step).toMatchObject({ status: 'FAILED', needsReconciliation: true });
    expect(ledgerOf(id)).toMatchObject({ capturedMinor: '5000', refundedMinor: '0' });
    expect(commands(id)).not.toContain('return');
  });

  test('a preauth record does not act on a sale order', async () => {
    const id = newId('d7k');
    await approved(id);
    const second = {
      v: 1,
      provider: 'payneteasy',
      account: 'pne-test',
      clientOrderId: `payment:${id}`,
      command: 'preauth',
      requested: { amount: '50.00', currency: 'EUR' },
      stage: 'SENDING',
      sentAt: new Date().toISOString(),
    };
    expect(await bench.payments().cancel(second, ctxFor(id))).toMatchObject({ status: 'FAILED', needsReconciliation: true });
    expect(ledgerOf(id)).toMatchObject({ refundedMinor: '0' });
  });
});

describe('defect 8: capture is gated, asked by its serial, and unknown answers retry', () => {
  test('capture reports CAPTURE_SENDING with sending first; a cancel request that came first stops it', async () => {
    const id = newId('d8');
    const { step } = await approved(id, { mode: 'AUTHORIZE' });
    const refused = ctxFor(id, { refuseSending: true });
    await expect(bench.payments().capture(recordOf(step.processingData, req(id)), refused)).rejects.toThrow(/CanceledBeforeSending/);
    expect(commands(id)).not.toContain('capture');
    expect(ordersOf(id)[0].transactions.map((t) => t.type)).toEqual(['preauth']);
    const ctx = ctxFor(id);
    const capturing = await bench.payments().capture(recordOf(step.processingData, req(id)), ctx);
    expect(ctx.reports[0]).toMatchObject({ sending: true, stage: 'CAPTURE_SENDING', moneyMayHaveMoved: true });
    await settle();
    expect(await followCapture(capturing, id)).toMatchObject({ status: 'CAPTURED' });
    const capture = ordersOf(id)[0].transactions.find((t) => t.type === 'capture')!;
    const asked = bench.proxy.seen.filter((s) => s.command === 'status' && s.form.client_orderid === `payment:${id}`).at(-1)!;
    expect(asked.form['by-request-sn']).toBe(capture.serialNumber);
  });

  test('capture declined: FAILED DECLINED, the authorization is still held (AUTHORIZED) for CancelPayment', async () => {
    const id = newId('d8d');
    const { step } = await approved(id, { mode: 'AUTHORIZE' });
    bench.sim.injectFault({ kind: 'decline-next', transactionType: 'capture' });
    const capturing = await bench.payments().capture(recordOf(step.processingData, req(id)), ctxFor(id));
    await settle();
    const end = await followCapture(capturing, id);
    expect(end).toMatchObject({ status: 'FAILED', reason: 'DECLINED' });
    const record = recordOf((end as { processingData: string }).processingData, req(id));
    expect(record).toMatchObject({ stage: 'AUTHORIZED' });
    expect(await followCancel(await bench.payments().cancel(record, ctxFor(id)), id)).toMatchObject({ status: 'CANCELED' });
    expect(ledgerOf(id)).toMatchObject({ releasedMinor: '5000', heldMinor: '0' });
  });
});

describe('records are checked, never thrown on', () => {
  test.each([
    ['an unknown stage', { stage: 'WEIRD' }],
    ['no requested amount', { requested: undefined }],
    ['no command', { command: undefined }],
    ['AUTHORIZED without an order id', { stage: 'AUTHORIZED', orderId: undefined }],
  ])('%s: FAILED, flagged', async (_name, change) => {
    const id = newId('bad');
    const record = {
      v: 1,
      provider: 'payneteasy',
      account: 'pne-test',
      clientOrderId: `payment:${id}`,
      command: 'sale',
      requested: { amount: '50.00', currency: 'EUR' },
      stage: 'PROCESSING',
      orderId: '1',
      serialNumber: 's',
      ...change,
    };
    expect(await bench.payments().cancel(record, ctxFor(id))).toMatchObject({ status: 'FAILED', needsReconciliation: true });
    expect(await bench.payments().status(record, ctxFor(id))).toMatchObject({ status: 'FAILED', moneyMayHaveMoved: true });
    expect(await bench.payments().capture(record, ctxFor(id))).toMatchObject({ status: 'FAILED' });
  });
});
