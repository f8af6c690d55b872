/**
 * GrantPayout and CancelPayout CUWOs. Provider-neutral: the activities choose the adapter from the
 * payment method configuration (GrantPayout) or from the processing data (CancelPayout).
 */
import { ActivityFailure, CancellationScope, proxyActivities } from '@temporalio/workflow';
import type { PayoutActivities } from '../activities/payouts';
import type { PayoutStep } from '../activities/types';
import { parseWith } from '../contracts/common';
import { workflowIds } from '../contracts/ids';
import { formatMoney } from '../contracts/money';
import {
  CancelPayoutTypes,
  CancelPayoutWorkflowParameters,
  GrantPayoutTypes,
  GrantPayoutWorkflowParameters,
  type CancelPayoutWorkflowResult,
  type GrantPayoutWorkflowFailure,
  type GrantPayoutWorkflowResult,
} from '../contracts/payout';
import { runCompensation } from './compensation';
import { CuwoRun, PROVIDER_ACTIVITY_OPTIONS, documentsDescription, notifyTargets, requestIdOf } from './cuwo-run';

/** The activities, with a summary the Web UI shows for the call (no amounts, no personal data). */
const payouts = (summary: string) => proxyActivities<PayoutActivities>({ ...PROVIDER_ACTIVITY_OPTIONS, summary });

type GrantFailure = Omit<GrantPayoutWorkflowFailure, '@type'>;

export async function GrantPayout(input: GrantPayoutWorkflowParameters): Promise<GrantPayoutWorkflowResult> {
  const run = new CuwoRun('GrantPayout', requestIdOf(input, 'payoutRequestID'));
  const failure = (fields: GrantFailure, message: string) =>
    run.fail({ '@type': GrantPayoutTypes.failure, ...fields }, message);

  const parsed = parseWith(GrantPayoutWorkflowParameters, input);
  if (!parsed.ok) {
    throw failure({ failureReason: 'INVALID_PARAMETERS', failureCode: 'INVALID_PARAMETERS' }, `invalid GrantPayoutWorkflowParameters: ${parsed.message}`);
  }
  const params = parsed.value;
  const canceled = () => run.cancel({ '@type': GrantPayoutTypes.cancelation, cancelationReason: 'CANCELED_BY_REQUEST' });
  if (run.cancelRequested) throw canceled();

  /** Fails after a money movement may have happened: compensation first, then the failure. */
  const failAndCompensate = async (fields: GrantFailure, message: string) => {
    await run.compensate('CancelPayout', workflowIds.cancelPayout(params.payoutRequestID), [
      {
        '@type': CancelPayoutTypes.parameters,
        payoutRequestID: params.payoutRequestID,
        payoutReference: run.state.reference,
        payoutProcessingData: fields.payoutProcessingData,
      },
    ]);
    return failure(fields, message);
  };

  let first: PayoutStep;
  try {
    // Non-cancellable: a cancel request must not abandon a request that may already be paying out.
    first = await CancellationScope.nonCancellable(() =>
      payouts(`grant payout via account "${params.paymentMethodConfiguration.accountName}"`).grantPayout({
        payoutRequestID: params.payoutRequestID,
        amount: { amount: params.requestedAmount.amount, currency: params.requestedAmount.currency },
        accountName: params.paymentMethodConfiguration.accountName,
        destinations: params.customerIdentifiers,
        description: documentsDescription('Payout', params.invoiceOrCreditMemoInformation, params.payoutRequestID),
        notify: notifyTargets(),
      }),
    );
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    // A defect or non-retryable error inside the activity: the request may have been sent.
    const processingData = run.state.processingData;
    const fields: GrantFailure = { failureReason: 'INTERNAL_ERROR', failureCode: 'INTERNAL_ERROR', payoutProcessingData: processingData };
    const message = `payout activity failed: ${err.cause?.message ?? err.message}`;
    throw run.state.moneyMayHaveMoved ? await failAndCompensate(fields, message) : failure(fields, message);
  }

  // Asynchronous providers: ask again on the provider's cadence, or at once when its callback arrives.
  const step = await run.followPending(
    first,
    (processingData, pending) => payouts(`${pending.provider}: payout status`).payoutStatus({ processingData, notify: notifyTargets() }),
    (pending) => (pending.redirectUrl ? 'WAITING_FOR_RECEIVER' : 'PROCESSING'),
    true,
  );

  // The activity's result is authoritative: a definite decline clears "money may have moved".
  run.record({
    stage: step.status,
    provider: step.provider,
    processingData: step.processingData,
    reference: step.status === 'PAID' ? step.reference : undefined,
    moneyMayHaveMoved: step.status === 'PAID' || step.moneyMayHaveMoved,
  });
  if (step.status === 'PAID') {
    if (run.cancelRequested) {
      // Spec: a performed payout can no longer end Canceled; fail and let CancelPayout try to revert it.
      throw await failAndCompensate(
        { failureReason: 'CANCELED_AFTER_PAYOUT', failureCode: 'CANCELED_AFTER_PAYOUT', payoutProcessingData: step.processingData },
        `cancel requested after ${formatMoney(step.processedAmount)} was paid out (reference ${step.reference})`,
      );
    }
    return run.succeed({
      '@type': GrantPayoutTypes.result,
      processedAmount: step.processedAmount,
      payoutReference: step.reference,
      payoutProcessingData: step.processingData,
    });
  }
  const fields: GrantFailure = { failureReason: step.reason, failureCode: step.failureCode, payoutProcessingData: step.processingData };
  if (step.moneyMayHaveMoved) throw await failAndCompensate(fields, step.message);
  if (run.cancelRequested) throw canceled();
  if (step.cancelation) {
    throw run.cancel({ '@type': GrantPayoutTypes.cancelation, cancelationReason: step.cancelation }, step.message);
  }
  throw failure(fields, step.message);
}

/** Compensation for GrantPayout. */
export async function CancelPayout(input: CancelPayoutWorkflowParameters): Promise<CancelPayoutWorkflowResult> {
  return runCompensation<CancelPayoutWorkflowResult>(input, {
    cuwo: 'CancelPayout',
    parameters: CancelPayoutWorkflowParameters,
    types: CancelPayoutTypes,
    fields: { requestId: 'payoutRequestID', reference: 'payoutReference', processingData: 'payoutProcessingData' },
    undo: ({ requestId, reference, processingData }) =>
      payouts('cancel payout (compensation)').cancelPayout({ payoutRequestID: requestId, payoutReference: reference, processingData, notify: notifyTargets() }),
  });
}
