/**
 * What every CUWO execution shares: its processing-data state (signal in, query + memo out), the
 * mapping of the spec's three terminations onto Temporal statuses, cancel-request tracking, and the
 * start of exactly one compensation.
 */
import {
  ApplicationFailure,
  CancellationScope,
  condition,
  log,
  metricMeter,
  CancelledFailure,
  type ChildWorkflowHandle,
  type Workflow,
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  defineQuery,
  defineSignal,
  setHandler,
  startChild,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { PROCESSING_DATA_SIGNAL, PROVIDER_CALLBACK_SIGNAL, type ProcessingDataUpdate, type ProviderCallback } from '../activities/types';
import { CUWO_MEMO_KEY, type CuwoState } from '../contracts/state';
import {
  CuwoFailureReason,
  CuwoNeedsReconciliation,
  CuwoOutcome,
  CuwoProvider,
  CuwoRequestId,
  CuwoType,
} from '../search-attributes';

export const processingDataSignal = defineSignal<[ProcessingDataUpdate]>(PROCESSING_DATA_SIGNAL);
export { CUWO_MEMO_KEY, type CuwoState };
export const cuwoStateQuery = defineQuery<CuwoState>('cuwoState');
export const providerCallbackSignal = defineSignal<[ProviderCallback]>(PROVIDER_CALLBACK_SIGNAL);

/** The PENDING step every asynchronous provider activity may answer. */
export interface PendingStep {
  status: 'PENDING';
  provider: string;
  processingData: string;
  pollAfterMs: number;
  reference?: string;
  redirectUrl?: string;
}

interface NfonStructure {
  '@type': string;
}

export class CuwoRun {
  readonly state: CuwoState;
  private readonly rootScope: CancellationScope;
  /** Distinct verified provider callbacks (Payneteasy repeats them; duplicates must not count twice). */
  private readonly callbackKeys = new Set<string>();

  constructor(cuwo: string, requestId: string | undefined) {
    this.state = { cuwo, requestId, stage: 'STARTED', moneyMayHaveMoved: false };
    setHandler(processingDataSignal, (update) => this.record(update));
    setHandler(cuwoStateQuery, () => this.state);
    setHandler(providerCallbackSignal, (callback) => {
      this.callbackKeys.add([callback.status, callback.type, callback.orderId, callback.clientOrderId].join('|'));
    });
    // Provider calls run non-cancellable; the CUWO reads the root scope afterwards to decide whether
    // it may still end Canceled (only if no money moved). A cancel that came with the start is already set.
    this.rootScope = CancellationScope.current();
    upsertSearchAttributes([
      { key: CuwoType, value: cuwo },
      ...(requestId ? [{ key: CuwoRequestId, value: requestId }] : []),
    ]);
    this.publish();
  }

  get cancelRequested(): boolean {
    return this.rootScope.consideredCancelled;
  }

  /** Processing data reported by an activity (signal) or returned by it (result). */
  record(update: Partial<ProcessingDataUpdate> & { stage: string }): void {
    const providerIsNew = update.provider !== undefined && update.provider !== this.state.provider;
    Object.assign(this.state, Object.fromEntries(Object.entries(update).filter(([, v]) => v !== undefined)));
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
  cancel<C extends NfonStructure>(cancelation: C, message = `${this.state.cuwo} canceled before any money moved`): CancelledFailure | ApplicationFailure {
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
    stageOf: (step: PendingStep) => string,
    moneyMayHaveMoved?: boolean,
  ): Promise<Exclude<S, { status: 'PENDING' }>> {
    let step = first;
    while (step.status === 'PENDING') {
      const pending = step as unknown as PendingStep;
      this.record({
        stage: stageOf(pending),
        provider: pending.provider,
        processingData: pending.processingData,
        reference: pending.reference,
        redirectUrl: pending.redirectUrl,
        moneyMayHaveMoved,
      });
      await this.waitForProviderNews(pending.pollAfterMs);
      step = await CancellationScope.nonCancellable(() => next(pending.processingData, pending));
    }
    // Settled: no form waits any more. Cleared in state only; the caller's next record() publishes it.
    delete this.state.redirectUrl;
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
    metricMeter.createCounter('cuwo_compensations_started_total', 'workflows', 'compensations started').add(1, { cuwo: this.state.cuwo, compensation: workflowType, result: started === 'already-started' ? 'already-started' : 'started' });
    log.info(`${workflowType} ${started === 'already-started' ? 'already running' : 'started'}`, { requestId: this.state.requestId, compensationWorkflowId: workflowId });
    return started;
  }

  private end(outcome: 'SUCCESS' | 'FAILURE' | 'CANCELED', failureReason?: string, needsReconciliation = false): void {
    const { cuwo, requestId } = this.state;
    metricMeter.createCounter('cuwo_outcomes_total', 'executions', 'how CUWOs and requests end').add(1, { cuwo, outcome, failure_reason: failureReason ?? '' });
    if (needsReconciliation) metricMeter.createCounter('cuwo_reconciliations_needed_total', 'executions', 'money movements a person must reconcile').add(1, { cuwo });
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
 * reset) is resolved by retrying the same idempotent request, never reported as a failure.
 * Heartbeats detect a dead worker in seconds.
 */
export const PROVIDER_ACTIVITY_OPTIONS = {
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
} as const;

/** "Payout for CM-1, CM-2" from the invoice/credit memo list, or "Payout <request id>" without one. */
export function documentsDescription(what: 'Payout' | 'Payment', documents: Array<{ documentNumber?: string; documentID: string }>, requestId: string): string {
  const numbers = documents.map((doc) => doc.documentNumber ?? doc.documentID);
  return numbers.length ? `${what} for ${numbers.join(', ')}` : `${what} ${requestId}`;
}

/** The CUWO itself and, when it runs under an orchestrator, the orchestrator: both keep the processing data. */
export function notifyTargets(): string[] {
  const info = workflowInfo();
  return [info.workflowId, ...(info.parent ? [info.parent.workflowId] : [])];
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
