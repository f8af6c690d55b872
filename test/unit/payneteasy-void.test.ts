/**
 * CancelPayment of an authorization through Payneteasy, void or return (payments.ts, reversal.ts):
 * `void` for an uncaptured preauth created the same provider day (account `providerTimeZone`, default
 * UTC), `return` otherwise or once the void is refused or declined as too late (NOT_VOIDABLE); a void
 * whose outcome is unknown is settled (found by status, or re-sent: one void per order) before any
 * return, so the same money is never released twice. Against the simulator, whose clock the tests move.
 */
import { voidable } from '../../src/activities/providers/payneteasy/payments';
import type { CancelPaymentStep } from '../../src/contracts';
import { newId, paymentInput, recordOf, sleep, startAdapterBench, type AdapterBench } from '../support/payneteasy-adapters';
import { testProviderContext } from '../support/provider-context';

const DAY = 24 * 60 * 60_000;
let bench: AdapterBench;
beforeAll(async () => {
  bench = await startAdapterBench({ processingMs: 30, timeoutMs: 300 });
});
afterAll(() => bench?.close());
afterEach(async () => {
  bench.proxy.clear();
  bench.sim.setClockOffset(0);
  await bench.proxy.settled();
});

const req = (id: string) => `payment:${id}` as const;
const ctxFor = (id: string, options: Parameters<typeof testProviderContext>[1] = {}) => testProviderContext(req(id), options);
const ledgerOf = (id: string) => bench.sim.paymentLedger(`payment:${id}`)[0];
const orderOf = (id: string) => bench.sim.orders(`payment:${id}`)[0];
/** The commands sent on the order besides status, in order. */
const sent = (id: string) =>
  bench.proxy.seen.filter((s) => s.form.client_orderid === `payment:${id}` && s.command !== 'status').map((s) => s.command);
const outcomeUnknown = { type: 'OutcomeUnknown' };

/** An approved preauth (the customer completed the form), and its processing record. */
async function authorized(id: string): Promise<Record<string, unknown>> {
  let step = await bench.payments().start(paymentInput(id, { mode: 'AUTHORIZE' }), ctxFor(id));
  bench.sim.completeForm(orderOf(id).orderId);
  for (let i = 0; i < 100 && step.status === 'PENDING'; i++) {
    await sleep(20);
    step = await bench.payments().status(recordOf(step.processingData, req(id)), ctxFor(id));
  }
  if (step.status !== 'APPROVED') throw new Error(`setup: payment ${id} ended ${step.status}`);
  return recordOf(step.processingData, req(id));
}
async function followCancel(step: CancelPaymentStep, id: string): Promise<CancelPaymentStep> {
  for (let i = 0; i < 100 && step.status === 'PENDING'; i++) {
    await sleep(20);
    step = await bench.payments().cancel(recordOf(step.processingData, req(id)), ctxFor(id));
  }
  return step;
}

describe('voidable: the same calendar day in the provider time zone', () => {
  const at = (iso: string) => Date.parse(iso);
  test('UTC by default', () => {
    expect(voidable('2026-03-01T00:00:01Z', at('2026-03-01T23:59:59Z'), {})).toBe(true);
    expect(voidable('2026-03-01T23:59:59Z', at('2026-03-02T00:00:01Z'), {})).toBe(false);
  });
  test('in the account time zone: Berlin (UTC+1 in March) changes day an hour before UTC', () => {
    const berlin = { providerTimeZone: 'Europe/Berlin' };
    // 23:30 and 00:30 in Berlin: two days there, one day in UTC.
    expect(voidable('2026-03-01T22:30:00Z', at('2026-03-01T23:30:00Z'), berlin)).toBe(false);
    expect(voidable('2026-03-01T22:30:00Z', at('2026-03-01T23:30:00Z'), {})).toBe(true);
    // 00:10 and 01:10 on 2 March in Berlin: one day there, two days in UTC.
    expect(voidable('2026-03-01T23:10:00Z', at('2026-03-02T00:10:00Z'), berlin)).toBe(true);
    expect(voidable('2026-03-01T23:10:00Z', at('2026-03-02T00:10:00Z'), {})).toBe(false);
  });
  test('an unknown or unreadable creation time is never voidable (return)', () => {
    expect(voidable(undefined, Date.now(), {})).toBe(false);
    expect(voidable('yesterday', Date.now(), {})).toBe(false);
  });
});

