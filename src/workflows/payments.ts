/**
 * AuthorizeOrCapturePayment (docs/spec/authorize-or-capture-payment.txt), CapturePayment
 * (docs/enfore-cuwo.md) and CancelPayment (docs/spec/cancel-payment.txt). Provider-neutral: the
 * activities choose the adapter from the payment method configuration or from the processing data.
 */
import { CancellationScope, proxyActivities } from '@temporalio/workflow';
import type { PaymentActivities } from '../activities/payments';
import {
  AuthorizeOrCapturePaymentTypes,
  AuthorizeOrCapturePaymentWorkflowParameters,
  CapturePaymentTypes,
  CapturePaymentWorkflowParameters,
  amountPolicyViolation,
  formatMoney,
  fromMinorUnits,
  parsePaymentOptions,
  parseWith,
  toMinorUnits,
  type AuthorizeOrCapturePaymentWorkflowFailure,
  type AuthorizeOrCapturePaymentWorkflowResult,
  type CancelPaymentWorkflowParameters,
  type CancelPaymentWorkflowResult,
  type CapturePaymentWorkflowResult,
  type CaptureStep,
  type PaymentStep,
  type Settled,
  type StartPaymentActivityInput,
} from '../contracts';
import { runCompensation } from './compensation';
import { CANCEL_PAYMENT } from './compensation-specs';
import { CuwoRun } from './cuwo-run';
import { documentsDescription, notifyTargets, requestIdOf } from './inputs';
import { CANCELLABLE_SEND_OPTIONS, PROVIDER_ACTIVITY_OPTIONS, providerCallEnd, unsettledEnd } from './provider-calls';

/** The activities, with a summary the Web UI shows for the call (no amounts, no personal data). */
const payments = (summary: string) => proxyActivities<PaymentActivities>({ ...PROVIDER_ACTIVITY_OPTIONS, summary });
const cancellablePayments = (summary: string) => proxyActivities<PaymentActivities>({ ...CANCELLABLE_SEND_OPTIONS, summary });

type AuthFailure = Omit<AuthorizeOrCapturePaymentWorkflowFailure, '@type'>;

