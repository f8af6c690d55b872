/**
 * The API commands of the simulated gateway: `/api/v4/payout` (OAuth), `/api/v2/status`, `return`,
 * `sale-form`, `preauth-form`, `capture` and `void` (SHA-1 control). Each is synchronous, so requests
 * never interleave; a refusal is thrown as a ProtocolError and answered in the protocol's shape.
 */
import type { FastifyRequest } from 'fastify';
import { sameSecret } from '../kit/secrets';
import type { Engine } from './engine';
import {
  APPROVED,
  formTransaction,
  formatAnswerAmount,
  isLive,
  isPayment,
  payoutOutcome,
  type SimulatedMerchant,
  type SimulatedOrder,
  type SimulatedTransaction,
} from './model';
import {
  Fields,
  ProtocolError,
  amountField,
  currencyField,
  encodePaynetResponse,
  formParams,
  httpUrlField,
  invalid,
  missing,
  sha1Hex,
  verifyOAuth,
  type Answer,
} from './protocol';

export const FORM_PATH = '/paynet/form';

export type Command = 'payout' | 'status' | 'return' | 'sale-form' | 'preauth-form' | 'capture' | 'void';
export const COMMANDS = [
  'payout',
  'status',
  'return',
  'sale-form',
  'preauth-form',
  'capture',
  'void',
] as const satisfies readonly Command[];

const asyncResponse = (order: SimulatedOrder, tx: SimulatedTransaction): Answer => ({
  status: 200,
  body: encodePaynetResponse({
    type: 'async-response',
    'serial-number': tx.serialNumber,
    'merchant-order-id': order.clientOrderId,
    'paynet-order-id': order.orderId,
  }),
});
const asyncFormResponse = (order: SimulatedOrder, tx: SimulatedTransaction): Answer => ({
  status: 200,
  body: encodePaynetResponse({
    type: 'async-form-response',
    'serial-number': tx.serialNumber,
    'merchant-order-id': order.clientOrderId,
    'paynet-order-id': order.orderId,
    'redirect-url': order.formUrl,
  }),
});
const notAllowed = (why: string) => new ProtocolError('error', 'OPERATION_NOT_ALLOWED', why);

/** `login` undefined: a command without login (sale-form, preauth-form), only the control is checked. */
function checkControl(entry: { merchant: SimulatedMerchant }, login: string | undefined, control: string, signed: string) {
  const expected = sha1Hex(signed + entry.merchant.controlKey);
  const loginOk = login === undefined || sameSecret(login, entry.merchant.login);
  if (!sameSecret(control.toLowerCase(), expected) || !loginOk) {
    throw new ProtocolError(
      'validation-error',
      'CONTROL_INVALID',
      'login or control is wrong (control = SHA-1 over the listed fields and the merchant control key)',
    );
  }
}

/** What a creating command (payout, sale-form, preauth-form) asks for. */
interface NewOrder {
  clientOrderId: string;
  amountMinor: bigint;
  currency: string;
}

function readNewOrder(f: Fields): NewOrder {
  const clientOrderId = f.req('client_orderid');
  if (clientOrderId.length > 128) throw invalid('client_orderid', 'must be at most 128 characters');
  f.req('amount');
  const currency = currencyField(f);
  const amountMinor = amountField(f, 'amount', currency);
  f.opt('order_desc');
  return { clientOrderId, amountMinor, currency };
}

/**
 * The order an earlier creating request with this client_orderid made, if any: a repeat gets that
 * order when nothing differs, DUPLICATE_ORDER otherwise.
 */
function repeatedOrder(
  engine: Engine,
  endpointId: string,
  kind: SimulatedOrder['kind'],
  asked: NewOrder,
  destination: string | undefined,
): SimulatedOrder | undefined {
  const existing = engine.existingOrder(endpointId, asked.clientOrderId);
  if (!existing) return undefined;
  const changed = [
    existing.kind !== kind ? 'command' : undefined,
    existing.amountMinor !== asked.amountMinor.toString() ? 'amount' : undefined,
    existing.currency !== asked.currency ? 'currency' : undefined,
    existing.destination !== destination ? 'destination-card-ref-id' : undefined,
  ].filter((c) => c !== undefined);
  if (changed.length > 0)
    throw new ProtocolError(
      'validation-error',
      'DUPLICATE_ORDER',
      `client_orderid ${asked.clientOrderId} was already used with a different ${changed.join(', ')}`,
    );
  return existing;
}

