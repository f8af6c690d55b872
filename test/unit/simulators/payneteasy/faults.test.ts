/** Payneteasy simulator, faults: transport faults, a misbehaving gateway, and decline-next on payment transactions. */
import { approvedPayment, capture, money, paymentForm, refund, saleFields, startPayment, voidTx } from './payment-support';
import {
  callbacksFor,
  callbackUrl,
  createPayout,
  delay,
  EP_A,
  finalStatus,
  keyA,
  ledgerFor,
  oauthHeader,
  ordersFor,
  payout,
  payoutFields,
  PROCESSING_MS,
  refOf,
  sim,
  status,
  useSimulator,
  waitFor,
} from './support';

useSimulator();

describe('faults', () => {
  test('unavailable: 503 and nothing processed; the retry is processed normally', async () => {
    sim.injectFault({ kind: 'unavailable' });
    const fields = payoutFields();
    const down = await payout(fields);
    expect(down.status).toBe(503);
    expect(ordersFor(fields.client_orderid)).toHaveLength(0);
    const up = await payout(fields);
    expect(up.status).toBe(200);
    expect(up.fields.type).toBe('async-response');
    expect(ordersFor(fields.client_orderid)).toHaveLength(1);
  });

  test('clearFaults forgets every queued fault: the next request is served normally', async () => {
    sim.injectFault({ kind: 'unavailable', count: 5 });
    sim.injectFault({ kind: 'decline-next', transactionType: 'capture' });
    sim.clearFaults();
    const fields = payoutFields();
    const up = await payout(fields);
    expect(up.status).toBe(200);
    expect(ordersFor(fields.client_orderid)).toHaveLength(1);
  });

  test('drop-after-processing: no answer, but the order exists and the repeat returns it', async () => {
    sim.injectFault({ kind: 'drop-after-processing' });
    const fields = payoutFields();
    await expect(payout(fields)).rejects.toThrow();
    const [order] = ordersFor(fields.client_orderid);
    expect(order).toBeDefined();
    const repeat = await payout(fields);
    expect(repeat.fields).toMatchObject({
      type: 'async-response',
      'paynet-order-id': order.orderId,
      'serial-number': order.transactions[0].serialNumber,
    });
    expect(ordersFor(fields.client_orderid)).toHaveLength(1);
    await finalStatus(refOf(fields.client_orderid, repeat));
    expect(ledgerFor(fields.client_orderid)).toEqual([expect.objectContaining({ paidMinor: '2500' })]);
  });

  test('drop-before-processing: no answer and no order; faults queue in order (via the admin endpoint)', async () => {
    for (const fault of [{ kind: 'drop-before-processing' }, { kind: 'unavailable', count: 2 }]) {
      const res = await fetch(`${sim.url}/_sim/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(fault),
      });
      expect(res.status).toBe(204);
    }
    const fields = payoutFields();
    await expect(payout(fields)).rejects.toThrow();
    expect(ordersFor(fields.client_orderid)).toHaveLength(0);
    expect((await payout(fields)).status).toBe(503);
    expect((await status({ clientOrderId: 'x', orderId: '1' })).status).toBe(503); // faults apply to every API command
    expect((await payout(fields)).fields.type).toBe('async-response');
  });

  test('latency delays the answer', async () => {
    sim.injectFault({ kind: 'latency', ms: 300 });
    const started = Date.now();
    const a = await payout(payoutFields());
    expect(a.fields.type).toBe('async-response');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  test('invalid faults are refused', async () => {
    expect(() => sim.injectFault({ kind: 'latency', ms: -1 })).toThrow();
    const res = await fetch(`${sim.url}/_sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"kind":"explode"}',
    });
    expect(res.status).toBe(400);
  });
});

