/**
 * Starting the one compensation (CancelPayout, CancelPayment) of a request: from the CUWO that failed
 * after money may have moved, or from its orchestrator. Abandoned child, deterministic id,
 * REJECT_DUPLICATE: a second trigger finds the first one instead of running twice.
 */
import {
  CancellationScope,
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  log,
  metricMeter,
  startChild,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { METRICS, count } from '../contracts';
import type { CompensationSpec } from './compensation-specs';
import type { CuwoRecord } from './cuwo-state';

/** A started compensation: its handle, typed by its spec, or 'already-started' (someone else started it). */
export type CompensationStart<P, R> = ChildWorkflowHandle<(parameters: P) => Promise<R>> | 'already-started';

/**
 * Starts the compensation of request `requestId` with the latest processing data and the reference
 * the CUWO knows, or learns that it already runs; its workflow id is published in the memo first.
 */
export async function compensate<P, R, F, Reason extends string>(
  run: CuwoRecord,
  spec: CompensationSpec<P, R, F, Reason>,
  requestId: string,
  processingData: string | undefined,
): Promise<CompensationStart<P, R>> {
  const workflowType = spec.cuwo;
  const workflowId = spec.workflowId(requestId);
  const parameters = spec.parameters({ requestId, reference: run.state.reference, processingData });
  run.state.compensationWorkflowId = workflowId;
  run.publish();
  const started = await startCompensation<P, R>(workflowType, workflowId, parameters);
  count(metricMeter, METRICS.compensationsStarted, {
    cuwo: run.state.cuwo,
    compensation: workflowType,
    result: started === 'already-started' ? 'already-started' : 'started',
  });
  log.info(`${workflowType} ${started === 'already-started' ? 'already running' : 'started'}`, {
    requestId: run.state.requestId,
    compensationWorkflowId: workflowId,
  });
  return started;
}

async function startCompensation<P, R>(workflowType: string, workflowId: string, parameters: P): Promise<CompensationStart<P, R>> {
  return CancellationScope.nonCancellable(async () => {
    try {
      return await startChild<(parameters: P) => Promise<R>>(workflowType, {
        workflowId,
        args: [parameters],
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
