/**
 * Protocol I/O shared by Payneteasy payouts and payments: form POSTs to `api/<command>/<endpoint>`,
 * the status query, the polling cadence and the callback URL. Definite answers are returned; a
 * transport failure or 5xx is an unknown outcome (thrown, so the activity retries).
 */
import { outcomeUnknown } from '../../errors';
import type { ProviderContext } from '../types';
import type { PayneteasyAccount } from './account';
import { CONFIGURATION_ERROR_CODES } from './codes';
import { control, parseAnswer } from './protocol';

export type Answer = Record<string, string>;

/** What every Payneteasy processing record carries about its order. */
export interface OrderFields {
  clientOrderId: string;
  orderId?: string;
  serialNumber?: string;
  orderStage?: string;
  createdAt?: string;
  redirectUrl?: string;
  /** The customer or receiver was shown the provider's form at some point. */
  formShown?: boolean;
  errorCode?: string;
  errorMessage?: string;
}

export type StatusAnswer<R extends OrderFields> =
  | { kind: 'status'; status: string; record: R; amount?: { amount: string; currency: string } }
  | { kind: 'not-found' }
  | { kind: 'refused'; code: string; message: string };

export class PayneteasyGateway {
  constructor(readonly account: PayneteasyAccount) {}

  commandUrl(command: string): string {
    return new URL(`api/${command}/${encodeURIComponent(this.account.endpointId)}`, withSlash(this.account.baseUrl)).toString();
  }

  /** server_callback_url for the CUWO `workflowId`, when the account has a callback receiver. */
  callbackUrl(workflowId: string): string | undefined {
    return this.account.callbackUrl ? `${withSlash(this.account.callbackUrl)}${encodeURIComponent(workflowId)}` : undefined;
  }

  async post(url: string, form: Record<string, string>, ctx: ProviderContext, headers: Record<string, string> = {}): Promise<Answer> {
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(form).toString(),
        signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(this.account.timeoutMs)]),
      });
      text = await response.text();
    } catch (err) {
      throw outcomeUnknown(`Payneteasy ${new URL(url).pathname}: no answer (${(err as Error).message})`, err);
    }
    if (response.status >= 500) throw outcomeUnknown(`Payneteasy ${new URL(url).pathname}: HTTP ${response.status}`);
    const fields = parseAnswer(text);
    if (!fields.type) fields.type = `HTTP_${response.status}`;
    return fields;
  }

  /** A command on an existing order (capture, return, void): login, ids, [amount], SHA-1 control. */
  async orderCommand(command: string, record: OrderFields, ctx: ProviderContext, extra: Record<string, string> = {}): Promise<Answer> {
    const { login, controlKey } = this.account;
    return this.post(this.commandUrl(`v2/${command}`), {
      login, client_orderid: record.clientOrderId, orderid: record.orderId!, ...extra,
      control: control(login, record.clientOrderId, record.orderId!, controlKey),
    }, ctx);
  }

  /** `/api/v2/status` of the order (or of one transaction: `bySerialNumber`); the record comes back updated. */
  async status<R extends OrderFields>(record: R, ctx: ProviderContext, bySerialNumber?: string): Promise<StatusAnswer<R>> {
    const { login, controlKey } = this.account;
    const orderId = record.orderId ?? '';
    const form: Record<string, string> = { login, client_orderid: record.clientOrderId, control: control(login, record.clientOrderId, orderId, controlKey) };
    if (orderId) form.orderid = orderId;
    if (bySerialNumber) form['by-request-sn'] = bySerialNumber;
    const answer = await this.post(this.commandUrl('v2/status'), form, ctx);
    if (answer.type !== 'status-response') {
      if (answer['error-code'] === 'ORDER_NOT_FOUND' && !record.orderId) return { kind: 'not-found' };
      return { kind: 'refused', code: answer['error-code'] ?? 'STATUS_REFUSED', message: answer['error-message'] ?? describeAnswer(answer) };
    }
    const redirectUrl = answer['redirect-to'] || undefined;
    const updated: R = {
      ...record,
      orderId: answer['paynet-order-id'] || record.orderId,
      serialNumber: bySerialNumber ? record.serialNumber : answer['serial-number'] || record.serialNumber,
      orderStage: answer['order-stage'] || record.orderStage,
      createdAt: record.createdAt ?? new Date().toISOString(),
      redirectUrl,
      formShown: record.formShown || Boolean(redirectUrl),
      errorCode: answer['error-code'] || undefined,
      errorMessage: answer['error-message'] || undefined,
    };
    const amount = answer.amount && answer.currency ? { amount: answer.amount, currency: answer.currency } : undefined;
    return { kind: 'status', status: answer.status ?? 'unknown', record: updated, amount };
  }

  /** The provider's cadence: fast at first, slower after the first minutes, rarely after the first hour. */
  pollAfter(record: OrderFields): number {
    const { fastIntervalMs, fastPhaseMs, slowIntervalMs, slowPhaseMs, lateIntervalMs } = this.account.polling;
    const elapsed = record.createdAt ? Date.now() - Date.parse(record.createdAt) : 0;
    return elapsed < fastPhaseMs ? fastIntervalMs : elapsed < slowPhaseMs ? slowIntervalMs : lateIntervalMs;
  }
}

