/**
 * AuthorizeOrCapturePayment (seed 001), CapturePayment (reference/enfore-cuwo.md) and CancelPayment
 * (seed 002). Provider-neutral: the activities choose the adapter from the payment method
 * configuration or from the processing data.
 */
import { ActivityFailure, CancellationScope, proxyActivities } from '@temporalio/workflow';
import type { PaymentActivities } from '../activities/payments';
import type { PaymentStep } from '../activities/types';
import { parseWith } from '../contracts/common';
import { workflowIds } from '../contracts/ids';
import { formatMoney, fromMinorUnits, toMinorUnits } from '../contracts/money';
import {
  AuthorizeOrCapturePaymentTypes,
  AuthorizeOrCapturePaymentWorkflowParameters,
  CancelPaymentTypes,
  CancelPaymentWorkflowParameters,
  CapturePaymentTypes,
  CapturePaymentWorkflowParameters,
  type AuthorizeOrCapturePaymentWorkflowFailure,
  type AuthorizeOrCapturePaymentWorkflowResult,
  type CancelPaymentWorkflowResult,
  type CapturePaymentWorkflowResult,
} from '../contracts/payment';
import { amountPolicyViolation, parsePaymentOptions } from '../contracts/payment-options';
import { runCompensation } from './compensation';
import { CuwoRun, PROVIDER_ACTIVITY_OPTIONS, documentsDescription, notifyTargets, requestIdOf } from './cuwo-run';

/** The activities, with a summary the Web UI shows for the call (no amounts, no personal data). */
const payments = (summary: string) => proxyActivities<PaymentActivities>({ ...PROVIDER_ACTIVITY_OPTIONS, summary });

type AuthFailure = Omit<AuthorizeOrCapturePaymentWorkflowFailure, '@type'>;

/** Starts CancelPayment (deterministic id, abandoned child) with the latest processing data. */
async function compensatePayment(run: CuwoRun, paymentRequestID: string, paymentProcessingData: string | undefined): Promise<void> {
  await run.compensate('CancelPayment', workflowIds.cancelPayment(paymentRequestID), [
    { '@type': CancelPaymentTypes.parameters, paymentRequestID, paymentReference: run.state.reference, paymentProcessingData },
  ]);
}

