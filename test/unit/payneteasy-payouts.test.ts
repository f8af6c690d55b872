/**
 * The Payneteasy payout adapter against the real simulator behind a misbehaving proxy: grant, status
 * and cancel (reversal) keep the money rule. Each block names the defect it guards against.
 */
import type { CancelPayoutStep, PayoutStep } from '../../src/contracts';
import { REVERSIBLE, grantInput, newId, recordOf, sleep, startAdapterBench, type AdapterBench } from '../support/payneteasy-adapters';
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

const req = (id: string) => `payout:${id}` as const;
const ctxFor = (id: string, options: Parameters<typeof testProviderContext>[1] = {}) => testProviderContext(req(id), options);
const ledgerOf = (id: string) => bench.sim.ledger().find((l) => l.clientOrderId === `payout:${id}`);
const ordersOf = (id: string) => bench.sim.orders().filter((o) => o.clientOrderId === `payout:${id}`);
const commands = (id: string) => bench.proxy.seen.filter((s) => s.form.client_orderid === `payout:${id}`).map((s) => s.command);
/** Lets held requests arrive and the simulator finish processing. */
const settle = async () => {
  await bench.proxy.settled();
  await sleep(80);
};
const outcomeUnknown = { type: 'OutcomeUnknown' };

/** Polls the status until it is not PENDING. */
async function follow(step: PayoutStep, id: string, account = bench.payouts()): Promise<PayoutStep> {
  for (let i = 0; i < 50 && step.status === 'PENDING'; i++) {
    await sleep(20);
    step = await account.status(recordOf(step.processingData, req(id)), ctxFor(id));
  }
  return step;
}
async function followCancel(step: CancelPayoutStep, id: string, account = bench.payouts()): Promise<CancelPayoutStep> {
  for (let i = 0; i < 50 && step.status === 'PENDING'; i++) {
    await sleep(20);
    step = await account.cancel(recordOf(step.processingData, req(id)), ctxFor(id));
  }
  return step;
}
async function paid(id: string, account = bench.payouts(), options: Parameters<typeof grantInput>[1] = {}) {
  const step = await follow(await account.grant(grantInput(id, options), ctxFor(id)), id, account);
  if (step.status !== 'PAID') throw new Error(`setup: payout ${id} ended ${step.status}`);
  return step;
}

test('a plain payout: SENDING reported with sending before the request, then PENDING with the order, then PAID', async () => {
  const id = newId('plain');
  const ctx = ctxFor(id);
  const first = await bench.payouts().grant(grantInput(id), ctx);
  expect(ctx.reports[0]).toMatchObject({
    sending: true,
    stage: 'SENDING',
    moneyMayHaveMoved: true,
    order: { clientOrderId: `payout:${id}` },
  });
  expect(first).toMatchObject({ status: 'PENDING', order: { clientOrderId: `payout:${id}`, orderId: ordersOf(id)[0].orderId } });
  expect(first.status === 'PENDING' && first.unknown).toBeFalsy();
  const step = await follow(first, id);
  expect(step).toMatchObject({ status: 'PAID', processedAmount: { amount: '25.00', currency: 'EUR' }, reference: ordersOf(id)[0].orderId });
  expect(recordOf(step.processingData, req(id))).toMatchObject({ stage: 'APPROVED', orderId: ordersOf(id)[0].orderId });
});

