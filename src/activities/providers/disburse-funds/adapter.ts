/**
 * Payouts over the disburseFunds protocol (seed 004, reference/disburse-funds.md).
 * Idempotency key: requestId (derived from the payout request) + paymentIntegratorAccountId. The
 * protocol has neither a status query nor a reversal: GrantPayout learns an unknown outcome by
 * re-sending the identical request (it means to pay anyway); CancelPayout never sends, because when
 * the original never arrived a "re-send" is the first payout. What an exchange proves is decided in
 * outcome.ts; this file only acts on it.
 */
import { z } from 'zod';
import { formatMoney, microsToMoney, minorToMicros, toMinorUnits, type Money } from '../../../contracts/money';
import { outcomeUnknown } from '../../errors';
import type { CancelPayoutStep, GrantPayoutActivityInput, PayoutStep } from '../../../contracts';
import { exchange, withSlash } from '../http';
import { providerKey } from '../keys';
import type { PayoutProvider, ProviderContext } from '../types';
import { ERROR_RESPONSE_CODES, INT64_MAX, resultReason } from './codes';
import { classifyDisburseFunds, type NotDisbursed } from './outcome';

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

/**
 * NOT_SENT  every send so far was refused before a byte left: provably nothing paid
 * SENDING   a request may have reached the provider; outcome not known
 * PAID / DECLINED  the provider's result; REJECTED  it refused to process the first possible send
 * CONFLICT  another execution owns the idempotency key (412): this one paid nothing
 */
type Stage = 'NOT_SENT' | 'SENDING' | 'PAID' | 'DECLINED' | 'REJECTED' | 'CONFLICT';

/** Everything CancelPayout and a person need; no secrets. Sealed as the payout processing data. */
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
  stage: Stage;
  paymentIntegratorTransactionId?: string;
  resultCode?: string;
  rawResult?: { scope?: string; rawCode: string };
  limit?: { kind: 'min' | 'max'; amount: string; currency: string } | { kind: 'min' | 'max'; raw: string };
  errorResponseCode?: string;
  errorDescription?: string;
  paymentIntegratorErrorIdentifier?: string;
  /** The last answer (or its absence) that settled nothing, for the person who reconciles. */
  lastSeen?: string;
}

/** The fields every record has; older records (before NOT_SENT/CONFLICT) read the same way. */
const recordSchema = z.looseObject({
  provider: z.literal(PROVIDER),
  account: z.string(),
  requestId: z.string().min(1),
  paymentIntegratorAccountId: z.string().min(1),
  amountMicros: z.string(),
  currencyCode: z.string(),
  vpa: z.string(),
  transactionDescription: z.string(),
  stage: z.string(),
});

