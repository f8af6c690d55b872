/** Payneteasy simulator, callbacks: the control, retries, callback modes, and the callbacks of payment transactions. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { capture, money, refund, startPayment } from './payment-support';
import {
  callbacksFor,
  callbackUrl,
  CONTROL_A,
  createPayout,
  delay,
  failFirst,
  finalStatus,
  newOrderId,
  PROCESSING_MS,
  RETRY_MS,
  sha1,
  sim,
  useSimulator,
  waitFor,
} from './support';

useSimulator();

describe('callbacks', () => {
  const checkControl = (q: Record<string, string>, key = CONTROL_A) =>
    expect(q.control).toBe(sha1(q.status + q.orderid + q.client_orderid + key));

  test('a final status is delivered with a correct control, and recorded', async () => {
    const ref = await createPayout({ server_callback_url: callbackUrl });
    const got = await waitFor(
      () => callbacksFor(ref.clientOrderId),
      (c) => c.length > 0,
    );
    expect(got).toHaveLength(1);
    const q = got[0].query;
    expect(q).toEqual({
      shop: 'enfore', // the merchant's own query parameters are kept
      status: 'approved',
      orderid: ref.orderId,
      merchant_order: ref.clientOrderId,
      client_orderid: ref.clientOrderId,
      amount: '25.00',
      type: 'payout',
      control: expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    checkControl(q);
    const recorded = await waitFor(
      () => sim.callbacks().filter((c) => c.query.client_orderid === ref.clientOrderId),
      (c) => c.length > 0,
    );
    expect(recorded).toEqual([
      { url: callbackUrl, query: expect.objectContaining({ status: 'approved' }), httpStatus: 200, at: expect.any(String) },
    ]);
  });

  test('a decline carries error_code and error_message', async () => {
    const ref = await createPayout({ server_callback_url: callbackUrl, 'destination-card-ref-id': 'decline-card' });
    const [cb] = await waitFor(
      () => callbacksFor(ref.clientOrderId),
      (c) => c.length > 0,
    );
    expect(cb.query).toMatchObject({ status: 'declined', error_code: 'DECLINED', error_message: "Receiver's issuer declined" });
    checkControl(cb.query);
  });

  test('duplicate mode sends it twice', async () => {
    sim.setCallbackMode('duplicate');
    const ref = await createPayout({ server_callback_url: callbackUrl });
    const got = await waitFor(
      () => callbacksFor(ref.clientOrderId),
      (c) => c.length >= 2,
    );
    await delay(100);
    expect(callbacksFor(ref.clientOrderId)).toHaveLength(2);
    expect(got[0].query).toEqual(got[1].query);
  });

  test('drop mode sends none', async () => {
    sim.setCallbackMode('drop');
    const ref = await createPayout({ server_callback_url: callbackUrl });
    expect((await finalStatus(ref)).fields.status).toBe('approved');
    await delay(150);
    expect(callbacksFor(ref.clientOrderId)).toHaveLength(0);
    expect(sim.callbacks().filter((c) => c.query.client_orderid === ref.clientOrderId)).toHaveLength(0);
  });

  test('a non-200 answer is retried every callbackRetryMs until 200', async () => {
    const clientOrderId = newOrderId('retry');
    failFirst.set(clientOrderId, 2);
    await createPayout({ client_orderid: clientOrderId, server_callback_url: callbackUrl });
    // The simulator records an attempt once it has read the answer: wait for its record, not the receiver's.
    const recorded = await waitFor(
      () => sim.callbacks().filter((c) => c.query.client_orderid === clientOrderId),
      (c) => c.some((r) => r.httpStatus === 200),
    );
    expect(callbacksFor(clientOrderId).map((r) => r.answered)).toEqual([500, 500, 200]);
    expect(recorded.map((c) => c.httpStatus)).toEqual([500, 500, 200]);
    expect(Date.parse(recorded[1].at) - Date.parse(recorded[0].at)).toBeGreaterThanOrEqual(RETRY_MS - 5);
  });

  test('an unreachable callback URL is tried 5 times and recorded as network errors', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/cb`;
    await new Promise((r) => closed.close(r));
    const ref = await createPayout({ server_callback_url: deadUrl });
    const recorded = await waitFor(
      () => sim.callbacks().filter((c) => c.query.client_orderid === ref.clientOrderId),
      (c) => c.length >= 5,
      PROCESSING_MS + 6 * RETRY_MS + 2_000,
    );
    await delay(2 * RETRY_MS);
    expect(sim.callbacks().filter((c) => c.query.client_orderid === ref.clientOrderId)).toHaveLength(5);
    expect(recorded.every((c) => c.httpStatus === 'network-error' && c.url === deadUrl)).toBe(true);
  });
});

describe('payments', () => {
  test('callbacks for every final payment transaction carry its type, amount and a correct control', async () => {
    const ref = await startPayment('preauth', { server_callback_url: callbackUrl });
    sim.completeForm(ref.orderId, { amountMinor: '3000' });
    await finalStatus(ref);
    await capture(ref, { amount: '20.00' });
    await finalStatus(ref);
    await refund(ref, { amount: '5.00' });
    await finalStatus(ref);
    const got = await waitFor(
      () => callbacksFor(ref.clientOrderId),
      (c) => c.length >= 3,
    );
    expect(got.map((c) => c.query)).toEqual([
      expect.objectContaining({ status: 'approved', type: 'preauth', amount: '30.00' }),
      expect.objectContaining({ status: 'approved', type: 'capture', amount: '20.00' }),
      expect.objectContaining({ status: 'approved', type: 'return', amount: '5.00' }),
    ]);
    for (const { query: q } of got) {
      expect(q).toMatchObject({
        shop: 'enfore',
        orderid: ref.orderId,
        client_orderid: ref.clientOrderId,
        merchant_order: ref.clientOrderId,
      });
      expect(q.control).toBe(sha1(q.status + q.orderid + q.client_orderid + CONTROL_A));
    }
    money(ref, { authorized: '3000', captured: '2000', refunded: '500', held: '1000', taken: '1500' });

    const declined = await startPayment('sale', { server_callback_url: callbackUrl });
    sim.completeForm(declined.orderId, { outcome: 'decline' });
    const [cb] = await waitFor(
      () => callbacksFor(declined.clientOrderId),
      (c) => c.length > 0,
    );
    expect(cb.query).toMatchObject({ status: 'declined', type: 'sale', error_code: 'DECLINED', error_message: 'Card declined' });
    expect(cb.query.control).toBe(sha1('declined' + declined.orderId + declined.clientOrderId + CONTROL_A));
  });
});
