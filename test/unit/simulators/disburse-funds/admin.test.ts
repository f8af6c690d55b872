/** disburseFunds simulator, admin API under /_sim/. */
import { call, request, retryOf, sim, useSimulator } from './support';

useSimulator();

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
