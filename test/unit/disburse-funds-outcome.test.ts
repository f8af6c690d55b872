/**
 * classifyDisburseFunds: every row of the table in src/activities/providers/disburse-funds/transformers.ts,
 * without HTTP, and totality over arbitrary exchanges.
 */
import fc from 'fast-check';
import { ERROR_RESPONSE_CODES, RESULT_CODE_REASONS } from '../../src/activities/providers/disburse-funds/codes';
import { classifyDisburseFunds } from '../../src/activities/providers/disburse-funds/transformers';
import type { Exchange } from '../../src/activities/providers/http';

const answer = (httpStatus: number, body: unknown): Exchange => ({
  kind: 'answer',
  httpStatus,
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
const header = { responseTimestamp: '1481900013178' };
const reply = (result: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  responseHeader: header,
  paymentIntegratorTransactionId: 'txn-1',
  disburseFundsResult: result,
  ...extra,
});
const errorResponse = (code?: string, extra: Record<string, unknown> = {}) => ({
  responseHeader: header,
  ...(code === undefined ? {} : { errorResponseCode: code }),
  errorDescription: 'why',
  ...extra,
});
const outcomeOf = (exchange: Exchange) => classifyDisburseFunds(exchange).outcome;

const DECLINES = Object.keys(RESULT_CODE_REASONS);
const REFUSED = ['INVALID_FIELD_VALUE', 'MISSING_REQUIRED_FIELD', 'PRECONDITION_VIOLATION', 'INVALID_DECRYPTED_REQUEST'];
const MISCONFIGURED: Array<[number, string]> = [
  [400, 'INVALID_API_VERSION'],
  [400, 'INVALID_PAYLOAD_ENCRYPTION'],
  [401, 'INVALID_PAYLOAD_SIGNATURE'],
  [403, 'FORBIDDEN'],
  [404, 'INVALID_IDENTIFIER'],
];

describe('row: not-sent (connection refused) -> NOT_DONE not-sent', () => {
  test('carries the transport error', () => {
    expect(classifyDisburseFunds({ kind: 'not-sent', error: 'connect ECONNREFUSED (ECONNREFUSED)' })).toEqual({
      outcome: 'NOT_DONE',
      notDone: { kind: 'not-sent', error: 'connect ECONNREFUSED (ECONNREFUSED)' },
    });
  });
});

describe('row: no-answer (timeout, reset, body broke off) -> UNKNOWN', () => {
  test.each([
    'The operation was aborted due to timeout',
    'other side closed (UND_ERR_SOCKET)',
    'answer broke off after HTTP 200: terminated',
  ])('%s', (error) => {
    const result = classifyDisburseFunds({ kind: 'no-answer', error });
    expect(result).toEqual({ outcome: 'UNKNOWN', why: expect.stringContaining(error) });
  });
});

describe('row: 200 reply SUCCESS -> DONE', () => {
  test('with the provider transaction id', () => {
    expect(classifyDisburseFunds(answer(200, reply({ disburseFundsResultCode: 'SUCCESS' })))).toEqual({
      outcome: 'DONE',
      done: { transactionId: 'txn-1' },
    });
  });
  test('extra and informational fields do not matter', () => {
    const body = reply(
      { disburseFundsResultCode: 'SUCCESS', rawResult: { rawCode: 'OK' }, transactionMaxLimit: 'x' },
      { somethingNew: true },
    );
    expect(outcomeOf(answer(200, body))).toBe('DONE');
  });
});

describe('row: 200 documented decline + rawResult.rawCode -> NOT_DONE declined', () => {
  test.each(DECLINES)('%s', (code) => {
    expect(
      classifyDisburseFunds(answer(200, reply({ disburseFundsResultCode: code, rawResult: { scope: 'visa', rawCode: '51' } }))),
    ).toEqual({
      outcome: 'NOT_DONE',
      notDone: {
        kind: 'declined',
        resultCode: code,
        reason: RESULT_CODE_REASONS[code],
        transactionId: 'txn-1',
        rawResult: { scope: 'visa', rawCode: '51' },
      },
    });
  });
  test('scope is optional (absent, null, empty, of another type: dropped)', () => {
    for (const scope of [undefined, null, '', 7]) {
      const result = classifyDisburseFunds(
        answer(200, reply({ disburseFundsResultCode: 'ACCOUNT_CLOSED', rawResult: { scope, rawCode: 'C' } })),
      );
      expect(result).toMatchObject({ outcome: 'NOT_DONE', notDone: { rawResult: { rawCode: 'C' } } });
      expect((result as { notDone: { rawResult: object } }).notDone.rawResult).not.toHaveProperty('scope');
    }
  });
  test.each([
    ['int64 micros', { transactionMaxLimit: '1000000000' }, { kind: 'max', raw: '1000000000', micros: 1000000000n }],
    [
      'int64 max',
      { transactionMaxLimit: '9223372036854775807' },
      { kind: 'max', raw: '9223372036854775807', micros: 9223372036854775807n },
    ],
    ['beyond int64: raw only', { transactionMaxLimit: '9223372036854775808' }, { kind: 'max', raw: '9223372036854775808' }],
    ['not a number: raw only', { transactionMaxLimit: 'lots' }, { kind: 'max', raw: 'lots' }],
    ['a decimal: raw only', { transactionMaxLimit: '12.5' }, { kind: 'max', raw: '12.5' }],
    ['a JSON number: raw only', { transactionMaxLimit: 1000000000 }, { kind: 'max', raw: '1000000000' }],
    ['an object: raw only', { transactionMaxLimit: { units: 5 } }, { kind: 'max', raw: '{"units":5}' }],
  ])('a limit, %s, never decides: still a decline', (_name, fields, limit) => {
    const result = classifyDisburseFunds(
      answer(200, reply({ disburseFundsResultCode: 'DISBURSEMENT_EXCEEDS_TRANSACTION_LIMIT', rawResult: { rawCode: 'MAX' }, ...fields })),
    );
    expect(result).toMatchObject({ outcome: 'NOT_DONE', notDone: { kind: 'declined', limit } });
    expect((result as { notDone: { limit: object } }).notDone.limit).toEqual(limit);
  });
  test('a decline without a limit field is still a decline', () => {
    expect(
      classifyDisburseFunds(
        answer(200, reply({ disburseFundsResultCode: 'DISBURSEMENT_UNDER_TRANSACTION_LIMIT', rawResult: { rawCode: 'MIN' } })),
      ),
    ).toMatchObject({ outcome: 'NOT_DONE', notDone: { kind: 'declined', reason: 'AMOUNT_BELOW_LIMIT' } });
  });
});

describe('row: 200 documented decline without rawResult.rawCode -> UNKNOWN', () => {
  test.each([
    ['no rawResult', {}],
    ['rawResult null', { rawResult: null }],
    ['rawResult without rawCode', { rawResult: { scope: 'visa' } }],
    ['empty rawCode', { rawResult: { rawCode: '' } }],
    ['rawCode a number', { rawResult: { rawCode: 51 } }],
    ['rawResult a string', { rawResult: '51' }],
  ])('%s', (_name, fields) => {
    for (const code of DECLINES) {
      expect(classifyDisburseFunds(answer(200, reply({ disburseFundsResultCode: code, ...fields })))).toEqual({
        outcome: 'UNKNOWN',
        why: expect.stringContaining('rawResult'),
      });
    }
  });
});

describe('row: 200 UNKNOWN_RESULT or an undocumented code -> UNKNOWN', () => {
  test.each(['UNKNOWN_RESULT', 'ACCOUNT_FROZEN', 'success', '', 'constructor', '__proto__', 'toString', 'hasOwnProperty'])('%j', (code) => {
    expect(outcomeOf(answer(200, reply({ disburseFundsResultCode: code, rawResult: { rawCode: 'X' } })))).toBe('UNKNOWN');
  });
});

describe('row: 200 body not JSON, truncated, empty, an ErrorResponse, or a required field missing/ill-typed -> UNKNOWN', () => {
  const full = JSON.stringify(reply({ disburseFundsResultCode: 'SUCCESS' }));
  test.each([
    ['not JSON', 'Service Temporarily Unavailable'],
    ['truncated', full.slice(0, full.length - 3)],
    ['empty', ''],
    ['whitespace', '  \n'],
    ['HTML', '<html><body>OK</body></html>'],
    ['JSON null', 'null'],
    ['JSON array', JSON.stringify([reply({ disburseFundsResultCode: 'SUCCESS' })])],
    ['JSON string', '"SUCCESS"'],
    ['an ErrorResponse', errorResponse('INVALID_FIELD_VALUE')],
    ['no responseHeader', reply({ disburseFundsResultCode: 'SUCCESS' }, { responseHeader: undefined })],
    ['responseTimestamp a number', reply({ disburseFundsResultCode: 'SUCCESS' }, { responseHeader: { responseTimestamp: 1 } })],
    ['no transaction id', reply({ disburseFundsResultCode: 'SUCCESS' }, { paymentIntegratorTransactionId: undefined })],
    ['empty transaction id', reply({ disburseFundsResultCode: 'SUCCESS' }, { paymentIntegratorTransactionId: '' })],
    ['transaction id a number', reply({ disburseFundsResultCode: 'SUCCESS' }, { paymentIntegratorTransactionId: 42 })],
    ['no result', reply({ disburseFundsResultCode: 'SUCCESS' }, { disburseFundsResult: undefined })],
    ['result an array', reply({ disburseFundsResultCode: 'SUCCESS' }, { disburseFundsResult: ['SUCCESS'] })],
    ['no result code', reply({})],
    ['result code a number', reply({ disburseFundsResultCode: 1 })],
    [
      'a decline without transaction id',
      reply({ disburseFundsResultCode: 'ACCOUNT_CLOSED', rawResult: { rawCode: 'C' } }, { paymentIntegratorTransactionId: undefined }),
    ],
  ])('%s', (_name, body) => {
    expect(outcomeOf(answer(200, body))).toBe('UNKNOWN');
  });
});

describe(
  'row: 400 INVALID_FIELD_VALUE / MISSING_REQUIRED_FIELD / PRECONDITION_VIOLATION / INVALID_DECRYPTED_REQUEST ' + '-> NOT_DONE refused',
  () => {
    test.each(REFUSED)('%s, with description and error identifier kept', (code) => {
      expect(classifyDisburseFunds(answer(400, errorResponse(code, { paymentIntegratorErrorIdentifier: 'e-1' })))).toEqual({
        outcome: 'NOT_DONE',
        notDone: { kind: 'refused', httpStatus: 400, code, configuration: false, description: 'why', errorIdentifier: 'e-1' },
      });
    });
  },
);

describe('row: configuration refusals at their documented status -> NOT_DONE refused (configuration)', () => {
  test.each(MISCONFIGURED)('%d %s', (status, code) => {
    expect(classifyDisburseFunds(answer(status, errorResponse(code)))).toEqual({
      outcome: 'NOT_DONE',
      notDone: { kind: 'refused', httpStatus: status, code, configuration: true, description: 'why' },
    });
  });
});

describe('row: 412 IDEMPOTENCY_VIOLATION -> NOT_DONE conflict', () => {
  test('another execution owns the key', () => {
    expect(classifyDisburseFunds(answer(412, errorResponse('IDEMPOTENCY_VIOLATION', { paymentIntegratorErrorIdentifier: 'e-2' })))).toEqual(
      {
        outcome: 'NOT_DONE',
        notDone: { kind: 'conflict', code: 'IDEMPOTENCY_VIOLATION', description: 'why', errorIdentifier: 'e-2' },
      },
    );
  });
});

describe('rows: 400 REQUEST_TIMESTAMP_OUT_OF_RANGE, 423 USER_ACTION_IN_PROGRESS -> UNKNOWN (retry)', () => {
  test.each([
    [400, 'REQUEST_TIMESTAMP_OUT_OF_RANGE'],
    [423, 'USER_ACTION_IN_PROGRESS'],
  ])('%d %s', (status, code) => {
    expect(classifyDisburseFunds(answer(status, errorResponse(code, { paymentIntegratorErrorIdentifier: 'e-3' })))).toEqual({
      outcome: 'UNKNOWN',
      why: expect.stringMatching(new RegExp(`${code}.*e-3`)),
    });
  });
});

describe('row: 408, 429, 5xx with anything -> UNKNOWN', () => {
  const bodies = [
    '',
    '<html>busy</html>',
    JSON.stringify(errorResponse(undefined)),
    JSON.stringify(errorResponse('INVALID_FIELD_VALUE')),
    JSON.stringify(errorResponse('IDEMPOTENCY_VIOLATION')),
    JSON.stringify(reply({ disburseFundsResultCode: 'SUCCESS' })),
    JSON.stringify(reply({ disburseFundsResultCode: 'ACCOUNT_CLOSED', rawResult: { rawCode: 'C' } })),
  ];
  test.each([408, 429, 500, 501, 502, 503, 504, 599])('%d', (status) => {
    for (const body of bodies) expect(outcomeOf(answer(status, body))).toBe('UNKNOWN');
  });
});

describe('row: any other status or body -> UNKNOWN', () => {
  test.each([
    ['400 HTML', 400, '<html>Bad Request</html>'],
    ['404 HTML (wrong path behind a proxy)', 404, '<html>Not Found</html>'],
    ['401 empty', 401, ''],
    ['400 ErrorResponse without a code', 400, errorResponse(undefined)],
    ['400 ErrorResponse without responseHeader', 400, { errorResponseCode: 'INVALID_FIELD_VALUE' }],
    ['400 an undocumented code', 400, errorResponse('SOMETHING_ELSE')],
    ['400 a code of another status (FORBIDDEN)', 400, errorResponse('FORBIDDEN')],
    ['401 INVALID_IDENTIFIER (documented at 404)', 401, errorResponse('INVALID_IDENTIFIER')],
    ['412 INVALID_FIELD_VALUE', 412, errorResponse('INVALID_FIELD_VALUE')],
    ['412 without a code', 412, errorResponse(undefined)],
    ['400 IDEMPOTENCY_VIOLATION (documented at 412)', 400, errorResponse('IDEMPOTENCY_VIOLATION')],
    ['409 INVALID_FIELD_VALUE', 409, errorResponse('INVALID_FIELD_VALUE')],
    ['422', 422, errorResponse('INVALID_FIELD_VALUE')],
    ['400 a reply body', 400, reply({ disburseFundsResultCode: 'SUCCESS' })],
    ['400 code "constructor"', 400, errorResponse('constructor')],
    ['201 a SUCCESS reply', 201, reply({ disburseFundsResultCode: 'SUCCESS' })],
    ['204', 204, ''],
    ['302', 302, ''],
    ['100', 100, ''],
  ])('%s', (_name, status, body) => {
    expect(outcomeOf(answer(status, body))).toBe('UNKNOWN');
  });

  test('every documented ErrorResponse code at any status other than its own is UNKNOWN', () => {
    for (const [code, { httpStatus }] of Object.entries(ERROR_RESPONSE_CODES)) {
      for (const status of [200, 400, 401, 403, 404, 409, 412, 423, 500]) {
        if (status !== httpStatus) expect(outcomeOf(answer(status, errorResponse(code)))).toBe('UNKNOWN');
      }
    }
  });
});

describe('totality', () => {
  const json = fc.jsonValue().map((v) => JSON.stringify(v));
  const nearReply = fc
    .record({
      responseHeader: fc.option(fc.constantFrom(header, {}, 'x'), { nil: undefined }),
      paymentIntegratorTransactionId: fc.option(fc.oneof(fc.string(), fc.integer()), { nil: undefined }),
      disburseFundsResult: fc.option(
        fc.record({
          disburseFundsResultCode: fc.oneof(fc.constantFrom('SUCCESS', 'UNKNOWN_RESULT', ...DECLINES), fc.string()),
          rawResult: fc.option(fc.record({ scope: fc.option(fc.string()), rawCode: fc.option(fc.oneof(fc.string(), fc.integer())) }), {
            nil: undefined,
          }),
          transactionMaxLimit: fc.option(fc.oneof(fc.string(), fc.bigInt().map(String), fc.integer()), { nil: undefined }),
        }),
        { nil: undefined },
      ),
      errorResponseCode: fc.option(fc.constantFrom(...Object.keys(ERROR_RESPONSE_CODES), 'X'), { nil: undefined }),
    })
    .map((v) => JSON.stringify(v));
  const body = fc.oneof(
    fc.string(),
    json,
    nearReply,
    nearReply.map((s) => s.slice(0, s.length >> 1)),
  );
  const exchange: fc.Arbitrary<Exchange> = fc.oneof(
    fc.record({ kind: fc.constant('not-sent' as const), error: fc.string() }),
    fc.record({ kind: fc.constant('no-answer' as const), error: fc.string() }),
    fc.record({
      kind: fc.constant('answer' as const),
      httpStatus: fc.oneof(fc.integer({ min: 100, max: 599 }), fc.constantFrom(200, 400, 401, 403, 404, 412, 423)),
      body,
    }),
  );

  test(
    'never throws; DONE only for 200 SUCCESS; refused only for 400/401/403/404; ' + 'conflict only for 412; not-sent only when not sent',
    () => {
      fc.assert(
        fc.property(exchange, (ex) => {
          const result = classifyDisburseFunds(ex);
          if (result.outcome === 'UNKNOWN') {
            expect(typeof result.why).toBe('string');
            return;
          }
          if (result.outcome === 'DONE') {
            expect(ex).toMatchObject({ kind: 'answer', httpStatus: 200 });
            expect(JSON.parse((ex as { body: string }).body).disburseFundsResult.disburseFundsResultCode).toBe('SUCCESS');
            return;
          }
          const { notDone } = result;
          if (notDone.kind === 'not-sent') expect(ex.kind).toBe('not-sent');
          else expect(ex.kind).toBe('answer');
          if (notDone.kind === 'declined') expect((ex as { httpStatus: number }).httpStatus).toBe(200);
          if (notDone.kind === 'refused') expect([400, 401, 403, 404]).toContain((ex as { httpStatus: number }).httpStatus);
          if (notDone.kind === 'conflict') expect((ex as { httpStatus: number }).httpStatus).toBe(412);
        }),
        { numRuns: 2_000 },
      );
    },
  );
});
