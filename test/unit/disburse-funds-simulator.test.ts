import { startDisburseFundsSimulator, type DisburseFundsSimulator, type ReceiverState } from '../../src/simulators/disburse-funds';

const ACCOUNT = 'acct-EUR';
const TOKEN = 'token-eur';
const OTHER_ACCOUNT = 'acct-INR';
const OTHER_TOKEN = 'token-inr';
const MIN = '1000000'; // 1.00
const MAX = '500000000'; // 500.00

let sim: DisburseFundsSimulator;
let seq = 0;
const newRequestId = () => `req-${Date.now()}-${++seq}`;

type Body = Record<string, any>;
function request(overrides: Partial<Body> = {}, requestId = newRequestId()): Body {
  return {
    requestHeader: {
      protocolVersion: { major: 1, minor: 0, revision: 0 },
      requestId,
      requestTimestamp: String(Date.now()),
    },
    paymentIntegratorAccountId: ACCOUNT,
    upiDetails: { vpa: 'alice@bank' },
    transactionDescription: 'enfore payout',
    currencyCode: 'EUR',
    amount: '2080000',
    ...overrides,
  };
}
/** The same request again, as a retry would send it: only requestTimestamp is fresh. */
function retryOf(body: Body, timestamp = Date.now()): Body {
  return { ...body, requestHeader: { ...body.requestHeader, requestTimestamp: String(timestamp) } };
}