export async function AuthorizeOrCapturePayment(
  input: AuthorizeOrCapturePaymentWorkflowParameters,
): Promise<AuthorizeOrCapturePaymentWorkflowResult> {
  const run = new CuwoRun('AuthorizeOrCapturePayment', requestIdOf(input, 'paymentRequestID'), { cancellable: true });
  const failure = (fields: AuthFailure, message: string, needsReconciliation = false) =>
    run.fail({ '@type': AuthorizeOrCapturePaymentTypes.failure, ...fields }, message, needsReconciliation);
  const invalid = (message: string) =>
    failure(
      { failureReason: 'INVALID_PARAMETERS', failureCode: 'INVALID_PARAMETERS' },
      `invalid AuthorizeOrCapturePaymentWorkflowParameters: ${message}`,
    );

  const parsed = parseWith(AuthorizeOrCapturePaymentWorkflowParameters, input);
  if (!parsed.ok) throw invalid(parsed.message);
  const params = parsed.value;
  const options = parsePaymentOptions(params.paymentMethodConfiguration.options);
  if (!options.ok) throw invalid(options.message);
  const { captureMode, amountPolicy } = options.value;
  const canceled = (reason: 'CANCELED_BY_REQUEST' | 'CUSTOMER_DID_NOT_COMPLETE_FORM', message?: string) =>
    run.cancel({ '@type': AuthorizeOrCapturePaymentTypes.cancelation, cancelationReason: reason }, message);
  if (run.cancelRequested) throw canceled('CANCELED_BY_REQUEST');

  /** Fails after money may have been authorized or captured: CancelPayment first, then the failure. */
  const failAndCompensate = async (fields: AuthFailure, message: string, needsReconciliation = false) => {
    await run.compensate(CANCEL_PAYMENT, params.paymentRequestID, fields.paymentProcessingData);
    return failure(fields, message, needsReconciliation);
  };

  const startInput: StartPaymentActivityInput = {
    paymentRequestID: params.paymentRequestID,
    amount: { amount: params.requestedAmount.amount, currency: params.requestedAmount.currency },
    mode: captureMode === 'AUTHORIZE' ? 'AUTHORIZE' : 'CAPTURE',
    accountName: params.paymentMethodConfiguration.accountName,
    description: documentsDescription(
      'Payment',
      params.invoiceOrCreditMemoInformation,
      params.paymentRequestID,
      params.cuwoContextInformation.locale,
    ),
    customerEmail: params.customerInformation.email,
    notify: notifyTargets(),
  };
  const verb = captureMode === 'AUTHORIZE' ? 'authorize' : 'capture';
  const summary = `${verb} payment via account "${params.paymentMethodConfiguration.accountName}"`;
  let step: Settled<PaymentStep>;
  let polling = false;
  try {
    // A cancel request stops the payment until it is handed to the provider (the activity asks the CUWO first).
    const first = run.moneySafety
      ? await cancellablePayments(summary).startPayment(startInput)
      : await CancellationScope.nonCancellable(() => payments(summary).startPayment(startInput));
    polling = true;
    // The customer works on the provider's form; its URL is published at once for the POS to show.
    step = await run.followPending(
      first,
      (processingData, pending) =>
        payments(`${pending.provider}: payment status`).paymentStatus({
          paymentRequestID: params.paymentRequestID,
          processingData,
          notify: notifyTargets(),
        }),
      (pending) => (pending.redirectUrl ? 'WAITING_FOR_CUSTOMER' : 'PROCESSING'),
      true,
    );
  } catch (err) {
    const end = unsettledEnd(run, err, polling, 'payment');
    if (end.kind === 'canceled') throw canceled('CANCELED_BY_REQUEST');
    const fields: AuthFailure = { failureReason: end.reason, failureCode: end.reason, paymentProcessingData: run.state.processingData };
    throw end.compensate ? await failAndCompensate(fields, end.message, end.needsReconciliation) : failure(fields, end.message);
  }
  run.record({
    stage: step.status,
    provider: step.provider,
    processingData: step.processingData,
    reference: step.status === 'APPROVED' ? step.reference : undefined,
    moneyMayHaveMoved: step.status === 'APPROVED' || step.moneyMayHaveMoved,
  });

  if (step.status === 'APPROVED') {
    // Workflow code never throws on provider data: an amount that cannot be read is a mismatch (compensated).
    const violation = amountPolicyViolation(amountPolicy, params.requestedAmount, step.processedAmount);
    const processedAmount = violation
      ? step.processedAmount
      : fromMinorUnits(toMinorUnits(step.processedAmount), step.processedAmount.currency);
    if (violation) {
      throw await failAndCompensate(
        { failureReason: 'AMOUNT_MISMATCH', failureCode: 'AMOUNT_MISMATCH', paymentProcessingData: step.processingData },
        violation,
      );
    }
    if (run.cancelRequested) {
      // Spec: with money authorized or captured the CUWO may not end Canceled; fail and release it.
      const moved = step.mode === 'AUTHORIZE' ? 'authorized' : 'captured';
      throw await failAndCompensate(
        {
          failureReason: 'CANCELED_AFTER_AUTHORIZATION',
          failureCode: 'CANCELED_AFTER_AUTHORIZATION',
          paymentProcessingData: step.processingData,
        },
        `cancel requested after ${formatMoney(processedAmount)} was ${moved} (reference ${step.reference})`,
      );
    }
    return run.succeed({
      '@type': AuthorizeOrCapturePaymentTypes.result,
      status: step.mode === 'AUTHORIZE' ? 'AUTHORIZED' : 'CAPTURED',
      processedAmount,
      paymentReference: step.reference,
      paymentProcessingData: step.processingData,
    });
  }
  const fields: AuthFailure = { failureReason: step.reason, failureCode: step.failureCode, paymentProcessingData: step.processingData };
  // Another execution owns this request's provider key: nothing moved here, and nothing may be compensated.
  if (step.reason === 'DUPLICATE_REQUEST') throw failure(fields, step.message, true);
  if (step.moneyMayHaveMoved) throw await failAndCompensate(fields, step.message, step.needsReconciliation);
  if (run.cancelRequested) throw canceled('CANCELED_BY_REQUEST');
  if (step.cancelation) throw canceled(step.cancelation, step.message);
  throw failure(fields, step.message, step.needsReconciliation);
}

