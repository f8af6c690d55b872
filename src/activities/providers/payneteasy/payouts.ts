/**
 * Payouts through Payneteasy (seed 003, reference/payneteasy.md): `/api/v4/payout` signed with OAuth
 * RSA-SHA256, the final status learned by polling `/api/v2/status` (SHA-1 control) on the provider's
 * cadence or sooner when its callback arrives, the receiver's form exposed while it waits, and an
 * approved payout reversed with `/api/v2/return` where the endpoint allows it.
 */
import { z } from 'zod';
import { toMinorUnits, formatMoney, type Money } from '../../../contracts/money';
import { outcomeUnknown } from '../../errors';
import type { CancelPayoutStep, GrantPayoutActivityInput, PayoutStep } from '../../types';
import { providerKey } from '../keys';
import type { PayoutProvider, ProviderContext } from '../types';
import { CONFIGURATION_ERROR_CODES, DEFAULT_RECEIVER_ABANDONED_CODES, FINAL_STATUS_REASONS, PENDING_STATUSES } from './codes';
import { control, majorAmount, oauthHeader, parseAnswer } from './protocol';

export const PROVIDER = 'payneteasy';
/** The customer identifier naming a stored destination card; without one the receiver fills the provider's form. */
export const CARD_REFERENCE_IDENTIFIER = 'CARD_REFERENCE';

export const payneteasyAccountSchema = z.object({
  provider: z.literal(PROVIDER),
  /** The gate's base, e.g. https://gate.payneteasy.com/paynet/ ; commands are appended as api/<command>/<endpointId>. */
  baseUrl: z.url(),
  endpointId: z.string().min(1),
  login: z.string().min(1),
  controlKey: z.string().min(1),
  privateKeyPem: z.string().refine((pem) => pem.includes('PRIVATE KEY'), 'must be a PEM-encoded private key'),
  /** Base URL of our callback receiver for this account; the CUWO's workflow id is appended. */
  callbackUrl: z.url().optional(),
  /** Whether the endpoint lets `return` reverse an approved payout (a contract matter, so configuration). */
  payoutReversal: z.boolean().default(false),
  receiverAbandonedCodes: z.array(z.string()).default(DEFAULT_RECEIVER_ABANDONED_CODES),
  timeoutMs: z.number().int().positive().default(15_000),
  /** The provider's advice: every 3-5 s for the first minutes, then every 5-10 min up to an hour, then rarely. */
  polling: z
    .object({
      fastIntervalMs: z.number().int().positive().default(4_000),
      fastPhaseMs: z.number().int().positive().default(5 * 60_000),
      slowIntervalMs: z.number().int().positive().default(5 * 60_000),
      slowPhaseMs: z.number().int().positive().default(60 * 60_000),
      lateIntervalMs: z.number().int().positive().default(60 * 60_000),
    })
    .default({ fastIntervalMs: 4_000, fastPhaseMs: 5 * 60_000, slowIntervalMs: 5 * 60_000, slowPhaseMs: 60 * 60_000, lateIntervalMs: 60 * 60_000 }),
});
export type PayneteasyAccount = z.infer<typeof payneteasyAccountSchema>;

type Stage =
  | 'SENDING' // the payout request may have reached the provider; no answer yet
  | 'PROCESSING'
  | 'APPROVED'
  | 'DECLINED'
  | 'ERROR'
  | 'FILTERED'
  | 'REJECTED' // the request itself was refused: no order
  | 'RETURN_SENDING'
  | 'RETURN_PROCESSING'
  | 'RETURNED'
  | 'RETURN_DECLINED';

/** The payout processing data: everything CancelPayout and a person need; no secrets. */
interface PayneteasyRecord {
  v: 1;
  provider: typeof PROVIDER;
  account: string;
  clientOrderId: string;
  amount: Money;
  destination?: string;
  stage: Stage;
  orderId?: string;
  serialNumber?: string;
  orderStage?: string;
  createdAt?: string;
  redirectUrl?: string;
  /** The receiver was shown the provider's form at some point. */
  formShown?: boolean;
  errorCode?: string;
  errorMessage?: string;
  returnSerialNumber?: string;
}

const FINAL_STAGE: Record<string, Stage> = { approved: 'APPROVED', declined: 'DECLINED', error: 'ERROR', filtered: 'FILTERED' };

export class PayneteasyPayouts implements PayoutProvider {
  readonly name = PROVIDER;

  constructor(
    private readonly accountName: string,
    private readonly account: PayneteasyAccount,
  ) {}

