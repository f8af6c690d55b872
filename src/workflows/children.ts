/**
 * What the orchestrators (PayoutRequest, PaymentRequest) share about their children: running a CUWO
 * and reading its end as data, running the request's compensation to its end, and the processing
 * data a CUWO recorded when it ended without its Failure structure.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  proxyActivities,
  startChild,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import type { CompensationActivities } from '../activities/compensations';
import { decodeCuwoFailure, type CuwoEnd, type CuwoEndTypes } from '../contracts';
import type { CompensationSpec } from './compensation-specs';
import type { CuwoRun } from './cuwo-run';

const { cuwoProcessingData } = proxyActivities<CompensationActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
  summary: "read the CUWO's last processing data",
});

/** Follows a compensation someone else started; it may take as long as the provider's polling horizon. */
const { compensationEnd } = proxyActivities<CompensationActivities>({
  startToCloseTimeout: '30 days',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  summary: 'follow the compensation to its end',
});

/**
 * Starts a CUWO as an abandoned child and waits, not cancellable, for its end as data. `started` runs
 * once the child runs (an orchestrator records its stage, or passes cancel requests on).
 */
export async function runCuwoChild<R, F, C>(
  workflowType: string,
  workflowId: string,
  args: unknown[],
  types: CuwoEndTypes,
  started?: () => void,
): Promise<CuwoEnd<R, F, C>> {
  const child = await startCuwoChild<R>(workflowType, workflowId, args);
  started?.();
  return CancellationScope.nonCancellable(() => settle<R, F, C>(workflowId, types, child.result()));
}

/** A compensation as the orchestrator reports it. */
export interface SettledCompensation<R, F, StartedBy extends string> {
  workflowId: string;
  /** The orchestrator, or the CUWO that started it first. */
  startedBy: StartedBy;
  /** Absent only for executions recorded before MONEY_SAFETY_PATCH that found it started. */
  end?: CuwoEnd<R, F, never>;
}

/**
 * Runs the request's compensation with `processingData` (deterministic id: a second trigger finds the
 * first) and waits for its end, also when the CUWO started it first, so the orchestrator flags every
 * end that leaves money out. Answers the compensation, the latest processing data (the compensation's
 * own when it succeeded with some) and whether money may still be out.
 * Executions recorded before MONEY_SAFETY_PATCH did not follow a compensation they had not started.
 */
export async function settleCompensation<P, R, F, Reason extends string, Here extends string, Cuwo extends string>(
  run: CuwoRun,
  spec: CompensationSpec<P, R, F, Reason>,
  requestId: string,
  processingData: string | undefined,
  startedBy: { here: Here; cuwo: Cuwo },
): Promise<{ compensation: SettledCompensation<R, F, Here | Cuwo>; processingData: string | undefined; leftMoneyOut: boolean }> {
  const workflowId = spec.workflowId(requestId);
  const handle = await run.compensate(spec, requestId, processingData);
  let end: CuwoEnd<R, F, never> | undefined;
  if (handle !== 'already-started') {
    end = await CancellationScope.nonCancellable(() => settle<R, F, never>(workflowId, spec.types, handle.result()));
  } else if (run.moneySafety) {
    // The activity reads back what this same compensation workflow returned or failed with.
    const followed = await CancellationScope.nonCancellable(() => compensationEnd({ workflowId, failureType: spec.types.failure }));
    end = followed as CuwoEnd<R, F, never>;
  }
  const compensation = { workflowId, startedBy: handle === 'already-started' ? startedBy.cuwo : startedBy.here, end };
  const returned = end?.outcome === 'SUCCESS' ? spec.processingDataOf(end.result) : undefined;
  return { compensation, processingData: returned || processingData, leftMoneyOut: compensationLeftMoneyOut(run, end) };
}

/**
 * After a CUWO ended without its Failure structure: the processing data of its own record (its memo),
 * which may be newer than what this orchestrator received. Undefined when it has none (the caller
 * falls back to its own copy), and for executions recorded before MONEY_SAFETY_PATCH.
 */
export async function cuwoRecordedProcessingData(run: CuwoRun, cuwoWorkflowId: string): Promise<string | undefined> {
  if (!run.moneySafety) return undefined;
  return CancellationScope.nonCancellable(() => cuwoProcessingData({ workflowId: cuwoWorkflowId }));
}

/** Money may still be out after this compensation: it did not end in success (or its end is not known). */
function compensationLeftMoneyOut(run: CuwoRun, end: { outcome: string } | undefined): boolean {
  if (!run.moneySafety) return end?.outcome === 'FAILURE';
  return end?.outcome !== 'SUCCESS';
}

/** Turns a child's end into data: result, typed CUWO failure, cancelation, or an abnormal end. */
async function settle<R, F, C>(workflowId: string, types: CuwoEndTypes, pending: Promise<R>): Promise<CuwoEnd<R, F, C>> {
  try {
    return { outcome: 'SUCCESS', workflowId, result: await pending };
  } catch (err) {
    if (!(err instanceof ChildWorkflowFailure)) throw err;
    return decodeCuwoFailure<F, C>(workflowId, err.cause, types, err.message);
  }
}

/**
 * Starts a CUWO as an abandoned child: it must finish (and compensate) on its own even if the
 * orchestrator is terminated. REJECT_DUPLICATE: a request id never runs its CUWO twice.
 */
async function startCuwoChild<R>(
  workflowType: string,
  workflowId: string,
  args: unknown[],
): Promise<ChildWorkflowHandle<(...args: unknown[]) => Promise<R>>> {
  try {
    return await startChild<(...args: unknown[]) => Promise<R>>(workflowType, {
      workflowId,
      args,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw ApplicationFailure.nonRetryable(
        `${workflowId} already exists outside this request; not starting it a second time`,
        'DuplicateRequest',
      );
    }
    throw err;
  }
}
