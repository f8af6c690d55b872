/**
 * The Payneteasy outcome table (src/activities/providers/payneteasy/outcome.ts), without HTTP: every
 * row of the table, every cut of a valid answer, and arbitrary exchanges (never a throw, NOT_DONE and
 * DONE only from what proves them).
 */
import fc from 'fast-check';
import type { Exchange } from '../../src/activities/providers/http';
import {
  classifyCreation,
  classifyOrderCommand,
  classifyStatus,
  type TransactionType,
} from '../../src/activities/providers/payneteasy/outcome';
import { providerMinorUnits } from '../../src/activities/providers/payneteasy/protocol';

const enc = (fields: Record<string, string>) =>
  Object.entries(fields)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}\n`)
    .join('&');
const answer = (body: string, httpStatus = 200): Exchange => ({ kind: 'answer', httpStatus, body });
const CLIENT = 'payout:PR-1';
const accepted = { type: 'async-response', 'serial-number': 'sn-1', 'merchant-order-id': CLIENT, 'paynet-order-id': '8000001' };
const formAccepted = {
  type: 'async-form-response',
  'serial-number': 'sn-1',
  'merchant-order-id': CLIENT,
  'paynet-order-id': '8000001',
  'redirect-url': 'https://gate/form/8000001',
};
const refusal = (code: string, type = 'validation-error') => ({ type, 'error-message': 'nope', 'error-code': code });
const statusAnswer = (over: Record<string, string> = {}) => ({
  type: 'status-response',
  status: 'approved',
  'transaction-type': 'payout',
  amount: '25.00',
  currency: 'EUR',
  'paynet-order-id': '8000001',
  'merchant-order-id': CLIENT,
  'serial-number': 'sn-1',
  'order-stage': 'payout_approved',
  ...over,
});
const asked = { clientOrderId: CLIENT, orderId: '8000001', serialNumber: 'sn-1', type: 'payout' as TransactionType };

describe('creation (payout, sale-form, preauth-form)', () => {
  test('connection refused: NOT_DONE, provably never sent', () => {
    expect(classifyCreation({ kind: 'not-sent', error: 'ECONNREFUSED' }, { clientOrderId: CLIENT, form: false })).toEqual({
      outcome: 'NOT_DONE',
      notDone: { notSent: 'ECONNREFUSED' },
    });
  });
  test('no answer: UNKNOWN', () => {
    expect(classifyCreation({ kind: 'no-answer', error: 'timeout' }, { clientOrderId: CLIENT, form: false }).outcome).toBe('UNKNOWN');
  });
  test('async-response naming our order: DONE with order id and serial', () => {
    expect(classifyCreation(answer(enc(accepted)), { clientOrderId: CLIENT, form: false })).toEqual({
      outcome: 'DONE',
      done: { orderId: '8000001', serialNumber: 'sn-1', redirectUrl: undefined },
    });
  });
  test('async-form-response for a form: DONE with the form URL; for a payout it is unexpected', () => {
    expect(classifyCreation(answer(enc(formAccepted)), { clientOrderId: CLIENT, form: true })).toMatchObject({
      outcome: 'DONE',
      done: { redirectUrl: 'https://gate/form/8000001' },
    });
    expect(classifyCreation(answer(enc(formAccepted)), { clientOrderId: CLIENT, form: false }).outcome).toBe('UNKNOWN');
  });
  test.each([200, 400, 401, 403, 404, 409, 422])('a refusal with an error code at HTTP %i: NOT_DONE refused', (status) => {
    expect(classifyCreation(answer(enc(refusal('INVALID_FIELD')), status), { clientOrderId: CLIENT, form: false })).toEqual({
      outcome: 'NOT_DONE',
      notDone: { refused: { code: 'INVALID_FIELD', message: 'nope' } },
    });
    expect(classifyCreation(answer(enc(refusal('OAUTH_INVALID', 'error')), status), { clientOrderId: CLIENT, form: false }).outcome).toBe(
      'NOT_DONE',
    );
  });
  test.each([100, 201, 204, 301, 302, 408, 429, 500, 502, 503, 504, 599])('HTTP %i says nothing, whatever the body: UNKNOWN', (status) => {
    for (const body of [enc(refusal('SERVICE_UNAVAILABLE', 'error')), enc(accepted), '', '<html>Bad Gateway</html>\n']) {
      expect(classifyCreation(answer(body, status), { clientOrderId: CLIENT, form: false }).outcome).toBe('UNKNOWN');
    }
  });
  test.each([
    ['empty body', ''],
    ['HTML page', '<!doctype html><html><body>Error</body></html>'],
    ['HTML page ending in a newline', '<!doctype html><html><body>Error</body></html>\n'],
    ['garbage', '\u0000\u00ff garbage'],
    ['a refusal without an error code', enc({ type: 'error', 'error-message': 'x' })],
    ['no type', enc({ 'paynet-order-id': '1', 'serial-number': 's' })],
    ['a status answer', enc(statusAnswer())],
    ['a repeated field', `${enc(accepted)}&paynet-order-id=8000002\n`],
    ['no merchant-order-id', enc({ ...accepted, 'merchant-order-id': '' })],
    ['another order', enc({ ...accepted, 'merchant-order-id': 'payout:PR-2' })],
    ['no serial', enc({ type: 'async-response', 'merchant-order-id': CLIENT, 'paynet-order-id': '1' })],
  ])('HTTP 200 with %s: UNKNOWN', (_name, body) => {
    expect(classifyCreation(answer(body), { clientOrderId: CLIENT, form: false }).outcome).toBe('UNKNOWN');
  });
  test('every cut of a valid answer is UNKNOWN or the same DONE (never another fact)', () => {
    for (const full of [enc(accepted), enc(formAccepted), enc(refusal('DUPLICATE_ORDER'))]) {
      for (let cut = 0; cut < full.length; cut++) {
        const c = classifyCreation(answer(full.slice(0, cut)), { clientOrderId: CLIENT, form: true });
        if (c.outcome === 'DONE') expect(c.done).toMatchObject({ orderId: '8000001', serialNumber: 'sn-1' });
        else if (c.outcome === 'NOT_DONE') expect(c.notDone).toEqual({ refused: { code: 'DUPLICATE_ORDER', message: expect.any(String) } });
      }
    }
  });
});

describe('order command (capture, return)', () => {
  const ids = { clientOrderId: CLIENT, orderId: '8000001' };
  test('accepted for our order: DONE with its serial', () => {
    expect(classifyOrderCommand(answer(enc({ ...accepted, 'serial-number': 'ret-1' })), ids)).toEqual({
      outcome: 'DONE',
      done: { orderId: '8000001', serialNumber: 'ret-1', redirectUrl: undefined },
    });
  });
  test('accepted for another order: UNKNOWN', () => {
    expect(classifyOrderCommand(answer(enc({ ...accepted, 'paynet-order-id': '8000002' })), ids).outcome).toBe('UNKNOWN');
  });
  test('refused: NOT_DONE; not sent: NOT_DONE; no answer, 5xx, garbage: UNKNOWN', () => {
    expect(classifyOrderCommand(answer(enc(refusal('OPERATION_NOT_ALLOWED', 'error'))), ids)).toMatchObject({
      outcome: 'NOT_DONE',
      notDone: { refused: { code: 'OPERATION_NOT_ALLOWED' } },
    });
    expect(classifyOrderCommand({ kind: 'not-sent', error: 'ECONNREFUSED' }, ids)).toMatchObject({
      outcome: 'NOT_DONE',
      notDone: { notSent: 'ECONNREFUSED' },
    });
    expect(classifyOrderCommand({ kind: 'no-answer', error: 'reset' }, ids).outcome).toBe('UNKNOWN');
    expect(classifyOrderCommand(answer(enc(accepted), 503), ids).outcome).toBe('UNKNOWN');
    expect(classifyOrderCommand(answer('garbage'), ids).outcome).toBe('UNKNOWN');
  });
});

describe('status of a transaction', () => {
  test.each([
    ['approved', 'DONE', undefined],
    ['declined', 'NOT_DONE', undefined],
    ['error', 'NOT_DONE', undefined],
    ['filtered', 'NOT_DONE', undefined],
    ['processing', 'UNKNOWN', 'in-progress'],
    ['unknown', 'UNKNOWN', 'in-progress'],
    ['pending', 'UNKNOWN', 'unrecognised'],
    ['APPROVED', 'UNKNOWN', 'unrecognised'],
    ['Declined', 'UNKNOWN', 'unrecognised'],
    ['', 'UNKNOWN', 'unrecognised'],
    ['approved ', 'DONE', undefined], // values are trimmed: the newline (and spaces) go
  ])('status "%s" of the transaction asked about: %s %s', (status, outcome, kind) => {
    const c = classifyStatus(answer(enc(statusAnswer({ status }))), asked);
    expect(c.outcome).toBe(outcome);
    if (kind) expect(c).toMatchObject({ kind, view: { type: 'payout' } });
  });
  test('the view carries what a person and the adapter need, the amount read exactly', () => {
    const c = classifyStatus(
      answer(enc(statusAnswer({ amount: '25.000', 'redirect-to': 'https://f', 'error-code': 'X', 'destination-card-ref-id': 'card-1' }))),
      asked,
    );
    expect(c).toMatchObject({
      outcome: 'DONE',
      done: {
        orderId: '8000001',
        serialNumber: 'sn-1',
        amount: '25.000',
        currency: 'EUR',
        minor: 2500n,
        redirectUrl: 'https://f',
        errorCode: 'X',
        destination: 'card-1',
      },
    });
  });
  test('an unreadable amount is carried as such (no minor units), never thrown on', () => {
    expect(classifyStatus(answer(enc(statusAnswer({ amount: '25,00' }))), asked)).toMatchObject({
      outcome: 'DONE',
      done: { amount: '25,00', minor: undefined },
    });
    expect(classifyStatus(answer(enc(statusAnswer({ currency: 'ZZZ' }))), asked)).toMatchObject({
      outcome: 'DONE',
      done: { minor: undefined },
    });
  });
  test('another transaction type than asked: UNKNOWN unrecognised, with a view of it (a declined return is not a declined payout)', () => {
    const c = classifyStatus(answer(enc(statusAnswer({ status: 'declined', 'transaction-type': 'return' }))), {
      clientOrderId: CLIENT,
      orderId: '8000001',
      type: 'payout',
    });
    expect(c).toMatchObject({ outcome: 'UNKNOWN', kind: 'unrecognised', view: { type: 'return', status: 'declined' } });
  });
  test.each([
    ['another serial', { 'serial-number': 'sn-2' }],
    ['another order id', { 'paynet-order-id': '8000002' }],
    ['another client order', { 'merchant-order-id': 'payout:PR-2' }],
  ])('%s than asked: UNKNOWN unrecognised without a view', (_name, over) => {
    const c = classifyStatus(answer(enc(statusAnswer(over))), asked);
    expect(c).toMatchObject({ outcome: 'UNKNOWN', kind: 'unrecognised' });
    expect((c as { view?: unknown }).view).toBeUndefined();
  });
  test.each(['status', 'transaction-type', 'paynet-order-id', 'merchant-order-id', 'serial-number'])('no %s: UNKNOWN retry', (field) => {
    const fields: Record<string, string> = statusAnswer();
    delete fields[field];
    expect(classifyStatus(answer(enc(fields)), asked)).toMatchObject({ outcome: 'UNKNOWN', kind: 'retry' });
  });
  test('ORDER_NOT_FOUND / TRANSACTION_NOT_FOUND: UNKNOWN not-found; another refusal: UNKNOWN refused', () => {
    expect(classifyStatus(answer(enc(refusal('ORDER_NOT_FOUND', 'error'))), asked)).toMatchObject({
      outcome: 'UNKNOWN',
      kind: 'not-found',
    });
    expect(classifyStatus(answer(enc(refusal('TRANSACTION_NOT_FOUND', 'error'))), asked)).toMatchObject({
      outcome: 'UNKNOWN',
      kind: 'not-found',
    });
    expect(classifyStatus(answer(enc(refusal('CONTROL_INVALID'))), asked)).toMatchObject({
      outcome: 'UNKNOWN',
      kind: 'refused',
      refusal: { code: 'CONTROL_INVALID' },
    });
  });
  test('transport and HTTP failures, unreadable bodies: UNKNOWN retry (a status query that never left proves nothing about the order)', () => {
    for (const ex of [
      { kind: 'not-sent', error: 'ECONNREFUSED' } as Exchange,
      { kind: 'no-answer', error: 'timeout' } as Exchange,
      answer(enc(statusAnswer()), 500),
      answer(enc(statusAnswer()), 429),
      answer(enc(statusAnswer()), 408),
      answer('<html></html>'),
      answer(''),
      answer(enc(accepted)),
      answer(enc(statusAnswer()).slice(0, -1)),
    ]) {
      expect(classifyStatus(ex, asked)).toMatchObject({ outcome: 'UNKNOWN', kind: 'retry' });
    }
  });
  test('every cut of a status answer is never another fact: UNKNOWN, or the same approved payout', () => {
    const full = enc(statusAnswer({ 'error-code': 'E', 'error-message': 'm' }));
    for (let cut = 0; cut < full.length; cut++) {
      const c = classifyStatus(answer(full.slice(0, cut)), asked);
      expect(['UNKNOWN', 'DONE']).toContain(c.outcome);
      if (c.outcome === 'DONE') expect(c.done).toMatchObject({ status: 'approved', type: 'payout', serialNumber: 'sn-1' });
    }
  });
});

describe('provider amounts', () => {
  test.each([
    ['10.15', 'EUR', 1015n],
    ['10.150', 'EUR', 1015n],
    ['10.1500000', 'EUR', 1015n],
    ['10', 'EUR', 1000n],
    ['10.1', 'EUR', 1010n],
    ['0.00', 'EUR', 0n],
    ['1500', 'ISK', 1500n],
    ['1500.00', 'ISK', 1500n],
    ['1500.0', 'KRW', 1500n],
    ['12.345', 'KWD', 12345n],
    ['12.3450', 'KWD', 12345n],
    ['90071992547409.93', 'EUR', 9007199254740993n],
    ['010.15', 'EUR', 1015n],
  ])('"%s" %s = %s minor units', (amount, currency, minor) => {
    expect(providerMinorUnits(amount, currency)).toBe(minor);
  });
  test.each([
    ['10.155', 'EUR'],
    ['1500.50', 'ISK'],
    ['10,15', 'EUR'],
    ['1e3', 'EUR'],
    ['-10.00', 'EUR'],
    ['+10.00', 'EUR'],
    ['', 'EUR'],
    ['10.', 'EUR'],
    ['.5', 'EUR'],
    [' 10.00', 'EUR'],
    ['ten', 'EUR'],
    ['10.00', 'ZZZ'],
    ['10.00', 'eur'],
    ['10.00', ''],
    ['NaN', 'EUR'],
    ['Infinity', 'EUR'],
  ])('"%s" %s is unreadable', (amount, currency) => {
    expect(providerMinorUnits(amount, currency)).toBeUndefined();
  });
});

describe('arbitrary exchanges', () => {
  const pieces = fc.oneof(
    fc.constantFrom(
      'type',
      'status',
      'transaction-type',
      'paynet-order-id',
      'merchant-order-id',
      'serial-number',
      'error-code',
      'amount',
      'currency',
      '=',
      '&',
      '\n',
      '%',
      '+',
    ),
    fc.constantFrom(
      'async-response',
      'async-form-response',
      'status-response',
      'error',
      'validation-error',
      'approved',
      'declined',
      'processing',
      CLIENT,
      '8000001',
      'sn-1',
      'payout',
      'return',
      'ORDER_NOT_FOUND',
      'DUPLICATE_ORDER',
    ),
    fc.string({ maxLength: 6 }),
  );
  const body = fc.array(pieces, { maxLength: 30 }).map((p) => p.join(''));
  const exchange: fc.Arbitrary<Exchange> = fc.oneof(
    fc.record({ kind: fc.constant('not-sent' as const), error: fc.string() }),
    fc.record({ kind: fc.constant('no-answer' as const), error: fc.string() }),
    fc.record({
      kind: fc.constant('answer' as const),
      httpStatus: fc.oneof(fc.constantFrom(200, 400, 401, 404, 408, 429, 500, 503), fc.integer({ min: 100, max: 599 })),
      body,
    }),
  );

  test('the classifiers are total, and DONE / NOT_DONE only come from what proves them', () => {
    fc.assert(
      fc.property(
        exchange,
        fc.constantFrom<TransactionType>('payout', 'sale', 'preauth', 'capture', 'return'),
        fc.option(fc.constant('sn-1'), { nil: undefined }),
        (ex, type, serialNumber) => {
          const creation = classifyCreation(ex, { clientOrderId: CLIENT, form: true });
          const command = classifyOrderCommand(ex, { clientOrderId: CLIENT, orderId: '8000001' });
          const status = classifyStatus(ex, { clientOrderId: CLIENT, serialNumber, type });
          for (const c of [creation, command, status]) expect(['DONE', 'NOT_DONE', 'UNKNOWN']).toContain(c.outcome);
          const wellFormed = ex.kind === 'answer' && ex.body.endsWith('\n') && ex.httpStatus === 200;
          const refusable =
            ex.kind === 'answer' &&
            ex.body.endsWith('\n') &&
            (ex.httpStatus === 200 || (ex.httpStatus >= 400 && ex.httpStatus < 500 && ex.httpStatus !== 408 && ex.httpStatus !== 429));
          for (const c of [creation, command]) {
            if (c.outcome === 'DONE') expect(wellFormed && ex.kind === 'answer' && ex.httpStatus === 200).toBe(true);
            if (c.outcome === 'NOT_DONE') expect(ex.kind === 'not-sent' || ('refused' in c.notDone && refusable)).toBe(true);
          }
          if (status.outcome !== 'UNKNOWN') {
            expect(wellFormed).toBe(true);
            const view = status.outcome === 'DONE' ? status.done : status.notDone;
            expect(view.type).toBe(type);
            if (serialNumber) expect(view.serialNumber).toBe(serialNumber);
          }
        },
      ),
      { numRuns: 5_000 },
    );
  });
});