/** The record itself, not the parsed copy: its key order (and so its sealed string) stays as written. */
function readRecord(data: Record<string, unknown> | undefined): DisburseRecord | undefined {
  return recordSchema.safeParse(data).success ? (data as unknown as DisburseRecord) : undefined;
}

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
        status: 'FAILED',
        provider: PROVIDER,
        reason: 'RECEIVER_NOT_IDENTIFIED',
        failureCode: 'NO_UPI_VPA',
        message: `no customer identifier of type ${DESTINATION_IDENTIFIER} names the payout destination`,
        moneyMayHaveMoved: false,
      };
    }
    const resumed = readRecord(ctx.resumed);
    // A retry sends exactly what an earlier attempt may have sent (same key, same parameters), even if
    // the input or the account configuration changed since: another key could pay a second time.
    const record: DisburseRecord = resumed ?? {
      v: 1,
      provider: PROVIDER,
      account: this.accountName,
      requestId: disburseRequestId(input.payoutRequestID),
      paymentIntegratorAccountId: this.account.paymentIntegratorAccountId,
      amountMicros: microsOf(input.amount),
      currencyCode: input.amount.currency,
      vpa: destination.identifier,
      transactionDescription: input.description,
      stage: 'NOT_SENT',
    };
    // Only a record saying NOT_SENT proves that no earlier attempt reached the provider.
    const earlierMayHaveSent = resumed ? resumed.stage !== 'NOT_SENT' : ctx.attempt > 1;

    const amount = sendableAmount(record);
    if (!amount) {
      // This code refuses before any I/O, so only a record resumed from an older version can have been sent.
      const mayHaveSent = resumed !== undefined && earlierMayHaveSent;
      return {
        status: 'FAILED',
        provider: PROVIDER,
        reason: 'INVALID_PARAMETERS',
        failureCode: 'AMOUNT_OUT_OF_RANGE',
        message: `payout of ${formatMoney(input.amount)} is not a positive whole number of minor units within disburseFunds' int64 micros; nothing was sent`,
        processingData: ctx.seal({ ...record, stage: mayHaveSent ? 'SENDING' : 'NOT_SENT' }),
        moneyMayHaveMoved: mayHaveSent,
      };
    }

    // Before every send: from here on a crash leaves CancelPayout everything it needs, and a cancel
    // request that came first makes this throw, so nothing is sent (never catch it).
    await ctx.report({
      sending: true,
      moneyMayHaveMoved: true,
      stage: 'SENDING',
      processingData: ctx.seal({ ...record, stage: 'SENDING' }),
    });
    const outcome = classifyDisburseFunds(
      await exchange(this.url(), { method: 'POST', headers: this.headers(), body: requestBody(record) }, this.account.timeoutMs),
    );

    if (outcome.outcome === 'DONE') {
      const paid: DisburseRecord = {
        ...record,
        stage: 'PAID',
        paymentIntegratorTransactionId: outcome.done.transactionId,
        resultCode: 'SUCCESS',
      };
      return {
        status: 'PAID',
        provider: PROVIDER,
        reference: outcome.done.transactionId,
        processedAmount: amount,
        processingData: ctx.seal(paid),
      };
    }
    if (outcome.outcome === 'UNKNOWN') return this.retry({ ...record, stage: 'SENDING', lastSeen: outcome.why }, ctx);
    return this.notDone(record, outcome.notDone, earlierMayHaveSent, amount, ctx);
  }

  /**
   * CancelPayout. Never sends a disburseFunds request: only the record says what happened. Whatever it
   * cannot prove ends FAILED for a person, with everything needed to reconcile.
   */
  async cancel(data: Record<string, unknown>, ctx: ProviderContext): Promise<CancelPayoutStep> {
    const record = readRecord(data);
    if (!record) {
      return {
        status: 'FAILED',
        provider: PROVIDER,
        reason: 'INVALID_PROCESSING_DATA',
        failureCode: 'INVALID_PROCESSING_DATA',
        message: 'payout processing data is not a disburseFunds record; nothing was done, reconcile by hand',
        needsReconciliation: true,
      };
    }
    const processingData = ctx.seal(record);
    const payout = describePayout(record);
    switch (provenOutcome(record)) {
      case 'PAID':
        return {
          status: 'FAILED',
          provider: PROVIDER,
          reason: 'NOT_REVERSIBLE',
          failureCode: 'DISBURSED',
          processingData,
          needsReconciliation: true,
          message: `${payout} was disbursed (transaction ${record.paymentIntegratorTransactionId}); disburseFunds has no reversal: reconcile by hand`,
        };
      case 'NOTHING_PAID':
        return { status: 'CANCELED', provider: PROVIDER, processingData, message: `nothing was disbursed: ${nothingPaidBecause(record)}` };
      case 'CONFLICT':
        // Not "nothing to do": the key and its compensation belong to the other execution, which a person must match up.
        return {
          status: 'FAILED',
          provider: PROVIDER,
          reason: 'DUPLICATE_REQUEST',
          failureCode: 'IDEMPOTENCY_VIOLATION',
          processingData,
          needsReconciliation: true,
          message: `${payout}: the key is owned by another execution with other parameters (HTTP 412 IDEMPOTENCY_VIOLATION); this one disbursed nothing and compensates nothing: reconcile by hand`,
        };
      default:
        return {
          status: 'FAILED',
          provider: PROVIDER,
          reason: 'OUTCOME_UNKNOWN',
          failureCode: 'OUTCOME_UNKNOWN',
          processingData,
          needsReconciliation: true,
          message:
            `${payout} may have been disbursed; last seen: ${record.lastSeen ?? `stage ${record.stage}, the request may have reached the provider and no answer was read`}. ` +
            'disburseFunds has no status query and CancelPayout never re-sends (a re-send would be the first payout if the original never arrived): reconcile by hand with the provider',
        };
    }
  }

  private notDone(
    record: DisburseRecord,
    notDone: NotDisbursed,
    earlierMayHaveSent: boolean,
    amount: Money,
    ctx: ProviderContext,
  ): Promise<PayoutStep> | PayoutStep {
    switch (notDone.kind) {
      case 'not-sent':
        // Nothing left this time; the record says NOT_SENT only while no earlier send may have left either.
        return this.retry({ ...record, stage: earlierMayHaveSent ? 'SENDING' : 'NOT_SENT', lastSeen: `not sent: ${notDone.error}` }, ctx);
      case 'declined': {
        // A decline is the stored reply for the key: it settles earlier sends too.
        const declined: DisburseRecord = {
          ...record,
          stage: 'DECLINED',
          paymentIntegratorTransactionId: notDone.transactionId,
          resultCode: notDone.resultCode,
          rawResult: notDone.rawResult,
          ...(notDone.limit ? { limit: readLimit(notDone.limit, record.currencyCode) } : {}),
        };
        return {
          status: 'FAILED',
          provider: PROVIDER,
          reason: notDone.reason,
          failureCode: notDone.resultCode,
          message: declineMessage(declined, amount),
          processingData: ctx.seal(declined),
          moneyMayHaveMoved: false,
        };
      }
      case 'conflict': {
        const conflict: DisburseRecord = { ...record, stage: 'CONFLICT', ...errorFields(notDone) };
        return {
          status: 'FAILED',
          provider: PROVIDER,
          reason: 'DUPLICATE_REQUEST',
          failureCode: notDone.code,
          processingData: ctx.seal(conflict),
          message: `${describePayout(record)}: another execution owns this key with other parameters (HTTP 412 IDEMPOTENCY_VIOLATION${notDone.description ? `: ${notDone.description}` : ''}); nothing was disbursed by this one: reconcile by hand`,
          moneyMayHaveMoved: false,
          needsReconciliation: true,
        };
      }
      case 'refused': {
        const seen = `HTTP ${notDone.httpStatus} ${notDone.code}${notDone.description ? `: ${notDone.description}` : ''}`;
        if (earlierMayHaveSent) {
          // A refusal of this send proves nothing about an earlier one that may have been processed.
          const unknown: DisburseRecord = { ...record, stage: 'SENDING', ...errorFields(notDone), lastSeen: `${seen} (on a retry)` };
          return {
            status: 'FAILED',
            provider: PROVIDER,
            reason: 'OUTCOME_UNKNOWN',
            failureCode: notDone.code,
            processingData: ctx.seal(unknown),
            message: `disburseFunds refused the retry of ${describePayout(record)} (${seen}); an earlier send may have been processed: reconcile by hand`,
            moneyMayHaveMoved: true,
            needsReconciliation: true,
          };
        }
        const rejected: DisburseRecord = { ...record, stage: 'REJECTED', ...errorFields(notDone) };
        return {
          status: 'FAILED',
          provider: PROVIDER,
          reason: notDone.configuration ? 'CONFIGURATION_ERROR' : 'PROVIDER_ERROR',
          failureCode: notDone.code,
          message: `disburseFunds refused to process payout ${record.requestId} (${seen}); nothing was disbursed`,
          processingData: ctx.seal(rejected),
          moneyMayHaveMoved: false,
        };
      }
    }
  }

  /** Hands the record to the CUWO, then has the activity retry the identical request. */
  private async retry(record: DisburseRecord, ctx: ProviderContext): Promise<never> {
    const notSent = record.stage === 'NOT_SENT';
    await ctx.report({ moneyMayHaveMoved: !notSent, stage: notSent ? 'NOT_SENT' : 'OUTCOME_UNKNOWN', processingData: ctx.seal(record) });
    throw outcomeUnknown(`disburseFunds ${record.requestId}: ${record.lastSeen}; retrying the identical request`);
  }

  private url(): string {
    return new URL('v1/disburseFunds', withSlash(this.account.baseUrl)).toString();
  }

  private headers(): Record<string, string> {
    return { 'content-type': 'application/json', authorization: `Bearer ${this.account.bearerToken}` };
  }
}