describe('defect 1: answers outside the protocol are unknown, never "not done"', () => {
  test.each([
    ['HTTP 408 after processing', { kind: 'http', status: 408, body: 'empty', forward: true }],
    ['HTTP 429 after processing', { kind: 'http', status: 429, body: 'html', forward: true }],
    ['HTTP 502 HTML page after processing', { kind: 'http', status: 502, body: 'html', forward: true }],
    ['HTTP 200 HTML page after processing', { kind: 'http', status: 200, body: 'html', forward: true }],
    ['HTTP 200 empty body after processing', { kind: 'http', status: 200, body: 'empty', forward: true }],
    ['HTTP 200 truncated body', { kind: 'truncate', keep: 0.6 }],
    ['HTTP 200 truncated just before the last newline', { kind: 'truncate', keep: 0.999 }],
    ['HTTP 200 without paynet-order-id', { kind: 'drop-field', field: 'paynet-order-id' }],
  ] as const)('payout request: %s -> outcome unknown (retried); the retry finds the one paid order', async (_name, mutation) => {
    const id = newId('d1');
    bench.proxy.plan({ mutation, command: 'payout' });
    const ctx = ctxFor(id);
    await expect(bench.payouts().grant(grantInput(id), ctx)).rejects.toMatchObject(outcomeUnknown);
    await settle();
    expect(ledgerOf(id)).toMatchObject({ paidMinor: '2500' }); // it was paid: "not done" would have been false
    const retry = await bench.payouts().grant(grantInput(id), ctxFor(id, { attempt: 2, resumed: ctx.lastRecord() }));
    expect(await follow(retry, id)).toMatchObject({ status: 'PAID' });
    expect(ordersOf(id)).toHaveLength(1);
  });

  test.each([
    ['HTTP 429 not processed', { kind: 'http', status: 429, body: 'keep', forward: false }],
    ['HTTP 200 garbage not processed', { kind: 'garbage', forward: false }],
  ] as const)('payout request: %s -> outcome unknown, and nothing was paid yet', async (_name, mutation) => {
    const id = newId('d1n');
    bench.proxy.plan({ mutation, command: 'payout' });
    await expect(bench.payouts().grant(grantInput(id), ctxFor(id))).rejects.toMatchObject(outcomeUnknown);
    expect(ordersOf(id)).toHaveLength(0);
  });

  test.each([
    ['HTML page', { kind: 'http', status: 200, body: 'html', forward: true }],
    ['HTTP 429', { kind: 'http', status: 429, body: 'keep', forward: true }],
    ['truncated', { kind: 'truncate', keep: 0.5 }],
    ['no transaction-type', { kind: 'drop-field', field: 'transaction-type' }],
  ] as const)('status answer %s -> outcome unknown (asked again), not a failure', async (_name, mutation) => {
    const id = newId('d1s');
    const first = await bench.payouts().grant(grantInput(id), ctxFor(id));
    await settle();
    bench.proxy.plan({ mutation, command: 'status' });
    await expect(bench.payouts().status(recordOf(first.processingData!, req(id)), ctxFor(id))).rejects.toMatchObject(outcomeUnknown);
  });

  test('a provider refusal on the first send is definite: FAILED, nothing moved, REJECTED', async () => {
    const id = newId('d1r');
    const step = await bench.payouts().grant(grantInput(id, { amount: '0.00' }), ctxFor(id));
    expect(step).toMatchObject({ status: 'FAILED', reason: 'PROVIDER_ERROR', failureCode: 'INVALID_FIELD', moneyMayHaveMoved: false });
    expect(recordOf(step.processingData, req(id))).toMatchObject({ stage: 'REJECTED' });
  });
  test('a REJECTED record from an older version (which took a 429 for a refusal) is checked once: a paid order is not "nothing paid"', async () => {
    const id = newId('d1legacy');
    const paidStep = await paid(id);
    const legacy = {
      ...recordOf(paidStep.processingData, req(id)),
      stage: 'REJECTED',
      orderId: undefined,
      serialNumber: undefined,
      errorCode: 'HTTP_429',
    };
    expect(await bench.payouts().cancel(legacy, ctxFor(id))).toMatchObject({
      status: 'FAILED',
      reason: 'NOT_REVERSIBLE',
      needsReconciliation: true,
    });
    // A retried CancelPayout resumes from that same REJECTED record: it must look once, not restart forever.
    const retried = bench.payouts().cancel(legacy, ctxFor(id, { attempt: 2, resumed: legacy }));
    expect(await retried).toMatchObject({ status: 'FAILED', reason: 'NOT_REVERSIBLE', needsReconciliation: true });
    const nothing = newId('d1legacy-none');
    expect(await bench.payouts().cancel({ ...legacy, clientOrderId: `payout:${nothing}` }, ctxFor(nothing))).toMatchObject({
      status: 'CANCELED',
    });
  });
});