/** A new order with its first transaction (payout, sale or preauth); without a destination it waits for a form at its formUrl. */
function createOrder(
  engine: Engine,
  endpointId: string,
  kind: SimulatedOrder['kind'],
  asked: NewOrder,
  details: Pick<SimulatedOrder, 'destination' | 'email' | 'redirectUrl' | 'serverCallbackUrl'>,
): { order: SimulatedOrder; tx: SimulatedTransaction } {
  const orderId = engine.nextOrderId();
  const tx = engine.newTransaction(kind, asked.amountMinor, asked.currency);
  const { destination, email, redirectUrl, serverCallbackUrl } = details;
  const order: SimulatedOrder = {
    orderId,
    clientOrderId: asked.clientOrderId,
    endpointId,
    kind,
    amountMinor: asked.amountMinor.toString(),
    currency: asked.currency,
    ...(destination !== undefined ? { destination } : {}),
    ...(email !== undefined ? { email } : {}),
    ...(redirectUrl !== undefined ? { redirectUrl } : {}),
    ...(destination === undefined ? { formUrl: `${engine.baseUrl}${FORM_PATH}/${orderId}` } : {}),
    formCompleted: false,
    ...(serverCallbackUrl !== undefined ? { serverCallbackUrl } : {}),
    transactions: [tx],
  };
  engine.addOrder(order);
  return { order, tx };
}

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

export function handlePayout(engine: Engine, request: FastifyRequest, endpointId: string): Answer {
  const entry = engine.merchantFor(endpointId);
  const body = formParams(request);
  verifyOAuth(request, entry, body, engine.nonces);
  const f = new Fields(body);
  const asked = readNewOrder(f);
  const serverCallbackUrl = httpUrlField(f, 'server_callback_url');
  const destination = f.opt('destination-card-ref-id');

  const existing = repeatedOrder(engine, endpointId, 'payout', asked, destination);
  if (existing) {
    const payout = existing.transactions.find((t) => t.type === 'payout')!;
    return asyncResponse(existing, payout);
  }
  const { order, tx } = createOrder(engine, endpointId, 'payout', asked, { destination, serverCallbackUrl });
  if (destination !== undefined) engine.later(engine.options.processingMs, () => engine.finalize(order, tx, payoutOutcome(destination)));
  else engine.openForm(order);
  return asyncResponse(order, tx);
}

export function handleStatus(engine: Engine, request: FastifyRequest, endpointId: string): Answer {
  const entry = engine.merchantFor(endpointId);
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
function readFollowUp(engine: Engine, request: FastifyRequest, endpointId: string) {
  const entry = engine.merchantFor(endpointId);
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

export function handleReturn(engine: Engine, request: FastifyRequest, endpointId: string): Answer {
  const { entry, order, amount } = readFollowUp(engine, request, endpointId);
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

/** sale-form / preauth-form: the customer enters card data on the simulator's form. */
export function handlePaymentForm(engine: Engine, kind: 'sale' | 'preauth', request: FastifyRequest, endpointId: string): Answer {
  const entry = engine.merchantFor(endpointId);
  const f = new Fields(formParams(request));
  const asked = readNewOrder(f);
  const email = f.opt('email');
  f.opt('ipaddress');
  const redirectUrl = httpUrlField(f, 'redirect_url');
  const serverCallbackUrl = httpUrlField(f, 'server_callback_url');
  const control = f.req('control');
  checkControl(entry, undefined, control, endpointId + asked.clientOrderId + asked.amountMinor.toString() + (email ?? ''));

  const existing = repeatedOrder(engine, endpointId, kind, asked, undefined);
  if (existing) return asyncFormResponse(existing, formTransaction(existing));
  const { order, tx } = createOrder(engine, endpointId, kind, asked, { email, redirectUrl, serverCallbackUrl });
  engine.openForm(order);
  return asyncFormResponse(order, tx);
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

export function handleCapture(engine: Engine, request: FastifyRequest, endpointId: string): Answer {
  const { order, amount } = readFollowUp(engine, request, endpointId);
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

export function handleVoid(engine: Engine, request: FastifyRequest, endpointId: string): Answer {
  const entry = engine.merchantFor(endpointId);
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
  const tx = engine.newTransaction('void', BigInt(target.tx.amountMinor), target.tx.currency);
  tx.effect = target.effect;
  engine.schedule(order, tx);
  return asyncResponse(order, tx);
}

export const HANDLERS: Record<Command, (engine: Engine, request: FastifyRequest, endpointId: string) => Answer> = {
  payout: handlePayout,
  status: handleStatus,
  return: handleReturn,
  'sale-form': (engine, request, endpointId) => handlePaymentForm(engine, 'sale', request, endpointId),
  'preauth-form': (engine, request, endpointId) => handlePaymentForm(engine, 'preauth', request, endpointId),
  capture: handleCapture,
  void: handleVoid,
};