  async grant(input: GrantPayoutActivityInput, ctx: ProviderContext): Promise<PayoutStep> {
    // A retried attempt whose predecessor already got an order id resumes polling that order.
    const resumed = parseRecord(ctx.resumed?.processingData);
    if (resumed?.orderId) return this.status(resumed as unknown as Record<string, unknown>, ctx);

    const destination = input.destinations.find((d) => d.identifierType === CARD_REFERENCE_IDENTIFIER)?.identifier;
    const record: PayneteasyRecord = {
      v: 1, provider: PROVIDER, account: this.accountName,
      clientOrderId: providerKey('payout', input.payoutRequestID, 128),
      amount: { amount: majorAmount(input.amount), currency: input.amount.currency },
      destination, stage: 'SENDING',
    };
    await ctx.report({ processingData: JSON.stringify(record), moneyMayHaveMoved: true, stage: 'SENDING' });

    const form: Record<string, string> = {
      client_orderid: record.clientOrderId,
      amount: record.amount.amount,
      currency: record.amount.currency,
      order_desc: input.description,
    };
    if (this.account.callbackUrl) form.server_callback_url = `${withSlash(this.account.callbackUrl)}${encodeURIComponent(ctx.workflowId)}`;
    if (destination) form['destination-card-ref-id'] = destination;
    const url = this.commandUrl('v4/payout');
    const answer = await this.post(url, form, ctx, { authorization: oauthHeader({ url, form, login: this.account.login, privateKeyPem: this.account.privateKeyPem }) });

    if (answer.type === 'async-response') {
      const created: PayneteasyRecord = {
        ...record, stage: 'PROCESSING', orderId: answer['paynet-order-id'], serialNumber: answer['serial-number'], createdAt: new Date().toISOString(),
      };
      await ctx.report({ processingData: JSON.stringify(created), moneyMayHaveMoved: true, stage: 'PROCESSING', reference: created.orderId });
      return this.pending(created);
    }
    // Refused. A retried attempt may follow an earlier request that did create the order, and a
    // duplicate order id means one exists: in both cases money may have moved.
    const duplicate = answer['error-code'] === 'DUPLICATE_ORDER';
    const rejected: PayneteasyRecord = { ...record, stage: ctx.attempt > 1 || duplicate ? 'SENDING' : 'REJECTED', errorCode: answer['error-code'], errorMessage: answer['error-message'] };
    return {
      status: 'FAILED', provider: PROVIDER,
      reason: CONFIGURATION_ERROR_CODES.has(answer['error-code'] ?? '') ? 'CONFIGURATION_ERROR' : 'PROVIDER_ERROR',
      failureCode: answer['error-code'] ?? answer.type ?? 'UNEXPECTED_ANSWER',
      message: `Payneteasy refused payout ${record.clientOrderId}: ${answer['error-message'] ?? describeAnswer(answer)}`,
      processingData: JSON.stringify(rejected),
      moneyMayHaveMoved: rejected.stage === 'SENDING',
    };
  }

  async status(data: Record<string, unknown>, ctx: ProviderContext): Promise<PayoutStep> {
    const record = data as unknown as PayneteasyRecord;
    const answer = await this.queryStatus(record, ctx);
    if (answer.kind === 'refused') return { ...answer.step, moneyMayHaveMoved: true };
    if (answer.kind === 'not-found') {
      // Only after a resumed SENDING: the request never created an order, so send it again is for grant().
      throw outcomeUnknown(`Payneteasy has no order ${record.clientOrderId} yet`);
    }
    const updated = answer.record;
    if (PENDING_STATUSES.has(answer.status)) return this.pending(updated);
    const processingData = JSON.stringify(updated);
    if (answer.status === 'approved') {
      const paid = answer.amount;
      if (!paid || paid.currency !== record.amount.currency || toMinorUnits(paid) !== toMinorUnits(record.amount)) {
        return {
          status: 'FAILED', provider: PROVIDER, reason: 'PROVIDER_ERROR', failureCode: 'AMOUNT_MISMATCH', processingData, moneyMayHaveMoved: true,
          message: `Payneteasy approved ${paid ? formatMoney(paid) : 'an unknown amount'} for order ${updated.orderId}, requested ${formatMoney(record.amount)}`,
        };
      }
      return { status: 'PAID', provider: PROVIDER, reference: updated.orderId!, processedAmount: record.amount, processingData };
    }
    const abandoned = updated.formShown && this.account.receiverAbandonedCodes.includes(updated.errorCode ?? '');
    return {
      status: 'FAILED', provider: PROVIDER, reason: FINAL_STATUS_REASONS[answer.status] ?? 'PROVIDER_ERROR',
      failureCode: updated.errorCode ?? answer.status.toUpperCase(),
      message: abandoned
        ? `the receiver never completed the payout form; Payneteasy confirms nothing was paid (order ${updated.orderId})`
        : `Payneteasy ${answer.status} payout ${updated.orderId}: ${updated.errorMessage ?? updated.errorCode ?? 'no reason given'}`,
      processingData, moneyMayHaveMoved: false,
      ...(abandoned ? { cancelation: 'RECEIVER_DID_NOT_CONFIRM' as const } : {}),
    };
  }