describe('defect 2: "order not found" is not "nothing paid" while the request may be on its way', () => {
  test('a payout request held past the timeout: CancelPayout keeps asking (unknown), sends nothing, then finds the paid order', async () => {
    const id = newId('d2');
    bench.proxy.plan({ mutation: { kind: 'delay-request', ms: 500 }, command: 'payout' });
    const ctx = ctxFor(id);
    await expect(bench.payouts().grant(grantInput(id), ctx)).rejects.toMatchObject(outcomeUnknown);
    const sending = ctx.lastRecord()!;
    expect(sending).toMatchObject({ stage: 'SENDING' });

    const cancel = await bench.payouts().cancel(sending, ctxFor(id));
    expect(cancel).toMatchObject({ status: 'PENDING', unknown: expect.stringMatching(/not found|no order/i) });
    await settle();
    expect(ledgerOf(id)).toMatchObject({ paidMinor: '2500' }); // the held request arrived and was paid
    const end = await followCancel(cancel, id);
    expect(end).toMatchObject({ status: 'FAILED', reason: 'NOT_REVERSIBLE', needsReconciliation: true });
    expect(commands(id).filter((c) => c === 'payout')).toHaveLength(1); // the compensation never sent a payout
  });

  test('still no order after the window (configurable): FAILED OUTCOME_UNKNOWN, flagged, with what a person needs', async () => {
    const id = newId('d2w');
    const sentAt = new Date(Date.now() - 2 * 3_600_000).toISOString();
    const record = {
      v: 1,
      provider: 'payneteasy',
      account: 'pne-test',
      clientOrderId: `payout:${id}`,
      amount: { amount: '25.00', currency: 'EUR' },
      destination: 'approve-x',
      stage: 'SENDING',
      sentAt,
    };
    const step = await bench.payouts().cancel(record, ctxFor(id));
    expect(step).toMatchObject({ status: 'FAILED', reason: 'OUTCOME_UNKNOWN', needsReconciliation: true });
    expect((step as { message: string }).message).toMatch(new RegExp(`payout:${id}.*25\\.00 EUR`));
    const short = await bench.payouts({ unknownOutcomeWindowMs: 50 }).cancel({ ...record, sentAt: new Date().toISOString() }, ctxFor(id));
    expect(short).toMatchObject({ status: 'PENDING', unknown: expect.any(String) });
    await sleep(60);
    expect(await bench.payouts({ unknownOutcomeWindowMs: 50 }).cancel(recordOf(short.processingData, req(id)), ctxFor(id))).toMatchObject({
      status: 'FAILED',
      reason: 'OUTCOME_UNKNOWN',
    });
    expect(commands(id)).not.toContain('payout');
  });

  test('connection refused on the first send: provably never sent -> FAILED NOT_SENT, nothing moved; CancelPayout: nothing paid', async () => {
    const id = newId('d2n');
    const payouts = bench.payouts({ baseUrl: `${await refusedUrl()}/paynet/` });
    const step = await payouts.grant(grantInput(id), ctxFor(id));
    expect(step).toMatchObject({ status: 'FAILED', moneyMayHaveMoved: false, failureCode: 'NOT_SENT' });
    const record = recordOf(step.processingData, req(id));
    expect(record).toMatchObject({ stage: 'NOT_SENT' });
    expect(await bench.payouts().cancel(record, ctxFor(id))).toMatchObject({ status: 'CANCELED' });
    expect(commands(id)).toEqual([]);
  });

  test('connection refused on a retried attempt: an earlier attempt may have sent -> outcome unknown', async () => {
    const id = newId('d2r');
    const payouts = bench.payouts({ baseUrl: `${await refusedUrl()}/paynet/` });
    await expect(payouts.grant(grantInput(id), ctxFor(id, { attempt: 2 }))).rejects.toMatchObject(outcomeUnknown);
  });
});

