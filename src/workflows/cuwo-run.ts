/**
 * What every CUWO execution shares: its processing-data state (signal in, query + memo out), the
 * mapping of the spec's three terminations onto Temporal statuses, cancel-request tracking, and the
 * start of exactly one compensation.
 */
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  metricMeter,
  CancelledFailure,
  type ChildWorkflowHandle,
  type Workflow,
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  patched,
  setHandler,
  startChild,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  CALLBACK_REFUSALS,
  METRICS,
  count,
  cuwoStateQuery,
  processingDataSignal,
  processingDataUpdate,
  providerCallbackSignal,
  providerCallbackUpdate,
  type CuwoStage,
  type PendingStep,
  type ProcessingDataUpdate,
  type ProviderCallback,
} from '../contracts';
import { MAX_REQUEST_ID_LENGTH } from '../contracts/common';
import { CUWO_MEMO_KEY, type CuwoState } from '../contracts/state';
import { CuwoFailureReason, CuwoNeedsReconciliation, CuwoOutcome, CuwoProvider, CuwoRequestId, CuwoType } from '../search-attributes';

export { CUWO_MEMO_KEY, type CuwoState };

/** At most this many distinct callbacks wake a CUWO early; beyond, the polling cadence alone decides. */
export const MAX_CALLBACK_WAKEUPS = 20;

/**
 * The version of the money-safety rules an execution runs under. Executions recorded before it (no
 * marker in their history) replay the earlier behaviour; new executions record the marker first.
 */
export const MONEY_SAFETY_PATCH = 'money-safety-2026-11';

interface NfonStructure {
  '@type': string;
}

export interface CuwoRunOptions {
  /**
   * The CUWO may end Canceled (GrantPayout, AuthorizeOrCapturePayment, CapturePayment): a cancel request
   * that arrives before a money-moving request was handed over stops that request. Compensations and
   * orchestrators are not cancellable.
   */
  cancellable?: boolean;
}

export class CuwoRun {
  readonly state: CuwoState;
  /** False when replaying an execution recorded before MONEY_SAFETY_PATCH. */
  readonly moneySafety: boolean;
  private readonly rootScope: CancellationScope;
  private readonly cancellable: boolean;
  /** Distinct verified provider callbacks (Payneteasy repeats them; duplicates must not count twice). */
  private readonly callbackKeys = new Set<string>();

  constructor(cuwo: string, requestId: string | undefined, options: CuwoRunOptions = {}) {
    this.moneySafety = patched(MONEY_SAFETY_PATCH);
    this.cancellable = options.cancellable ?? false;
    // An id too long for a search attribute is refused by the CUWO's validation; never written anywhere.
    const shownId = requestId && requestId.length <= MAX_REQUEST_ID_LENGTH ? requestId : undefined;
    this.state = { cuwo, requestId: shownId, stage: 'STARTED', moneyMayHaveMoved: false };
    setHandler(processingDataSignal, (update) => this.record(update));
    setHandler(processingDataUpdate, (update) => {
      // The gate of defect "cancel before the first send": nothing recorded, nothing sent.
      if (update.sending && this.cancellable && this.cancelRequested) return { proceed: false };
      this.record(update);
      return { proceed: true };
    });
    setHandler(cuwoStateQuery, () => ({ ...this.state, cancelRequested: this.cancelRequested }));
    setHandler(providerCallbackSignal, (callback) => {
      this.callbackKeys.add([callback.status, callback.type, callback.orderId, callback.clientOrderId].join('|'));
    });
    setHandler(
      providerCallbackUpdate,
      (callback) => {
        this.callbackKeys.add(signedCallbackKey(callback));
        return { accepted: true } as const;
      },
      { validator: (callback) => this.checkCallback(callback) },
    );
    // Provider calls run non-cancellable; the CUWO reads the root scope afterwards to decide whether
    // it may still end Canceled (only if no money moved). A cancel that came with the start is already set.
    this.rootScope = CancellationScope.current();
    upsertSearchAttributes([{ key: CuwoType, value: cuwo }, ...(shownId ? [{ key: CuwoRequestId, value: shownId }] : [])]);
    this.publish();
  }

