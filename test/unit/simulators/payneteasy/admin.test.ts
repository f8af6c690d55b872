/** Payneteasy simulator, admin API under /_sim/: its endpoints, the loopback-only guard, start-up checks, the payments ledger. */
import { networkInterfaces } from 'node:os';
import { startPayneteasySimulator } from '../../../../src/simulators/payneteasy';
import { approvedPayment } from './payment-support';
import { CONTROL_A, createPayout, EP_A, finalStatus, keyA, LOGIN_A, ordersFor, sim, useSimulator } from './support';

useSimulator();

describe('admin endpoints', () => {
  test('orders, ledger, callbacks, callback mode and complete-form over HTTP', async () => {
    const ref = await createPayout({ 'destination-card-ref-id': '' });
    const orders = (await (await fetch(`${sim.url}/_sim/orders`)).json()) as { orders: Array<{ orderId: string }> };
    expect(orders.orders.some((o) => o.orderId === ref.orderId)).toBe(true);
    expect((await fetch(`${sim.url}/_sim/orders/${ref.orderId}/complete-form`, { method: 'POST' })).status).toBe(204);
    expect((await fetch(`${sim.url}/_sim/orders/999999999/complete-form`, { method: 'POST' })).status).toBe(404);
    await finalStatus(ref);
    const ledger = (await (await fetch(`${sim.url}/_sim/ledger`)).json()) as { ledger: Array<{ orderId: string }> };
    expect(ledger.ledger.some((l) => l.orderId === ref.orderId)).toBe(true);
    expect(Array.isArray(((await (await fetch(`${sim.url}/_sim/callbacks`)).json()) as { callbacks: unknown[] }).callbacks)).toBe(true);
    const put = (body: string) =>
      fetch(`${sim.url}/_sim/callback-mode`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body });
    expect((await put('{"mode":"drop"}')).status).toBe(204);
    expect((await put('{"mode":"sometimes"}')).status).toBe(400);
    expect(() => sim.setCallbackMode('sometimes' as never)).toThrow();
  });

  test('admin endpoints answer 403 to a non-loopback address', async () => {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    if (!external) return; // no non-loopback interface in this environment
    const open = await startPayneteasySimulator({
      host: '0.0.0.0',
      merchants: [
        {
          endpointId: EP_A,
          login: LOGIN_A,
          controlKey: CONTROL_A,
          publicKeyPem: keyA.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        },
      ],
    });
    try {
      const port = new URL(open.url).port;
      expect((await fetch(`http://${external}:${port}/_sim/orders`)).status).toBe(403);
      expect((await fetch(`http://127.0.0.1:${port}/_sim/orders`)).status).toBe(200);
    } finally {
      await open.close();
    }
  });

  test('start-up refuses a bad configuration', async () => {
    await expect(startPayneteasySimulator({ merchants: [] })).rejects.toThrow(/merchant/);
    await expect(
      startPayneteasySimulator({ merchants: [{ endpointId: '1', login: 'l', controlKey: 'k', publicKeyPem: 'not a key' }] }),
    ).rejects.toThrow(/publicKeyPem/);
  });
});

describe('payments', () => {
  test('the payments ledger over HTTP; payout forms refuse payment options', async () => {
    const ref = await approvedPayment('sale');
    const body = (await (await fetch(`${sim.url}/_sim/payment-ledger`)).json()) as {
      ledger: Array<{ orderId: string; takenMinor: string }>;
    };
    expect(body.ledger.find((l) => l.orderId === ref.orderId)).toMatchObject({ takenMinor: '2500' });
    expect(sim.paymentLedger().every((l) => ordersFor(l.clientOrderId).some((o) => o.kind !== 'payout'))).toBe(true);

    const formPayout = await createPayout({ 'destination-card-ref-id': '' });
    expect(() => sim.completeForm(formPayout.orderId, { amountMinor: '100' })).toThrow(/payment forms only/);
    const viaAdmin = await fetch(`${sim.url}/_sim/orders/${formPayout.orderId}/complete-form`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"outcome":"decline"}',
    });
    expect(viaAdmin.status).toBe(409);
    sim.completeForm(formPayout.orderId);
    expect((await finalStatus(formPayout)).fields.status).toBe('approved');
  });
});
