/** disburseFunds simulator, faults: transport faults and a misbehaving provider; the ledger stays the truth. */
import { ACCOUNT, call, ledgerFor, request, requestsFor, retryOf, sim, TOKEN, useSimulator } from './support';

useSimulator();

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