  /**
   * A callback counts only for the CUWO whose provider order it names (the signed fields, checked
   * against the order the activities reported), once, and at most MAX_CALLBACK_WAKEUPS times in all.
   * Throwing rejects the update: nothing enters the history.
   */
  private checkCallback(callback: ProviderCallback): void {
    const order = this.state.order;
    const refuse = (type: string, message: string) => {
      throw ApplicationFailure.create({ type, message, nonRetryable: true });
    };
    if (!order) refuse(CALLBACK_REFUSALS.orderNotYetKnown, 'this CUWO has no provider order yet');
    if (callback.clientOrderId !== order!.clientOrderId || (order!.orderId !== undefined && callback.orderId !== order!.orderId)) {
      refuse(CALLBACK_REFUSALS.notThisOrder, 'the callback names another provider order than this CUWO follows');
    }
    if (this.callbackKeys.has(signedCallbackKey(callback))) refuse(CALLBACK_REFUSALS.duplicate, 'this callback was already delivered');
    if (this.callbackKeys.size >= MAX_CALLBACK_WAKEUPS)
      refuse(CALLBACK_REFUSALS.limit, 'enough callbacks were delivered; the polling cadence goes on');
  }

  get cancelRequested(): boolean {
    return this.rootScope.consideredCancelled;
  }

  /** Processing data reported by an activity (update or signal) or returned by it (result). */
  record(update: Partial<Omit<ProcessingDataUpdate, 'sending'>> & { stage: CuwoStage; sending?: boolean }): void {
    const providerIsNew = update.provider !== undefined && update.provider !== this.state.provider;
    const { sending: _sending, ...fields } = update;
    Object.assign(this.state, Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)));
    if (providerIsNew) upsertSearchAttributes([{ key: CuwoProvider, value: update.provider! }]);
    this.publish();
  }

  succeed<R>(result: R): R {
    return this.complete(result, 'SUCCESS');
  }

  /** Completes with `result` while reporting another outcome (orchestrators report their CUWO's). */
  complete<R>(result: R, outcome: 'SUCCESS' | 'FAILURE' | 'CANCELED', failureReason?: string, needsReconciliation = false): R {
    this.end(outcome, failureReason, needsReconciliation);
    return result;
  }

  /** The spec's terminateFailure: a non-retryable ApplicationFailure typed by the failure's class name. */
  fail<F extends NfonStructure & { failureReason: string }>(failure: F, message: string, needsReconciliation = false): ApplicationFailure {
    this.state.failureReason = failure.failureReason;
    this.end('FAILURE', failure.failureReason, needsReconciliation);
    return ApplicationFailure.create({ type: className(failure), message, nonRetryable: true, details: [failure] });
  }

  /**
   * The spec's terminateCanceled (only when no money moved). With a pending cancel request the
   * execution ends Canceled; a cancelation the provider caused (no request: Temporal lets no workflow
   * cancel itself) fails with an ApplicationFailure typed by the cancelation class, structure as detail.
   */
  cancel<C extends NfonStructure>(
    cancelation: C,
    message = `${this.state.cuwo} canceled before any money moved`,
  ): CancelledFailure | ApplicationFailure {
    this.state.cancelation = cancelation;
    this.end('CANCELED');
    if (this.cancelRequested) return new CancelledFailure(message);
    return ApplicationFailure.create({ type: className(cancelation), message, nonRetryable: true, details: [cancelation] });
  }

  /**
   * Follows an asynchronous provider: while the step is PENDING, publish it, wait for the provider's
   * cadence (a durable timer) or its callback, whichever comes first, and ask again. Provider calls
   * stay non-cancellable: a cancel request is decided on once the outcome is known.
   */
  async followPending<S extends { status: string }>(
    first: S,
    next: (processingData: string, pending: PendingStep) => Promise<S>,
    stageOf: (step: PendingStep) => CuwoStage,
    moneyMayHaveMoved?: boolean,
  ): Promise<Exclude<S, { status: 'PENDING' }>> {
    let step = first;
    while (step.status === 'PENDING') {
      const pending = step as unknown as PendingStep;
      // An outcome the provider has not settled in a way we can read: keep asking, and show it.
      if (pending.unknown && this.state.unknown === undefined) {
        count(metricMeter, METRICS.outcomeUnknown, { cuwo: this.state.cuwo, provider: pending.provider });
        log.warn('provider outcome unknown; asking again', { requestId: this.state.requestId, why: pending.unknown });
      }
      if (pending.unknown) this.state.unknown = pending.unknown;
      else delete this.state.unknown;
      this.record({
        stage: pending.unknown ? 'OUTCOME_UNKNOWN' : stageOf(pending),
        provider: pending.provider,
        processingData: pending.processingData,
        reference: pending.reference,
        redirectUrl: pending.redirectUrl,
        order: pending.order,
        moneyMayHaveMoved,
      });
      await this.waitForProviderNews(pending.pollAfterMs);
      step = await CancellationScope.nonCancellable(() => next(pending.processingData, pending));
    }
    // Settled: no form waits any more. Cleared in state only; the caller's next record() publishes it.
    delete this.state.redirectUrl;
    delete this.state.unknown;
    return step as Exclude<S, { status: 'PENDING' }>;
  }

  /** Waits until a new provider callback arrives or `ms` pass (a durable timer), whichever is first. */
  private async waitForProviderNews(ms: number): Promise<void> {
    const seen = this.callbackKeys.size;
    await CancellationScope.nonCancellable(() => condition(() => this.callbackKeys.size > seen, ms));
  }

  /**
   * Starts the compensation as an abandoned child with a deterministic id. REJECT_DUPLICATE makes a
   * second trigger (this CUWO, its orchestrator, a retry) find the first one instead of running twice.
   */
  async compensate(workflowType: string, workflowId: string, args: unknown[]): Promise<ChildWorkflowHandle<Workflow> | 'already-started'> {
    this.state.compensationWorkflowId = workflowId;
    this.publish();
    const started = await startCompensation(workflowType, workflowId, args);
    count(metricMeter, METRICS.compensationsStarted, {
      cuwo: this.state.cuwo,
      compensation: workflowType,
      result: started === 'already-started' ? 'already-started' : 'started',
    });
    log.info(`${workflowType} ${started === 'already-started' ? 'already running' : 'started'}`, {
      requestId: this.state.requestId,
      compensationWorkflowId: workflowId,
    });
    return started;
  }

  private end(outcome: 'SUCCESS' | 'FAILURE' | 'CANCELED', failureReason?: string, needsReconciliation = false): void {
    const { cuwo, requestId } = this.state;
    count(metricMeter, METRICS.outcomes, { cuwo, outcome, failure_reason: failureReason ?? '' });
    if (needsReconciliation) count(metricMeter, METRICS.reconciliationsNeeded, { cuwo });
    log.info(`${cuwo} ended ${outcome}`, { cuwo, requestId, outcome, failureReason, needsReconciliation });
    this.state.outcome = outcome;
    this.state.stage = outcome;
    upsertSearchAttributes([
      { key: CuwoOutcome, value: outcome },
      ...(failureReason ? [{ key: CuwoFailureReason, value: failureReason }] : []),
      ...(needsReconciliation ? [{ key: CuwoNeedsReconciliation, value: true }] : []),
    ]);
    this.publish();
  }

  private publish(): void {
    upsertMemo({ [CUWO_MEMO_KEY]: { ...this.state } });
  }
}