  async cancel(data: Record<string, unknown>, ctx: ProviderContext): Promise<CancelPayoutStep> {
    let record = data as unknown as PayneteasyRecord;
    const nothingPaid = (r: PayneteasyRecord, why: string): CancelPayoutStep => ({ status: 'CANCELED', provider: PROVIDER, processingData: JSON.stringify(r), message: `nothing was paid out (${why})` });

    if (record.stage === 'SENDING' || record.stage === 'PROCESSING') {
      // Learn the payout's outcome by asking; never send the payout request itself.
      const answer = await this.queryStatus(record, ctx);
      if (answer.kind === 'refused') {
        const { failureCode, message, processingData } = answer.step;
        return { status: 'FAILED', provider: PROVIDER, reason: 'PROVIDER_ERROR', failureCode, message: `${message}; reconcile by hand`, processingData, needsReconciliation: true };
      }
      if (answer.kind === 'not-found') return nothingPaid(record, `Payneteasy has no order ${record.clientOrderId}`);
      if (PENDING_STATUSES.has(answer.status)) return { status: 'PENDING', provider: PROVIDER, processingData: JSON.stringify(answer.record), pollAfterMs: this.pollAfter(answer.record) };
      record = answer.record;
    }
    switch (record.stage) {
      case 'DECLINED':
      case 'ERROR':
      case 'FILTERED':
      case 'REJECTED':
        return nothingPaid(record, `the payout ended ${record.stage.toLowerCase()}`);
      case 'RETURNED':
        return { status: 'CANCELED', provider: PROVIDER, processingData: JSON.stringify(record), message: `payout ${record.orderId} was reversed` };
      case 'RETURN_DECLINED':
        return this.reversalFailed(record);
      case 'APPROVED':
      case 'RETURN_SENDING':
        return this.sendReturn(record, ctx);
      case 'RETURN_PROCESSING':
        return this.returnStatus(record, ctx);
      default:
        throw new Error(`unexpected Payneteasy stage ${record.stage}`);
    }
  }

  /** Reverses an approved payout (`return` on its order); idempotent at the provider, so safe to re-send. */
  private async sendReturn(record: PayneteasyRecord, ctx: ProviderContext): Promise<CancelPayoutStep> {
    if (!this.account.payoutReversal) {
      return {
        status: 'FAILED', provider: PROVIDER, reason: 'NOT_REVERSIBLE', failureCode: 'PAID',
        message: `payout ${record.orderId} (${formatMoney(record.amount)}, client order ${record.clientOrderId}) was paid and this endpoint does not allow reversing payouts: reconcile by hand`,
        processingData: JSON.stringify(record), needsReconciliation: true,
      };
    }
    const sending: PayneteasyRecord = { ...record, stage: 'RETURN_SENDING' };
    await ctx.report({ processingData: JSON.stringify(sending), moneyMayHaveMoved: true, stage: 'RETURN_SENDING', reference: record.orderId });
    const { login, controlKey } = this.account;
    const answer = await this.post(this.commandUrl('v2/return'), {
      login, client_orderid: record.clientOrderId, orderid: record.orderId!, comment: `reversal of payout ${record.clientOrderId}`,
      control: control(login, record.clientOrderId, record.orderId!, controlKey),
    }, ctx);
    if (answer.type !== 'async-response') {
      return this.reversalFailed({ ...sending, stage: 'APPROVED', errorCode: answer['error-code'], errorMessage: answer['error-message'] });
    }
    const processing: PayneteasyRecord = { ...sending, stage: 'RETURN_PROCESSING', returnSerialNumber: answer['serial-number'] };
    await ctx.report({ processingData: JSON.stringify(processing), moneyMayHaveMoved: true, stage: 'RETURN_PROCESSING', reference: record.orderId });
    return { status: 'PENDING', provider: PROVIDER, processingData: JSON.stringify(processing), pollAfterMs: this.account.polling.fastIntervalMs };
  }

