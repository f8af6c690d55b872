/**
 * GrantPayout and CancelPayout CUWOs. Provider-neutral: the activities choose the adapter from the
 * payment method configuration (GrantPayout) or from the processing data (CancelPayout).
 */
import { CancellationScope, proxyActivities } from '@temporalio/workflow';
import type { PayoutActivities } from '../activities/payouts';
import {
  GrantPayoutTypes,
  GrantPayoutWorkflowParameters,
  formatMoney,
  parseWith,
  type CancelPayoutWorkflowParameters,
  type CancelPayoutWorkflowResult,
  type GrantPayoutActivityInput,
  type GrantPayoutWorkflowFailure,
  type GrantPayoutWorkflowResult,
  type PayoutStep,
  type Settled,
} from '../contracts';
import { runCompensation } from './compensation';
import { CANCEL_PAYOUT } from './compensation-specs';
import { CuwoRun } from './cuwo-run';
import { documentsDescription, notifyTargets, requestIdOf } from './inputs';
import { CANCELLABLE_SEND_OPTIONS, PROVIDER_ACTIVITY_OPTIONS, unsettledEnd } from './provider-calls';

/** The activities, with a summary the Web UI shows for the call (no amounts, no personal data). */
const payouts = (summary: string) => proxyActivities<PayoutActivities>({ ...PROVIDER_ACTIVITY_OPTIONS, summary });
const cancellablePayouts = (summary: string) => proxyActivities<PayoutActivities>({ ...CANCELLABLE_SEND_OPTIONS, summary });

type GrantFailure = Omit<GrantPayoutWorkflowFailure, '@type'>;

export async function GrantPayout(input: GrantPayoutWorkflowParameters): Promise<GrantPayoutWorkflowResult> {
  const run = new CuwoRun('GrantPayout', requestIdOf(input, 'payoutRequestID'), { cancellable: true });
  const failure = (fields: GrantFailure, message: string, needsReconciliation = false) =>
    run.fail({ '@type': GrantPayoutTypes.failure, ...fields }, message, needsReconciliation);

  const parsed = parseWith(GrantPayoutWorkflowParameters, input);
  if (!parsed.ok) {
    throw failure(
      { failureReason: 'INVALID_PARAMETERS', failureCode: 'INVALID_PARAMETERS' },
      `invalid GrantPayoutWorkflowParameters: ${parsed.message}`,
    );
  }
  const params = parsed.value;
  const canceled = () => run.cancel({ '@type': GrantPayoutTypes.cancelation, cancelationReason: 'CANCELED_BY_REQUEST' });
  if (run.cancelRequested) throw canceled();

  /** Fails after a money movement may have happened: compensation first, then the failure. */
  const failAndCompensate = async (fields: GrantFailure, message: string, needsReconciliation = false) => {
    await run.compensate(CANCEL_PAYOUT, params.payoutRequestID, fields.payoutProcessingData);
    return failure(fields, message, needsReconciliation);
  };

  const locale = params.cuwoContextInformation.locale;
  const grantInput: GrantPayoutActivityInput = {
    payoutRequestID: params.payoutRequestID,
    amount: { amount: params.requestedAmount.amount, currency: params.requestedAmount.currency },
    accountName: params.paymentMethodConfiguration.accountName,
    destinations: params.customerIdentifiers,
    // The customer's locale: the statement text is written in it, and disburseFunds gets it as userLocale.
    description: documentsDescription('Payout', params.invoiceOrCreditMemoInformation, params.payoutRequestID, locale),
    locale,
    notify: notifyTargets(),
  };
  const summary = `grant payout via account "${params.paymentMethodConfiguration.accountName}"`;
  let step: Settled<PayoutStep>;
  let polling = false;
  try {
    // A cancel request stops the payout until it is handed to the provider (the activity asks the CUWO
    // before sending); after that it is decided on once the outcome is known.
    const first = run.moneySafety
      ? await cancellablePayouts(summary).grantPayout(grantInput)
      : await CancellationScope.nonCancellable(() => payouts(summary).grantPayout(grantInput));
    polling = true;
    // Asynchronous providers: ask again on the provider's cadence, or at once when its callback arrives.
    step = await run.followPending(
      first,
      (processingData, pending) =>
        payouts(`${pending.provider}: payout status`).payoutStatus({
          payoutRequestID: params.payoutRequestID,
          processingData,
          notify: notifyTargets(),
        }),
      (pending) => (pending.redirectUrl ? 'WAITING_FOR_RECEIVER' : 'PROCESSING'),
      true,
    );
  } catch (err) {
    const end = unsettledEnd(run, err, polling, 'payout');
    if (end.kind === 'canceled') throw canceled();
    const fields: GrantFailure = { failureReason: end.reason, failureCode: end.reason, payoutProcessingData: run.state.processingData };
    throw end.compensate ? await failAndCompensate(fields, end.message, end.needsReconciliation) : failure(fields, end.message);
  }

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
  // Another execution owns this request's provider key: nothing moved here, and nothing may be compensated.
  if (step.reason === 'DUPLICATE_REQUEST') throw failure(fields, step.message, true);
  if (step.moneyMayHaveMoved) throw await failAndCompensate(fields, step.message, step.needsReconciliation);
  if (run.cancelRequested) throw canceled();
  if (step.cancelation) {
    throw run.cancel({ '@type': GrantPayoutTypes.cancelation, cancelationReason: step.cancelation }, step.message);
  }
  throw failure(fields, step.message, step.needsReconciliation);
}

/** Compensation for GrantPayout. */
export async function CancelPayout(input: CancelPayoutWorkflowParameters): Promise<CancelPayoutWorkflowResult> {
  return runCompensation(input, CANCEL_PAYOUT, ({ requestId, reference, processingData }) =>
    payouts('cancel payout (compensation)').cancelPayout({
      payoutRequestID: requestId,
      payoutReference: reference,
      processingData,
      notify: notifyTargets(),
    }),
  );
}
