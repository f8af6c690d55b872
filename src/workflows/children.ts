/** What orchestrators share about their CUWO children: how they start them and read their end. */
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

/** Turns a child's end into data: result, typed CUWO failure, cancelation, or an abnormal end. */
export async function settle<R, F, C>(workflowId: string, types: CuwoEndTypes, pending: Promise<R>): Promise<CuwoEnd<R, F, C>> {
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
export async function startCuwoChild<R>(
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

export interface SettledCompensation<R, F> {
  workflowId: string;
  /** Whether this orchestrator started it, or found it started (by the CUWO itself). */
  startedHere: boolean;
  end?: CuwoEnd<R, F, never>;
}

/**
 * Runs the compensation (deterministic id: a second trigger finds the first) and waits for its end,
 * also when the CUWO started it first, so the orchestrator flags every end that leaves money out.
 * Executions recorded before MONEY_SAFETY_PATCH did not follow a compensation they had not started.
 */
export async function settleCompensation<R, F>(
  run: CuwoRun,
  workflowType: string,
  workflowId: string,
  args: unknown[],
  types: { failure: string },
): Promise<SettledCompensation<R, F>> {
  const handle = await run.compensate(workflowType, workflowId, args);
  if (handle === 'already-started') {
    if (!run.moneySafety) return { workflowId, startedHere: false };
    const end = await CancellationScope.nonCancellable(() => compensationEnd({ workflowId, failureType: types.failure }));
    return { workflowId, startedHere: false, end: end as CuwoEnd<R, F, never> };
  }
  const end = await CancellationScope.nonCancellable(() => settle<R, F, never>(workflowId, types, handle.result() as Promise<R>));
  return { workflowId, startedHere: true, end };
}

/** Money may still be out after this compensation: it did not end in success (or its end is not known). */
export function compensationLeftMoneyOut(run: CuwoRun, compensation: { end?: { outcome: string } }): boolean {
  if (!run.moneySafety) return compensation.end?.outcome === 'FAILURE';
  return compensation.end?.outcome !== 'SUCCESS';
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