function requestBody(record: DisburseRecord): string {
  return JSON.stringify({
    requestHeader: {
      protocolVersion: { major: 1, minor: 0, revision: 0 },
      requestId: record.requestId,
      requestTimestamp: String(Date.now()), // fresh per send; not part of the idempotency key
    },
    paymentIntegratorAccountId: record.paymentIntegratorAccountId,
    transactionDescription: record.transactionDescription,
    currencyCode: record.currencyCode,
    amount: record.amountMicros,
    upiDetails: { vpa: record.vpa },
  });
}

/** Micros of an amount as a decimal string, or "" when it has none (refused before sending). */
function microsOf(amount: Money): string {
  try {
    return minorToMicros(toMinorUnits(amount), amount.currency).toString();
  } catch {
    return '';
  }
}

/** The amount a record sends, if disburseFunds can carry it: positive int64 micros in whole minor units. */
function sendableAmount(record: DisburseRecord): Money | undefined {
  if (!/^[1-9]\d{0,18}$/.test(record.amountMicros) || BigInt(record.amountMicros) > INT64_MAX) return undefined;
  try {
    return microsToMoney(BigInt(record.amountMicros), record.currencyCode);
  } catch {
    return undefined;
  }
}

/** What the record proves about the money; undefined when it proves nothing. */
function provenOutcome(record: DisburseRecord): 'PAID' | 'NOTHING_PAID' | 'CONFLICT' | undefined {
  switch (record.stage) {
    case 'PAID':
      return 'PAID';
    case 'NOT_SENT':
      return 'NOTHING_PAID';
    case 'CONFLICT':
      return 'CONFLICT';
    // Records written before the outcome table could say DECLINED/REJECTED for answers that prove
    // nothing (a decline without rawResult, a garbled body): only the proof itself counts.
    case 'DECLINED':
      return resultReason(record.resultCode ?? '') && typeof record.rawResult?.rawCode === 'string' && record.rawResult.rawCode !== ''
        ? 'NOTHING_PAID'
        : undefined;
    case 'REJECTED': {
      const code = record.errorResponseCode ?? '';
      const means = Object.hasOwn(ERROR_RESPONSE_CODES, code) ? ERROR_RESPONSE_CODES[code].means : undefined;
      return means === 'REFUSED' || means === 'MISCONFIGURED' ? 'NOTHING_PAID' : undefined;
    }
    default:
      return undefined;
  }
}

