/**
 * The API commands of the simulated gateway: `/api/v4/payout` (OAuth), `/api/v2/status`, `return`,
 * `sale-form`, `preauth-form`, `capture` and `void` (SHA-1 control). Each is synchronous, so requests
 * never interleave; a refusal is thrown as a ProtocolError and answered in the protocol's shape.
 */
import type { FastifyRequest } from 'fastify';
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
  sameSecret,
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

/** A repeat of a creating request: the same order when nothing differs, DUPLICATE_ORDER otherwise. */
function repeatOf(
  existing: SimulatedOrder,
  asked: Pick<SimulatedOrder, 'kind' | 'amountMinor' | 'currency' | 'destination'>,
  clientOrderId: string,
): void {
  const changed = [
    existing.kind !== asked.kind ? 'command' : undefined,
    existing.amountMinor !== asked.amountMinor ? 'amount' : undefined,
    existing.currency !== asked.currency ? 'currency' : undefined,
    existing.destination !== asked.destination ? 'destination-card-ref-id' : undefined,
  ].filter((c) => c !== undefined);
  if (changed.length > 0)
    throw new ProtocolError(
      'validation-error',
      'DUPLICATE_ORDER',
      `client_orderid ${clientOrderId} was already used with a different ${changed.join(', ')}`,
    );
}

export function handlePayout(engine: Engine, request: FastifyRequest, endpointId: string): Answer {
  const entry = engine.merchantFor(endpointId);
  const body = formParams(request);
  verifyOAuth(request, entry, body, engine.nonces);
  const f = new Fields(body);
  const clientOrderId = f.req('client_orderid');
  if (clientOrderId.length > 128) throw invalid('client_orderid', 'must be at most 128 characters');
  f.req('amount');
  const currency = currencyField(f);
  const amountMinor = amountField(f, 'amount', currency);
  f.opt('order_desc');
  const callbackUrl = httpUrlField(f, 'server_callback_url');
  const destination = f.opt('destination-card-ref-id');

  const existing = engine.existingOrder(endpointId, clientOrderId);
  if (existing) {
    repeatOf(existing, { kind: 'payout', amountMinor: amountMinor.toString(), currency, destination }, clientOrderId);
    return asyncResponse(
      existing,
      existing.transactions.find((t) => t.type === 'payout')!,
    );
  }
  const orderId = engine.nextOrderId();
  const payout = engine.newTransaction('payout', amountMinor, currency);
  const order: SimulatedOrder = {
    orderId,
    clientOrderId,
    endpointId,
    kind: 'payout',
    amountMinor: amountMinor.toString(),
    currency,
    ...(destination !== undefined ? { destination } : { formUrl: `${engine.baseUrl}${FORM_PATH}/${orderId}` }),
    formCompleted: false,
    ...(callbackUrl !== undefined ? { serverCallbackUrl: callbackUrl } : {}),
    transactions: [payout],
  };
  engine.addOrder(order);
  if (destination !== undefined)
    engine.later(engine.options.processingMs, () => engine.finalize(order, payout, payoutOutcome(destination)));
  else engine.openForm(order);
  return asyncResponse(order, payout);
}

