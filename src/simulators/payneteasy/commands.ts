/**
 * The API commands of the simulated gateway: the creating ones (creation.ts: `/api/v4/payout`,
 * `/api/v4/payout-by-ref`, `sale-form`, `preauth-form`) and those on an order: `/api/v2/status`,
 * `return`, `capture` and `void` (SHA-1 control; a void only on the day of the transaction it voids,
 * by the engine's clock and time zone). Each is synchronous, so requests never interleave; a refusal is
 * thrown as a ProtocolError and answered in the protocol's shape. Every command is served per endpoint
 * and per endpoint group (SimRoute).
 */
import type { FastifyRequest } from 'fastify';
import { handlePaymentForm, handlePayout } from './creation';
import type { Engine } from './engine';
import {
  APPROVED,
  formTransaction,
  formatAnswerAmount,
  isLive,
  isPayment,
  type SimRoute,
  type SimulatedMerchant,
  type SimulatedOrder,
  type SimulatedTransaction,
} from './model';
import {
  Fields,
  ProtocolError,
  amountField,
  asyncResponse,
  checkControl,
  currencyField,
  encodePaynetResponse,
  formParams,
  invalid,
  missing,
  notAllowed,
  type Answer,
} from './protocol';

export { FORM_PATH } from './creation';

export type Command = 'payout' | 'payout-by-ref' | 'status' | 'return' | 'sale-form' | 'preauth-form' | 'capture' | 'void';
export const COMMANDS = [
  'payout',
  'payout-by-ref',
  'status',
  'return',
  'sale-form',
  'preauth-form',
  'capture',
  'void',
] as const satisfies readonly Command[];

/** login, client_orderid and orderid: the fields naming an existing order (status may leave orderid out). */
function readOrderRef(f: Fields, orderIdRequired: boolean): { login: string; clientOrderId: string; orderId: string | undefined } {
  const login = f.req('login');
  const clientOrderId = f.req('client_orderid');
  const orderId = orderIdRequired ? f.req('orderid') : f.opt('orderid');
  return { login, clientOrderId, orderId };
}

/**
 * The order a v2 command names, once its control holds: SHA-1 over login, client_orderid, orderid
 * (empty when not sent), `signedExtra` and the merchant's control key.
 */
function signedOrder(
  engine: Engine,
  entry: { merchant: SimulatedMerchant },
  endpointId: string,
  ref: { login: string; clientOrderId: string; orderId: string | undefined },
  control: string,
  signedExtra = '',
): SimulatedOrder {
  checkControl(entry, ref.login, control, ref.login + ref.clientOrderId + (ref.orderId ?? '') + signedExtra);
  return engine.findOrder(endpointId, ref.clientOrderId, ref.orderId);
}

export function handleStatus(engine: Engine, request: FastifyRequest, route: SimRoute): Answer {
  const entry = engine.merchantFor(route);
  const { endpointId } = entry.merchant;
  const f = new Fields(formParams(request));
  const ref = readOrderRef(f, false);
  const control = f.req('control');
  const serial = f.opt('by-request-sn');
  const order = signedOrder(engine, entry, endpointId, ref, control);
  const tx = serial === undefined ? order.transactions.at(-1)! : order.transactions.find((t) => t.serialNumber === serial);
  if (!tx)
    throw new ProtocolError('error', 'TRANSACTION_NOT_FOUND', `order ${order.orderId} has no transaction with serial number ${serial}`);
  const waitingForForm = tx === formTransaction(order) && tx.status === 'processing' && !!order.formUrl && !order.formCompleted;
  return {
    status: 200,
    body: encodePaynetResponse({
      type: 'status-response',
      status: tx.status,
      'transaction-type': tx.type,
      amount: formatAnswerAmount(BigInt(tx.amountMinor), tx.currency),
      currency: tx.currency,
      'paynet-order-id': order.orderId,
      'merchant-order-id': order.clientOrderId,
      'serial-number': tx.serialNumber,
      'order-stage': `${tx.type}_${tx.status}`,
      'redirect-to': waitingForForm ? order.formUrl : undefined,
      // The real status names the destination card among its card details; the simulator echoes the reference.
      'destination-card-ref-id': order.destination,
      'error-message': tx.errorMessage,
      'error-code': tx.errorCode,
    }),
  };
}

/** capture and return: the order they name (control checked) and the optional amount + currency. */
function readFollowUp(engine: Engine, request: FastifyRequest, route: SimRoute) {
  const entry = engine.merchantFor(route);
  const { endpointId } = entry.merchant;
  const f = new Fields(formParams(request));
  const ref = readOrderRef(f, true);
  const control = f.req('control');
  f.opt('comment');
  const amountSent = f.opt('amount') !== undefined;
  if (amountSent !== (f.opt('currency') !== undefined)) throw missing(amountSent ? 'currency' : 'amount');
  let amount: { minor: bigint; currency: string } | undefined;
  if (amountSent) {
    const currency = currencyField(f);
    amount = { minor: amountField(f, 'amount', currency), currency };
  }
  const order = signedOrder(engine, entry, endpointId, ref, control, amount ? `${amount.minor}${amount.currency}` : '');
  return { entry, order, amount };
}