describe('CancelPayment of an uncaptured authorization', () => {
  test('the same day: released by void, never by return', async () => {
    const id = newId('void-same-day');
    const record = await authorized(id);
    const ctx = ctxFor(id);
    const first = await bench.payments().cancel(record, ctx);
    expect(ctx.reports[0]).toMatchObject({ stage: 'RELEASE_SENDING' });
    expect(recordOf(ctx.reports[0].processingData, req(id))).toMatchObject({ releaseCommand: 'void' });
    const end = await followCancel(first, id);
    expect(end).toMatchObject({ status: 'CANCELED', message: expect.stringContaining('released by void') });
    expect(recordOf(end.processingData, req(id))).toMatchObject({ stage: 'RELEASED', releaseCommand: 'void' });
    expect(sent(id)).toEqual(['preauth-form', 'void']);
    expect(ledgerOf(id)).toMatchObject({ authorizedMinor: '5000', releasedMinor: '5000', voidedMinor: '5000', heldMinor: '0' });
  });

  test('an authorization of a previous day (by its record): return, no void sent', async () => {
    const id = newId('void-old');
    const record = await authorized(id);
    const end = await followCancel(
      await bench.payments().cancel({ ...record, createdAt: new Date(Date.now() - DAY).toISOString() }, ctxFor(id)),
      id,
    );
    expect(end).toMatchObject({ status: 'CANCELED', message: expect.stringContaining('released by return') });
    expect(sent(id)).toEqual(['preauth-form', 'return']);
    expect(ledgerOf(id)).toMatchObject({ releasedMinor: '5000', voidedMinor: '0', heldMinor: '0' });
  });

  test('the provider already counts another day: the void is refused NOT_VOIDABLE, then return releases it', async () => {
    const id = newId('void-refused');
    const record = await authorized(id);
    bench.sim.setClockOffset(DAY);
    const end = await followCancel(await bench.payments().cancel(record, ctxFor(id)), id);
    expect(end).toMatchObject({ status: 'CANCELED', message: expect.stringContaining('released by return') });
    expect(sent(id)).toEqual(['preauth-form', 'void', 'return']);
    expect(ledgerOf(id)).toMatchObject({ releasedMinor: '5000', voidedMinor: '0', heldMinor: '0' });
  });

  test('a void answered by a reset after it was processed: unknown; the retry finds the void, never sends a return', async () => {
    const id = newId('void-unknown');
    const record = await authorized(id);
    bench.proxy.plan({ mutation: { kind: 'reset', forward: true }, command: 'void' });
    const ctx = ctxFor(id);
    await expect(bench.payments().cancel(record, ctx)).rejects.toMatchObject(outcomeUnknown);
    const retry = await bench.payments().cancel(ctx.lastRecord()!, ctxFor(id, { attempt: 2, resumed: ctx.lastRecord() }));
    expect(await followCancel(retry, id)).toMatchObject({ status: 'CANCELED' });
    expect(sent(id)).toEqual(['preauth-form', 'void']);
    expect(ledgerOf(id)).toMatchObject({ releasedMinor: '5000', voidedMinor: '5000', heldMinor: '0' });
  });

  test('a void lost before the provider (reset, not processed), then the day ends: the void is re-sent, refused, and only then return', async () => {
    const id = newId('void-lost');
    const record = await authorized(id);
    bench.proxy.plan({ mutation: { kind: 'reset', forward: false }, command: 'void' });
    const ctx = ctxFor(id);
    await expect(bench.payments().cancel(record, ctx)).rejects.toMatchObject(outcomeUnknown);
    bench.sim.setClockOffset(DAY);
    const retry = await bench.payments().cancel(ctx.lastRecord()!, ctxFor(id, { attempt: 2, resumed: ctx.lastRecord() }));
    expect(await followCancel(retry, id)).toMatchObject({ status: 'CANCELED' });
    expect(sent(id)).toEqual(['preauth-form', 'void', 'void', 'return']);
    expect(ledgerOf(id)).toMatchObject({ releasedMinor: '5000', voidedMinor: '0', heldMinor: '0' });
  });

  test('a void declined for another reason: REVERSAL_DECLINED, flagged, no return sent', async () => {
    const id = newId('void-declined');
    const record = await authorized(id);
    bench.sim.injectFault({ kind: 'decline-next', transactionType: 'void' });
    const end = await followCancel(await bench.payments().cancel(record, ctxFor(id)), id);
    expect(end).toMatchObject({ status: 'FAILED', reason: 'REVERSAL_DECLINED', failureCode: 'VOID_DECLINED', needsReconciliation: true });
    expect(sent(id)).toEqual(['preauth-form', 'void']);
    expect(ledgerOf(id)).toMatchObject({ authorizedMinor: '5000', heldMinor: '5000' });
  });

  test('a capture is always refunded by return', async () => {
    const id = newId('void-sale');
    let step = await bench.payments().start(paymentInput(id), ctxFor(id));
    bench.sim.completeForm(orderOf(id).orderId);
    for (let i = 0; i < 100 && step.status === 'PENDING'; i++) {
      await sleep(20);
      step = await bench.payments().status(recordOf(step.processingData, req(id)), ctxFor(id));
    }
    const end = await followCancel(await bench.payments().cancel(recordOf(step.processingData, req(id)), ctxFor(id)), id);
    expect(end).toMatchObject({ status: 'CANCELED', message: expect.stringContaining('refunded') });
    expect(sent(id)).toEqual(['sale-form', 'return']);
  });
});