export function handleStatus(engine: Engine, request: FastifyRequest, endpointId: string): Answer {
  const entry = engine.merchantFor(endpointId);
  const f = new Fields(formParams(request));
  const login = f.req('login');
  const clientOrderId = f.req('client_orderid');
  const orderId = f.opt('orderid');
  const control = f.req('control');
  const serial = f.opt('by-request-sn');
  checkControl(entry, login, control, login + clientOrderId + (orderId ?? ''));
  const order = engine.findOrder(endpointId, clientOrderId, orderId);
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

/** login, client_orderid, orderid and the optional amount + currency of capture and return. */
function readFollowUp(f: Fields) {
  const login = f.req('login');
  const clientOrderId = f.req('client_orderid');
  const orderId = f.req('orderid');
  const control = f.req('control');
  f.opt('comment');
  const amountSent = f.opt('amount') !== undefined;
  if (amountSent !== (f.opt('currency') !== undefined)) throw missing(amountSent ? 'currency' : 'amount');
  let amount: { minor: bigint; currency: string } | undefined;
  if (amountSent) {
    const currency = currencyField(f);
    amount = { minor: amountField(f, 'amount', currency), currency };
  }
  return { login, clientOrderId, orderId, control, amount, signedAmount: amount ? `${amount.minor}${amount.currency}` : '' };
}

export function handleReturn(engine: Engine, request: FastifyRequest, endpointId: string): Answer {
  const entry = engine.merchantFor(endpointId);
  const r = readFollowUp(new Fields(formParams(request)));
  checkControl(entry, r.login, r.control, r.login + r.clientOrderId + r.orderId + r.signedAmount);
  const order = engine.findOrder(endpointId, r.clientOrderId, r.orderId);
  const existing = order.transactions.find((t) => t.type === 'return');
  if (existing) return asyncResponse(order, existing); // one return per order: a repeat gets the same transaction
  if (isPayment(order)) return paymentReturn(engine, order, r.amount);

  const payout = order.transactions.find((t) => t.type === 'payout')!;
  if (!entry.merchant.payoutReversal) throw notAllowed(`payout reversal is not enabled for endpoint ${endpointId}`);
  if (payout.status !== 'approved') throw notAllowed(`only an approved payout can be reversed; this one is ${payout.status}`);
  if (r.amount && r.amount.currency !== payout.currency) throw invalid('currency', `must be the order currency ${payout.currency}`);
  if (r.amount && r.amount.minor > BigInt(payout.amountMinor)) throw invalid('amount', 'exceeds the paid-out amount');
  const tx = engine.newTransaction('return', r.amount?.minor ?? BigInt(payout.amountMinor), payout.currency);
  engine.schedule(order, tx);
  return asyncResponse(order, tx);
}

/** sale-form / preauth-form: the customer enters card data on the simulator's form. */
export function handlePaymentForm(engine: Engine, kind: 'sale' | 'preauth', request: FastifyRequest, endpointId: string): Answer {
  const entry = engine.merchantFor(endpointId);
  const f = new Fields(formParams(request));
  const clientOrderId = f.req('client_orderid');
  if (clientOrderId.length > 128) throw invalid('client_orderid', 'must be at most 128 characters');
  f.req('amount');
  const currency = currencyField(f);
  const amountMinor = amountField(f, 'amount', currency);
  f.opt('order_desc');
  const email = f.opt('email');
  f.opt('ipaddress');
  const redirectUrl = httpUrlField(f, 'redirect_url');
  const callbackUrl = httpUrlField(f, 'server_callback_url');
  const control = f.req('control');
  checkControl(entry, undefined, control, endpointId + clientOrderId + amountMinor.toString() + (email ?? ''));

  const existing = engine.existingOrder(endpointId, clientOrderId);
  if (existing) {
    repeatOf(existing, { kind, amountMinor: amountMinor.toString(), currency, destination: undefined }, clientOrderId);
    return asyncFormResponse(existing, formTransaction(existing));
  }
  const orderId = engine.nextOrderId();
  const tx = engine.newTransaction(kind, amountMinor, currency);
  const order: SimulatedOrder = {
    orderId,
    clientOrderId,
    endpointId,
    kind,
    amountMinor: amountMinor.toString(),
    currency,
    ...(email !== undefined ? { email } : {}),
    ...(redirectUrl !== undefined ? { redirectUrl } : {}),
    formUrl: `${engine.baseUrl}${FORM_PATH}/${orderId}`,
    formCompleted: false,
    ...(callbackUrl !== undefined ? { serverCallbackUrl: callbackUrl } : {}),
    transactions: [tx],
  };
  engine.addOrder(order);
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
  const entry = engine.merchantFor(endpointId);
  const r = readFollowUp(new Fields(formParams(request)));
  checkControl(entry, r.login, r.control, r.login + r.clientOrderId + r.orderId + r.signedAmount);
  const order = engine.findOrder(endpointId, r.clientOrderId, r.orderId);
  const existing = order.transactions.find((t) => t.type === 'capture');
  if (existing) return asyncResponse(order, existing); // one capture per order: a repeat gets the same transaction
  if (order.kind !== 'preauth') throw notAllowed(`order ${order.orderId} is a ${order.kind}, only a preauth can be captured`);
  const preauth = formTransaction(order);
  if (preauth.status !== 'approved') throw notAllowed(`only an approved preauth can be captured; this one is ${preauth.status}`);
  if (order.transactions.some((t) => (t.type === 'return' || t.type === 'void') && isLive(t)))
    throw notAllowed(`the authorization of order ${order.orderId} is released`);
  if (r.amount && r.amount.currency !== preauth.currency) throw invalid('currency', `must be the order currency ${preauth.currency}`);
  if (r.amount && r.amount.minor > BigInt(preauth.amountMinor)) throw invalid('amount', 'exceeds the authorized amount');
  const tx = engine.newTransaction('capture', r.amount?.minor ?? BigInt(preauth.amountMinor), preauth.currency);
  engine.schedule(order, tx, APPROVED);
  return asyncResponse(order, tx);
}

export function handleVoid(engine: Engine, request: FastifyRequest, endpointId: string): Answer {
  const entry = engine.merchantFor(endpointId);
  const f = new Fields(formParams(request));
  const login = f.req('login');
  const clientOrderId = f.req('client_orderid');
  const orderId = f.req('orderid');
  f.opt('comment');
  const control = f.req('control');
  checkControl(entry, login, control, login + clientOrderId + orderId);
  const order = engine.findOrder(endpointId, clientOrderId, orderId);
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