  private async returnStatus(record: PayneteasyRecord, ctx: ProviderContext): Promise<CancelPayoutStep> {
    const answer = await this.queryStatus(record, ctx, record.returnSerialNumber);
    if (answer.kind !== 'status') return this.reversalFailed(record);
    if (PENDING_STATUSES.has(answer.status)) return { status: 'PENDING', provider: PROVIDER, processingData: JSON.stringify(record), pollAfterMs: this.account.polling.fastIntervalMs };
    if (answer.status === 'approved') {
      const returned: PayneteasyRecord = { ...record, stage: 'RETURNED' };
      return { status: 'CANCELED', provider: PROVIDER, processingData: JSON.stringify(returned), message: `payout ${record.orderId} was reversed` };
    }
    return this.reversalFailed({ ...record, stage: 'RETURN_DECLINED', errorCode: answer.record.errorCode, errorMessage: answer.record.errorMessage });
  }

  private reversalFailed(record: PayneteasyRecord): CancelPayoutStep {
    return {
      status: 'FAILED', provider: PROVIDER, reason: 'REVERSAL_DECLINED', failureCode: record.errorCode ?? 'RETURN_REFUSED',
      message: `Payneteasy refused to reverse payout ${record.orderId} (${formatMoney(record.amount)}): ${record.errorMessage ?? record.errorCode ?? 'no reason given'}; reconcile by hand`,
      processingData: JSON.stringify(record), needsReconciliation: true,
    };
  }

  /** `/api/v2/status` for the order (or one transaction of it); the record comes back updated. */
  private async queryStatus(record: PayneteasyRecord, ctx: ProviderContext, bySerialNumber?: string): Promise<
    | { kind: 'status'; status: string; record: PayneteasyRecord; amount?: Money }
    | { kind: 'not-found' }
    | { kind: 'refused'; step: Extract<PayoutStep, { status: 'FAILED' }> }
  > {
    const { login, controlKey } = this.account;
    const orderId = record.orderId ?? '';
    const form: Record<string, string> = { login, client_orderid: record.clientOrderId, control: control(login, record.clientOrderId, orderId, controlKey) };
    if (orderId) form.orderid = orderId;
    if (bySerialNumber) form['by-request-sn'] = bySerialNumber;
    const answer = await this.post(this.commandUrl('v2/status'), form, ctx);
    if (answer.type !== 'status-response') {
      if (answer['error-code'] === 'ORDER_NOT_FOUND' && !record.orderId) return { kind: 'not-found' };
      return {
        kind: 'refused',
        step: {
          status: 'FAILED', provider: PROVIDER,
          reason: CONFIGURATION_ERROR_CODES.has(answer['error-code'] ?? '') ? 'CONFIGURATION_ERROR' : 'PROVIDER_ERROR',
          failureCode: answer['error-code'] ?? 'STATUS_REFUSED',
          message: `Payneteasy refused the status of ${record.clientOrderId}: ${answer['error-message'] ?? describeAnswer(answer)}`,
          processingData: JSON.stringify(record), moneyMayHaveMoved: true,
        },
      };
    }
    const status = answer.status ?? 'unknown';
    const redirectUrl = answer['redirect-to'] || undefined;
    const updated: PayneteasyRecord = {
      ...record,
      stage: bySerialNumber ? record.stage : FINAL_STAGE[status] ?? 'PROCESSING',
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
    return { kind: 'status', status, record: updated, amount };
  }

  private pending(record: PayneteasyRecord): PayoutStep {
    return {
      status: 'PENDING', provider: PROVIDER, processingData: JSON.stringify(record), pollAfterMs: this.pollAfter(record),
      reference: record.orderId, redirectUrl: record.redirectUrl,
    };
  }

  /** The provider's cadence: fast at first, slower after the first minutes, rarely after the first hour. */
  private pollAfter(record: PayneteasyRecord): number {
    const { fastIntervalMs, fastPhaseMs, slowIntervalMs, slowPhaseMs, lateIntervalMs } = this.account.polling;
    const elapsed = record.createdAt ? Date.now() - Date.parse(record.createdAt) : 0;
    return elapsed < fastPhaseMs ? fastIntervalMs : elapsed < slowPhaseMs ? slowIntervalMs : lateIntervalMs;
  }

  private commandUrl(command: string): string {
    return new URL(`api/${command}/${encodeURIComponent(this.account.endpointId)}`, withSlash(this.account.baseUrl)).toString();
  }

  /** One form POST. Definite answers are returned; a transport failure or 5xx is an unknown outcome. */
  private async post(url: string, form: Record<string, string>, ctx: ProviderContext, headers: Record<string, string> = {}): Promise<Record<string, string>> {
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
}

function parseRecord(processingData: string | undefined): PayneteasyRecord | undefined {
  if (!processingData) return undefined;
  try {
    const parsed = JSON.parse(processingData) as PayneteasyRecord;
    return parsed.provider === PROVIDER ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function describeAnswer(answer: Record<string, string>): string {
  return `${answer.type}${answer['error-code'] ? ` ${answer['error-code']}` : ''}`;
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
