/**
 * Payneteasy requests, built (docs/payneteasy.md, "Requests the adapter sends"): for each command the
 * adapters send, its path and its form, fields in the order they are sent and SHA-1 `control`
 * included. Pure; gateway.ts sends them and signs the v4 payout with OAuth (it needs the URL).
 */
import type { Money } from '../../../contracts/money';
import { CUSTOMER_FIELDS, routeOf, type PayneteasyAccount, type Route } from './account';
import type { TransactionType } from './outcome';
import { control, minorAmount } from './protocol';

/**
 * Every command the adapters send, as `<version>/<command>`: a stored-card payout goes to
 * `v4/payout-by-ref`, a payout through the receiver's form to `v4/payout`. The simulator's
 * `capabilities` must list the same (test/unit/payneteasy-capabilities.test.ts).
 */
export const SENT_COMMANDS = [
  'v4/payout',
  'v4/payout-by-ref',
  'v2/sale-form',
  'v2/preauth-form',
  'v2/capture',
  'v2/return',
  'v2/void',
  'v2/status',
] as const;
export type SentCommand = (typeof SENT_COMMANDS)[number];

export interface PayneteasyRequest {
  /** Appended to `<baseUrl>api/` before the route (commandPath): `v4/payout`, `v2/sale-form`, `v2/status`, ... */
  command: SentCommand;
  form: Record<string, string>;
  /** Signed with OAuth 1.0a RSA-SHA256 in the Authorization header (`v4/payout`); the others carry `control`. */
  oauth: boolean;
}

/** What the requests are signed with, and the route (an endpoint or an endpoint group). */
type Keys = Pick<PayneteasyAccount, 'endpointId' | 'endpointGroupId' | 'login' | 'controlKey'>;

/** The path of a command below `<baseUrl>api/`: `v2/status/1001` per endpoint, `v2/status/group/77` per endpoint group. */
export function commandPath(route: Route, command: string): string {
  const id = encodeURIComponent(route.id);
  return route.kind === 'group' ? `${command}/group/${id}` : `${command}/${id}`;
}

/** What the account adds to a creating request: its customer fields (fixed order) and its `redirect_url`. */
export type CreationExtras = Pick<PayneteasyAccount, 'customerFields' | 'redirectUrl'>;

function addExtras(form: Record<string, string>, extras: CreationExtras | undefined): void {
  for (const name of CUSTOMER_FIELDS) {
    const value = extras?.customerFields?.[name];
    if (value !== undefined) form[name] = value;
  }
  if (extras?.redirectUrl) form.redirect_url = extras.redirectUrl;
}

/** What the status query names: the order, and the transaction by its serial number when known. */
export interface StatusQuestion {
  clientOrderId: string;
  orderId?: string;
  serialNumber?: string;
  type: TransactionType;
}

/**
 * The v4 payout, the amount as the record holds it (major units): to a stored card by its reference on
 * `/api/v4/payout-by-ref`, else on `/api/v4/payout` through the receiver's form.
 */
export function payoutRequest(
  fields: {
    clientOrderId: string;
    amount: Money;
    description: string;
    callbackUrl?: string;
    destination?: string;
  },
  extras?: CreationExtras,
): PayneteasyRequest {
  const form: Record<string, string> = {
    client_orderid: fields.clientOrderId,
    amount: fields.amount.amount,
    currency: fields.amount.currency,
    order_desc: fields.description,
  };
  addExtras(form, extras);
  // notify_url: later transactions on the order (a return, a reversal or chargeback) reach the receiver too.
  if (fields.callbackUrl) Object.assign(form, { server_callback_url: fields.callbackUrl, notify_url: fields.callbackUrl });
  if (fields.destination) form['destination-card-ref-id'] = fields.destination;
  return { command: fields.destination ? 'v4/payout-by-ref' : 'v4/payout', form, oauth: true };
}

/** `/api/v2/sale-form` or `/api/v2/preauth-form`: control over the endpoint (or group) id, order, minor amount, email. */
export function paymentFormRequest(
  keys: Keys,
  command: 'sale' | 'preauth',
  fields: { clientOrderId: string; amount: Money; description: string; email?: string; callbackUrl?: string },
  extras?: CreationExtras,
): PayneteasyRequest {
  const email = fields.email ?? '';
  const form: Record<string, string> = {
    client_orderid: fields.clientOrderId,
    order_desc: fields.description,
    amount: fields.amount.amount,
    currency: fields.amount.currency,
    control: control(routeOf(keys).id, fields.clientOrderId, minorAmount(fields.amount), email, keys.controlKey),
  };
  if (email) form.email = email;
  addExtras(form, extras);
  // notify_url: later transactions on the order (a return, a reversal or chargeback) reach the receiver too.
  if (fields.callbackUrl) Object.assign(form, { server_callback_url: fields.callbackUrl, notify_url: fields.callbackUrl });
  return { command: `v2/${command}-form`, form, oauth: false };
}

/** A command on an existing order (`capture`, `return`, `void`): login, ids, SHA-1 control; never an amount (all of it). */
export function orderCommandRequest(
  keys: Keys,
  command: 'capture' | 'return' | 'void',
  ids: { clientOrderId: string; orderId: string },
  extra: Record<string, string> = {},
): PayneteasyRequest {
  const form = {
    login: keys.login,
    client_orderid: ids.clientOrderId,
    orderid: ids.orderId,
    ...extra,
    control: control(keys.login, ids.clientOrderId, ids.orderId, keys.controlKey),
  };
  return { command: `v2/${command}`, form, oauth: false };
}

/** `/api/v2/status` about one transaction: by its serial number (`by-request-sn`), else the order's latest. */
export function statusRequest(keys: Keys, question: StatusQuestion): PayneteasyRequest {
  const { clientOrderId, orderId, serialNumber } = question;
  const form: Record<string, string> = {
    login: keys.login,
    client_orderid: clientOrderId,
    control: control(keys.login, clientOrderId, orderId ?? '', keys.controlKey),
  };
  if (orderId) form.orderid = orderId;
  if (serialNumber) form['by-request-sn'] = serialNumber;
  return { command: 'v2/status', form, oauth: false };
}
