/** Helpers of the Payneteasy payment tests: sale-form / preauth-form, capture, return, void, and the payments ledger. */
import type { PayneteasySimulator } from '../../../../src/simulators/payneteasy';
import {
  CONTROL_A,
  EP_A,
  finalStatus,
  LOGIN_A,
  newOrderId,
  type OrderRef,
  ordersFor,
  type PaynetAnswer,
  refOf,
  sha1,
  sim,
  v2,
} from './support';

/** "25.00" -> "2500" for a two-decimal currency, exactly (independent of the simulator). */
const minorOf = (major: string) => {
  const [int, frac = ''] = major.split('.');
  return (BigInt(int) * 100n + BigInt((frac + '00').slice(0, 2))).toString();
};

export const saleFields = (overrides: Record<string, string> = {}): Record<string, string> => ({
  client_orderid: newOrderId('pay'),
  order_desc: 'enfore sale',
  amount: '25.00',
  currency: 'EUR',
  email: 'buyer@example.com',
  ipaddress: '203.0.113.7',
  redirect_url: 'https://shop.example/back',
  ...overrides,
});
export const formControl = (endpoint: string, f: Record<string, string>, key = CONTROL_A, amountMinor = minorOf(f.amount)) =>
  sha1(endpoint + f.client_orderid + amountMinor + (f.email ?? '') + key);

/** Sends sale-form / preauth-form; `fields.control` set by the caller wins over the correct one. */
export function paymentForm(kind: 'sale' | 'preauth', fields: Record<string, string>, endpoint = EP_A, key = CONTROL_A) {
  return v2(`${kind}-form`, endpoint, { control: formControl(endpoint, fields, key), ...fields });
}
export async function startPayment(
  kind: 'sale' | 'preauth',
  overrides: Record<string, string> = {},
): Promise<OrderRef & { answer: PaynetAnswer }> {
  const fields = saleFields(overrides);
  const answer = await paymentForm(kind, fields);
  expect(answer.fields).toMatchObject({ type: 'async-form-response' });
  return { ...refOf(fields.client_orderid, answer), answer };
}
/** A payment whose form the customer completed and that reached its final status. */
export async function approvedPayment(
  kind: 'sale' | 'preauth',
  overrides: Record<string, string> = {},
  form?: Parameters<PayneteasySimulator['completeForm']>[1],
) {
  const p = await startPayment(kind, overrides);
  sim.completeForm(p.orderId, form);
  const done = await finalStatus(p);
  expect(done.fields).toMatchObject({ 'transaction-type': kind, status: 'approved' });
  return p;
}

type AmountOpts = { amount?: string; currency?: string; amountMinor?: string; login?: string; control?: string };
function followUp(command: 'capture' | 'return', ref: OrderRef, o: AmountOpts = {}) {
  const login = o.login ?? LOGIN_A;
  const signedAmount = o.amount ? `${o.amountMinor ?? minorOf(o.amount)}${o.currency ?? 'EUR'}` : '';
  return v2(command, EP_A, {
    login,
    client_orderid: ref.clientOrderId,
    orderid: ref.orderId,
    ...(o.amount ? { amount: o.amount, currency: o.currency ?? 'EUR' } : {}),
    ...(command === 'return' ? { comment: 'customer returned the goods' } : {}),
    control: sha1(login + ref.clientOrderId + ref.orderId + signedAmount + (o.control ?? CONTROL_A)),
  });
}
export const capture = (ref: OrderRef, o?: AmountOpts) => followUp('capture', ref, o);
export const refund = (ref: OrderRef, o?: AmountOpts) => followUp('return', ref, o);
export const voidTx = (ref: OrderRef, o: { login?: string; control?: string } = {}) => {
  const login = o.login ?? LOGIN_A;
  return v2('void', EP_A, {
    login,
    client_orderid: ref.clientOrderId,
    orderid: ref.orderId,
    comment: 'cancelled at the till',
    control: sha1(login + ref.clientOrderId + ref.orderId + (o.control ?? CONTROL_A)),
  });
};

const paymentLedgerFor = (clientOrderId: string) => sim.paymentLedger().filter((l) => l.clientOrderId === clientOrderId);
export const money = (
  ref: OrderRef,
  m: Partial<Record<'authorized' | 'captured' | 'refunded' | 'released' | 'voided' | 'held' | 'taken', string>>,
) => {
  const all = { authorized: '0', captured: '0', refunded: '0', released: '0', voided: '0', held: '0', taken: '0', ...m };
  expect(paymentLedgerFor(ref.clientOrderId)).toEqual([
    {
      orderId: ref.orderId,
      clientOrderId: ref.clientOrderId,
      currency: 'EUR',
      authorizedMinor: all.authorized,
      capturedMinor: all.captured,
      refundedMinor: all.refunded,
      releasedMinor: all.released,
      voidedMinor: all.voided,
      heldMinor: all.held,
      takenMinor: all.taken,
    },
  ]);
};
export const asyncShape = /^type=async-response\n&serial-number=[0-9a-f-]+\n&merchant-order-id=[^&\n]+\n&paynet-order-id=\d+\n$/;
export const typesOf = (ref: OrderRef) => ordersFor(ref.clientOrderId)[0].transactions.map((t) => `${t.type}:${t.status}`);
