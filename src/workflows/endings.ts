/**
 * The spec's three terminations on Temporal (docs/enfore-cuwo.md, "Terminations on Temporal"):
 * terminateSuccess returns the Result, terminateFailure throws a non-retryable ApplicationFailure typed
 * by the Failure's class name with the structure as detail, terminateCanceled ends Canceled. Each
 * also counts the outcome, logs it and records it in memo and search attributes.
 */
import { ApplicationFailure, CancelledFailure, log, metricMeter } from '@temporalio/workflow';
import { METRICS, count, type CuwoOutcome } from '../contracts';
import type { CuwoRecord } from './cuwo-state';

/** An NFON structure: its `@type` names its class. */
export interface NfonStructure {
  '@type': string;
}

/** Completes with `result` while reporting `outcome` (orchestrators report their CUWO's). */
export function complete<R>(run: CuwoRecord, result: R, outcome: CuwoOutcome, failureReason?: string, needsReconciliation = false): R {
  end(run, outcome, failureReason, needsReconciliation);
  return result;
}

/** The spec's terminateFailure: a non-retryable ApplicationFailure typed by the failure's class name. */
export function fail<F extends NfonStructure & { failureReason: string }>(
  run: CuwoRecord,
  failure: F,
  message: string,
  needsReconciliation = false,
): ApplicationFailure {
  run.state.failureReason = failure.failureReason;
  end(run, 'FAILURE', failure.failureReason, needsReconciliation);
  return ApplicationFailure.create({ type: className(failure), message, nonRetryable: true, details: [failure] });
}

/**
 * The spec's terminateCanceled (only when no money moved). With a pending cancel request the
 * execution ends Canceled; a cancelation the provider caused (no request: Temporal lets no workflow
 * cancel itself) fails with an ApplicationFailure typed by the cancelation class, structure as detail.
 */
export function cancel<C extends NfonStructure>(
  run: CuwoRecord,
  cancelation: C,
  message = `${run.state.cuwo} canceled before any money moved`,
): CancelledFailure | ApplicationFailure {
  run.state.cancelation = cancelation;
  end(run, 'CANCELED');
  if (run.cancelRequested) return new CancelledFailure(message);
  return ApplicationFailure.create({ type: className(cancelation), message, nonRetryable: true, details: [cancelation] });
}

function end(run: CuwoRecord, outcome: CuwoOutcome, failureReason?: string, needsReconciliation = false): void {
  const { cuwo, requestId } = run.state;
  count(metricMeter, METRICS.outcomes, { cuwo, outcome, failure_reason: failureReason ?? '' });
  if (needsReconciliation) count(metricMeter, METRICS.reconciliationsNeeded, { cuwo });
  log.info(`${cuwo} ended ${outcome}`, { cuwo, requestId, outcome, failureReason, needsReconciliation });
  run.recordEnd(outcome, failureReason, needsReconciliation);
}

/** "n4.cuwo....GrantPayoutWorkflowFailure" -> "GrantPayoutWorkflowFailure" */
function className(structure: NfonStructure): string {
  return structure['@type'].slice(structure['@type'].lastIndexOf('.') + 1);
}