/** A processing record this adapter wrote (heartbeat details of an earlier attempt), or undefined. */
export function ownRecord<R extends OrderFields>(processingData: string | undefined, isKind: (record: R) => boolean): R | undefined {
  if (!processingData) return undefined;
  try {
    const parsed = JSON.parse(processingData) as R & { provider?: string };
    return parsed.provider === 'payneteasy' && isKind(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export function describeAnswer(answer: Answer): string {
  return `${answer.type}${answer['error-code'] ? ` ${answer['error-code']}` : ''}`;
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** A FAILED step: the fields payout and payment steps share (both failure enums have these reasons). */
interface RefusedStep {
  status: 'FAILED';
  provider: 'payneteasy';
  reason: 'CONFIGURATION_ERROR' | 'PROVIDER_ERROR';
  failureCode: string;
  message: string;
  processingData: string;
  moneyMayHaveMoved: boolean;
}

const reasonFor = (code: string | undefined) => (CONFIGURATION_ERROR_CODES.has(code ?? '') ? 'CONFIGURATION_ERROR' : 'PROVIDER_ERROR');

/**
 * The provider refused a request that creates an order (payout, sale, preauth). A retried attempt may
 * follow an earlier request that did create it, and a duplicate order id means one exists: then money
 * may have moved and the record stays SENDING, so a compensation asks before deciding.
 */
export function refusedCreation<R extends OrderFields & { stage: string }>(record: R, answer: Answer, what: string, attempt: number): RefusedStep {
  const mayExist = attempt > 1 || answer['error-code'] === 'DUPLICATE_ORDER';
  const rejected = { ...record, stage: mayExist ? 'SENDING' : 'REJECTED', errorCode: answer['error-code'], errorMessage: answer['error-message'] };
  return {
    status: 'FAILED', provider: 'payneteasy', reason: reasonFor(answer['error-code']),
    failureCode: answer['error-code'] ?? answer.type ?? 'UNEXPECTED_ANSWER',
    message: `Payneteasy refused ${what} ${record.clientOrderId}: ${answer['error-message'] ?? describeAnswer(answer)}`,
    processingData: JSON.stringify(rejected), moneyMayHaveMoved: mayExist,
  };
}

/** The provider refused to tell the status of an order that exists: money may have moved. */
export function refusedStatus(record: OrderFields, refusal: { code: string; message: string }): RefusedStep {
  return {
    status: 'FAILED', provider: 'payneteasy', reason: reasonFor(refusal.code), failureCode: refusal.code,
    message: `Payneteasy refused the status of ${record.clientOrderId}: ${refusal.message}`,
    processingData: JSON.stringify(record), moneyMayHaveMoved: true,
  };
}
