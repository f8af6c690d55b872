/**
 * Payneteasy requests, built (docs/payneteasy.md, "Requests the adapter sends"): for each command the
 * adapters send, its path and its form, fields in the order they are sent and SHA-1 `control`
 * included. Pure; gateway.ts sends them and signs the v4 payout with OAuth (it needs the URL).
 */
import type { Money } from '../../../contracts/money';
import type { PayneteasyAccount } from './account';
import type { TransactionType } from './outcome';
import { control, minorAmount } from './protocol';

export interface PayneteasyRequest {
  /** Appended to `<baseUrl>api/` before the endpoint id: `v4/payout`, `v2/sale-form`, `v2/status`, ... */
  command: string;
  form: Record<string, string>;
  /** Signed with OAuth 1.0a RSA-SHA256 in the Authorization header (`v4/payout`); the others carry `control`. */
  oauth: boolean;
}

/** What the requests are signed with. */
type Keys = Pick<PayneteasyAccount, 'endpointId' | 'login' | 'controlKey'>;

/** What the status query names: the order, and the transaction by its serial number when known. */
export interface StatusQuestion {
  clientOrderId: string;
  orderId?: string;
  serialNumber?: string;
  type: TransactionType;
}

/** `/api/v4/payout`: the amount as the record holds it (major units), to a stored card or through the receiver's form. */
export function payoutRequest(fields: {
  clientOrderId: string;
  amount: Money;
  description: string;
  callbackUrl?: string;
  destination?: string;
}): PayneteasyRequest {
  const form: Record<string, string> = {
    client_orderid: fields.clientOrderId,
    amount: fields.amount.amount,
    currency: fields.amount.currency,
    order_desc: fields.description,
  };
  if (fields.callbackUrl) form.server_callback_url = fields.callbackUrl;
  if (fields.destination) form['destination-card-ref-id'] = fields.destination;
  return { command: 'v4/payout', form, oauth: true };
}

/** `/api/v2/sale-form` or `/api/v2/preauth-form`: control over endpoint, order, minor amount, email. */
export function paymentFormRequest(
  keys: Keys,
  command: 'sale' | 'preauth',
  fields: { clientOrderId: string; amount: Money; description: string; email?: string; callbackUrl?: string },
): PayneteasyRequest {
  const email = fields.email ?? '';
  const form: Record<string, string> = {
    client_orderid: fields.clientOrderId,
    order_desc: fields.description,
    amount: fields.amount.amount,
    currency: fields.amount.currency,
    control: control(keys.endpointId, fields.clientOrderId, minorAmount(fields.amount), email, keys.controlKey),
  };
  if (email) form.email = email;
  if (fields.callbackUrl) form.server_callback_url = fields.callbackUrl;
  return { command: `v2/${command}-form`, form, oauth: false };
}

/** A command on an existing order (`capture`, `return`): login, ids, SHA-1 control; never an amount (all of it). */
export function orderCommandRequest(
  keys: Keys,
  command: 'capture' | 'return',
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
