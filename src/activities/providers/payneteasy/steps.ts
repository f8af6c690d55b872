/**
 * The CUWO steps (src/contracts/steps.ts) both Payneteasy flows answer, built from a record and what
 * was learned (docs/payneteasy.md, "From outcome to CUWO step"). Pure: the seal is passed in. Steps
 * only a payout or only a payment answers are built in payouts.ts / payments.ts.
 */
import type {
  AuthorizeOrCaptureFailureReason,
  CancelPaymentFailureReason,
  CancelPayoutFailureReason,
  CompensationStep,
  FailedStep,
  GrantPayoutFailureReason,
  PendingStep,
} from '../../../contracts';
import { PROVIDER } from './account';
import type { Refusal } from './answers';
import { FINAL_STATUS_REASONS, refusalReason } from './codes';
import type { FinalFailure } from './outcome';
import { orderOf, type OrderRecord } from './records';

/** Seals a record for the request the call runs for (ProviderContext.seal). */
export type Seal = (record: object) => string;

/** The reasons GrantPayout and AuthorizeOrCapturePayment share. */
type OrderFailureReason = GrantPayoutFailureReason & AuthorizeOrCaptureFailureReason;
/** A FAILED step of a first, money-moving call; `C` is the flow's cancelation (form never completed). */
export type MoneyFailed<Reason extends string, C extends string = never> = FailedStep<
  Reason,
  { moneyMayHaveMoved: boolean; needsReconciliation?: boolean; cancelation?: C }
>;
/** What the shared order life answers for GrantPayout and AuthorizeOrCapturePayment alike (PayoutStep, PaymentStep). */
export type OrderStep<C extends string> = PendingStep | MoneyFailed<OrderFailureReason, C>;
/** What CancelPayout and CancelPayment answer (CancelPayoutStep, CancelPaymentStep). */
export type CancelStep = CompensationStep<CancelPayoutFailureReason & CancelPaymentFailureReason>;

/** Ask again after `pollAfterMs`; a first call's PENDING also shows the provider's form while there is one. */
export function pending(
  record: OrderRecord,
  seal: Seal,
  pollAfterMs: number,
  options: { unknown?: string; form?: boolean } = {},
): PendingStep {
  return {
    status: 'PENDING',
    provider: PROVIDER,
    processingData: seal(record),
    pollAfterMs,
    reference: record.orderId,
    ...(options.form ? { redirectUrl: record.redirectUrl } : {}),
    order: orderOf(record),
    ...(options.unknown ? { unknown: options.unknown } : {}),
  };
}

/** Processing data that fails its check: nothing is done, a person looks. */
export function invalidRecord<E extends object>(
  message: string,
  extra: E,
): FailedStep<'INVALID_PROCESSING_DATA', E & { needsReconciliation: true }> {
  return {
    status: 'FAILED',
    provider: PROVIDER,
    reason: 'INVALID_PROCESSING_DATA',
    failureCode: 'INVALID_PROCESSING_DATA',
    message,
    ...extra,
    needsReconciliation: true,
  };
}

/** A compensation undid what moved, or found nothing to undo. */
export function canceled(record: OrderRecord, seal: Seal, message: string): CancelStep {
  return { status: 'CANCELED', provider: PROVIDER, processingData: seal(record), message };
}

/** A follow-up (capture, compensation) that a person must finish. */
export function needsPerson<Reason extends string>(
  record: OrderRecord,
  seal: Seal,
  reason: Reason,
  failureCode: string,
  message: string,
): FailedStep<Reason, { needsReconciliation: boolean }> {
  return {
    status: 'FAILED',
    provider: PROVIDER,
    reason,
    failureCode,
    message: `${message}; reconcile by hand`,
    processingData: seal(record),
    needsReconciliation: true,
  };
}

