/**
 * The disburseFunds transformers without HTTP: the request a record makes (URL, headers, body,
 * requestId, micros) and how a response body is read (good and malformed replies and ErrorResponses).
 * The outcome table itself is tested row by row in disburse-funds-outcome.test.ts.
 */
import type { DisburseFundsAccount } from '../../src/activities/providers/disburse-funds/account';
import {
  disburseFundsRequest,
  firstRecord,
  microsOf,
  parseErrorResponse,
  parseReply,
} from '../../src/activities/providers/disburse-funds/transformers';
import type { GrantPayoutActivityInput } from '../../src/contracts';

const account: DisburseFundsAccount = {
  provider: 'disburse-funds',
  baseUrl: 'http://provider.test/base',
  paymentIntegratorAccountId: 'integrator-EUR',
  bearerToken: 'token-eur',
  timeoutMs: 2_000,
};

function input(overrides: Partial<GrantPayoutActivityInput> = {}): GrantPayoutActivityInput {
  return {
    payoutRequestID: 'abc-123',
    amount: { amount: '25.50', currency: 'EUR' },
    accountName: 'upi-main',
    destinations: [{ identifierType: 'UPI_VPA', identifier: 'asha@okbank' }],
    description: 'Payout for CM-1',
    notify: ['test-cuwo'],
    ...overrides,
  };
}

