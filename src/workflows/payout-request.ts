/**
 * PayoutRequest: the platform's role for a payout. Runs GrantPayout as a child and makes sure that
 * any end other than success or a clean cancelation is followed by exactly one CancelPayout, with
 * the latest processing data it received, even when the CUWO died without compensating.
 */
import { ApplicationFailure, CancellationScope, getExternalWorkflowHandle } from '@temporalio/workflow';
import { MAX_REQUEST_ID_LENGTH } from '../contracts/common';
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
import { compensationLeftMoneyOut, cuwoRecordedProcessingData, settle, settleCompensation, startCuwoChild } from './children';
import type { CuwoEnd } from '../contracts';
import { CuwoRun, requestIdOf } from './cuwo-run';

export interface PayoutRequestResult {
  payoutRequestID: string;
  grantPayout: CuwoEnd<GrantPayoutWorkflowResult, GrantPayoutWorkflowFailure, GrantPayoutWorkflowCancelation>;
  compensation?: {
    workflowId: string;
    startedBy: 'PayoutRequest' | 'GrantPayout';
    end?: CuwoEnd<CancelPayoutWorkflowResult, CancelPayoutWorkflowFailure, never>;
  };
  payoutProcessingData?: string;
}

export async function PayoutRequest(input: GrantPayoutWorkflowParameters): Promise<PayoutRequestResult> {
  const payoutRequestID = requestIdOf(input, 'payoutRequestID');
  if (!payoutRequestID?.trim() || payoutRequestID.length > MAX_REQUEST_ID_LENGTH) {
    throw ApplicationFailure.nonRetryable(
      `payoutRequestID: must be a non-blank string of at most ${MAX_REQUEST_ID_LENGTH} characters`,
      'InvalidParameters',
    );
  }
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
    settle<GrantPayoutWorkflowResult, GrantPayoutWorkflowFailure, GrantPayoutWorkflowCancelation>(
      grantId,
      GrantPayoutTypes,
      child.result(),
    ),
  );
  const result: PayoutRequestResult = { payoutRequestID, grantPayout: grant };
  if (grant.outcome === 'SUCCESS') {
    result.payoutProcessingData = grant.result.payoutProcessingData;
    run.record({ stage: 'PAID', processingData: result.payoutProcessingData, reference: grant.result.payoutReference });
    return run.succeed(result);
  }
  if (grant.outcome === 'CANCELED') return run.complete(result, 'CANCELED');
  const reason = grant.outcome === 'FAILURE' ? grant.failure.failureReason : 'ABNORMAL_END';
  // Another execution owns this payout's provider key: its money is not ours to compensate.
  if (run.moneySafety && reason === 'DUPLICATE_REQUEST') return run.complete(result, 'FAILURE', reason, true);

  // Failure or abnormal end: like the platform, always run CancelPayout with the latest data.
  const processingData =
    (grant.outcome === 'FAILURE' && grant.failure.payoutProcessingData) ||
    (await cuwoRecordedProcessingData(run, grantId)) ||
    run.state.processingData;
  result.payoutProcessingData = processingData;
  const compensation = await CancellationScope.nonCancellable(() =>
    settleCompensation<CancelPayoutWorkflowResult, CancelPayoutWorkflowFailure>(
      run,
      'CancelPayout',
      workflowIds.cancelPayout(payoutRequestID),
      [
        {
          '@type': CancelPayoutTypes.parameters,
          payoutRequestID,
          payoutReference: run.state.reference,
          payoutProcessingData: processingData,
        },
      ],
      CancelPayoutTypes,
    ),
  );
  result.compensation = {
    workflowId: compensation.workflowId,
    startedBy: compensation.startedHere ? 'PayoutRequest' : 'GrantPayout',
    end: compensation.end,
  };
  const end = compensation.end;
  if (end?.outcome === 'SUCCESS' && (end.result as CancelPayoutWorkflowResult).payoutProcessingData) {
    result.payoutProcessingData = (end.result as CancelPayoutWorkflowResult).payoutProcessingData;
  }
  run.record({ stage: 'COMPENSATED', processingData: result.payoutProcessingData });
  return run.complete(result, 'FAILURE', reason, compensationLeftMoneyOut(run, compensation));
}
