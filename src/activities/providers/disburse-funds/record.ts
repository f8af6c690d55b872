/**
 * The disburseFunds processing record (docs/disburse-funds.md, "The processing record"): everything
 * CancelPayout and a person need, no secrets, sealed as the payout processing data. One zod schema
 * types it and `parseRecord` is the only way in; then what a record proves (CancelPayout reads
 * nothing else) and how it reads to a person.
 *
 * Versions: `v: 1` is the only one ever written. Records written by earlier code are v1 records with
 * fewer facts: before NOT_SENT and CONFLICT existed their stage is SENDING, PAID, DECLINED or REJECTED,
 * their rawResult may lack rawCode, a limit may read "<n> micros". A v2 would be a second member of
 * `recordSchema` (discriminated by `v`), read next to v1, never instead of it.
 */
import { z } from 'zod';
import { formatMoney, MAX_INT64, microsToMoney, type Money } from '../../../contracts/money';
import { PROVIDER } from './account';
import { codeMeaning, resultReason } from './codes';
import type { Limit } from './transformers';

/**
 * NOT_SENT  every send so far was refused before a byte left: provably nothing paid
 * SENDING   a request may have reached the provider; outcome not known
 * PAID / DECLINED  the provider's result; REJECTED  it refused to process the first possible send
 * CONFLICT  another execution owns the idempotency key (412): this one paid nothing
 */
export const STAGES = ['NOT_SENT', 'SENDING', 'PAID', 'DECLINED', 'REJECTED', 'CONFLICT'] as const;
export type Stage = (typeof STAGES)[number];

const limitKind = z.enum(['min', 'max']);

const recordV1 = z.object({
  v: z.literal(1),
  provider: z.literal(PROVIDER),
  account: z.string(),
  requestId: z.string().min(1),
  paymentIntegratorAccountId: z.string().min(1),
  /** Decimal int64 micros, or "" when the amount has none (then it was refused before sending). */
  amountMicros: z.string(),
  currencyCode: z.string(),
  vpa: z.string(),
  transactionDescription: z.string(),
  /** The customer's locale, sent as requestHeader.userLocale (absent in records from before it was sent). */
  userLocale: z.string().optional(),
  stage: z.enum(STAGES),
  paymentIntegratorTransactionId: z.string().optional(),
  resultCode: z.string().optional(),
  rawResult: z.object({ scope: z.string().optional(), rawCode: z.string().optional() }).optional(),
  /** As money when the provider's limit was whole minor units in int64 micros; otherwise raw, for people. */
  limit: z
    .union([z.object({ kind: limitKind, amount: z.string(), currency: z.string() }), z.object({ kind: limitKind, raw: z.string() })])
    .optional(),
  errorResponseCode: z.string().optional(),
  errorDescription: z.string().optional(),
  paymentIntegratorErrorIdentifier: z.string().optional(),
  /** The last answer (or its absence) that settled nothing, for the person who reconciles. */
  lastSeen: z.string().optional(),
});

export const recordSchema = z.discriminatedUnion('v', [recordV1]);
export type DisburseRecord = z.infer<typeof recordSchema>;

export type ParsedRecord = { ok: true; record: DisburseRecord } | { ok: false; problem: string };

/**
 * The record in processing data a worker opened, or why it is not one. Its keys stay in the order
 * they were written, so a record handed back re-seals to the same string (the nested rawResult and
 * limit come in the schema's order, the one every version wrote); unknown keys are kept.
 */
export function parseRecord(data: Record<string, unknown> | undefined): ParsedRecord {
  if (data === undefined) return { ok: false, problem: 'no processing data' };
  const parsed = recordSchema.safeParse(data);
  if (!parsed.success) return { ok: false, problem: `not a disburseFunds record: ${z.prettifyError(parsed.error)}` };
  return { ok: true, record: { ...data, ...parsed.data } };
}

/** The amount a record sends, if disburseFunds can carry it: positive int64 micros in whole minor units. */
export function sendableAmount(record: DisburseRecord): Money | undefined {
  if (!/^[1-9]\d{0,18}$/.test(record.amountMicros) || BigInt(record.amountMicros) > MAX_INT64) return undefined;
  try {
    return microsToMoney(BigInt(record.amountMicros), record.currencyCode);
  } catch {
    return undefined;
  }
}

/** What the record proves about the money (the CancelPayout table); undefined when it proves nothing. */
export function provenOutcome(record: DisburseRecord): 'PAID' | 'NOTHING_PAID' | 'CONFLICT' | undefined {
  switch (record.stage) {
    case 'PAID':
      return 'PAID';
    case 'SENDING':
      return undefined;
    case 'NOT_SENT':
      return 'NOTHING_PAID';
    case 'CONFLICT':
      return 'CONFLICT';
    // Records written before the outcome table could say DECLINED/REJECTED for answers that prove
    // nothing (a decline without rawResult, a garbled body): only the proof itself counts.
    case 'DECLINED':
      return resultReason(record.resultCode ?? '') && record.rawResult?.rawCode ? 'NOTHING_PAID' : undefined;
    case 'REJECTED': {
      const means = codeMeaning(record.errorResponseCode ?? '');
      return means === 'REFUSED' || means === 'MISCONFIGURED' ? 'NOTHING_PAID' : undefined;
    }
  }
}

/** The ErrorResponse fields a record keeps (the absent ones stay absent). */
export function errorFields(error: { code: string; description?: string; errorIdentifier?: string }): Partial<DisburseRecord> {
  return {
    errorResponseCode: error.code,
    ...(error.description ? { errorDescription: error.description } : {}),
    ...(error.errorIdentifier ? { paymentIntegratorErrorIdentifier: error.errorIdentifier } : {}),
  };
}

/** A provider limit as money when it is int64 micros in whole minor units; otherwise kept raw for people. */
export function recordedLimit(limit: Limit, currency: string): NonNullable<DisburseRecord['limit']> {
  try {
    if (limit.micros !== undefined) return { kind: limit.kind, ...microsToMoney(limit.micros, currency) };
  } catch {
    // finer than the minor unit: shown raw
  }
  return { kind: limit.kind, raw: limit.raw };
}

/** The payout as a person must find it at the provider. */
export function describePayout(record: DisburseRecord): string {
  const amount = sendableAmount(record);
  const shown = amount ? formatMoney(amount) : `${record.amountMicros} micros ${record.currencyCode}`;
  return `payout ${record.requestId} (${shown} to ${record.vpa}, paymentIntegratorAccountId ${record.paymentIntegratorAccountId})`;
}

export function nothingPaidBecause(record: DisburseRecord): string {
  if (record.stage === 'NOT_SENT') return `payout ${record.requestId} was never sent (every connection was refused before a byte left)`;
  if (record.stage === 'DECLINED') return `the provider declined payout ${record.requestId} (${record.resultCode})`;
  return `the provider refused to process payout ${record.requestId} (${record.errorResponseCode})`;
}

export function declineMessage(record: DisburseRecord, amount: Money): string {
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
