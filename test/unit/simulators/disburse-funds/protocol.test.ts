/** disburseFunds simulator, request validation: the ErrorResponse code and HTTP status of each refusal. */
import { type Body, call, ledgerFor, OTHER_TOKEN, request, retryOf, useSimulator } from './support';

useSimulator();

describe('errors', () => {
  test('a stale or future requestTimestamp is 400 REQUEST_TIMESTAMP_OUT_OF_RANGE and is not stored', async () => {
    const body = request();
    for (const ts of [Date.now() - 120_000, Date.now() + 120_000]) {
      const { status, json } = await call(retryOf(body, ts));
      expect(status).toBe(400);
      expect(json.errorResponseCode).toBe('REQUEST_TIMESTAMP_OUT_OF_RANGE');
    }
    expect(ledgerFor(body.requestHeader.requestId)).toHaveLength(0);
    const retry = await call(retryOf(body));
    expect(retry.json.disburseFundsResult.disburseFundsResultCode).toBe('SUCCESS');
  });

  test('a wrong, missing or other account bearer is 401 INVALID_PAYLOAD_SIGNATURE', async () => {
    const body = request();
    for (const token of ['wrong', null, OTHER_TOKEN]) {
      const { status, json } = await call(body, token);
      expect(status).toBe(401);
      expect(json).toEqual({
        responseHeader: { responseTimestamp: expect.any(String) },
        errorResponseCode: 'INVALID_PAYLOAD_SIGNATURE',
        errorDescription: expect.any(String),
      });
    }
    expect(ledgerFor(body.requestHeader.requestId)).toHaveLength(0);
  });

  test('an unknown account is 404 INVALID_IDENTIFIER', async () => {
    const { status, json } = await call(request({ paymentIntegratorAccountId: 'nope' }));
    expect(status).toBe(404);
    expect(json.errorResponseCode).toBe('INVALID_IDENTIFIER');
  });

  test.each([
    ['amount', (b: Body) => delete b.amount],
    ['currencyCode', (b: Body) => delete b.currencyCode],
    ['transactionDescription', (b: Body) => (b.transactionDescription = '')],
    ['upiDetails.vpa', (b: Body) => delete b.upiDetails],
    ['upiDetails.vpa', (b: Body) => (b.upiDetails = {})],
    ['paymentIntegratorAccountId', (b: Body) => delete b.paymentIntegratorAccountId],
    ['requestHeader.requestId', (b: Body) => delete b.requestHeader.requestId],
    ['requestHeader.requestTimestamp', (b: Body) => delete b.requestHeader.requestTimestamp],
    ['requestHeader.protocolVersion.minor', (b: Body) => delete b.requestHeader.protocolVersion.minor],
  ])('missing %s is 400 MISSING_REQUIRED_FIELD naming the field', async (field, mutate) => {
    const body = request();
    mutate(body);
    const { status, json } = await call(body);
    expect(status).toBe(400);
    expect(json.errorResponseCode).toBe('MISSING_REQUIRED_FIELD');
    expect(json.errorDescription).toContain(field);
  });

  test.each([
    ['amount', { amount: '0' }],
    ['amount', { amount: '-5' }],
    ['amount', { amount: '1.5' }],
    ['amount', { amount: 2080000 }],
    ['amount', { amount: '9223372036854775808' }],
    ['currencyCode', { currencyCode: 'eur' }],
    ['requestHeader.requestId', { requestHeader: { ...request().requestHeader, requestId: 'has space' } }],
    ['requestHeader.requestId', { requestHeader: { ...request().requestHeader, requestId: 'x'.repeat(101) } }],
  ])('bad %s is 400 INVALID_FIELD_VALUE naming the field', async (field, overrides) => {
    const { status, json } = await call(request(overrides));
    expect(status).toBe(400);
    expect(json.errorResponseCode).toBe('INVALID_FIELD_VALUE');
    expect(json.errorDescription).toContain(field);
  });

  test('a body that is not a JSON object is 400 INVALID_FIELD_VALUE', async () => {
    const { status, json } = await call([request()]);
    expect(status).toBe(400);
    expect(json.errorResponseCode).toBe('INVALID_FIELD_VALUE');
  });

  test('protocolVersion.major other than 1 is 400 INVALID_API_VERSION', async () => {
    const body = request();
    body.requestHeader.protocolVersion.major = 2;
    const { status, json } = await call(body);
    expect(status).toBe(400);
    expect(json.errorResponseCode).toBe('INVALID_API_VERSION');
  });

  test('malformed JSON is a 400 ErrorResponse, not the framework default', async () => {
    const { status, json } = await call('{"requestHeader": ');
    expect(status).toBe(400);
    expect(json).toEqual({
      responseHeader: { responseTimestamp: expect.any(String) },
      errorResponseCode: 'INVALID_FIELD_VALUE',
      errorDescription: expect.any(String),
    });
  });
});