function nothingPaidBecause(record: DisburseRecord): string {
  if (record.stage === 'NOT_SENT') return `payout ${record.requestId} was never sent (every connection was refused before a byte left)`;
  if (record.stage === 'DECLINED') return `the provider declined payout ${record.requestId} (${record.resultCode})`;
  return `the provider refused to process payout ${record.requestId} (${record.errorResponseCode})`;
}

function errorFields(notDone: { code: string; description?: string; errorIdentifier?: string }): Partial<DisburseRecord> {
  return {
    errorResponseCode: notDone.code,
    ...(notDone.description ? { errorDescription: notDone.description } : {}),
    ...(notDone.errorIdentifier ? { paymentIntegratorErrorIdentifier: notDone.errorIdentifier } : {}),
  };
}

/** A provider limit as money when it is int64 micros in whole minor units; otherwise kept raw for people. */
function readLimit(limit: { kind: 'min' | 'max'; raw: string; micros?: bigint }, currency: string): NonNullable<DisburseRecord['limit']> {
  try {
    if (limit.micros !== undefined) return { kind: limit.kind, ...microsToMoney(limit.micros, currency) };
  } catch {
    // finer than the minor unit: shown raw
  }
  return { kind: limit.kind, raw: limit.raw };
}

function declineMessage(record: DisburseRecord, amount: Money): string {
  const { limit } = record;
  if (
    limit &&
    (record.resultCode === 'DISBURSEMENT_UNDER_TRANSACTION_LIMIT' || record.resultCode === 'DISBURSEMENT_EXCEEDS_TRANSACTION_LIMIT')
  ) {
    const shown = 'raw' in limit ? `${limit.raw} (as sent by the provider, micros)` : formatMoney(limit);
    return limit.kind === 'min'
      ? `payout of ${formatMoney(amount)} is below the provider's per-transaction minimum of ${shown}`
      : `payout of ${formatMoney(amount)} exceeds the provider's per-transaction maximum of ${shown}`;
  }
  const raw = record.rawResult ? ` (raw ${record.rawResult.scope ?? ''}:${record.rawResult.rawCode})` : '';
  return `disburseFunds declined payout of ${formatMoney(amount)}: ${record.resultCode}${raw}`;
}

/** The payout as a person must find it at the provider. */
function describePayout(record: DisburseRecord): string {
  const amount = sendableAmount(record);
  const shown = amount ? formatMoney(amount) : `${record.amountMicros} micros ${record.currencyCode}`;
  return `payout ${record.requestId} (${shown} to ${record.vpa}, paymentIntegratorAccountId ${record.paymentIntegratorAccountId})`;
}
