/**
 * How CUWOs call provider activities and read an activity that ended without a step: the activity
 * options (no attempt limit, heartbeats), providerCallEnd (canceled or failed) and unsettledEnd (how a
 * cancellable CUWO then ends: Canceled, failed, or failed with its compensation).
 */
import { ActivityCancellationType, ActivityFailure, ApplicationFailure, isCancellation } from '@temporalio/workflow';
import type { CuwoRecord } from './cuwo-state';

/**
 * Options of every provider activity. No attempt limit: an unknown provider outcome (timeout, 5xx,
 * reset) is resolved by retrying the same idempotent request, never reported as a failure; a defect
 * fails non-retryable and ends the CUWO with its Failure structure. Heartbeats detect a dead worker in seconds.
 */
export const PROVIDER_ACTIVITY_OPTIONS = {
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
} as const;

/**
 * The first money-moving call of a cancellable CUWO: a cancel request cancels it while it waits to run
 * or between attempts, and otherwise waits for the attempt, which ignores the cancel once it has sent.
 */
export const CANCELLABLE_SEND_OPTIONS = {
  ...PROVIDER_ACTIVITY_OPTIONS,
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
} as const;

/** How a provider activity ended for good instead of answering a step. */
export type ProviderCallEnd =
  /**
   * A cancel request stopped the call: before it sent, between attempts, or while an attempt whose
   * outcome is unknown would have been retried (Temporal retries nothing after a cancel request).
   */
  | { kind: 'canceled'; message: string }
  /** A defect or a non-retryable error: the CUWO ends with its Failure structure. */
  | { kind: 'failed'; message: string };

/**
 * Turns the end of a provider activity that gave no step into data, or rethrows what is not one
 * (a workflow defect must stay visible as a workflow task failure). `cancelRequested`: Temporal does
 * not retry an activity after a cancel request, so an attempt that would have been retried (unknown
 * outcome, a worker that died, a time-out) ended because of the cancel, not because of a defect.
 */
export function providerCallEnd(err: unknown, cancelRequested: boolean): ProviderCallEnd {
  const cause = err instanceof ActivityFailure ? err.cause : undefined;
  const refusedByGate = cause instanceof ApplicationFailure && cause.type === 'CanceledBeforeSending';
  const wouldHaveRetried = err instanceof ActivityFailure && !(cause instanceof ApplicationFailure && cause.nonRetryable);
  if (isCancellation(err) || refusedByGate || (cancelRequested && wouldHaveRetried)) {
    return { kind: 'canceled', message: cause?.message ?? (err instanceof Error ? err.message : undefined) ?? 'canceled' };
  }
  if (err instanceof ActivityFailure) return { kind: 'failed', message: `provider activity failed: ${cause?.message ?? err.message}` };
  throw err;
}

/** How a cancellable CUWO ends when its provider activities ended without a settled step. */
export type UnsettledEnd =
  | { kind: 'canceled' }
  | { kind: 'fail'; reason: 'OUTCOME_UNKNOWN' | 'INTERNAL_ERROR'; message: string; compensate: boolean; needsReconciliation: boolean };

/**
 * Nothing handed over: Canceled (a cancel request stopped it) or a plain failure. Handed over: the
 * compensation learns what happened and undoes it or flags it; only a defect on our side flags the
 * CUWO itself. `polling`: executions recorded before MONEY_SAFETY_PATCH let a failed status activity
 * fail the workflow as it was (rethrown).
 */
export function unsettledEnd(run: CuwoRecord, err: unknown, polling: boolean, what: 'payout' | 'payment'): UnsettledEnd {
  if (polling && !run.moneySafety) throw err;
  const end = providerCallEnd(err, run.moneySafety && run.cancelRequested);
  if (!run.state.moneyMayHaveMoved) {
    return end.kind === 'canceled'
      ? { kind: 'canceled' }
      : { kind: 'fail', reason: 'INTERNAL_ERROR', message: end.message, compensate: false, needsReconciliation: false };
  }
  const reason = end.kind === 'canceled' ? 'OUTCOME_UNKNOWN' : 'INTERNAL_ERROR';
  return {
    kind: 'fail',
    reason,
    message: `${end.message}; the ${what} may have been sent`,
    compensate: true,
    needsReconciliation: run.moneySafety && reason === 'INTERNAL_ERROR',
  };
}
