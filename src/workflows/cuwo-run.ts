/**
 * CuwoRun: what every CUWO and orchestrator execution does, in one object its workflow reads as the
 * spec. Each method is a door into the file that holds it:
 *   cuwo-state.ts          state, memo, search attributes, message handlers, cancel requests (`record`)
 *   endings.ts             the spec's three terminations (`succeed`, `complete`, `fail`, `cancel`)
 *   polling.ts             following an asynchronous provider and its callbacks (`followPending`)
 *   compensation-start.ts  starting the one compensation of a request (`compensate`)
 * Beside it: provider-calls.ts (activity options, how a provider call ended without a step), inputs.ts
 * (request id, description, notify targets), compensation.ts + compensation-specs.ts (CancelPayout and
 * CancelPayment), children.ts (what the orchestrators share). The workflows themselves: payouts.ts,
 * payments.ts, payout-request.ts, payment-request.ts.
 */
import { patched, type ApplicationFailure, type CancelledFailure } from '@temporalio/workflow';
import type { CuwoOutcome, CuwoStage, PendingStep } from '../contracts';
import { compensate, type CompensationStart } from './compensation-start';
import type { CompensationSpec } from './compensation-specs';
import { CuwoRecord, type CuwoRunOptions } from './cuwo-state';
import { cancel, complete, fail, type NfonStructure } from './endings';
import { followPending } from './polling';

export type { CuwoRunOptions };

/**
 * The version of the money-safety rules an execution runs under. Executions recorded before it (no
 * marker in their history) replay the earlier behaviour; new executions record the marker first.
 */
export const MONEY_SAFETY_PATCH = 'money-safety-2026-11';

export class CuwoRun extends CuwoRecord {
  constructor(cuwo: string, requestId: string | undefined, options: CuwoRunOptions = {}) {
    // The patch marker is the execution's first command.
    super(cuwo, requestId, patched(MONEY_SAFETY_PATCH), options);
  }

  succeed<R>(result: R): R {
    return complete(this, result, 'SUCCESS');
  }

  /** Completes with `result` while reporting another outcome (orchestrators report their CUWO's). */
  complete<R>(result: R, outcome: CuwoOutcome, failureReason?: string, needsReconciliation = false): R {
    return complete(this, result, outcome, failureReason, needsReconciliation);
  }

  /** The spec's terminateFailure, to throw. */
  fail<F extends NfonStructure & { failureReason: string }>(failure: F, message: string, needsReconciliation = false): ApplicationFailure {
    return fail(this, failure, message, needsReconciliation);
  }

  /** The spec's terminateCanceled (only when no money moved), to throw. */
  cancel<C extends NfonStructure>(cancelation: C, message?: string): CancelledFailure | ApplicationFailure {
    return cancel(this, cancelation, message);
  }

  /** While the provider answers PENDING: publish, wait for its cadence or callback, ask again. */
  followPending<Done extends { status: string }>(
    first: Done | PendingStep,
    next: (processingData: string, pending: PendingStep) => Promise<Done | PendingStep>,
    stageOf: (step: PendingStep) => CuwoStage,
    moneyMayHaveMoved?: boolean,
  ): Promise<Done> {
    return followPending(this, first, next, stageOf, moneyMayHaveMoved);
  }

  /** Starts the request's compensation with the latest processing data (or finds it started). */
  compensate<P, R, F, Reason extends string>(
    spec: CompensationSpec<P, R, F, Reason>,
    requestId: string,
    processingData: string | undefined,
  ): Promise<CompensationStart<P, R>> {
    return compensate(this, spec, requestId, processingData);
  }
}