async function call(body: unknown, token: string | null = TOKEN): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${sim.url}/v1/disburseFunds`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}
const ledgerFor = (requestId: string) => sim.ledger().filter((d) => d.requestId === requestId);
const requestsFor = (requestId: string) => sim.requests().filter((r) => r.requestId === requestId);

beforeAll(async () => {
  sim = await startDisburseFundsSimulator({
    accounts: {
      [ACCOUNT]: { bearerToken: TOKEN, minMicros: MIN, maxMicros: MAX },
      [OTHER_ACCOUNT]: { bearerToken: OTHER_TOKEN },
    },
    receivers: { 'closed@bank': 'ACCOUNT_CLOSED' },
  });
});
afterAll(async () => {
  await sim.close();
});

describe('processing', () => {
  test('SUCCESS records one ledger entry with the request data', async () => {
    const body = request();
    const { status, json } = await call(body);
    expect(status).toBe(200);
    expect(json).toEqual({
      responseHeader: { responseTimestamp: expect.stringMatching(/^\d+$/) },
      paymentIntegratorTransactionId: expect.any(String),
      disburseFundsResult: { disburseFundsResultCode: 'SUCCESS' },
    });
    expect(ledgerFor(body.requestHeader.requestId)).toEqual([
      {
        requestId: body.requestHeader.requestId,
        paymentIntegratorAccountId: ACCOUNT,
        paymentIntegratorTransactionId: json.paymentIntegratorTransactionId,
        amountMicros: '2080000',
        currencyCode: 'EUR',
        vpa: 'alice@bank',
        transactionDescription: 'enfore payout',
        at: expect.any(String),
      },
    ]);
  });

  test('a replay with another requestTimestamp gets the stored reply and moves money once', async () => {
    const body = request();
    const first = await call(body);
    const second = await call(retryOf(body, Date.now() - 5_000));
    const third = await call(retryOf(body, Date.now() + 5_000));
    for (const replay of [second, third]) {
      expect(replay.status).toBe(200);
      const { responseHeader, ...rest } = replay.json;
      expect(responseHeader.responseTimestamp).toMatch(/^\d+$/);
      expect(rest).toEqual({
        paymentIntegratorTransactionId: first.json.paymentIntegratorTransactionId,
        disburseFundsResult: first.json.disburseFundsResult,
      });
    }
    expect(ledgerFor(body.requestHeader.requestId)).toHaveLength(1);
  });

  test('same key with a changed amount is 412 IDEMPOTENCY_VIOLATION and the original reply stays', async () => {
    const body = request();
    const first = await call(body);
    const changed = await call({ ...retryOf(body), amount: '3000000' });
    expect(changed.status).toBe(412);
    expect(changed.json).toMatchObject({ errorResponseCode: 'IDEMPOTENCY_VIOLATION', errorDescription: expect.stringContaining('amount') });
    expect(changed.json.responseHeader.responseTimestamp).toMatch(/^\d+$/);
    for (const field of [{ currencyCode: 'USD' }, { upiDetails: { vpa: 'bob@bank' } }, { transactionDescription: 'other' }]) {
      expect((await call({ ...retryOf(body), ...field })).status).toBe(412);
    }
    const replay = await call(retryOf(body));
    expect(replay.json.paymentIntegratorTransactionId).toBe(first.json.paymentIntegratorTransactionId);
    expect(ledgerFor(body.requestHeader.requestId)).toHaveLength(1);
  });

  test('the idempotency key includes the account: same requestId on another account is a new disbursement', async () => {
    const body = request();
    const a = await call(body);
    const b = await call({ ...body, paymentIntegratorAccountId: OTHER_ACCOUNT }, OTHER_TOKEN);
    expect(a.json.disburseFundsResult.disburseFundsResultCode).toBe('SUCCESS');
    expect(b.json.disburseFundsResult.disburseFundsResultCode).toBe('SUCCESS');
    expect(b.json.paymentIntegratorTransactionId).not.toBe(a.json.paymentIntegratorTransactionId);
    expect(
      ledgerFor(body.requestHeader.requestId)
        .map((d) => d.paymentIntegratorAccountId)
        .sort(),
    ).toEqual([ACCOUNT, OTHER_ACCOUNT]);
  });

  test('receiver configured in options declines', async () => {
    const { json } = await call(request({ upiDetails: { vpa: 'closed@bank' } }));
    expect(json.disburseFundsResult.disburseFundsResultCode).toBe('ACCOUNT_CLOSED');
  });

  test.each<ReceiverState>(['ACCOUNT_CLOSED', 'ACCOUNT_CLOSED_ACCOUNT_TAKEN_OVER', 'ACCOUNT_CLOSED_FRAUD', 'ACCOUNT_ON_HOLD'])(
    'receiver state %s is the result code, with rawResult, no ledger entry, and the decline is replayed',
    async (state) => {
      const vpa = `${state.toLowerCase()}@bank`;
      sim.setReceiverState(vpa, state);
      const body = request({ upiDetails: { vpa } });
      const { status, json } = await call(body);
      expect(status).toBe(200);
      expect(json.paymentIntegratorTransactionId).toEqual(expect.any(String));
      expect(json.disburseFundsResult).toEqual({
        disburseFundsResultCode: state,
        rawResult: { scope: 'simulator', rawCode: expect.any(String) },
      });
      expect(ledgerFor(body.requestHeader.requestId)).toHaveLength(0);

      // The decline was stored: even after the account reopens, the replay gets the same answer.
      sim.setReceiverState(vpa, undefined);
      const replay = await call(retryOf(body));
      expect(replay.json.disburseFundsResult.disburseFundsResultCode).toBe(state);
      expect(replay.json.paymentIntegratorTransactionId).toBe(json.paymentIntegratorTransactionId);
      expect(ledgerFor(body.requestHeader.requestId)).toHaveLength(0);
    },
  );

  test('under the minimum and over the maximum carry the limits; the bounds are inclusive', async () => {
    const under = await call(request({ amount: '999999' }));
    expect(under.json.disburseFundsResult).toEqual({
      disburseFundsResultCode: 'DISBURSEMENT_UNDER_TRANSACTION_LIMIT',
      rawResult: { scope: 'simulator', rawCode: 'LIMIT_MIN' },
      transactionMinLimit: MIN,
    });
    const over = await call(request({ amount: '500000001' }));
    expect(over.json.disburseFundsResult).toEqual({
      disburseFundsResultCode: 'DISBURSEMENT_EXCEEDS_TRANSACTION_LIMIT',
      rawResult: { scope: 'simulator', rawCode: 'LIMIT_MAX' },
      transactionMaxLimit: MAX,
    });
    for (const amount of [MIN, MAX]) {
      expect((await call(request({ amount }))).json.disburseFundsResult.disburseFundsResultCode).toBe('SUCCESS');
    }
    // Beyond float precision: compared as BigInt.
    const huge = await call(request({ amount: '9223372036854775807' }));
    expect(huge.json.disburseFundsResult.disburseFundsResultCode).toBe('DISBURSEMENT_EXCEEDS_TRANSACTION_LIMIT');
  });
});

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

describe('faults', () => {
  test('503 unavailable does not process; the retry with the same requestId is processed once', async () => {
    sim.injectFault({ kind: 'unavailable' });
    const body = request();
    const down = await call(body);
    expect(down.status).toBe(503);
    expect(down.json.responseHeader.responseTimestamp).toMatch(/^\d+$/);
    expect(ledgerFor(body.requestHeader.requestId)).toHaveLength(0);

    const retry = await call(retryOf(body));
    expect(retry.status).toBe(200);
    expect(retry.json.disburseFundsResult.disburseFundsResultCode).toBe('SUCCESS');
    expect(ledgerFor(body.requestHeader.requestId)).toHaveLength(1);
    expect(requestsFor(body.requestHeader.requestId).map((r) => r.httpStatus)).toEqual([503, 200]);
  });

  test('drop-after-disburse: the caller sees a connection failure, the money moved, the retry learns the outcome', async () => {
    sim.injectFault({ kind: 'drop-after-disburse' });
    const body = request();
    await expect(call(body)).rejects.toThrow();
    const entries = ledgerFor(body.requestHeader.requestId);
    expect(entries).toHaveLength(1);

    const retry = await call(retryOf(body));
    expect(retry.status).toBe(200);
    expect(retry.json.disburseFundsResult.disburseFundsResultCode).toBe('SUCCESS');
    expect(retry.json.paymentIntegratorTransactionId).toBe(entries[0]!.paymentIntegratorTransactionId);
    expect(ledgerFor(body.requestHeader.requestId)).toHaveLength(1);
    expect(requestsFor(body.requestHeader.requestId)).toEqual([
      expect.objectContaining({ httpStatus: 'dropped', resultCode: 'SUCCESS', paymentIntegratorAccountId: ACCOUNT }),
      expect.objectContaining({ httpStatus: 200, resultCode: 'SUCCESS' }),
    ]);
  });

  test('drop-before-processing: nothing moved, the retry is processed', async () => {
    sim.injectFault({ kind: 'drop-before-processing' });
    const body = request();
    await expect(call(body)).rejects.toThrow();
    expect(ledgerFor(body.requestHeader.requestId)).toHaveLength(0);
    const retry = await call(retryOf(body));
    expect(retry.json.disburseFundsResult.disburseFundsResultCode).toBe('SUCCESS');
    expect(ledgerFor(body.requestHeader.requestId)).toHaveLength(1);
  });

  test('latency delays the next `count` answers only', async () => {
    sim.injectFault({ kind: 'latency', ms: 300, count: 2 });
    const timed = async () => {
      const started = Date.now();
      const { json } = await call(request());
      expect(json.disburseFundsResult.disburseFundsResultCode).toBe('SUCCESS');
      return Date.now() - started;
    };
    expect(await timed()).toBeGreaterThanOrEqual(290);
    expect(await timed()).toBeGreaterThanOrEqual(290);
    expect(await timed()).toBeLessThan(250);
  });

  test('faults are consumed in FIFO order', async () => {
    sim.injectFault({ kind: 'unavailable', count: 2 });
    sim.injectFault({ kind: 'drop-before-processing' });
    const body = request();
    expect((await call(body)).status).toBe(503);
    expect((await call(retryOf(body))).status).toBe(503);
    await expect(call(retryOf(body))).rejects.toThrow();
    expect((await call(retryOf(body))).status).toBe(200);
    expect(requestsFor(body.requestHeader.requestId).map((r) => r.httpStatus)).toEqual([503, 503, 'dropped', 200]);
    expect(ledgerFor(body.requestHeader.requestId)).toHaveLength(1);
  });

  test('an invalid fault is rejected', () => {
    expect(() => sim.injectFault({ kind: 'latency', ms: -1 })).toThrow();
    expect(() => sim.injectFault({ kind: 'explode' } as never)).toThrow();
  });
});

describe('admin endpoints', () => {
  test('GET /_sim/ledger and /_sim/requests mirror the in-process views', async () => {
    await call(request());
    const ledger = await (await fetch(`${sim.url}/_sim/ledger`)).json();
    expect(ledger).toEqual({ disbursements: sim.ledger() });
    const requests = await (await fetch(`${sim.url}/_sim/requests`)).json();
    expect(requests).toEqual({ requests: sim.requests() });
  });

  test('POST /_sim/faults injects a fault; a bad one is 400', async () => {
    const post = (fault: unknown) =>
      fetch(`${sim.url}/_sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fault) });
    expect((await post({ kind: 'unavailable' })).status).toBe(204);
    const body = request();
    expect((await call(body)).status).toBe(503);
    expect((await call(retryOf(body))).status).toBe(200);

    const bad = await post({ kind: 'latency' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errorResponseCode?: string }).errorResponseCode).toBe('INVALID_FIELD_VALUE');
  });

  test('PUT /_sim/receivers/:vpa sets and clears a receiver state', async () => {
    const vpa = 'carol@bank';
    const put = (state: unknown) =>
      fetch(`${sim.url}/_sim/receivers/${encodeURIComponent(vpa)}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ state }),
      });
    expect((await put('ACCOUNT_ON_HOLD')).status).toBe(204);
    expect((await call(request({ upiDetails: { vpa } }))).json.disburseFundsResult.disburseFundsResultCode).toBe('ACCOUNT_ON_HOLD');
    expect((await put(null)).status).toBe(204);
    expect((await call(request({ upiDetails: { vpa } }))).json.disburseFundsResult.disburseFundsResultCode).toBe('SUCCESS');
    expect((await put('BANKRUPT')).status).toBe(400);
  });
});

describe('faults of a misbehaving provider (the ledger stays the truth)', () => {
  async function callRaw(body: unknown): Promise<{ status: number; text: string; contentType: string | null }> {
    const res = await fetch(`${sim.url}/v1/disburseFunds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(body),
    });
    return { status: res.status, text: await res.text(), contentType: res.headers.get('content-type') };
  }
  const parses = (text: string) => {
    try {
      JSON.parse(text);
      return true;
    } catch {
      return false;
    }
  };

  test.each([408, 429, 500, 502] as const)('HTTP %d with and without processing first', async (status) => {
    for (const process of [false, true]) {
      sim.injectFault({ kind: 'http-error', status, process });
      const body = request();
      const answer = await callRaw(body);
      expect(answer.status).toBe(status);
      expect(JSON.parse(answer.text)).not.toHaveProperty('errorResponseCode');
      expect(ledgerFor(body.requestHeader.requestId)).toHaveLength(process ? 1 : 0);
      expect(requestsFor(body.requestHeader.requestId)).toEqual([
        expect.objectContaining({ httpStatus: status, fault: 'http-error', ...(process ? { resultCode: 'SUCCESS' } : {}) }),
      ]);
      // The retry gets the stored reply (processed) or is processed now: money moves once either way.
      expect((await call(retryOf(body))).json.disburseFundsResult.disburseFundsResultCode).toBe('SUCCESS');
      expect(ledgerFor(body.requestHeader.requestId)).toHaveLength(1);
    }
  });

  test('an HTML error page (default 502), after processing or not', async () => {
    for (const process of [false, true]) {
      sim.injectFault({ kind: 'html-error', process });
      const body = request();
      const answer = await callRaw(body);
      expect(answer.status).toBe(502);
      expect(answer.contentType).toContain('text/html');
      expect(answer.text).toContain('<html>');
      expect(ledgerFor(body.requestHeader.requestId)).toHaveLength(process ? 1 : 0);
    }
  });

  test.each(['truncated', 'garbage', 'empty'] as const)('HTTP 200 with a %s body, after processing or not', async (kind) => {
    for (const process of [false, true]) {
      sim.injectFault({ kind: 'bad-body', body: kind, process });
      const body = request();
      const answer = await callRaw(body);
      expect(answer.status).toBe(200);
      expect(parses(answer.text)).toBe(false);
      if (kind === 'empty') expect(answer.text).toBe('');
      expect(ledgerFor(body.requestHeader.requestId)).toHaveLength(process ? 1 : 0);
    }
  });

  test('a decline without rawResult: the real decline code when processed, a made-up one when not', async () => {
    sim.injectFault({ kind: 'decline-without-raw-result', process: true });
    const closed = request({ upiDetails: { vpa: 'closed@bank' } });
    const real = JSON.parse((await callRaw(closed)).text);
    expect(real.disburseFundsResult).toEqual({ disburseFundsResultCode: 'ACCOUNT_CLOSED' });
    // Processed and paid, yet it says "declined" without rawResult: only the ledger knows.
    sim.injectFault({ kind: 'decline-without-raw-result', process: true });
    const paid = request();
    expect(JSON.parse((await callRaw(paid)).text).disburseFundsResult).toEqual({ disburseFundsResultCode: 'ACCOUNT_ON_HOLD' });
    expect(ledgerFor(paid.requestHeader.requestId)).toHaveLength(1);
    sim.injectFault({ kind: 'decline-without-raw-result' });
    const unprocessed = request();
    expect(JSON.parse((await callRaw(unprocessed)).text).disburseFundsResult.rawResult).toBeUndefined();
    expect(ledgerFor(unprocessed.requestHeader.requestId)).toHaveLength(0);
  });

  test('an undocumented result code (UNKNOWN_RESULT by default, or any other)', async () => {
    sim.injectFault({ kind: 'undocumented-result', process: true });
    const first = request();
    expect(JSON.parse((await callRaw(first)).text).disburseFundsResult.disburseFundsResultCode).toBe('UNKNOWN_RESULT');
    expect(ledgerFor(first.requestHeader.requestId)).toHaveLength(1);
    sim.injectFault({ kind: 'undocumented-result', code: 'ACCOUNT_FROZEN' });
    const second = request();
    expect(JSON.parse((await callRaw(second)).text).disburseFundsResult.disburseFundsResultCode).toBe('ACCOUNT_FROZEN');
    expect(ledgerFor(second.requestHeader.requestId)).toHaveLength(0);
  });

  test('delay-before-processing: the caller gives up, the payout happens later; settled() waits for it', async () => {
    sim.injectFault({ kind: 'delay-before-processing', ms: 300 });
    const body = request();
    const gaveUp = fetch(`${sim.url}/v1/disburseFunds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(50),
    });
    await expect(gaveUp).rejects.toThrow();
    expect(ledgerFor(body.requestHeader.requestId)).toHaveLength(0);
    await sim.settled();
    expect(ledgerFor(body.requestHeader.requestId)).toHaveLength(1);
  });

  test('POST /_sim/faults takes every kind (zod-validated); DELETE clears them', async () => {
    const post = (fault: unknown) =>
      fetch(`${sim.url}/_sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fault) });
    for (const fault of [
      { kind: 'http-error', status: 429, process: true },
      { kind: 'html-error', status: 404 },
      { kind: 'bad-body', body: 'garbage' },
      { kind: 'decline-without-raw-result' },
      { kind: 'undocumented-result', code: 'X' },
      { kind: 'delay-before-processing', ms: 5, count: 2 },
    ]) {
      expect((await post(fault)).status).toBe(204);
    }
    for (const bad of [
      { kind: 'http-error', status: 418 },
      { kind: 'bad-body', body: 'weird' },
      { kind: 'html-error', status: 200 },
      { kind: 'delay-before-processing' },
    ]) {
      expect((await post(bad)).status).toBe(400);
    }
    expect((await fetch(`${sim.url}/_sim/faults`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(request())).status).toBe(200);
  });
});
