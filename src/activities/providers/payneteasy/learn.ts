/**
 * What a classified status answer (outcome.ts) means for our record, shared by payouts and payments
 * (docs/payneteasy.md, "From outcome to CUWO step"): where the order's creating transaction stands,
 * whether an order found by client_orderid alone is ours, and where a follow-up transaction (capture,
 * return) stands. Pure (but for the clock): nothing here sends, reports or throws; the adapters turn
 * the result into a CUWO step.
 */
import { toMinorUnits, type Money } from '../../../contracts/money';
import { DEFAULT_UNKNOWN_OUTCOME_WINDOW_MS, type PayneteasyAccount } from './account';
import { viewOf, type FinalFailure, type Refusal, type StatusOutcome, type TransactionView } from './outcome';
import { nowIso, type OrderRecord } from './records';

/** The transaction that creates an order. */
export type CreationType = 'payout' | 'sale' | 'preauth';

/** Where the order's creating transaction stands, as far as the provider told us. */
export type Learned<R> =
  | { kind: 'approved'; record: R; paid: TransactionView }
  | { kind: 'failed'; record: R; status: FinalFailure }
  | { kind: 'pending'; record: R; unknown?: string }
  | { kind: 'gave-up'; record: R; why: string }
  | { kind: 'not-ours'; record: R; why: string; definite: boolean }
  | { kind: 'refused'; record: R; refusal: Refusal };

/** Where a follow-up transaction (capture, return) stands. */
export type FollowUp<R> =
  | { kind: 'done'; view: TransactionView }
  | { kind: 'not-done'; view: TransactionView }
  | { kind: 'refused'; refusal: Refusal; why: string }
  | { kind: 'pending'; record: R; unknown?: string }
  | { kind: 'gave-up'; record: R; why: string };

/** Nothing usable came back: the activity throws an unknown outcome and is retried. */
export interface Retry {
  kind: 'retry';
  why: string;
}

/** What our request's order must show to be adopted when it is found by client_orderid alone. */
export interface Expectation {
  type: CreationType;
  amount: Money;
  destination?: string;
  /** The customer may change the amount on the provider's form: an amount alone never proves the order another's. */
  amountMayChange: boolean;
}

/** How a flow reads the creating transaction of its order (payouts.ts, payments.ts). */
export interface CreationReading<R extends OrderRecord> {
  expected(record: R): Expectation;
  /** For the person who reconciles an order that is not (provably) ours: the transaction shown, '4711: payout 25.00 EUR'. */
  shown(view: TransactionView): string;
  /** And what this request asked for: 'payout of 25.00 EUR to card-1'. */
  asked(record: R): string;
  /** The record once its creating transaction is approved: the stage, and what was processed. */
  approved(record: R, paid: TransactionView): R;
}

const FAILED_STAGE = { declined: 'DECLINED', error: 'ERROR', filtered: 'FILTERED' } as const;

/**
 * Where the creating transaction stands, from the answer to its status (asked by serial number once
 * the order is known, else the order's latest transaction, adopted only when provably ours).
 */
export function learnCreation<R extends OrderRecord>(
  record: R,
  answer: StatusOutcome,
  reading: CreationReading<R>,
  account: PayneteasyAccount,
): Learned<R> | Retry {
  if (answer.outcome === 'UNKNOWN') {
    if (answer.kind === 'retry') return { kind: 'retry', why: answer.why };
    if (answer.kind === 'refused') return { kind: 'refused', record, refusal: answer.refusal! };
  }
  const view = viewOf(answer);
  const expected = reading.expected(record);
  let current = record;
  if (view && !record.orderId) {
    const owner = ownership(expected, view);
    if (owner !== 'ours') {
      const verdict = owner === 'not-ours' ? 'is not' : 'cannot be shown to be';
      const shown = `the order Payneteasy shows for ${record.clientOrderId} (${reading.shown(view)})`;
      const why = `${shown} ${verdict} this request's ${reading.asked(record)}`;
      return { kind: 'not-ours', record, definite: owner === 'not-ours', why };
    }
    current = {
      ...record,
      stage: 'PROCESSING',
      orderId: view.orderId,
      serialNumber: view.serialNumber,
      createdAt: record.createdAt ?? nowIso(),
    };
  }
  if (view?.type === expected.type) current = seen(current, view);
  if (answer.outcome === 'UNKNOWN') {
    if (answer.kind === 'in-progress') return { kind: 'pending', record: known({ ...current, stage: 'PROCESSING' }) };
    const unknown = stillUnknown(current, answer.why, account, answer.kind === 'not-found');
    return unknown.over
      ? { kind: 'gave-up', record: unknown.record, why: `${answer.why}, for longer than the ${windowText(account)} window` }
      : { kind: 'pending', record: unknown.record, unknown: answer.why };
  }
  if (answer.outcome === 'NOT_DONE')
    return { kind: 'failed', record: known({ ...current, stage: FAILED_STAGE[answer.notDone.status] }), status: answer.notDone.status };
  return { kind: 'approved', record: known(reading.approved(current, answer.done)), paid: answer.done };
}

