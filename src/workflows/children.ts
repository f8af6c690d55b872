/** What orchestrators share about their CUWO children: how they start them and read their end. */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ApplicationFailure,
  CancelledFailure,
  ChildWorkflowFailure,
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  startChild,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';

export type CuwoEnd<R, F, C> =
  | { outcome: 'SUCCESS'; workflowId: string; result: R }
  | { outcome: 'FAILURE'; workflowId: string; failure: F; message: string }
  | { outcome: 'CANCELED'; workflowId: string; cancelation?: C }
  /** Terminated, timed out, or failed without a CUWO failure structure. */
  | { outcome: 'ABNORMAL'; workflowId: string; message: string };

/** Turns a child's end into data: result, typed CUWO failure, cancelation, or an abnormal end. */
export async function settle<R, F, C>(workflowId: string, types: { failure: string; cancelation?: string }, pending: Promise<R>): Promise<CuwoEnd<R, F, C>> {
  try {
    return { outcome: 'SUCCESS', workflowId, result: await pending };
  } catch (err) {
    if (!(err instanceof ChildWorkflowFailure)) throw err;
    const cause = err.cause;
    const detail = cause instanceof ApplicationFailure ? (cause.details?.[0] as { '@type'?: string } | undefined) : undefined;
    if (detail?.['@type'] === types.failure) return { outcome: 'FAILURE', workflowId, failure: detail as F, message: cause!.message };
    // Canceled on a request (Temporal status Canceled) or by the provider (failure typed as the cancelation).
    if (detail?.['@type'] && detail['@type'] === types.cancelation) return { outcome: 'CANCELED', workflowId, cancelation: detail as C };
    if (cause instanceof CancelledFailure) return { outcome: 'CANCELED', workflowId };
    return { outcome: 'ABNORMAL', workflowId, message: `${cause?.name ?? 'failure'}: ${cause?.message ?? err.message}` };
  }
}

/**
 * Starts a CUWO as an abandoned child: it must finish (and compensate) on its own even if the
 * orchestrator is terminated. REJECT_DUPLICATE: a request id never runs its CUWO twice.
 */
export async function startCuwoChild<R>(workflowType: string, workflowId: string, args: unknown[]): Promise<ChildWorkflowHandle<(...args: unknown[]) => Promise<R>>> {
  try {
    return await startChild<(...args: unknown[]) => Promise<R>>(workflowType, {
      workflowId,
      args,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw ApplicationFailure.nonRetryable(`${workflowId} already exists outside this request; not starting it a second time`, 'DuplicateRequest');
    }
    throw err;
  }
}