describe('defect 3: only documented final statuses are final', () => {
  test.each(['pending', 'APPROVED', '', 'Approved'])(
    'status "%s" -> PENDING with unknown set, for grant status and for CancelPayout',
    async (status) => {
      const id = newId('d3');
      const first = await bench.payouts().grant(grantInput(id), ctxFor(id));
      await settle();
      bench.proxy.plan({ mutation: { kind: 'undocumented-status', status }, command: 'status' });
      const step = await bench.payouts().status(recordOf(first.processingData!, req(id)), ctxFor(id));
      expect(step).toMatchObject({ status: 'PENDING', unknown: expect.stringContaining('status') });
      bench.proxy.plan({ mutation: { kind: 'undocumented-status', status }, command: 'status' });
      const cancel = await bench.payouts().cancel(recordOf(first.processingData!, req(id)), ctxFor(id));
      expect(cancel).toMatchObject({ status: 'PENDING', unknown: expect.any(String) });
      expect(await follow(step, id)).toMatchObject({ status: 'PAID' });
    },
  );

  test('processing and unknown are pending without the unknown flag', async () => {
    const id = newId('d3p');
    const first = await bench.payouts().grant(grantInput(id), ctxFor(id));
    bench.proxy.plan({ mutation: { kind: 'undocumented-status', status: 'unknown' }, command: 'status' });
    const step = await bench.payouts().status(recordOf(first.processingData!, req(id)), ctxFor(id));
    expect(step.status).toBe('PENDING');
    expect(step.status === 'PENDING' && step.unknown).toBeFalsy();
  });
});

describe('defect 4: provider amounts are parsed tolerantly and exactly, never thrown on', () => {
  test('ISK (exponent 0) answered as "1500.00": PAID 1500 ISK', async () => {
    const id = newId('d4isk');
    const step = await paid(id, bench.payouts(), { amount: '1500', currency: 'ISK' });
    expect(step.processedAmount).toEqual({ amount: '1500', currency: 'ISK' });
  });

  test('"25.000" EUR (trailing zeros): PAID 25.00 EUR', async () => {
    const id = newId('d4pad');
    const first = await bench.payouts().grant(grantInput(id), ctxFor(id));
    await settle();
    bench.proxy.plan({ mutation: { kind: 'pad-amount', zeros: 1 }, command: 'status' });
    const step = await bench.payouts().status(recordOf(first.processingData!, req(id)), ctxFor(id));
    expect(step).toMatchObject({ status: 'PAID', processedAmount: { amount: '25.00', currency: 'EUR' } });
  });

  test.each(['25.001', 'ten', '25,00', '2.5e1', '-25.00', ''])(
    'an unreadable or inexact amount "%s": FAILED AMOUNT_MISMATCH, money may have moved',
    async (amount) => {
      const id = newId('d4bad');
      const first = await bench.payouts().grant(grantInput(id), ctxFor(id));
      await settle();
      bench.proxy.plan({ mutation: { kind: 'unreadable-amount', amount }, command: 'status' });
      const step = await bench.payouts().status(recordOf(first.processingData!, req(id)), ctxFor(id));
      expect(step).toMatchObject({ status: 'FAILED', reason: 'PROVIDER_ERROR', failureCode: 'AMOUNT_MISMATCH', moneyMayHaveMoved: true });
    },
  );
});

