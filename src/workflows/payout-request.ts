/**
 * PayoutRequest: the platform's role for a payout. Runs GrantPayout as a child and makes sure that
 * any end other than success or a clean cancelation is followed by exactly one CancelPayout, with
 * the latest processing data it received, even when the CUWO died without compensating.
 */
import { ApplicationFailure, CancellationScope, getExternalWorkflowHandle } from '@temporalio/workflow';
import {
  GrantPayoutTypes,
  MAX_REQUEST_ID_LENGTH,
  workflowIds,
  type CancelPayoutWorkflowFailure,
  type CancelPayoutWorkflowResult,
  type CuwoEnd,
  type GrantPayoutWorkflowCancelation,
  type GrantPayoutWorkflowFailure,
  type GrantPayoutWorkflowParameters,
  type GrantPayoutWorkflowResult,
} from '../contracts';
import { cuwoRecordedProcessingData, runCuwoChild, settleCompensation, type SettledCompensation } from './children';
import { CANCEL_PAYOUT } from './compensation-specs';
import { CuwoRun } from './cuwo-run';
import { requestIdOf } from './inputs';

export interface PayoutRequestResult {
  payoutRequestID: string;
  grantPayout: CuwoEnd<GrantPayoutWorkflowResult, GrantPayoutWorkflowFailure, GrantPayoutWorkflowCancelation>;
  compensation?: SettledCompensation<CancelPayoutWorkflowResult, CancelPayoutWorkflowFailure, 'PayoutRequest' | 'GrantPayout'>;
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

  const grant = await runCuwoChild<GrantPayoutWorkflowResult, GrantPayoutWorkflowFailure, GrantPayoutWorkflowCancelation>(
    'GrantPayout',
    grantId,
    [input],
    GrantPayoutTypes,
    () => {
      run.record({ stage: 'GRANTING' });
      // A cancel request is passed on to the CUWO, which alone knows whether it may still cancel.
      // A CUWO that already finished cannot be canceled; its outcome is handled below.
      CancellationScope.current().cancelRequested.catch(() =>
        CancellationScope.nonCancellable(() => getExternalWorkflowHandle(grantId).cancel()).catch(() => undefined),
      );
    },
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
  const compensated = await settleCompensation(run, CANCEL_PAYOUT, payoutRequestID, processingData, {
    here: 'PayoutRequest',
    cuwo: 'GrantPayout',
  });
  result.compensation = compensated.compensation;
  result.payoutProcessingData = compensated.processingData;
  run.record({ stage: 'COMPENSATED', processingData: result.payoutProcessingData });
  return run.complete(result, 'FAILURE', reason, compensated.leftMoneyOut);
}
