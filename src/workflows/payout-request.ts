/**
 * PayoutRequest: the platform's role for a payout. Runs GrantPayout as a child and makes sure that
 * any end other than success or a clean cancelation is followed by exactly one CancelPayout, with
 * the latest processing data it received, even when the CUWO died without compensating.
 */
import { ApplicationFailure, CancellationScope, getExternalWorkflowHandle } from '@temporalio/workflow';
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
import { settle, startCuwoChild, type CuwoEnd } from './children';
import { CuwoRun, requestIdOf } from './cuwo-run';

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

  const child = await startCuwoChild<GrantPayoutWorkflowResult>('GrantPayout', grantId, [input]);
  run.record({ stage: 'GRANTING' });
  // A cancel request is passed on to the CUWO, which alone knows whether it may still cancel.
  // A CUWO that already finished cannot be canceled; its outcome is handled below.
  CancellationScope.current().cancelRequested.catch(() =>
    CancellationScope.nonCancellable(() => getExternalWorkflowHandle(grantId).cancel()).catch(() => undefined),
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