describe('defect 5: a compensation asks about the transaction it means, and resumes from its last report', () => {
  test('its own return was created (answer lost) and declined: the retry does not read the declined return as a declined payout', async () => {
    const id = newId('d5');
    const payouts = bench.payouts(REVERSIBLE);
    const grant = await payouts.grant(grantInput(id), ctxFor(id));
    const processing = recordOf(grant.processingData!, req(id)); // what the CUWO holds while polling
    await settle();
    bench.sim.injectFault({ kind: 'decline-next', transactionType: 'return' });
    bench.proxy.plan({ mutation: { kind: 'reset', forward: true }, command: 'return' });
    const first = ctxFor(id);
    await expect(payouts.cancel(processing, first)).rejects.toMatchObject(outcomeUnknown);
    expect(first.lastRecord()).toMatchObject({ stage: 'RETURN_SENDING' });
    await settle(); // the return is declined
    const retry = await payouts.cancel(processing, ctxFor(id, { attempt: 2, resumed: first.lastRecord() }));
    const end = await followCancel(retry, id, payouts);
    expect(end).toMatchObject({ status: 'FAILED', reason: 'REVERSAL_DECLINED', needsReconciliation: true });
    expect(ledgerOf(id)).toMatchObject({ paidMinor: '2500', reversedMinor: '0' });
    expect(commands(id).filter((c) => c === 'return')).toHaveLength(1); // learned before re-sending
  });

  test('the same without any heartbeat: it asks the payout by its serial, finds it approved and reverses (idempotently)', async () => {
    const id = newId('d5b');
    const payouts = bench.payouts(REVERSIBLE);
    const grant = await payouts.grant(grantInput(id), ctxFor(id));
    const processing = recordOf(grant.processingData!, req(id));
    await settle();
    bench.proxy.plan({ mutation: { kind: 'reset', forward: true }, command: 'return' });
    await expect(payouts.cancel(processing, ctxFor(id))).rejects.toMatchObject(outcomeUnknown);
    await settle();
    const end = await followCancel(await payouts.cancel(processing, ctxFor(id, { attempt: 2 })), id, payouts);
    expect(end).toMatchObject({ status: 'CANCELED' });
    expect(ledgerOf(id)).toMatchObject({ paidMinor: '2500', reversedMinor: '2500' });
  });

  test('status by serial: the payout query names the payout serial, the return query the return serial', async () => {
    const id = newId('d5s');
    const payouts = bench.payouts(REVERSIBLE);
    const paidStep = await paid(id, payouts);
    const end = await followCancel(await payouts.cancel(recordOf(paidStep.processingData, req(id)), ctxFor(id)), id, payouts);
    expect(end).toMatchObject({ status: 'CANCELED' });
    const order = ordersOf(id)[0];
    const statusQueries = bench.proxy.seen.filter((s) => s.command === 'status' && s.form.client_orderid === `payout:${id}`);
    expect(statusQueries.length).toBeGreaterThan(0);
    for (const q of statusQueries) expect(order.transactions.map((t) => t.serialNumber)).toContain(q.form['by-request-sn']);
  });
});

describe('defect 6: DUPLICATE_ORDER', () => {
  test('on the first possible send: another execution owns the key -> DUPLICATE_REQUEST, nothing moved, flagged, CONFLICT; a cancel of it sends nothing', async () => {
    const id = newId('d6');
    const payouts = bench.payouts(REVERSIBLE);
    await paid(id, payouts, { amount: '30.00' }); // the other execution
    const step = await payouts.grant(grantInput(id), ctxFor(id));
    expect(step).toMatchObject({ status: 'FAILED', reason: 'DUPLICATE_REQUEST', moneyMayHaveMoved: false, needsReconciliation: true });
    const record = recordOf(step.processingData, req(id));
    expect(record).toMatchObject({ stage: 'CONFLICT' });
    expect(await payouts.cancel(record, ctxFor(id))).toMatchObject({
      status: 'FAILED',
      reason: 'DUPLICATE_REQUEST',
      needsReconciliation: true,
    });
    expect(ledgerOf(id)).toMatchObject({ paidMinor: '3000', reversedMinor: '0' });
    expect(commands(id)).not.toContain('return');
  });

  test('after a possible earlier send of ours: the order is asked for and adopted when it matches our record', async () => {
    const id = newId('d6a');
    bench.proxy.plan({ mutation: { kind: 'reset', forward: true }, command: 'payout' });
    const first = ctxFor(id);
    await expect(bench.payouts().grant(grantInput(id), first)).rejects.toMatchObject(outcomeUnknown);
    const duplicate = 'type=validation-error\n&error-message=client_orderid+already+used\n&error-code=DUPLICATE_ORDER\n';
    bench.proxy.plan({ mutation: { kind: 'replace-body', body: duplicate }, command: 'payout' });
    const step = await bench.payouts().grant(grantInput(id), ctxFor(id, { attempt: 2, resumed: first.lastRecord() }));
    expect(await follow(step, id)).toMatchObject({ status: 'PAID', reference: ordersOf(id)[0].orderId });
  });

  test('after a possible earlier send: an order that does not match ours is not adopted -> DUPLICATE_REQUEST, nothing moved', async () => {
    const id = newId('d6b');
    await paid(id, bench.payouts(), { amount: '30.00' });
    const step = await bench.payouts().grant(grantInput(id), ctxFor(id, { attempt: 3 }));
    expect(step).toMatchObject({ status: 'FAILED', reason: 'DUPLICATE_REQUEST', moneyMayHaveMoved: false, needsReconciliation: true });
  });
});

