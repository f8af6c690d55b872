/**
 * Payouts over the disburseFunds protocol (seed 004, reference/disburse-funds.md).
 * Idempotency key: requestId (derived from the payout request) + paymentIntegratorAccountId, so a
 * retried, resumed or compensating call can never pay twice. The protocol has neither a status query
 * nor a reversal: an unknown outcome is learned by re-sending the identical request, and a payout
 * once made can only be reconciled by hand.
 */
import { z } from 'zod';
import { microsToMoney, minorToMicros, toMinorUnits, formatMoney } from '../../../contracts/money';
import { outcomeUnknown } from '../../errors';
import type { CancelPayoutStep, GrantPayoutActivityInput, PayoutStep } from '../../types';
import { providerKey } from '../keys';
import type { PayoutProvider, ProviderContext } from '../types';
import { CONFIGURATION_ERROR_CODES, RESULT_CODE_REASONS, TRANSIENT_ERROR_CODES } from './codes';

export const PROVIDER = 'disburse-funds';
/** The customer identifier that names the payout destination (a UPI virtual payment address). */
export const DESTINATION_IDENTIFIER = 'UPI_VPA';

export const disburseFundsAccountSchema = z.object({
  provider: z.literal(PROVIDER),
  baseUrl: z.url(),
  paymentIntegratorAccountId: z.string().min(1),
  bearerToken: z.string().min(1),
  timeoutMs: z.number().int().positive().default(15_000),
});
export type DisburseFundsAccount = z.infer<typeof disburseFundsAccountSchema>;

/** Everything CancelPayout and a person need; no secrets. Serialized as the payout processing data. */
interface DisburseRecord {
  v: 1;
  provider: typeof PROVIDER;
  account: string;
  requestId: string;
  paymentIntegratorAccountId: string;
  amountMicros: string;
  currencyCode: string;
  vpa: string;
  transactionDescription: string;
  /** SENDING: the request may have reached the provider, outcome not yet known. */
  stage: 'SENDING' | 'PAID' | 'DECLINED' | 'REJECTED';
  paymentIntegratorTransactionId?: string;
  resultCode?: string;
  rawResult?: { scope?: string; rawCode?: string };
  limit?: { kind: 'min' | 'max'; amount: string; currency: string };
  errorResponseCode?: string;
}

const replySchema = z.object({
  paymentIntegratorTransactionId: z.string().min(1),
  disburseFundsResult: z.object({
    disburseFundsResultCode: z.string(),
    rawResult: z.object({ scope: z.string().optional(), rawCode: z.string().optional() }).optional(),
    transactionMaxLimit: z.string().regex(/^\d+$/).optional(),
    transactionMinLimit: z.string().regex(/^\d+$/).optional(),
  }),
});
const errorSchema = z.object({ errorResponseCode: z.string().optional(), errorDescription: z.string().optional() });

type Reply =
  | { kind: 'result'; body: z.infer<typeof replySchema> }
  | { kind: 'error'; httpStatus: number; code: string; description: string }
  | { kind: 'malformed'; httpStatus: number; text: string };

/** requestId: <= 100 chars of [a-zA-Z0-9:_-], stable for the payout request across every attempt. */
export function disburseRequestId(payoutRequestID: string): string {
  return providerKey('payout', payoutRequestID, 100);
}

export class DisburseFundsPayouts implements PayoutProvider {
  readonly name = PROVIDER;

  constructor(
    private readonly accountName: string,
    private readonly account: DisburseFundsAccount,
  ) {}

  async grant(input: GrantPayoutActivityInput, ctx: ProviderContext): Promise<PayoutStep> {
    const destination = input.destinations.find((d) => d.identifierType === DESTINATION_IDENTIFIER);
    if (!destination) {
      return {
        status: 'FAILED', provider: PROVIDER, reason: 'RECEIVER_NOT_IDENTIFIED', failureCode: 'NO_UPI_VPA',
        message: `no customer identifier of type ${DESTINATION_IDENTIFIER} names the payout destination`,
        moneyMayHaveMoved: false,
      };
    }
    const record: DisburseRecord = {
      v: 1, provider: PROVIDER, account: this.accountName,
      requestId: disburseRequestId(input.payoutRequestID),
      paymentIntegratorAccountId: this.account.paymentIntegratorAccountId,
      amountMicros: minorToMicros(toMinorUnits(input.amount), input.amount.currency).toString(),
      currencyCode: input.amount.currency,
      vpa: destination.identifier,
      transactionDescription: input.description,
      stage: 'SENDING',
    };
    // Persist before sending: from here on a crash leaves CancelPayout everything it needs.
    await ctx.report({ processingData: JSON.stringify(record), moneyMayHaveMoved: true, stage: 'SENDING' });
    const reply = await this.send(record, ctx);
    return this.grantStep(record, reply, ctx);
  }

