/**
 * The disburseFunds processing record: every shape earlier code sealed (taken from the recorded replay
 * histories and from the code of earlier versions) still parses, keeps its key order (a record handed
 * back re-seals to the same string), and proves what it proved; anything else is a problem, not a cast.
 */
import { parseRecord, provenOutcome, sendableAmount, type DisburseRecord } from '../../src/activities/providers/disburse-funds/record';

const base = {
  v: 1,
  provider: 'disburse-funds',
  account: 'upi-main',
  requestId: 'payout:pr-1',
  paymentIntegratorAccountId: 'integrator-EUR',
  amountMicros: '25000000',
  currencyCode: 'EUR',
  vpa: 'asha@okbank',
  transactionDescription: 'Payout for CM-2026-0001',
};

/** As sealed by earlier code, in the key order it wrote, with what CancelPayout reads from each. */
const WRITTEN: Array<[string, Record<string, unknown>, ReturnType<typeof provenOutcome>]> = [
  ['SENDING before the send', { ...base, stage: 'SENDING' }, undefined],
  ['PAID', { ...base, stage: 'PAID', paymentIntegratorTransactionId: 't-1', resultCode: 'SUCCESS' }, 'PAID'],
  [
    'PAID after a 503 (lastSeen first)',
    { ...base, stage: 'PAID', lastSeen: 'HTTP 503', paymentIntegratorTransactionId: 't-1', resultCode: 'SUCCESS' },
    'PAID',
  ],
  [
    'DECLINED with rawResult',
    {
      ...base,
      stage: 'DECLINED',
      paymentIntegratorTransactionId: 't-1',
      resultCode: 'ACCOUNT_CLOSED',
      rawResult: { scope: 'simulator', rawCode: 'CLOSED' },
    },
    'NOTHING_PAID',
  ],
  [
    'DECLINED with a limit as money',
    {
      ...base,
      stage: 'DECLINED',
      paymentIntegratorTransactionId: 't-1',
      resultCode: 'DISBURSEMENT_EXCEEDS_TRANSACTION_LIMIT',
      rawResult: { scope: 'simulator', rawCode: 'LIMIT_MAX' },
      limit: { kind: 'max', amount: '1000.00', currency: 'EUR' },
    },
    'NOTHING_PAID',
  ],
  [
    'DECLINED with a raw limit',
    {
      ...base,
      stage: 'DECLINED',
      resultCode: 'DISBURSEMENT_UNDER_TRANSACTION_LIMIT',
      rawResult: { rawCode: 'MIN' },
      limit: { kind: 'min', raw: 'lots' },
    },
    'NOTHING_PAID',
  ],
  ['NOT_SENT', { ...base, stage: 'NOT_SENT', lastSeen: 'not sent: fetch failed (ECONNREFUSED)' }, 'NOTHING_PAID'],
  ['SENDING after no answer', { ...base, stage: 'SENDING', lastSeen: 'no answer (fetch failed (UND_ERR_SOCKET))' }, undefined],
  ['CONFLICT', { ...base, stage: 'CONFLICT', errorResponseCode: 'IDEMPOTENCY_VIOLATION', errorDescription: 'other amount' }, 'CONFLICT'],
  [
    'REJECTED with the error identifier',
    { ...base, stage: 'REJECTED', errorResponseCode: 'INVALID_FIELD_VALUE', paymentIntegratorErrorIdentifier: 'err-42' },
    'NOTHING_PAID',
  ],
  ['an amount refused before sending', { ...base, amountMicros: '', stage: 'NOT_SENT' }, 'NOTHING_PAID'],
  // Older code: before NOT_SENT and CONFLICT, before the outcome table.
  [
    'older: SENDING with a result that settled nothing',
    { ...base, stage: 'SENDING', paymentIntegratorTransactionId: 't-1', resultCode: 'SUCCESS' },
    undefined,
  ],
  ['older: rawResult before stage', { ...base, rawResult: { scope: 'simulator', rawCode: 'ON_HOLD' }, stage: 'SENDING' }, undefined],
  [
    'older: DECLINED without rawResult.rawCode',
    { ...base, stage: 'DECLINED', resultCode: 'ACCOUNT_CLOSED', rawResult: { scope: 'bank' } },
    undefined,
  ],
  [
    'older: DECLINED with an undocumented code',
    { ...base, stage: 'DECLINED', resultCode: 'ACCOUNT_FROZEN', rawResult: { rawCode: 'X' } },
    undefined,
  ],
  [
    'older: a limit finer than the minor unit, in micros',
    {
      ...base,
      stage: 'DECLINED',
      resultCode: 'DISBURSEMENT_UNDER_TRANSACTION_LIMIT',
      rawResult: { scope: 'bank', rawCode: 'M' },
      limit: { kind: 'min', amount: '1000000001 micros', currency: 'EUR' },
    },
    'NOTHING_PAID',
  ],
  ['older: REJECTED by a body without a code', { ...base, stage: 'REJECTED' }, undefined],
  ['older: REJECTED with HTTP_400', { ...base, stage: 'REJECTED', errorResponseCode: 'HTTP_400' }, undefined],
  ['older: a 412 REJECTED', { ...base, stage: 'REJECTED', errorResponseCode: 'IDEMPOTENCY_VIOLATION' }, undefined],
];

