/**
 * What a classified status answer means for a Payneteasy record, without HTTP
 * (src/activities/providers/payneteasy/learn.ts): where the creating transaction stands, whether an
 * order found by client_orderid alone is ours, where a capture or return stands, and the unknown
 * window. The clock is fixed; answers are built as outcome.ts classifies them.
 */
import { payneteasyAccountSchema } from '../../src/activities/providers/payneteasy/account';
import { followUp, learnCreation, ownership, seen } from '../../src/activities/providers/payneteasy/learn';
import type { StatusOutcome, TransactionView } from '../../src/activities/providers/payneteasy/outcome';
import { PAYMENT } from '../../src/activities/providers/payneteasy/payments';
import { PAYOUT } from '../../src/activities/providers/payneteasy/payouts';
import type { PaymentRecord, PayoutRecord } from '../../src/activities/providers/payneteasy/records';

const NOW = Date.parse('2026-11-21T10:00:00.000Z');
const iso = (msAgo: number) => new Date(NOW - msAgo).toISOString();
beforeAll(() => jest.useFakeTimers({ now: NOW }));
afterAll(() => jest.useRealTimers());

const accountWith = (unknownOutcomeWindowMs?: number) =>
  payneteasyAccountSchema.parse({
    provider: 'payneteasy',
    baseUrl: 'http://gate.test/paynet/',
    endpointId: '1001',
    login: 'merchant',
    controlKey: 'key',
    privateKeyPem: '-----BEGIN PRIVATE KEY-----',
    unknownOutcomeWindowMs,
  });
const account = accountWith(); // the default window: an hour
const HOUR = 3_600_000;

const payout = (over: Partial<PayoutRecord> = {}): PayoutRecord => ({
  v: 1,
  provider: 'payneteasy',
  account: 'pne',
  clientOrderId: 'payout:PR-1',
  amount: { amount: '25.00', currency: 'EUR' },
  destination: 'card-1',
  stage: 'SENDING',
  sentAt: iso(60_000),
  ...over,
});
const payment = (over: Partial<PaymentRecord> = {}): PaymentRecord => ({
  v: 1,
  provider: 'payneteasy',
  account: 'pne',
  clientOrderId: 'payment:PAY-1',
  command: 'sale',
  requested: { amount: '50.00', currency: 'EUR' },
  stage: 'PROCESSING',
  orderId: '4711',
  serialNumber: 'sn-1',
  createdAt: iso(60_000),
  ...over,
});
const view = (over: Partial<TransactionView> = {}): TransactionView => ({
  orderId: '4711',
  clientOrderId: 'payout:PR-1',
  serialNumber: 'sn-1',
  type: 'payout',
  status: 'approved',
  amount: '25.00',
  currency: 'EUR',
  minor: 2500n,
  destination: 'card-1',
  ...over,
});
const done = (v: TransactionView): StatusOutcome => ({ outcome: 'DONE', done: v });
const unknown = (kind: 'retry' | 'in-progress' | 'unrecognised' | 'not-found' | 'refused', extra: object = {}): StatusOutcome => ({
  outcome: 'UNKNOWN',
  kind,
  why: `why ${kind}`,
  ...extra,
});

