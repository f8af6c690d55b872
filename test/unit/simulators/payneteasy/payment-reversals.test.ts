/** Payneteasy simulator, payments: return (refund or release) and void. */
import { approvedPayment, asyncShape, capture, money, refund, startPayment, typesOf, voidTx } from './payment-support';
import { createPayout, finalStatus, ledgerFor, ordersFor, status, useSimulator } from './support';

useSimulator();

describe('payments', () => {
  describe('return and void', () => {
    test('return after a sale refunds it: refunded = amount, taken 0; idempotent', async () => {
      const ref = await approvedPayment('sale');
      const r = await refund(ref);
      expect(r.text).toMatch(asyncShape);
      expect((await status(ref)).fields).toMatchObject({
        status: 'processing',
        'transaction-type': 'return',
        'order-stage': 'return_processing',
      });
      const done = await finalStatus(ref);
      expect(done.fields).toMatchObject({
        status: 'approved',
        'transaction-type': 'return',
        amount: '25.00',
        'serial-number': r.fields['serial-number'],
      });
      money(ref, { captured: '2500', refunded: '2500', taken: '0' });
      expect(ordersFor(ref.clientOrderId)[0].transactions[1]).toMatchObject({ type: 'return', effect: 'refund' });
      expect((await refund(ref)).fields).toEqual(r.fields);
      expect((await refund(ref, { amount: '5.00' })).fields).toEqual(r.fields); // one return per order
      expect(typesOf(ref)).toEqual(['sale:approved', 'return:approved']);
      expect((await voidTx(ref)).fields['error-code']).toBe('OPERATION_NOT_ALLOWED'); // already returned
      expect(ledgerFor(ref.clientOrderId)).toEqual([]);
    });

    test('a partial refund after a capture', async () => {
      const ref = await approvedPayment('preauth');
      expect((await refund(ref, { amount: '1.00' })).fields.type).toBe('async-response'); // not captured: a partial release
      await finalStatus(ref);
      money(ref, { authorized: '2500', released: '100', held: '2400' });
      expect((await capture(ref)).fields['error-code']).toBe('OPERATION_NOT_ALLOWED');

      const sold = await approvedPayment('preauth');
      await capture(sold, { amount: '20.00' });
      await finalStatus(sold);
      expect((await refund(sold, { amount: '20.01' })).fields['error-code']).toBe('INVALID_FIELD'); // more than captured
      expect((await refund(sold, { amount: '7.50' })).fields.type).toBe('async-response');
      await finalStatus(sold);
      money(sold, { authorized: '2500', captured: '2000', refunded: '750', held: '500', taken: '1250' });
    });

    test('return on an uncaptured preauth releases the authorization: released = amount, held 0', async () => {
      const ref = await approvedPayment('preauth');
      const r = await refund(ref);
      expect(r.fields.type).toBe('async-response');
      expect((await capture(ref)).fields['error-code']).toBe('OPERATION_NOT_ALLOWED'); // released (even while processing)
      expect((await finalStatus(ref)).fields).toMatchObject({ status: 'approved', 'transaction-type': 'return', amount: '25.00' });
      money(ref, { authorized: '2500', released: '2500' });
      expect(ordersFor(ref.clientOrderId)[0].transactions[1]).toMatchObject({ type: 'return', effect: 'release' });
      expect((await refund(ref)).fields).toEqual(r.fields);
    });

    test('void reverses the latest approved sale / capture / preauth, whole amount; idempotent; nothing to void is refused', async () => {
      // a sale: refunded
      const sale = await approvedPayment('sale');
      const v = await voidTx(sale);
      expect(v.text).toMatch(asyncShape);
      expect((await finalStatus(sale)).fields).toMatchObject({
        status: 'approved',
        'transaction-type': 'void',
        'order-stage': 'void_approved',
        amount: '25.00',
      });
      money(sale, { captured: '2500', refunded: '2500', voided: '2500', taken: '0' });
      expect((await voidTx(sale)).fields).toEqual(v.fields);
      expect((await refund(sale)).fields['error-code']).toBe('OPERATION_NOT_ALLOWED'); // already voided
      expect(typesOf(sale)).toEqual(['sale:approved', 'void:approved']);

      // an uncaptured preauth: released
      const pre = await approvedPayment('preauth');
      await voidTx(pre);
      await finalStatus(pre);
      money(pre, { authorized: '2500', released: '2500', voided: '2500' });
      expect((await capture(pre)).fields['error-code']).toBe('OPERATION_NOT_ALLOWED');

      // a partial capture: the capture is voided (refunded), the rest of the authorization stays held
      const captured = await approvedPayment('preauth');
      await capture(captured, { amount: '15.00' });
      await finalStatus(captured);
      await voidTx(captured);
      expect((await finalStatus(captured)).fields).toMatchObject({ 'transaction-type': 'void', amount: '15.00' });
      money(captured, { authorized: '2500', captured: '1500', refunded: '1500', voided: '1500', held: '1000', taken: '0' });

      // nothing approved yet, or a payout: refused, nothing created
      const waiting = await startPayment('sale');
      expect((await voidTx(waiting)).fields).toMatchObject({ type: 'error', 'error-code': 'OPERATION_NOT_ALLOWED' });
      const paidOut = await createPayout();
      await finalStatus(paidOut);
      expect((await voidTx(paidOut)).fields['error-code']).toBe('OPERATION_NOT_ALLOWED');
      expect(typesOf(waiting)).toEqual(['sale:processing']);
      expect(typesOf(paidOut)).toEqual(['payout:approved']);
    });

    test('a capture cannot be reversed while it is processing; capture on a sale is refused', async () => {
      const ref = await approvedPayment('preauth');
      await capture(ref);
      expect((await refund(ref)).fields['error-code']).toBe('OPERATION_NOT_ALLOWED');
      expect((await voidTx(ref)).fields['error-code']).toBe('OPERATION_NOT_ALLOWED');
      await finalStatus(ref);
      expect(typesOf(ref)).toEqual(['preauth:approved', 'capture:approved']);
      const sale = await approvedPayment('sale');
      expect((await capture(sale)).fields['error-code']).toBe('OPERATION_NOT_ALLOWED');
    });
  });
});