export async function startCompensation(
  workflowType: string,
  workflowId: string,
  args: unknown[],
): Promise<ChildWorkflowHandle<Workflow> | 'already-started'> {
  return CancellationScope.nonCancellable(async () => {
    try {
      return await startChild(workflowType, {
        workflowId,
        args,
        taskQueue: workflowInfo().taskQueue,
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return 'already-started';
      throw err;
    }
  });
}

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
    return { kind: 'canceled', message: cause?.message ?? (err as Error)?.message ?? 'canceled' };
  }
  if (err instanceof ActivityFailure) return { kind: 'failed', message: `provider activity failed: ${cause?.message ?? err.message}` };
  throw err;
}

/** "Payout for CM-1, CM-2" from the invoice/credit memo list, or "Payout <request id>" without one. */
export function documentsDescription(
  what: 'Payout' | 'Payment',
  documents: Array<{ documentNumber?: string; documentID: string }>,
  requestId: string,
): string {
  const numbers = documents.map((doc) => doc.documentNumber ?? doc.documentID);
  return numbers.length ? `${what} for ${numbers.join(', ')}` : `${what} ${requestId}`;
}

/** The CUWO itself and, when it runs under an orchestrator, the orchestrator: both keep the processing data. */
export function notifyTargets(): string[] {
  const info = workflowInfo();
  return [info.workflowId, ...(info.parent ? [info.parent.workflowId] : [])];
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
export function unsettledEnd(run: CuwoRun, err: unknown, polling: boolean, what: 'payout' | 'payment'): UnsettledEnd {
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

/** Duplicates are recognised by the fields the provider signs (status, orderid, client_orderid) alone. */
function signedCallbackKey(callback: ProviderCallback): string {
  return JSON.stringify([callback.status, callback.orderId, callback.clientOrderId]);
}

/** "n4.cuwo....GrantPayoutWorkflowFailure" -> "GrantPayoutWorkflowFailure" */
function className(structure: NfonStructure): string {
  return structure['@type'].slice(structure['@type'].lastIndexOf('.') + 1);
}

/** The business id of an input that may not have passed validation, for search attributes only. */
export function requestIdOf(input: unknown, field: string): string | undefined {
  const value = (input as Record<string, unknown> | null)?.[field];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