describe('learnCreation: where the creating transaction stands', () => {
  test('nothing usable came back: retry (the activity throws and is retried)', () => {
    expect(learnCreation(payout(), unknown('retry'), PAYOUT, account)).toEqual({ kind: 'retry', why: 'why retry' });
  });

  test('the provider refuses to tell: refused, the record unchanged', () => {
    const refusal = { code: 'CONTROL_INVALID', message: 'bad control' };
    expect(learnCreation(payout(), unknown('refused', { refusal }), PAYOUT, account)).toEqual({
      kind: 'refused',
      record: payout(),
      refusal,
    });
  });

  test('our order, found by client_orderid alone and provably ours, is adopted: approved with its ids', () => {
    const learned = learnCreation(payout(), done(view({ orderStage: 'paid' })), PAYOUT, account);
    expect(learned).toMatchObject({
      kind: 'approved',
      record: { stage: 'APPROVED', orderId: '4711', serialNumber: 'sn-1', orderStage: 'paid', createdAt: iso(0) },
    });
  });

  test.each([
    ['another creating transaction type', view({ type: 'sale' }), true, '(4711: sale 25.00 EUR to card-1) is not'],
    ['another currency', view({ currency: 'USD' }), true, '(4711: payout 25.00 USD to card-1) is not'],
    ['another destination', view({ destination: 'card-2' }), true, '(4711: payout 25.00 EUR to card-2) is not'],
    [
      'another amount (a payout amount never changes)',
      view({ minor: 3000n, amount: '30.00' }),
      true,
      '(4711: payout 30.00 EUR to card-1) is not',
    ],
    ['an unreadable amount', view({ minor: undefined, amount: 'x' }), false, '(4711: payout x EUR to card-1) cannot be shown to be'],
    ['no destination shown', view({ destination: undefined }), false, '(4711: payout 25.00 EUR) cannot be shown to be'],
  ])('an order with %s is not adopted', (_name, shown, definite, said) => {
    const learned = learnCreation(payout(), done(shown), PAYOUT, account);
    expect(learned).toMatchObject({ kind: 'not-ours', record: payout(), definite });
    expect(learned.kind === 'not-ours' && learned.why).toBe(
      `the order Payneteasy shows for payout:PR-1 ${said} this request's payout of 25.00 EUR to card-1`,
    );
  });

  test('a payment amount may change on the form: another amount only cannot be shown to be ours', () => {
    const learned = learnCreation(
      payment({ orderId: undefined }),
      done(view({ type: 'sale', clientOrderId: 'payment:PAY-1', destination: undefined, minor: 5500n, amount: '55.00' })),
      PAYMENT,
      account,
    );
    expect(learned).toMatchObject({ kind: 'not-ours', definite: false });
    expect(learned.kind === 'not-ours' && learned.why).toBe(
      "the order Payneteasy shows for payment:PAY-1 (4711: sale 55.00 EUR) cannot be shown to be this request's sale of 50.00 EUR",
    );
  });

  test('in progress (documented): pending, stage PROCESSING, no longer unknown', () => {
    const record = payout({ orderId: '4711', serialNumber: 'sn-1', stage: 'PROCESSING', unknownSince: iso(HOUR / 2), unknown: 'earlier' });
    const learned = learnCreation(
      record,
      unknown('in-progress', { view: view({ status: 'processing', redirectUrl: 'https://gate/form/1' }) }),
      PAYOUT,
      account,
    );
    expect(learned).toEqual({
      kind: 'pending',
      record: expect.objectContaining({ stage: 'PROCESSING', redirectUrl: 'https://gate/form/1', formShown: true }),
    });
    expect(learned.kind === 'pending' && learned.record).not.toHaveProperty('unknownSince');
    expect(learned.kind === 'pending' && learned.record).not.toHaveProperty('unknown');
  });

  test('unrecognised: pending and unknown since now, until the window is over', () => {
    const record = payout({ orderId: '4711', stage: 'PROCESSING' });
    const first = learnCreation(record, unknown('unrecognised'), PAYOUT, account);
    expect(first).toEqual({
      kind: 'pending',
      record: { ...record, unknownSince: iso(0), unknown: 'why unrecognised' },
      unknown: 'why unrecognised',
    });
    const later = learnCreation({ ...record, unknownSince: iso(HOUR) }, unknown('unrecognised'), PAYOUT, account);
    expect(later).toMatchObject({ kind: 'gave-up', why: 'why unrecognised, for longer than the 60 min window' });
  });

  test('no such order yet: the window counts from when the request may have left, not from the first not-found', () => {
    const learned = learnCreation(payout({ sentAt: iso(HOUR + 1) }), unknown('not-found'), PAYOUT, account);
    expect(learned).toMatchObject({ kind: 'gave-up', record: { unknownSince: iso(0) } });
    const shortWindow = accountWith(50);
    expect(learnCreation(payout({ sentAt: iso(10) }), unknown('not-found'), PAYOUT, shortWindow)).toMatchObject({ kind: 'pending' });
    expect(learnCreation(payout({ sentAt: iso(60) }), unknown('not-found'), PAYOUT, shortWindow)).toMatchObject({
      kind: 'gave-up',
      why: 'why not-found, for longer than the 50 ms window',
    });
  });

  test('a final failure: failed, its stage and the provider error on the record', () => {
    const record = payout({ orderId: '4711', stage: 'PROCESSING' });
    const failed: StatusOutcome = {
      outcome: 'NOT_DONE',
      notDone: { ...view({ errorCode: 'E1', errorMessage: 'limit' }), status: 'filtered' },
    };
    expect(learnCreation(record, failed, PAYOUT, account)).toEqual({
      kind: 'failed',
      status: 'filtered',
      record: expect.objectContaining({ stage: 'FILTERED', errorCode: 'E1', errorMessage: 'limit' }),
    });
  });

  test('an answer about another transaction type than the creating one changes nothing on the record', () => {
    const record = payout({ orderId: '4711', stage: 'PROCESSING' });
    const other = unknown('unrecognised', { view: view({ type: 'return', errorCode: 'E9' }) });
    const learned = learnCreation(record, other, PAYOUT, account);
    expect(learned.kind === 'pending' && learned.record.errorCode).toBeUndefined();
  });

  test('a payment approved: the stage of its command, and what was processed, canonical', () => {
    const preauth = payment({ command: 'preauth' });
    const learned = learnCreation(
      preauth,
      done(view({ type: 'preauth', clientOrderId: 'payment:PAY-1', amount: '45.000', minor: 4500n, destination: undefined })),
      PAYMENT,
      account,
    );
    expect(learned).toMatchObject({
      kind: 'approved',
      record: { stage: 'AUTHORIZED', processedAmount: { amount: '45.00', currency: 'EUR' } },
    });
  });
});