  async cancel(data: Record<string, unknown>, ctx: ProviderContext): Promise<CancelPayoutStep> {
    const record = data as unknown as DisburseRecord;
    const paidFailure = (r: DisburseRecord): CancelPayoutStep => ({
      status: 'FAILED', provider: PROVIDER, reason: 'NOT_REVERSIBLE', failureCode: 'DISBURSED',
      message: `payout ${r.requestId} was disbursed (transaction ${r.paymentIntegratorTransactionId}, ` +
        `${formatMoney(microsToMoney(BigInt(r.amountMicros), r.currencyCode))} to ${r.vpa}); disburseFunds has no reversal: reconcile by hand`,
      processingData: JSON.stringify(r), needsReconciliation: true,
    });
    const nothingPaid = (r: DisburseRecord, why: string): CancelPayoutStep => ({
      status: 'CANCELED', provider: PROVIDER, processingData: JSON.stringify(r), message: `nothing was disbursed (${why})`,
    });
    if (record.stage === 'PAID') return paidFailure(record);
    if (record.stage === 'DECLINED' || record.stage === 'REJECTED') return nothingPaid(record, `the provider answered ${record.resultCode ?? record.errorResponseCode}`);

    // SENDING: the request may have reached the provider. Re-sending the identical request is an
    // idempotent look-up of that outcome (the reference's rule); it never sends a request that was not sent before.
    await ctx.report({ processingData: JSON.stringify(record), moneyMayHaveMoved: true, stage: 'RESOLVING' });
    const reply = await this.send(record, ctx);
    const resolved = reply.kind === 'result' ? this.recordResult(record, reply.body) : record;
    if (resolved.stage === 'PAID') return paidFailure(resolved);
    if (resolved.stage === 'DECLINED') return nothingPaid(resolved, `the provider answered ${resolved.resultCode}`);
    const answer = reply.kind === 'result' ? `result code ${resolved.resultCode}` : describe(reply);
    return {
      status: 'FAILED', provider: PROVIDER, reason: 'OUTCOME_UNKNOWN',
      failureCode: reply.kind === 'error' ? reply.code : reply.kind === 'malformed' ? `HTTP_${reply.httpStatus}` : resolved.resultCode,
      message: `could not learn whether payout ${record.requestId} was disbursed (${answer}); reconcile by hand`,
      processingData: JSON.stringify(resolved), needsReconciliation: true,
    };
  }

  private grantStep(record: DisburseRecord, reply: Reply, ctx: ProviderContext): PayoutStep {
    if (reply.kind === 'result') {
      const resolved = this.recordResult(record, reply.body);
      const processingData = JSON.stringify(resolved);
      if (resolved.stage === 'PAID') {
        return {
          status: 'PAID', provider: PROVIDER, reference: resolved.paymentIntegratorTransactionId!,
          processedAmount: microsToMoney(BigInt(record.amountMicros), record.currencyCode), processingData,
        };
      }
      const code = resolved.resultCode!;
      const reason = RESULT_CODE_REASONS[code];
      return {
        status: 'FAILED', provider: PROVIDER, reason: reason ?? 'PROVIDER_ERROR', failureCode: code,
        message: declineMessage(resolved), processingData,
        // An unmapped code (UNKNOWN_RESULT is forbidden by the protocol) proves nothing about the money.
        moneyMayHaveMoved: reason === undefined,
      };
    }
    // A rejection of a retried request says nothing about an earlier attempt that may have been processed.
    const earlierAttemptMayHavePaid = ctx.attempt > 1;
    const rejected: DisburseRecord = { ...record, stage: earlierAttemptMayHavePaid ? 'SENDING' : 'REJECTED' };
    if (reply.kind === 'error') rejected.errorResponseCode = reply.code;
    const configError = reply.kind === 'error' && CONFIGURATION_ERROR_CODES.has(reply.code);
    return {
      status: 'FAILED', provider: PROVIDER,
      reason: configError ? 'CONFIGURATION_ERROR' : 'PROVIDER_ERROR',
      failureCode: reply.kind === 'error' ? reply.code : `HTTP_${reply.httpStatus}`,
      message: `disburseFunds rejected payout ${record.requestId}: ${describe(reply)}`,
      processingData: JSON.stringify(rejected),
      // 412: this requestId was already used with other parameters, so money may have moved under it.
      moneyMayHaveMoved: earlierAttemptMayHavePaid || (reply.kind === 'error' && reply.code === 'IDEMPOTENCY_VIOLATION'),
    };
  }

