/**
 * The commands that create an order: `/api/v4/payout` (the receiver fills the form), `/api/v4/payout-by-ref`
 * (a stored card, `destination-card-ref-id`), both OAuth-signed, and `/api/v2/sale-form` / `preauth-form`
 * (SHA-1 control over the endpoint or group id of the route). The merchant's `requiredFields` are checked
 * on each; an identical repeat of a client_orderid gets its order back, any difference DUPLICATE_ORDER.
 */
import type { FastifyRequest } from 'fastify';
import type { Engine } from './engine';
import { formTransaction, payoutOutcome, type SimRoute, type SimulatedOrder, type SimulatedTransaction } from './model';
import {
  Fields,
  ProtocolError,
  amountField,
  asyncFormResponse,
  asyncResponse,
  checkControl,
  currencyField,
  formParams,
  httpUrlField,
  invalid,
  missing,
  verifyOAuth,
  type Answer,
} from './protocol';

export const FORM_PATH = '/paynet/form';

/** Customer and order fields the simulator reads on creating commands (and may require per merchant). */
const CUSTOMER_FIELDS = ['ipaddress', 'purpose', 'first_name', 'last_name', 'address1', 'city', 'state', 'zip_code', 'country', 'phone'];
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** What a creating command asks for. */
interface NewOrder {
  clientOrderId: string;
  amountMinor: bigint;
  currency: string;
  customerFields: Record<string, string>;
  redirectUrl?: string;
  serverCallbackUrl?: string;
  notifyUrl?: string;
}

function readNewOrder(f: Fields, required: readonly string[]): NewOrder {
  const clientOrderId = f.req('client_orderid');
  if (clientOrderId.length > 128) throw invalid('client_orderid', 'must be at most 128 characters');
  f.req('amount');
  const currency = currencyField(f);
  const amountMinor = amountField(f, 'amount', currency);
  f.opt('order_desc');
  const customerFields: Record<string, string> = {};
  for (const name of CUSTOMER_FIELDS) {
    const value = f.opt(name);
    if (value !== undefined) customerFields[name] = value;
  }
  for (const name of required) if (f.opt(name) === undefined) throw missing(name);
  const ip = customerFields.ipaddress;
  if (ip !== undefined && !IPV4.test(ip) && !(ip.includes(':') && /^[0-9a-fA-F:.]+$/.test(ip)))
    throw invalid('ipaddress', 'must be an IP address');
  const redirectUrl = httpUrlField(f, 'redirect_url');
  const serverCallbackUrl = httpUrlField(f, 'server_callback_url');
  const notifyUrl = httpUrlField(f, 'notify_url');
  return { clientOrderId, amountMinor, currency, customerFields, redirectUrl, serverCallbackUrl, notifyUrl };
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
  details: Pick<SimulatedOrder, 'destination' | 'email' | 'createdVia' | 'route'>,
): { order: SimulatedOrder; tx: SimulatedTransaction } {
  const orderId = engine.nextOrderId();
  const tx = engine.newTransaction(kind, asked.amountMinor, asked.currency);
  const { destination, email } = details;
  const { redirectUrl, serverCallbackUrl, customerFields } = asked;
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
    ...(asked.notifyUrl !== undefined ? { notifyUrl: asked.notifyUrl } : {}),
    transactions: [tx],
    createdVia: details.createdVia,
    route: details.route,
    ...(Object.keys(customerFields).length > 0 ? { customerFields } : {}),
  };
  engine.addOrder(order);
  return { order, tx };
}

/**
 * `/api/v4/payout` (byRef false: through the receiver's form; a card reference here is an unknown field
 * combination and refused) or `/api/v4/payout-by-ref` (byRef true: `destination-card-ref-id` required).
 */
export function handlePayout(engine: Engine, request: FastifyRequest, route: SimRoute, byRef: boolean): Answer {
  const entry = engine.merchantFor(route);
  const { endpointId } = entry.merchant;
  const body = formParams(request);
  verifyOAuth(request, entry, body, engine.nonces);
  const f = new Fields(body);
  const asked = readNewOrder(f, entry.merchant.requiredFields ?? []);
  const destination = byRef ? f.req('destination-card-ref-id') : f.opt('destination-card-ref-id');
  if (!byRef && destination !== undefined)
    throw invalid('destination-card-ref-id', 'is not accepted by /api/v4/payout: a payout to a stored card goes to /api/v4/payout-by-ref');

  const existing = repeatedOrder(engine, endpointId, 'payout', asked, destination);
  if (existing) {
    const payout = existing.transactions.find((t) => t.type === 'payout')!;
    return asyncResponse(existing, payout);
  }
  const createdVia = byRef ? 'payout-by-ref' : 'payout';
  const { order, tx } = createOrder(engine, endpointId, 'payout', asked, { destination, createdVia, route });
  if (destination !== undefined) engine.later(engine.options.processingMs, () => engine.finalize(order, tx, payoutOutcome(destination)));
  else engine.openForm(order);
  return asyncResponse(order, tx);
}

/** sale-form / preauth-form: the customer enters card data on the simulator's form; control over the route's id. */
export function handlePaymentForm(engine: Engine, kind: 'sale' | 'preauth', request: FastifyRequest, route: SimRoute): Answer {
  const entry = engine.merchantFor(route);
  const { endpointId } = entry.merchant;
  const f = new Fields(formParams(request));
  const asked = readNewOrder(f, entry.merchant.requiredFields ?? []);
  const email = f.opt('email');
  const control = f.req('control');
  checkControl(entry, undefined, control, route.id + asked.clientOrderId + asked.amountMinor.toString() + (email ?? ''));

  const existing = repeatedOrder(engine, endpointId, kind, asked, undefined);
  if (existing) return asyncFormResponse(existing, formTransaction(existing));
  const { order, tx } = createOrder(engine, endpointId, kind, asked, { email, createdVia: `${kind}-form`, route });
  engine.openForm(order);
  return asyncFormResponse(order, tx);
}