describe('records earlier code wrote', () => {
  test.each(WRITTEN)('%s: parses, keeps its key order, proves what it proved', (_name, written, proves) => {
    const parsed = parseRecord(structuredClone(written));
    expect(parsed.ok).toBe(true);
    const { record } = parsed as { ok: true; record: DisburseRecord };
    expect(JSON.stringify(record)).toBe(JSON.stringify(written));
    expect(provenOutcome(record)).toBe(proves);
  });

  test('unknown keys are kept, where they were', () => {
    const written = { ...base, note: 'by hand', stage: 'SENDING' };
    const parsed = parseRecord(written);
    expect(parsed.ok && JSON.stringify(parsed.record)).toBe(JSON.stringify(written));
  });
});

describe('anything else is a problem', () => {
  test.each([
    ['nothing', undefined],
    ['another provider', { ...base, provider: 'payneteasy', stage: 'SENDING' }],
    ['a stage nobody knows, no request', { v: 1, provider: 'disburse-funds', account: 'upi-main', stage: 'TELEPORTING' }],
    ['a stage nobody wrote', { ...base, stage: 'TELEPORTING' }],
    ['another version', { ...base, v: 2, stage: 'SENDING' }],
    ['no version', { ...base, v: undefined, stage: 'SENDING' }],
    ['an empty requestId', { ...base, requestId: '', stage: 'SENDING' }],
    ['an amount that is not a string', { ...base, amountMicros: 25000000, stage: 'SENDING' }],
    ['a rawResult that is not an object', { ...base, stage: 'DECLINED', rawResult: 'CLOSED' }],
    ['a limit of neither form', { ...base, stage: 'DECLINED', limit: { kind: 'max' } }],
  ])('%s', (_name, data) => {
    expect(parseRecord(data)).toEqual({ ok: false, problem: expect.any(String) });
  });
});

describe('the amount a record sends', () => {
  const record = (amountMicros: string, currencyCode = 'EUR'): DisburseRecord => ({
    ...base,
    v: 1,
    provider: 'disburse-funds',
    amountMicros,
    currencyCode,
    stage: 'SENDING',
  });
  test.each([
    ['25000000', 'EUR', { amount: '25.00', currency: 'EUR' }],
    ['100000000', 'JPY', { amount: '100', currency: 'JPY' }],
    ['9223372036854770000', 'EUR', { amount: '9223372036854.77', currency: 'EUR' }],
  ])('%s micros %s -> %j', (micros, currency, money) => {
    expect(sendableAmount(record(micros, currency))).toEqual(money);
  });
  test.each(['', '0', '-1', '1.5', '0100', '9223372036854775808', '1000000001'])('%j micros -> none: never sent', (micros) => {
    expect(sendableAmount(record(micros))).toBeUndefined();
  });
});
