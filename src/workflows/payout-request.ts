/**
 * PayoutRequest: the platform's role for a payout. Runs GrantPayout as a child and makes sure that
 * any end other than success or a clean cancelation is followed by exactly one CancelPayout, with
 * the latest processing data it received, even when the CUWO died without compensating.
 */
import {
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  CancelledFailure,
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  getExternalWorkflowHandle,
  startChild,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { workflowIds } from '../contracts/ids';
import {
  CancelPayoutTypes,
  GrantPayoutTypes,
  type CancelPayoutWorkflowFailure,
  type CancelPayoutWorkflowResult,
  type GrantPayoutWorkflowCancelation,
  type GrantPayoutWorkflowFailure,
  type GrantPayoutWorkflowParameters,
  type GrantPayoutWorkflowResult,
} from '../contracts/payout';
import { CuwoRun, requestIdOf } from './cuwo-run';
import { GrantPayout } from './payouts';

export type CuwoEnd<R, F, C> =
  | { outcome: 'SUCCESS'; workflowId: string; result: R }
  | { outcome: 'FAILURE'; workflowId: string; failure: F; message: string }
  | { outcome: 'CANCELED'; workflowId: string; cancelation?: C }
  /** Terminated, timed out, or failed without a CUWO failure structure. */
  | { outcome: 'ABNORMAL'; workflowId: string; message: string };

export interface PayoutRequestResult {
  payoutRequestID: string;
  grantPayout: CuwoEnd<GrantPayoutWorkflowResult, GrantPayoutWorkflowFailure, GrantPayoutWorkflowCancelation>;
  compensation?: {
    workflowId: string;
    startedBy: 'PayoutRequest' | 'GrantPayout';
    /** Known when this orchestrator started it; otherwise read it from the compensation's workflow. */
    end?: CuwoEnd<CancelPayoutWorkflowResult, CancelPayoutWorkflowFailure, never>;
  };
  payoutProcessingData?: string;
}

export async function PayoutRequest(input: GrantPayoutWorkflowParameters): Promise<PayoutRequestResult> {
  const payoutRequestID = requestIdOf(input, 'payoutRequestID');
  if (!payoutRequestID) throw ApplicationFailure.nonRetryable('payoutRequestID: must be a non-empty string', 'InvalidParameters');
  const run = new CuwoRun('PayoutRequest', payoutRequestID);
  const grantId = workflowIds.grantPayout(payoutRequestID);

  let child;
  try {
    child = await startChild(GrantPayout, {
      workflowId: grantId,
      args: [input],
      // The CUWO must finish (and compensate) on its own even if this orchestrator is terminated.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw ApplicationFailure.nonRetryable(`${grantId} already exists outside this payout request; not starting a second payout`, 'DuplicatePayout');
    }
    throw err;
  }
  run.record({ stage: 'GRANTING' });
  // A cancel request is passed on to the CUWO, which alone knows whether it may still cancel.
  CancellationScope.current().cancelRequested.catch(() =>
    CancellationScope.nonCancellable(() => getExternalWorkflowHandle(grantId).cancel()),
  );

  const grant = await CancellationScope.nonCancellable(() =>
    settle<GrantPayoutWorkflowResult, GrantPayoutWorkflowFailure, GrantPayoutWorkflowCancelation>(grantId, GrantPayoutTypes, child.result()),
  );
  const result: PayoutRequestResult = { payoutRequestID, grantPayout: grant };
  if (grant.outcome === 'SUCCESS') {
    result.payoutProcessingData = grant.result.payoutProcessingData;
    run.record({ stage: 'PAID', processingData: result.payoutProcessingData, reference: grant.result.payoutReference });
    return run.succeed(result);
  }
  if (grant.outcome === 'CANCELED') return run.complete(result, 'CANCELED');

  // Failure or abnormal end: like the platform, always run CancelPayout with the latest data.
  const processingData = (grant.outcome === 'FAILURE' && grant.failure.payoutProcessingData) || run.state.processingData;
  result.payoutProcessingData = processingData;
  const cancelId = workflowIds.cancelPayout(payoutRequestID);
  const handle = await run.compensate('CancelPayout', cancelId, [
    { '@type': CancelPayoutTypes.parameters, payoutRequestID, payoutReference: run.state.reference, payoutProcessingData: processingData },
  ]);
  if (handle === 'already-started') {
    result.compensation = { workflowId: cancelId, startedBy: 'GrantPayout' };
  } else {
    const end = await CancellationScope.nonCancellable(() =>
      settle<CancelPayoutWorkflowResult, CancelPayoutWorkflowFailure, never>(cancelId, CancelPayoutTypes, handle.result() as Promise<CancelPayoutWorkflowResult>),
    );
    result.compensation = { workflowId: cancelId, startedBy: 'PayoutRequest', end };
    if (end.outcome === 'SUCCESS' && end.result.payoutProcessingData) result.payoutProcessingData = end.result.payoutProcessingData;
  }
  run.record({ stage: 'COMPENSATED', processingData: result.payoutProcessingData });
  const reason = grant.outcome === 'FAILURE' ? grant.failure.failureReason : 'ABNORMAL_END';
  return run.complete(result, 'FAILURE', reason, result.compensation.end?.outcome === 'FAILURE');
}

/** Turns a child's end into data: result, typed CUWO failure, cancelation, or an abnormal end. */
async function settle<R, F, C>(workflowId: string, types: { failure: string; cancelation?: string }, pending: Promise<R>): Promise<CuwoEnd<R, F, C>> {
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
