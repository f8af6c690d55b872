/**
 * Payneteasy HTTP and signing, shared by payouts and payments: form POSTs to `api/<command>/<endpoint>`
 * through the one exchange helper (never throws), the status query, and the polling cadence.
 * What an exchange proves is decided in outcome.ts, not here.
 */
import type { Money } from '../../../contracts/money';
import { exchange, withSlash, type Exchange } from '../http';
import type { PayneteasyAccount } from './account';
import { classifyStatus, type StatusOutcome, type TransactionType } from './outcome';
import { control, minorAmount, oauthHeader } from './protocol';

/** What the status query names: the order, and the transaction by its serial number when known. */
export interface StatusQuestion {
  clientOrderId: string;
  orderId?: string;
  serialNumber?: string;
  type: TransactionType;
}

export class PayneteasyGateway {
  constructor(readonly account: PayneteasyAccount) {}

  commandUrl(command: string): string {
    return new URL(`api/${command}/${encodeURIComponent(this.account.endpointId)}`, withSlash(this.account.baseUrl)).toString();
  }

  /** server_callback_url for the CUWO `workflowId`, when the account has a callback receiver. */
  callbackUrl(workflowId: string): string | undefined {
    return this.account.callbackUrl ? `${withSlash(this.account.callbackUrl)}${encodeURIComponent(workflowId)}` : undefined;
  }

  post(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Exchange> {
    const init = {
      method: 'POST' as const,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString(),
    };
    return exchange(url, init, this.account.timeoutMs);
  }

  /** `/api/v4/payout`, signed OAuth 1.0a RSA-SHA256 (the body is part of the signature). */
  async payout(form: Record<string, string>): Promise<Exchange> {
    const url = this.commandUrl('v4/payout');
    let authorization: string;
    try {
      authorization = oauthHeader({ url, form, login: this.account.login, privateKeyPem: this.account.privateKeyPem });
    } catch (err) {
      return { kind: 'not-sent', error: `cannot sign the request with the configured private key: ${(err as Error).message}` }; // nothing left
    }
    return this.post(url, form, { authorization });
  }

  /** `/api/v2/sale-form` or `/api/v2/preauth-form`: control over endpoint, order, minor amount, email. */
  paymentForm(
    command: 'sale' | 'preauth',
    fields: { clientOrderId: string; amount: Money; description: string; email?: string; callbackUrl?: string },
  ): Promise<Exchange> {
    const { endpointId, controlKey } = this.account;
    const email = fields.email ?? '';
    const form: Record<string, string> = {
      client_orderid: fields.clientOrderId,
      order_desc: fields.description,
      amount: fields.amount.amount,
      currency: fields.amount.currency,
      control: control(endpointId, fields.clientOrderId, minorAmount(fields.amount), email, controlKey),
    };
    if (email) form.email = email;
    if (fields.callbackUrl) form.server_callback_url = fields.callbackUrl;
    return this.post(this.commandUrl(`v2/${command}-form`), form);
  }

  /** A command on an existing order (capture, return): login, ids, SHA-1 control. */
  orderCommand(
    command: 'capture' | 'return',
    ids: { clientOrderId: string; orderId: string },
    extra: Record<string, string> = {},
  ): Promise<Exchange> {
    const { login, controlKey } = this.account;
    return this.post(this.commandUrl(`v2/${command}`), {
      login,
      client_orderid: ids.clientOrderId,
      orderid: ids.orderId,
      ...extra,
      control: control(login, ids.clientOrderId, ids.orderId, controlKey),
    });
  }

  /** `/api/v2/status` about one transaction (by its serial number, else the order's latest), classified. */
  async status(question: StatusQuestion): Promise<StatusOutcome> {
    const { login, controlKey } = this.account;
    const { clientOrderId, orderId, serialNumber } = question;
    const form: Record<string, string> = {
      login,
      client_orderid: clientOrderId,
      control: control(login, clientOrderId, orderId ?? '', controlKey),
    };
    if (orderId) form.orderid = orderId;
    if (serialNumber) form['by-request-sn'] = serialNumber;
    return classifyStatus(await this.post(this.commandUrl('v2/status'), form), question);
  }

  /** The provider's cadence: fast at first, slower after the first minutes, rarely after the first hour. */
  pollAfter(createdAt: string | undefined): number {
    const { fastIntervalMs, fastPhaseMs, slowIntervalMs, slowPhaseMs, lateIntervalMs } = this.account.polling;
    const started = createdAt ? Date.parse(createdAt) : NaN;
    const elapsed = Number.isNaN(started) ? 0 : Date.now() - started;
    return elapsed < fastPhaseMs ? fastIntervalMs : elapsed < slowPhaseMs ? slowIntervalMs : lateIntervalMs;
  }
}