describe('faults of a misbehaving gateway', () => {
  const postFault = (fault: unknown) =>
    fetch(`${sim.url}/_sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fault) });

  test('http-error: the status with an HTML page, a protocol error or nothing; processed or not', async () => {
    sim.injectFault({ kind: 'http-error', status: 429 });
    const notProcessed = payoutFields();
    const a = await payout(notProcessed);
    expect(a.status).toBe(429);
    expect(a.text).toMatch(/<html/);
    expect(ordersFor(notProcessed.client_orderid)).toHaveLength(0);

    sim.injectFault({ kind: 'http-error', status: 408, processed: true, body: 'empty' });
    const processed = payoutFields();
    const b = await payout(processed);
    expect(b).toMatchObject({ status: 408, text: '' });
    expect(ordersFor(processed.client_orderid)).toHaveLength(1); // carried out although the answer says otherwise

    expect((await postFault({ kind: 'http-error', status: 502, processed: true, body: 'protocol' })).status).toBe(204);
    const c = await payout(payoutFields());
    expect(c.status).toBe(502);
    expect(c.fields).toMatchObject({ type: 'error', 'error-code': 'SIMULATED_HTTP_ERROR' });
  });

  test('bad-body: truncated, garbage, empty or HTML at HTTP 200, processed by default', async () => {
    for (const body of ['truncated', 'garbage', 'empty', 'html'] as const) {
      sim.injectFault({ kind: 'bad-body', body });
      const fields = payoutFields();
      const a = await payout(fields);
      expect(a.status).toBe(200);
      expect(a.text.endsWith('\n')).toBe(false); // no complete answer
      if (body === 'truncated') expect(a.text.length).toBeGreaterThan(0);
      expect(ordersFor(fields.client_orderid)).toHaveLength(1);
    }
    sim.injectFault({ kind: 'bad-body', body: 'garbage', processed: false });
    const fields = payoutFields();
    await payout(fields);
    expect(ordersFor(fields.client_orderid)).toHaveLength(0);
  });

  test('status-override and amount-format change status answers only, and only how they read', async () => {
    sim.injectFault({ kind: 'status-override', status: 'pending' });
    sim.injectFault({ kind: 'amount-format', extraZeros: 2 });
    const ref = await createPayout({ amount: '10.15' }); // the payout request is not a status answer: untouched
    expect((await status(ref)).fields).toMatchObject({ status: 'pending', amount: '10.15' });
    expect((await status(ref)).fields).toMatchObject({ status: expect.stringMatching(/^(processing|approved)$/), amount: '10.1500' });
    expect((await status(ref)).fields).toMatchObject({ status: expect.stringMatching(/^(processing|approved)$/), amount: '10.15' });
    expect((await postFault({ kind: 'status-override', status: '' })).status).toBe(204);
    expect((await status(ref)).fields.status).toBe('');
  });

  test('a fault for one command waits for that command', async () => {
    sim.injectFault({ kind: 'unavailable', command: 'status' });
    const ref = await createPayout();
    expect((await status(ref)).status).toBe(503);
    expect((await status(ref)).status).toBe(200);
  });

  test('delay-before-processing: the client gives up, the order appears later', async () => {
    sim.injectFault({ kind: 'delay-before-processing', ms: 300 });
    const fields = payoutFields();
    const url = `${sim.url}/paynet/api/v4/payout-by-ref/${EP_A}`; // a stored card
    const authorization = oauthHeader(url, fields, {}, keyA.privateKey);
    await expect(
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
        body: new URLSearchParams(fields).toString(),
        signal: AbortSignal.timeout(100),
      }),
    ).rejects.toThrow();
    expect(ordersFor(fields.client_orderid)).toHaveLength(0);
    await delay(400);
    expect(ordersFor(fields.client_orderid)).toHaveLength(1);
  });

  test('amounts in answers: at least two decimals, exact per ISO 4217 (ISK 1500 -> "1500.00"); the destination is named', async () => {
    const ref = await createPayout({ amount: '1500', currency: 'ISK', 'destination-card-ref-id': 'card-isk' });
    expect(ordersFor(ref.clientOrderId)[0].amountMinor).toBe('1500');
    expect((await status(ref)).fields).toMatchObject({ amount: '1500.00', currency: 'ISK', 'destination-card-ref-id': 'card-isk' });
    expect((await payout(payoutFields({ amount: '1500.5', currency: 'ISK' }))).fields['error-code']).toBe('INVALID_FIELD');
  });

  test('delayed callbacks arrive after the delay', async () => {
    sim.setCallbackMode('delay', 300);
    const ref = await createPayout({ server_callback_url: callbackUrl });
    await delay(PROCESSING_MS + 100);
    expect(callbacksFor(ref.clientOrderId)).toHaveLength(0);
    await waitFor(
      () => callbacksFor(ref.clientOrderId).length,
      (n) => n === 1,
      2_000,
    );
    expect(callbacksFor(ref.clientOrderId)).toHaveLength(1);
  });

  test('invalid faults and callback modes are refused', async () => {
    expect(() => sim.injectFault({ kind: 'http-error', status: 200 })).toThrow();
    expect(() => sim.injectFault({ kind: 'bad-body', body: 'nice' } as never)).toThrow();
    expect(() => sim.injectFault({ kind: 'unavailable', command: 'refund' } as never)).toThrow();
    expect((await postFault({ kind: 'amount-format', extraZeros: 0 })).status).toBe(400);
    const put = (body: unknown) =>
      fetch(`${sim.url}/_sim/callback-mode`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await put({ mode: 'delay', delayMs: 50 })).status).toBe(204);
    expect((await put({ mode: 'delay', delayMs: -1 })).status).toBe(400);
  });
});

describe('payments', () => {
  describe('decline-next fault', () => {
    test('the next capture is declined with CAPTURE_DECLINED; the hold stays; a repeat returns the same capture', async () => {
      const ref = await approvedPayment('preauth');
      sim.injectFault({ kind: 'decline-next', transactionType: 'capture' });
      expect((await status(ref)).fields.status).toBe('approved'); // a request creating no capture does not consume it
      const c = await capture(ref);
      const done = await finalStatus(ref);
      expect(done.fields).toMatchObject({
        status: 'declined',
        'transaction-type': 'capture',
        'order-stage': 'capture_declined',
        'error-code': 'CAPTURE_DECLINED',
      });
      money(ref, { authorized: '2500', held: '2500' });
      expect((await capture(ref)).fields).toEqual(c.fields);
      // the uncaptured authorization can still be released
      await refund(ref);
      await finalStatus(ref);
      money(ref, { authorized: '2500', released: '2500' });

      const next = await approvedPayment('preauth'); // consumed: the next capture is approved
      await capture(next);
      expect((await finalStatus(next)).fields).toMatchObject({ status: 'approved', 'transaction-type': 'capture' });
    });

    test('consumed on creation only, counted, for every type (also via the admin endpoint)', async () => {
      const existing = await startPayment('sale');
      sim.injectFault({ kind: 'decline-next', transactionType: 'sale', count: 2 });
      // an idempotent repeat creates no transaction and consumes nothing
      const repeat = await paymentForm('sale', { ...saleFields(), client_orderid: existing.clientOrderId });
      expect(repeat.fields['paynet-order-id']).toBe(existing.orderId);
      sim.completeForm(existing.orderId);
      expect((await finalStatus(existing)).fields.status).toBe('approved');

      for (let i = 0; i < 2; i++) {
        const declined = await startPayment('sale');
        sim.completeForm(declined.orderId);
        expect((await finalStatus(declined)).fields).toMatchObject({ status: 'declined', 'error-code': 'SALE_DECLINED' });
        money(declined, {});
      }
      await approvedPayment('sale'); // count exhausted

      const res = await fetch(`${sim.url}/_sim/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'decline-next', transactionType: 'void' }),
      });
      expect(res.status).toBe(204);
      const sale = await approvedPayment('sale');
      await voidTx(sale);
      expect((await finalStatus(sale)).fields).toMatchObject({
        status: 'declined',
        'transaction-type': 'void',
        'error-code': 'VOID_DECLINED',
      });
      money(sale, { captured: '2500', taken: '2500' });
      await refund(sale); // the declined void blocks nothing
      expect((await finalStatus(sale)).fields).toMatchObject({ status: 'approved', 'transaction-type': 'return' });
      money(sale, { captured: '2500', refunded: '2500', taken: '0' });

      sim.injectFault({ kind: 'decline-next', transactionType: 'return' });
      sim.injectFault({ kind: 'decline-next', transactionType: 'preauth' });
      const pre = await startPayment('preauth');
      sim.completeForm(pre.orderId, { outcome: 'approve' });
      expect((await finalStatus(pre)).fields).toMatchObject({ status: 'declined', 'error-code': 'PREAUTH_DECLINED' });
      const sold = await approvedPayment('sale');
      await refund(sold);
      expect((await finalStatus(sold)).fields).toMatchObject({ status: 'declined', 'error-code': 'RETURN_DECLINED' });
      money(sold, { captured: '2500', taken: '2500' });

      const bad = await fetch(`${sim.url}/_sim/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"kind":"decline-next","transactionType":"payout"}',
      });
      expect(bad.status).toBe(400);
    });
  });
});