/** Captures an authorized payment. A failure leaves the authorization held, so CancelPayment follows. */
export async function CapturePayment(input: CapturePaymentWorkflowParameters): Promise<CapturePaymentWorkflowResult> {
  const run = new CuwoRun('CapturePayment', requestIdOf(input, 'paymentRequestID'), { cancellable: true });
  const parsed = parseWith(CapturePaymentWorkflowParameters, input);
  if (!parsed.ok) {
    throw run.fail(
      { '@type': CapturePaymentTypes.failure, failureReason: 'INVALID_PARAMETERS', failureCode: 'INVALID_PARAMETERS' },
      `invalid CapturePaymentWorkflowParameters: ${parsed.message}`,
    );
  }
  const params = parsed.value;
  if (run.cancelRequested) throw run.cancel({ '@type': CapturePaymentTypes.cancelation, cancelationReason: 'CANCELED_BY_REQUEST' });
  if (params.paymentProcessingData)
    run.record({ stage: 'STARTED', processingData: params.paymentProcessingData, reference: params.paymentReference });

  const captureInput = (processingData: string | undefined) => ({
    paymentRequestID: params.paymentRequestID,
    paymentReference: params.paymentReference,
    processingData,
    notify: notifyTargets(),
  });
  const capture = (processingData: string | undefined) =>
    CancellationScope.nonCancellable(() => payments('capture the authorized payment').capturePayment(captureInput(processingData)));
  let step: Settled<CaptureStep>;
  try {
    // A cancel request stops the capture until it is handed to the provider; the authorization then stays for CancelPayment.
    const first = run.moneySafety
      ? await cancellablePayments('capture the authorized payment').capturePayment(captureInput(params.paymentProcessingData))
      : await capture(params.paymentProcessingData);
    step = await run.followPending(first, capture, () => 'CAPTURING', true);
  } catch (err) {
    if (!run.moneySafety) throw err; // executions recorded before MONEY_SAFETY_PATCH failed as they were
    const end = providerCallEnd(err, run.moneySafety && run.cancelRequested);
    if (end.kind === 'canceled' && !run.state.moneyMayHaveMoved) {
      // Nothing was captured: the orchestrator releases the authorization (CancelPayment).
      throw run.cancel(
        { '@type': CapturePaymentTypes.cancelation, cancelationReason: 'CANCELED_BY_REQUEST' },
        'CapturePayment canceled before the capture was sent',
      );
    }
    step = {
      status: 'FAILED',
      reason: end.kind === 'canceled' ? 'OUTCOME_UNKNOWN' : 'INTERNAL_ERROR',
      failureCode: end.kind === 'canceled' ? 'OUTCOME_UNKNOWN' : 'INTERNAL_ERROR',
      message: end.message,
      processingData: run.state.processingData,
      needsReconciliation: end.kind === 'failed',
    };
  }
  run.record({ stage: step.status, provider: step.provider, processingData: step.processingData });
  if (step.status === 'CAPTURED') {
    return run.succeed({ '@type': CapturePaymentTypes.result, paymentProcessingData: step.processingData });
  }
  const paymentProcessingData = step.processingData ?? params.paymentProcessingData;
  await run.compensate(CANCEL_PAYMENT, params.paymentRequestID, paymentProcessingData);
  throw run.fail(
    { '@type': CapturePaymentTypes.failure, failureReason: step.reason, failureCode: step.failureCode, paymentProcessingData },
    step.message,
    run.moneySafety && step.needsReconciliation,
  );
}

/** Releases an authorization or refunds a capture; spec: no cancelation. */
export async function CancelPayment(input: CancelPaymentWorkflowParameters): Promise<CancelPaymentWorkflowResult> {
  return runCompensation(input, CANCEL_PAYMENT, ({ requestId, reference, processingData }) =>
    payments('release or refund the payment (compensation)').cancelPayment({
      paymentRequestID: requestId,
      paymentReference: reference,
      processingData,
      notify: notifyTargets(),
    }),
  );
}