/** Where a follow-up transaction stands, from the answer to its status. Never adopts an order. */
export function followUp<R extends OrderRecord>(record: R, answer: StatusOutcome, account: PayneteasyAccount): FollowUp<R> | Retry {
  if (answer.outcome === 'DONE') return { kind: 'done', view: answer.done };
  if (answer.outcome === 'NOT_DONE') return { kind: 'not-done', view: answer.notDone };
  if (answer.kind === 'retry') return { kind: 'retry', why: answer.why };
  if (answer.kind === 'refused') return { kind: 'refused', refusal: answer.refusal!, why: answer.why };
  if (answer.kind === 'in-progress') return { kind: 'pending', record: known(record) };
  const unknown = stillUnknown(record, answer.why, account, false);
  return unknown.over
    ? { kind: 'gave-up', record: unknown.record, why: answer.why }
    : { kind: 'pending', record: unknown.record, unknown: answer.why };
}

/** The record once a known state was learned: no longer unknown. */
export function known<R extends OrderRecord>(record: R): R {
  const copy = { ...record };
  delete copy.unknownSince;
  delete copy.unknown;
  return copy;
}

/**
 * The record while its outcome stays unknown, and whether the window to learn it is over. An order
 * not found counts from when its request may have left; anything else from when it became unknown.
 */
export function stillUnknown<R extends OrderRecord>(
  record: R,
  why: string,
  account: PayneteasyAccount,
  notFound: boolean,
): { record: R; over: boolean } {
  const since = record.unknownSince ?? nowIso();
  const start = Date.parse(notFound && !record.orderId && record.sentAt ? record.sentAt : since);
  const windowMs = account.unknownOutcomeWindowMs ?? DEFAULT_UNKNOWN_OUTCOME_WINDOW_MS;
  return { record: { ...record, unknownSince: since, unknown: why }, over: Number.isNaN(start) || Date.now() - start >= windowMs };
}

/** The window, for messages. */
export function windowText(account: PayneteasyAccount): string {
  const ms = account.unknownOutcomeWindowMs ?? DEFAULT_UNKNOWN_OUTCOME_WINDOW_MS;
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${ms} ms`;
}

/** The fields a status answer updates on the record of the transaction it was about. */
export function seen<R extends OrderRecord>(record: R, view: TransactionView): R {
  return {
    ...record,
    orderId: record.orderId ?? view.orderId,
    orderStage: view.orderStage ?? record.orderStage,
    createdAt: record.createdAt ?? nowIso(),
    redirectUrl: view.redirectUrl,
    formShown: record.formShown || Boolean(view.redirectUrl),
    errorCode: view.errorCode,
    errorMessage: view.errorMessage,
  };
}

export type Ownership = 'ours' | 'not-ours' | 'cannot-tell';
const CREATIONS = new Set(['payout', 'sale', 'preauth']);

/**
 * Whether the order a status answer shows (found by client_orderid alone) is the one our record asked
 * for. 'not-ours' needs a fact that differs; 'ours' needs every fact the record has to match.
 */
export function ownership(expected: Expectation, view: TransactionView): Ownership {
  if (CREATIONS.has(view.type) && view.type !== expected.type) return 'not-ours';
  if (view.currency !== undefined && view.currency !== expected.amount.currency) return 'not-ours';
  if (view.destination !== undefined && view.destination !== expected.destination) return 'not-ours';
  if (view.type !== expected.type || view.minor === undefined) return 'cannot-tell';
  if (view.minor !== toMinorUnits(expected.amount)) return expected.amountMayChange ? 'cannot-tell' : 'not-ours';
  if (expected.destination !== undefined && view.destination === undefined) return 'cannot-tell';
  return 'ours';
}