describe('request building', () => {
  test('the first record: every field the request and CancelPayout need, stage NOT_SENT, no secrets', () => {
    expect(firstRecord(input(), 'upi-main', account)).toEqual({
      v: 1,
      provider: 'disburse-funds',
      account: 'upi-main',
      requestId: 'payout:abc-123',
      paymentIntegratorAccountId: 'integrator-EUR',
      amountMicros: '25500000',
      currencyCode: 'EUR',
      vpa: 'asha@okbank',
      transactionDescription: 'Payout for CM-1',
      stage: 'NOT_SENT',
    });
  });

  test('the destination is the UPI_VPA identifier, wherever it stands; without one there is no record', () => {
    const destinations = [
      { identifierType: 'IBAN', identifier: 'DE89370400440532013000' },
      { identifierType: 'UPI_VPA', identifier: 'ravi@upi' },
    ];
    expect(firstRecord(input({ destinations }), 'upi-main', account)?.vpa).toBe('ravi@upi');
    expect(firstRecord(input({ destinations: [destinations[0]!] }), 'upi-main', account)).toBeUndefined();
    expect(firstRecord(input({ destinations: [] }), 'upi-main', account)).toBeUndefined();
  });

  test('requestId is derived from the payout request id only: readable when it fits, hashed otherwise', () => {
    expect(firstRecord(input({ payoutRequestID: 'a:b_c' }), 'other', { ...account, paymentIntegratorAccountId: 'x' })?.requestId).toBe(
      'payout:a:b_c',
    );
    expect(firstRecord(input({ payoutRequestID: 'order/42' }), 'upi-main', account)?.requestId).toBe(
      'payout-sha256:12e4be1bb177a39c558de9551603d8146b5b4eafa6c07945249a4709b44cf13a',
    );
    expect(firstRecord(input({ payoutRequestID: 'x'.repeat(100) }), 'upi-main', account)?.requestId).toMatch(
      /^payout-sha256:[0-9a-f]{64}$/,
    );
  });

  test.each([
    ['25.50', 'EUR', '25500000'],
    ['0.01', 'EUR', '10000'],
    ['100', 'JPY', '100000000'],
    ['1.234', 'BHD', '1234000'],
    ['2.08', 'INR', '2080000'],
    ['9223372036854.77', 'EUR', '9223372036854770000'],
  ])('micros: %s %s -> %s (minor units x 10^(6 - exponent), exactly)', (amount, currency, micros) => {
    expect(microsOf({ amount, currency })).toBe(micros);
    expect(firstRecord(input({ amount: { amount, currency } }), 'upi-main', account)?.amountMicros).toBe(micros);
  });

  test.each([
    ['beyond int64', '92233720368547.75', 'EUR'],
    ['just beyond int64', '9223372036854.78', 'EUR'],
    ['finer than the minor unit', '1.001', 'EUR'],
    ['an unknown currency', '1.00', 'XXY'],
  ])('micros: %s -> "" (refused before sending)', (_name, amount, currency) => {
    expect(microsOf({ amount, currency })).toBe('');
  });

  test('the HTTP request: POST <baseUrl>v1/disburseFunds, JSON with the bearer token, the record as the body', () => {
    const record = firstRecord(input(), 'upi-main', account)!;
    const request = disburseFundsRequest(record, account, 1_700_000_000_000);
    expect(request).toEqual({
      url: 'http://provider.test/base/v1/disburseFunds',
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer token-eur' },
      body: expect.any(String),
    });
    // The exact body, key order included.
    expect(request.body).toBe(
      JSON.stringify({
        requestHeader: {
          protocolVersion: { major: 1, minor: 0, revision: 0 },
          requestId: 'payout:abc-123',
          requestTimestamp: '1700000000000',
        },
        paymentIntegratorAccountId: 'integrator-EUR',
        transactionDescription: 'Payout for CM-1',
        currencyCode: 'EUR',
        amount: '25500000',
        upiDetails: { vpa: 'asha@okbank' },
      }),
    );
    expect(disburseFundsRequest(record, { ...account, baseUrl: 'http://provider.test/base/' }, 0).url).toBe(
      'http://provider.test/base/v1/disburseFunds',
    );
  });

  test("the customer's locale goes into the record and is sent as requestHeader.userLocale; without one there is none", () => {
    const record = firstRecord(input({ locale: 'de-DE', description: 'Auszahlung für CM-1' }), 'upi-main', account)!;
    expect(record).toMatchObject({ userLocale: 'de-DE', transactionDescription: 'Auszahlung für CM-1' });
    expect(JSON.parse(disburseFundsRequest(record, account, 1).body).requestHeader).toEqual({
      protocolVersion: { major: 1, minor: 0, revision: 0 },
      requestId: 'payout:abc-123',
      requestTimestamp: '1',
      userLocale: 'de-DE',
    });
    expect(JSON.parse(disburseFundsRequest(firstRecord(input(), 'upi-main', account)!, account, 1).body).requestHeader).not.toHaveProperty(
      'userLocale',
    );
  });

  test('a resumed record is sent as it was written, whatever the account says now; only requestTimestamp differs per send', () => {
    const record = { ...firstRecord(input(), 'upi-main', account)!, stage: 'SENDING' as const };
    const moved = { ...account, paymentIntegratorAccountId: 'integrator-EUR-2' };
    const first = JSON.parse(disburseFundsRequest(record, account, 1).body);
    const retry = JSON.parse(disburseFundsRequest(record, moved, 2).body);
    expect(retry.paymentIntegratorAccountId).toBe('integrator-EUR');
    expect({ ...retry, requestHeader: { ...retry.requestHeader, requestTimestamp: '1' } }).toEqual(first);
  });
});

const header = { responseTimestamp: '1481900013178' };
const reply = (result: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ responseHeader: header, paymentIntegratorTransactionId: 'txn-1', disburseFundsResult: result, ...extra });