  private recordResult(record: DisburseRecord, body: z.infer<typeof replySchema>): DisburseRecord {
    const result = body.disburseFundsResult;
    const code = result.disburseFundsResultCode;
    const limitMicros = result.transactionMinLimit ?? result.transactionMaxLimit;
    const resolved: DisburseRecord = {
      ...record,
      stage: code === 'SUCCESS' ? 'PAID' : RESULT_CODE_REASONS[code] ? 'DECLINED' : 'SENDING',
      paymentIntegratorTransactionId: body.paymentIntegratorTransactionId,
      resultCode: code,
      rawResult: result.rawResult,
    };
    if (limitMicros !== undefined) {
      resolved.limit = { kind: result.transactionMinLimit !== undefined ? 'min' : 'max', ...safeMoney(BigInt(limitMicros), record.currencyCode) };
    }
    return resolved;
  }

  /** One HTTP exchange. Returns definite answers; throws outcomeUnknown for anything that is not. */
  private async send(record: DisburseRecord, ctx: ProviderContext): Promise<Reply> {
    const body = {
      requestHeader: {
        protocolVersion: { major: 1, minor: 0, revision: 0 },
        requestId: record.requestId,
        requestTimestamp: String(Date.now()), // fresh per attempt; not part of the idempotency key
      },
      paymentIntegratorAccountId: record.paymentIntegratorAccountId,
      transactionDescription: record.transactionDescription,
      currencyCode: record.currencyCode,
      amount: record.amountMicros,
      upiDetails: { vpa: record.vpa },
    };
    let response: Response;
    let text: string;
    try {
      response = await fetch(new URL('v1/disburseFunds', withSlash(this.account.baseUrl)), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.account.bearerToken}` },
        body: JSON.stringify(body),
        signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(this.account.timeoutMs)]),
      });
      text = await response.text();
    } catch (err) {
      throw outcomeUnknown(`disburseFunds ${record.requestId}: no answer (${(err as Error).message})`, err);
    }
    if (response.status >= 500) throw outcomeUnknown(`disburseFunds ${record.requestId}: HTTP ${response.status}`);
    const json = safeJson(text);
    if (response.status === 200) {
      const parsed = replySchema.safeParse(json);
      return parsed.success ? { kind: 'result', body: parsed.data } : { kind: 'malformed', httpStatus: 200, text: text.slice(0, 200) };
    }
    const error = errorSchema.safeParse(json);
    const code = (error.success && error.data.errorResponseCode) || `HTTP_${response.status}`;
    if (TRANSIENT_ERROR_CODES.has(code)) throw outcomeUnknown(`disburseFunds ${record.requestId}: ${code}, will retry`);
    return { kind: 'error', httpStatus: response.status, code, description: (error.success && error.data.errorDescription) || '' };
  }
}

function declineMessage(record: DisburseRecord): string {
  const amount = formatMoney(microsToMoney(BigInt(record.amountMicros), record.currencyCode));
  if (record.limit) {
    const limit = formatMoney(record.limit);
    return record.limit.kind === 'min'
      ? `payout of ${amount} is below the provider's per-transaction minimum of ${limit}`
      : `payout of ${amount} exceeds the provider's per-transaction maximum of ${limit}`;
  }
  const raw = record.rawResult?.rawCode ? ` (raw ${record.rawResult.scope ?? ''}:${record.rawResult.rawCode})` : '';
  return `disburseFunds declined payout of ${amount}: ${record.resultCode}${raw}`;
}

function describe(reply: Exclude<Reply, { kind: 'result' }>): string {
  return reply.kind === 'error'
    ? `HTTP ${reply.httpStatus} ${reply.code}${reply.description ? `: ${reply.description}` : ''}`
    : `HTTP ${reply.httpStatus} with an unreadable body`;
}

/** A provider limit in money; limits finer than the minor unit are shown in micros rather than rounded. */
function safeMoney(micros: bigint, currency: string): { amount: string; currency: string } {
  try {
    return microsToMoney(micros, currency);
  } catch {
    return { amount: `${micros} micros`, currency };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
