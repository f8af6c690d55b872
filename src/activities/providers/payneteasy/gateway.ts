/**
 * Payneteasy wiring, shared by payouts and payments: requests built in requests.ts are POSTed as forms
 * to `<baseUrl>api/<command>/<endpointId>` (or `.../<command>/group/<endpointGroupId>`) through the one exchange helper (../http.ts, never throws),
 * the v4 payout signed with OAuth RSA-SHA256, and each answer handed to its classifier (outcome.ts).
 * Also the callback URL of a CUWO and the polling cadence the provider advises (docs/payneteasy.md).
 */
import type { Money } from '../../../contracts/money';
import { exchange, withSlash, type Exchange } from '../http';
import type { Classified } from '../outcome';
import { routeOf, type PayneteasyAccount, type Route } from './account';
import { classifyCreation, classifyOrderCommand, classifyStatus, type Accepted, type NotDone, type StatusOutcome } from './outcome';
import { oauthHeader } from './protocol';
import {
  commandPath,
  orderCommandRequest,
  paymentFormRequest,
  payoutRequest,
  statusRequest,
  type PayneteasyRequest,
  type StatusQuestion,
} from './requests';

export type { StatusQuestion } from './requests';

export class PayneteasyGateway {
  /** The endpoint or endpoint group every command goes to. */
  readonly route: Route;

  constructor(readonly account: PayneteasyAccount) {
    this.route = routeOf(account);
  }

  commandUrl(command: string): string {
    return new URL(`api/${commandPath(this.route, command)}`, withSlash(this.account.baseUrl)).toString();
  }

  /** server_callback_url for the CUWO `workflowId`, when the account has a callback receiver. */
  callbackUrl(workflowId: string): string | undefined {
    return this.account.callbackUrl ? `${withSlash(this.account.callbackUrl)}${encodeURIComponent(workflowId)}` : undefined;
  }

  /** Sends a request as a form POST; an OAuth request is signed first (the body is part of the signature). */
  async send(request: PayneteasyRequest): Promise<Exchange> {
    const url = this.commandUrl(request.command);
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (request.oauth) {
      try {
        const { login, privateKeyPem } = this.account;
        headers.authorization = oauthHeader({ url, form: request.form, login, privateKeyPem });
      } catch (err) {
        // Nothing left: the request was never sent.
        return { kind: 'not-sent', error: `cannot sign the request with the configured private key: ${(err as Error).message}` };
      }
    }
    return exchange(url, { method: 'POST', headers, body: new URLSearchParams(request.form).toString() }, this.account.timeoutMs);
  }

  /** `/api/v4/payout-by-ref` (stored card) or `/api/v4/payout` (receiver's form), classified as the creation of an order. */
  async payout(fields: Parameters<typeof payoutRequest>[0]): Promise<Classified<Accepted, NotDone>> {
    return classifyCreation(await this.send(payoutRequest(fields, this.account)), { clientOrderId: fields.clientOrderId, form: false });
  }

  /** `/api/v2/sale-form` or `/api/v2/preauth-form`, classified as the creation of an order. */
  async paymentForm(
    command: 'sale' | 'preauth',
    fields: { clientOrderId: string; amount: Money; description: string; email?: string; callbackUrl?: string },
  ): Promise<Classified<Accepted, NotDone>> {
    return classifyCreation(await this.send(paymentFormRequest(this.account, command, fields, this.account)), {
      clientOrderId: fields.clientOrderId,
      form: true,
    });
  }

  /** A command on an existing order (capture, return, void), classified: DONE means a transaction exists. */
  async orderCommand(
    command: 'capture' | 'return' | 'void',
    ids: { clientOrderId: string; orderId: string },
    extra: Record<string, string> = {},
  ): Promise<Classified<Accepted, NotDone>> {
    return classifyOrderCommand(await this.send(orderCommandRequest(this.account, command, ids, extra)), ids);
  }

  /** `/api/v2/status` about one transaction (by its serial number, else the order's latest), classified. */
  async status(question: StatusQuestion): Promise<StatusOutcome> {
    return classifyStatus(await this.send(statusRequest(this.account, question)), question);
  }

  /**
   * The provider's cadence (docs/payneteasy.md, "Polling cadence"): fast at first, slower after the
   * first minutes, and after the first hour rarely, as a safety net beside the callback.
   */
  pollAfter(createdAt: string | undefined): number {
    const { fastIntervalMs, fastPhaseMs, slowIntervalMs, slowPhaseMs, lateIntervalMs } = this.account.polling;
    const started = createdAt ? Date.parse(createdAt) : NaN;
    const elapsed = Number.isNaN(started) ? 0 : Date.now() - started;
    return elapsed < fastPhaseMs ? fastIntervalMs : elapsed < slowPhaseMs ? slowIntervalMs : lateIntervalMs;
  }
}