describe('followUp: where a capture or return stands', () => {
  const record = payment({ stage: 'RELEASE_PROCESSING', releaseSerialNumber: 'sn-9', unknownSince: iso(HOUR / 2), unknown: 'earlier' });

  test('done and not done carry the transaction shown', () => {
    expect(followUp(record, done(view({ type: 'return' })), account)).toEqual({ kind: 'done', view: view({ type: 'return' }) });
    const declined: StatusOutcome = { outcome: 'NOT_DONE', notDone: { ...view({ type: 'return' }), status: 'declined' } };
    expect(followUp(record, declined, account)).toEqual({ kind: 'not-done', view: declined.outcome === 'NOT_DONE' && declined.notDone });
  });

  test('retry and refused pass on why', () => {
    expect(followUp(record, unknown('retry'), account)).toEqual({ kind: 'retry', why: 'why retry' });
    const refusal = { code: 'X', message: '' };
    expect(followUp(record, unknown('refused', { refusal }), account)).toEqual({ kind: 'refused', refusal, why: 'why refused' });
  });

  test('in progress: pending, no longer unknown', () => {
    const learned = followUp(record, unknown('in-progress'), account);
    expect(learned).toMatchObject({ kind: 'pending', record: { stage: 'RELEASE_PROCESSING' } });
    expect(learned).not.toHaveProperty('unknown');
    expect(learned.kind === 'pending' && learned.record).not.toHaveProperty('unknownSince');
  });

  test('otherwise pending and unknown until the window since it became unknown is over (never from sentAt)', () => {
    expect(followUp(record, unknown('not-found'), account)).toEqual({
      kind: 'pending',
      record: { ...record, unknown: 'why not-found' },
      unknown: 'why not-found',
    });
    const old = { ...record, unknownSince: iso(HOUR) };
    expect(followUp(old, unknown('unrecognised'), account)).toEqual({
      kind: 'gave-up',
      record: { ...old, unknown: 'why unrecognised' },
      why: 'why unrecognised',
    });
  });
});

describe('ownership and seen', () => {
  const expected = { type: 'payout' as const, amount: { amount: '25.00', currency: 'EUR' }, destination: 'card-1', amountMayChange: false };

  test('ours only when every fact the record has matches', () => {
    expect(ownership(expected, view())).toBe('ours');
    expect(ownership(expected, view({ type: 'return' }))).toBe('cannot-tell');
    expect(ownership({ ...expected, destination: undefined }, view({ destination: undefined }))).toBe('ours');
    expect(ownership({ ...expected, amountMayChange: true }, view({ minor: 1n }))).toBe('cannot-tell');
  });

  test('seen: ids and created time kept once known; form, stage and error taken from the answer', () => {
    const record = payout({ orderId: '4711', createdAt: iso(HOUR), orderStage: 'old', formShown: true, errorCode: 'OLD' });
    expect(seen(record, view({ orderId: '9', orderStage: undefined }))).toEqual({
      ...record,
      orderStage: 'old',
      redirectUrl: undefined,
      formShown: true,
      errorCode: undefined,
      errorMessage: undefined,
    });
  });
});