describe("defect 7: a compensation acts only on its own request's order", () => {
  test("a second execution's CancelPayout (SENDING, other amount) does not reverse the first execution's payout", async () => {
    const id = newId('d7');
    const payouts = bench.payouts(REVERSIBLE);
    await paid(id, payouts); // the first execution: 25.00 EUR paid
    const second = {
      v: 1,
      provider: 'payneteasy',
      account: 'pne-test',
      clientOrderId: `payout:${id}`,
      amount: { amount: '30.00', currency: 'EUR' },
      destination: `approve-${id}`,
      stage: 'SENDING',
      sentAt: new Date().toISOString(),
    };
    const step = await payouts.cancel(second, ctxFor(id));
    expect(step).toMatchObject({ status: 'FAILED', needsReconciliation: true });
    expect(['DUPLICATE_REQUEST', 'PROVIDER_ERROR']).toContain((step as { reason: string }).reason);
    expect(ledgerOf(id)).toMatchObject({ paidMinor: '2500', reversedMinor: '0' });
    expect(commands(id)).not.toContain('return');
  });

  test('another destination does not match either', async () => {
    const id = newId('d7d');
    const payouts = bench.payouts(REVERSIBLE);
    const first = await paid(id, payouts);
    const other = {
      ...recordOf(first.processingData, req(id)),
      destination: 'approve-someone-else',
      orderId: undefined,
      serialNumber: undefined,
      stage: 'SENDING',
    };
    const step = await payouts.cancel(other, ctxFor(id));
    expect(step).toMatchObject({ status: 'FAILED', needsReconciliation: true });
    expect(ledgerOf(id)).toMatchObject({ reversedMinor: '0' });
  });
});

describe('sending is gated and records are checked', () => {
  test('a re-send reports sending first: a cancel request that came first stops it, nothing is sent', async () => {
    const id = newId('gate');
    bench.proxy.plan({ mutation: { kind: 'reset', forward: false }, command: 'payout' });
    const first = ctxFor(id);
    await expect(bench.payouts().grant(grantInput(id), first)).rejects.toMatchObject(outcomeUnknown);
    const retry = ctxFor(id, { attempt: 2, resumed: first.lastRecord(), refuseSending: true });
    await expect(bench.payouts().grant(grantInput(id), retry)).rejects.toThrow(/CanceledBeforeSending/);
    expect(commands(id)).toEqual(['payout']);
    expect(ordersOf(id)).toHaveLength(0);
  });

  test.each([
    ['an unknown stage', { stage: 'WEIRD' }],
    ['no client order id', { clientOrderId: undefined }],
    ['an unreadable amount', { amount: { amount: 'x', currency: 'EUR' } }],
    ['PROCESSING without an order id', { stage: 'PROCESSING', orderId: undefined }],
  ])('a record with %s: FAILED (flagged), never a thrown error', async (_name, change) => {
    const id = newId('bad');
    const record = {
      v: 1,
      provider: 'payneteasy',
      account: 'pne-test',
      clientOrderId: `payout:${id}`,
      amount: { amount: '25.00', currency: 'EUR' },
      stage: 'PROCESSING',
      orderId: '1',
      serialNumber: 's',
      ...change,
    };
    const cancel = await bench.payouts().cancel(record, ctxFor(id));
    expect(cancel).toMatchObject({ status: 'FAILED', needsReconciliation: true });
    expect(['INVALID_PROCESSING_DATA', 'INTERNAL_ERROR']).toContain((cancel as { reason: string }).reason);
    const status = await bench.payouts().status(record, ctxFor(id));
    expect(status).toMatchObject({ status: 'FAILED', moneyMayHaveMoved: true });
  });
});