export function handleReturn(engine: Engine, request: FastifyRequest, route: SimRoute): Answer {
  const { entry, order, amount } = readFollowUp(engine, request, route);
  const { endpointId } = entry.merchant;
  const existing = order.transactions.find((t) => t.type === 'return');
  if (existing) return asyncResponse(order, existing); // one return per order: a repeat gets the same transaction
  if (isPayment(order)) return paymentReturn(engine, order, amount);

  const payout = order.transactions.find((t) => t.type === 'payout')!;
  if (!entry.merchant.payoutReversal) throw notAllowed(`payout reversal is not enabled for endpoint ${endpointId}`);
  if (payout.status !== 'approved') throw notAllowed(`only an approved payout can be reversed; this one is ${payout.status}`);
  if (amount && amount.currency !== payout.currency) throw invalid('currency', `must be the order currency ${payout.currency}`);
  if (amount && amount.minor > BigInt(payout.amountMinor)) throw invalid('amount', 'exceeds the paid-out amount');
  const tx = engine.newTransaction('return', amount?.minor ?? BigInt(payout.amountMinor), payout.currency);
  engine.schedule(order, tx);
  return asyncResponse(order, tx);
}

/**
 * What a return or void of a payment order would reverse: the approved sale, the approved capture
 * (refund), or the approved preauth nothing was captured from (release).
 */
function reversalTarget(order: SimulatedOrder): { tx: SimulatedTransaction; effect: 'refund' | 'release' } {
  const first = formTransaction(order);
  if (first.status !== 'approved') throw notAllowed(`nothing to reverse: the ${first.type} of order ${order.orderId} is ${first.status}`);
  if (first.type === 'sale') return { tx: first, effect: 'refund' };
  const capture = order.transactions.find((t) => t.type === 'capture');
  if (capture?.status === 'processing') throw notAllowed(`the capture of order ${order.orderId} is still processing`);
  if (capture?.status === 'approved') return { tx: capture, effect: 'refund' };
  return { tx: first, effect: 'release' };
}

function paymentReturn(engine: Engine, order: SimulatedOrder, amount: { minor: bigint; currency: string } | undefined): Answer {
  if (order.transactions.some((t) => t.type === 'void' && isLive(t))) throw notAllowed(`order ${order.orderId} is voided`);
  const target = reversalTarget(order);
  if (amount && amount.currency !== target.tx.currency) throw invalid('currency', `must be the order currency ${target.tx.currency}`);
  if (amount && amount.minor > BigInt(target.tx.amountMinor))
    throw invalid('amount', `exceeds the ${target.effect === 'refund' ? 'captured' : 'authorized'} amount`);
  const tx = engine.newTransaction('return', amount?.minor ?? BigInt(target.tx.amountMinor), target.tx.currency);
  tx.effect = target.effect;
  engine.schedule(order, tx);
  return asyncResponse(order, tx);
}

export function handleCapture(engine: Engine, request: FastifyRequest, route: SimRoute): Answer {
  const { order, amount } = readFollowUp(engine, request, route);
  const existing = order.transactions.find((t) => t.type === 'capture');
  if (existing) return asyncResponse(order, existing); // one capture per order: a repeat gets the same transaction
  if (order.kind !== 'preauth') throw notAllowed(`order ${order.orderId} is a ${order.kind}, only a preauth can be captured`);
  const preauth = formTransaction(order);
  if (preauth.status !== 'approved') throw notAllowed(`only an approved preauth can be captured; this one is ${preauth.status}`);
  if (order.transactions.some((t) => (t.type === 'return' || t.type === 'void') && isLive(t)))
    throw notAllowed(`the authorization of order ${order.orderId} is released`);
  if (amount && amount.currency !== preauth.currency) throw invalid('currency', `must be the order currency ${preauth.currency}`);
  if (amount && amount.minor > BigInt(preauth.amountMinor)) throw invalid('amount', 'exceeds the authorized amount');
  const tx = engine.newTransaction('capture', amount?.minor ?? BigInt(preauth.amountMinor), preauth.currency);
  engine.schedule(order, tx, APPROVED);
  return asyncResponse(order, tx);
}

export function handleVoid(engine: Engine, request: FastifyRequest, route: SimRoute): Answer {
  const entry = engine.merchantFor(route);
  const { endpointId } = entry.merchant;
  const f = new Fields(formParams(request));
  const ref = readOrderRef(f, true);
  f.opt('comment');
  const control = f.req('control');
  const order = signedOrder(engine, entry, endpointId, ref, control);
  const existing = order.transactions.find((t) => t.type === 'void');
  if (existing) return asyncResponse(order, existing); // one void per order: a repeat gets the same transaction
  if (!isPayment(order)) throw notAllowed(`order ${order.orderId} is a payout: nothing to void`);
  if (order.transactions.some((t) => t.type === 'return' && isLive(t))) throw notAllowed(`order ${order.orderId} is already returned`);
  const target = reversalTarget(order);
  const [day, today] = [engine.dayOf(target.tx.createdAt), engine.dayOf(engine.now().toISOString())];
  if (day !== today)
    throw new ProtocolError(
      'error',
      'NOT_VOIDABLE',
      `the ${target.tx.type} of order ${order.orderId} is of ${day}, today is ${today}: use return`,
    );
  const tx = engine.newTransaction('void', BigInt(target.tx.amountMinor), target.tx.currency);
  tx.effect = target.effect;
  engine.schedule(order, tx);
  return asyncResponse(order, tx);
}

export const HANDLERS: Record<Command, (engine: Engine, request: FastifyRequest, route: SimRoute) => Answer> = {
  payout: (engine, request, route) => handlePayout(engine, request, route, false),
  'payout-by-ref': (engine, request, route) => handlePayout(engine, request, route, true),
  status: handleStatus,
  return: handleReturn,
  'sale-form': (engine, request, route) => handlePaymentForm(engine, 'sale', request, route),
  'preauth-form': (engine, request, route) => handlePaymentForm(engine, 'preauth', request, route),
  capture: handleCapture,
  void: handleVoid,
};