describe('response parsing: a 200 reply', () => {
  test('SUCCESS', () => {
    expect(parseReply(reply({ disburseFundsResultCode: 'SUCCESS' }))).toEqual({
      ok: true,
      reply: { transactionId: 'txn-1', resultCode: 'SUCCESS' },
    });
  });

  test('a decline with rawResult and a limit', () => {
    const body = reply({
      disburseFundsResultCode: 'DISBURSEMENT_EXCEEDS_TRANSACTION_LIMIT',
      rawResult: { scope: 'visa', rawCode: 'MAX' },
      transactionMaxLimit: '1000000000',
    });
    expect(parseReply(body)).toEqual({
      ok: true,
      reply: {
        transactionId: 'txn-1',
        resultCode: 'DISBURSEMENT_EXCEEDS_TRANSACTION_LIMIT',
        rawResult: { scope: 'visa', rawCode: 'MAX' },
        limit: { kind: 'max', raw: '1000000000', micros: 1000000000n },
      },
    });
  });

  test('informational fields are read leniently: "", null and other types count as absent; unreadable limits stay raw', () => {
    const body = reply({ disburseFundsResultCode: 'ACCOUNT_CLOSED', rawResult: { scope: '', rawCode: 51 }, transactionMinLimit: 12.5 });
    expect(parseReply(body)).toEqual({
      ok: true,
      reply: {
        transactionId: 'txn-1',
        resultCode: 'ACCOUNT_CLOSED',
        rawResult: { scope: undefined, rawCode: undefined },
        limit: { kind: 'min', raw: '12.5' },
      },
    });
    expect(parseReply(reply({ disburseFundsResultCode: 'ACCOUNT_CLOSED', rawResult: 'C' }))).toEqual({
      ok: true,
      reply: { transactionId: 'txn-1', resultCode: 'ACCOUNT_CLOSED' },
    });
  });

  test.each([
    ['not JSON', '<html>OK</html>', 'not a JSON object: "<html>OK</html>"'],
    ['empty', '', 'not a JSON object: (empty body)'],
    ['an array', '[]', 'not a JSON object: "[]"'],
    ['truncated', reply({ disburseFundsResultCode: 'SUCCESS' }).slice(0, 30), 'not a JSON object'],
    ['no responseHeader', reply({ disburseFundsResultCode: 'SUCCESS' }, { responseHeader: undefined }), 'responseHeader.responseTimestamp'],
    [
      'responseTimestamp a number',
      reply({ disburseFundsResultCode: 'SUCCESS' }, { responseHeader: { responseTimestamp: 1 } }),
      'responseHeader.responseTimestamp',
    ],
    [
      'no transaction id',
      reply({ disburseFundsResultCode: 'SUCCESS' }, { paymentIntegratorTransactionId: '' }),
      'paymentIntegratorTransactionId',
    ],
    ['no result', reply(undefined), 'disburseFundsResult.disburseFundsResultCode'],
    ['a result code of another type', reply({ disburseFundsResultCode: 1 }), 'disburseFundsResult.disburseFundsResultCode'],
  ])('malformed: %s -> not a reply, and why', (_name, body, why) => {
    expect(parseReply(body)).toEqual({ ok: false, why: expect.stringContaining(why) });
  });
});

describe('response parsing: an ErrorResponse', () => {
  test('code, description and error identifier', () => {
    const body = JSON.stringify({
      responseHeader: header,
      errorResponseCode: 'INVALID_FIELD_VALUE',
      errorDescription: 'amount',
      paymentIntegratorErrorIdentifier: 'e-1',
    });
    expect(parseErrorResponse(body)).toEqual({ code: 'INVALID_FIELD_VALUE', description: 'amount', errorIdentifier: 'e-1' });
  });

  test('its fields are optional and read leniently', () => {
    expect(parseErrorResponse(JSON.stringify({ responseHeader: {}, errorResponseCode: 7, errorDescription: '' }))).toEqual({
      code: undefined,
      description: undefined,
      errorIdentifier: undefined,
    });
  });

  test.each([
    ['HTML', '<html>Bad Request</html>'],
    ['empty', ''],
    ['no responseHeader', JSON.stringify({ errorResponseCode: 'INVALID_FIELD_VALUE' })],
    ['responseHeader not an object', JSON.stringify({ responseHeader: 'x', errorResponseCode: 'INVALID_FIELD_VALUE' })],
    ['a JSON array', '[{"responseHeader":{}}]'],
  ])('malformed: %s -> none', (_name, body) => {
    expect(parseErrorResponse(body)).toBeUndefined();
  });
});