/** A first call that failed while money may have moved: flagged unless the flow knows better. */
export function moneyFailed<Reason extends string>(
  record: OrderRecord,
  seal: Seal,
  reason: Reason,
  failureCode: string,
  message: string,
  needsReconciliation: boolean,
): MoneyFailed<Reason> {
  return {
    status: 'FAILED',
    provider: PROVIDER,
    reason,
    failureCode,
    message,
    processingData: seal(record),
    moneyMayHaveMoved: true,
    ...(needsReconciliation ? { needsReconciliation } : {}),
  };
}

/** A status asked for a record in a stage that has none to ask: a defect, flagged. */
export function unexpectedStage(record: OrderRecord, seal: Seal, message: string): MoneyFailed<'INTERNAL_ERROR'> {
  return moneyFailed(record, seal, 'INTERNAL_ERROR', 'UNEXPECTED_STAGE', message, true);
}

/** Another execution owns the client_orderid: nothing here may act on its order. */
export function conflict(
  record: OrderRecord,
  seal: Seal,
  moneyMayHaveMoved: boolean,
  why: string,
  nothingMovedHere: string,
): MoneyFailed<'DUPLICATE_REQUEST'> {
  const here = moneyMayHaveMoved ? 'our own request may have been sent too' : nothingMovedHere;
  return {
    status: 'FAILED',
    provider: PROVIDER,
    reason: 'DUPLICATE_REQUEST',
    failureCode: 'DUPLICATE_ORDER',
    moneyMayHaveMoved,
    needsReconciliation: true,
    message: `another execution owns Payneteasy order ${record.clientOrderId} (${why}); ${here}; reconcile by hand`,
    processingData: seal({ ...record, stage: 'CONFLICT' }),
  };
}

/** The creating request provably never left, on the first possible send. */
export function notSent(record: OrderRecord, seal: Seal, what: string, error: string): MoneyFailed<'PROVIDER_ERROR'> {
  return {
    status: 'FAILED',
    provider: PROVIDER,
    reason: 'PROVIDER_ERROR',
    failureCode: 'NOT_SENT',
    moneyMayHaveMoved: false,
    message: `the ${what} request ${record.clientOrderId} was never sent: ${error}`,
    processingData: seal({ ...record, stage: 'NOT_SENT' }),
  };
}

/**
 * The provider refused the creating request. After a possible earlier send the order may exist
 * anyway: the record stays SENDING and the compensation asks.
 */
export function refusedCreation(
  record: OrderRecord,
  seal: Seal,
  what: string,
  refused: Refusal,
  mayHaveSent: boolean,
): MoneyFailed<'CONFIGURATION_ERROR' | 'PROVIDER_ERROR'> {
  return {
    status: 'FAILED',
    provider: PROVIDER,
    reason: refusalReason(refused.code),
    failureCode: refused.code,
    message: `Payneteasy refused ${what} ${record.clientOrderId}: ${refused.message || refused.code}`,
    processingData: seal({
      ...record,
      stage: mayHaveSent ? 'SENDING' : 'REJECTED',
      errorCode: refused.code,
      errorMessage: refused.message,
    }),
    moneyMayHaveMoved: mayHaveSent,
  };
}

/** A final non-approved status: nothing moved; the spec's cancelation when the form was never completed. */
export function finalFailure<C extends string>(
  record: OrderRecord,
  seal: Seal,
  status: FinalFailure,
  what: string,
  abandoned: { cancelation: C; message: string } | undefined,
): MoneyFailed<'DECLINED' | 'FILTERED' | 'PROVIDER_ERROR', C> {
  return {
    status: 'FAILED',
    provider: PROVIDER,
    reason: FINAL_STATUS_REASONS[status],
    failureCode: record.errorCode ?? status.toUpperCase(),
    message: abandoned
      ? abandoned.message
      : `Payneteasy ${status} ${what} ${record.orderId}: ${record.errorMessage ?? record.errorCode ?? 'no reason given'}`,
    processingData: seal(record),
    moneyMayHaveMoved: false,
    ...(abandoned ? { cancelation: abandoned.cancelation } : {}),
  };
}