export async function AuthorizeOrCapturePayment(input: AuthorizeOrCapturePaymentWorkflowParameters): Promise<AuthorizeOrCapturePaymentWorkflowResult> {
  const run = new CuwoRun('AuthorizeOrCapturePayment', requestIdOf(input, 'paymentRequestID'));
  const failure = (fields: AuthFailure, message: string) => run.fail({ '@type': AuthorizeOrCapturePaymentTypes.failure, ...fields }, message);
  const invalid = (message: string) => failure({ failureReason: 'INVALID_PARAMETERS', failureCode: 'INVALID_PARAMETERS' }, `invalid AuthorizeOrCapturePaymentWorkflowParameters: ${message}`);

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
  const failAndCompensate = async (fields: AuthFailure, message: string) => {
    await compensatePayment(run, params.paymentRequestID, fields.paymentProcessingData);
    return failure(fields, message);
  };

  let first: PaymentStep;
  try {
    // Non-cancellable: a cancel request must not abandon a request that may already be charging the card.
    first = await CancellationScope.nonCancellable(() =>
      payments(`${captureMode === 'AUTHORIZE' ? 'authorize' : 'capture'} payment via account "${params.paymentMethodConfiguration.accountName}"`).startPayment({
        paymentRequestID: params.paymentRequestID,
        amount: { amount: params.requestedAmount.amount, currency: params.requestedAmount.currency },
        mode: captureMode === 'AUTHORIZE' ? 'AUTHORIZE' : 'CAPTURE',
        accountName: params.paymentMethodConfiguration.accountName,
        description: documentsDescription('Payment', params.invoiceOrCreditMemoInformation, params.paymentRequestID),
        customerEmail: params.customerInformation.email,
        notify: notifyTargets(),
      }),
    );
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    const fields: AuthFailure = { failureReason: 'INTERNAL_ERROR', failureCode: 'INTERNAL_ERROR', paymentProcessingData: run.state.processingData };
    const message = `payment activity failed: ${err.cause?.message ?? err.message}`;
    throw run.state.moneyMayHaveMoved ? await failAndCompensate(fields, message) : failure(fields, message);
  }

  // The customer works on the provider's form; its URL is published at once for the POS to show.
  const step = await run.followPending(
    first,
    (processingData, pending) => payments(`${pending.provider}: payment status`).paymentStatus({ processingData, notify: notifyTargets() }),
    (pending) => (pending.redirectUrl ? 'WAITING_FOR_CUSTOMER' : 'PROCESSING'),
    true,
  );
  run.record({
    stage: step.status,
    provider: step.provider,
    processingData: step.processingData,
    reference: step.status === 'APPROVED' ? step.reference : undefined,
    moneyMayHaveMoved: step.status === 'APPROVED' || step.moneyMayHaveMoved,
  });

  if (step.status === 'APPROVED') {
    const processedAmount = fromMinorUnits(toMinorUnits(step.processedAmount), step.processedAmount.currency);
    const violation = amountPolicyViolation(amountPolicy, params.requestedAmount, processedAmount);
    if (violation) {
      throw await failAndCompensate({ failureReason: 'AMOUNT_MISMATCH', failureCode: 'AMOUNT_MISMATCH', paymentProcessingData: step.processingData }, violation);
    }
    if (run.cancelRequested) {
      // Spec: with money authorized or captured the CUWO may not end Canceled; fail and release it.
      throw await failAndCompensate(
        { failureReason: 'CANCELED_AFTER_AUTHORIZATION', failureCode: 'CANCELED_AFTER_AUTHORIZATION', paymentProcessingData: step.processingData },
        `cancel requested after ${formatMoney(processedAmount)} was ${step.mode === 'AUTHORIZE' ? 'authorized' : 'captured'} (reference ${step.reference})`,
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
  if (step.moneyMayHaveMoved) throw await failAndCompensate(fields, step.message);
  if (run.cancelRequested) throw canceled('CANCELED_BY_REQUEST');
  if (step.cancelation) throw canceled(step.cancelation, step.message);
  throw failure(fields, step.message);
}

/** Captures an authorized payment. A failure leaves the authorization held, so CancelPayment follows. */
export async function CapturePayment(input: CapturePaymentWorkflowParameters): Promise<CapturePaymentWorkflowResult> {
  const run = new CuwoRun('CapturePayment', requestIdOf(input, 'paymentRequestID'));
  const parsed = parseWith(CapturePaymentWorkflowParameters, input);
  if (!parsed.ok) {
    throw run.fail(
      { '@type': CapturePaymentTypes.failure, failureReason: 'INVALID_PARAMETERS', failureCode: 'INVALID_PARAMETERS' },
      `invalid CapturePaymentWorkflowParameters: ${parsed.message}`,
    );
  }
  const params = parsed.value;
  if (run.cancelRequested) throw run.cancel({ '@type': CapturePaymentTypes.cancelation, cancelationReason: 'CANCELED_BY_REQUEST' });
  if (params.paymentProcessingData) run.record({ stage: 'STARTED', processingData: params.paymentProcessingData, reference: params.paymentReference });

  const capture = (processingData: string | undefined) =>
    CancellationScope.nonCancellable(() =>
      payments('capture the authorized payment').capturePayment({ paymentRequestID: params.paymentRequestID, paymentReference: params.paymentReference, processingData, notify: notifyTargets() }),
    );
  const step = await run.followPending(await capture(params.paymentProcessingData), capture, () => 'CAPTURING', true);
  run.record({ stage: step.status, provider: step.provider, processingData: step.processingData });
  if (step.status === 'CAPTURED') {
    return run.succeed({ '@type': CapturePaymentTypes.result, paymentProcessingData: step.processingData });
  }
  const paymentProcessingData = step.processingData ?? params.paymentProcessingData;
  await compensatePayment(run, params.paymentRequestID, paymentProcessingData);
  throw run.fail({ '@type': CapturePaymentTypes.failure, failureReason: step.reason, failureCode: step.failureCode, paymentProcessingData }, step.message);
}

/** Releases an authorization or refunds a capture; spec: no cancelation. */
export async function CancelPayment(input: CancelPaymentWorkflowParameters): Promise<CancelPaymentWorkflowResult> {
  return runCompensation<CancelPaymentWorkflowResult>(input, {
    cuwo: 'CancelPayment',
    parameters: CancelPaymentWorkflowParameters,
    types: CancelPaymentTypes,
    fields: { requestId: 'paymentRequestID', reference: 'paymentReference', processingData: 'paymentProcessingData' },
    undo: ({ requestId, reference, processingData }) =>
      payments('release or refund the payment (compensation)').cancelPayment({ paymentRequestID: requestId, paymentReference: reference, processingData, notify: notifyTargets() }),
  });
}
