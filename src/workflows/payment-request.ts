/**
 * PaymentRequest: the platform's role for a payment. Runs AuthorizeOrCapturePayment, then (when
 * AUTHORIZED and capture is wanted) CapturePayment; on any failure or abnormal end of a child it
 * runs CancelPayment with the latest processing data; after success it waits for the POS side to
 * complete or abort the sale, and an abort runs CancelPayment too (docs/spec/cancel-payment.txt, third case). Exactly
 * one CancelPayment per payment request, whatever triggers it (deterministic id, REJECT_DUPLICATE).
 */
import { ApplicationFailure, CancellationScope, condition, getExternalWorkflowHandle, setHandler } from '@temporalio/workflow';
import {
  AuthorizeOrCapturePaymentTypes,
  CapturePaymentTypes,
  DEFAULT_COMPLETION_TIMEOUT_MS,
  MAX_REQUEST_ID_LENGTH,
  abortSignal,
  completeSignal,
  parsePaymentRequestOptions,
  workflowIds,
  type AuthorizeOrCapturePaymentWorkflowCancelation,
  type AuthorizeOrCapturePaymentWorkflowFailure,
  type AuthorizeOrCapturePaymentWorkflowParameters,
  type AuthorizeOrCapturePaymentWorkflowResult,
  type CancelPaymentWorkflowFailure,
  type CancelPaymentWorkflowResult,
  type CapturePaymentWorkflowCancelation,
  type CapturePaymentWorkflowFailure,
  type CapturePaymentWorkflowResult,
  type CuwoEnd,
  type PaymentRequestOptions,
} from '../contracts';
import { cuwoRecordedProcessingData, runCuwoChild, settleCompensation, type SettledCompensation } from './children';
import { CANCEL_PAYMENT } from './compensation-specs';
import { CuwoRun } from './cuwo-run';
import { requestIdOf } from './inputs';

export interface PaymentRequestResult {
  paymentRequestID: string;
  /**
   * BOOKED: the money stays; FAILED / CANCELED: nothing stays (see compensation; a cancel request after
   * the payment went through is compensated too); ABORTED: the POS side undid it.
   */
  outcome: 'BOOKED' | 'FAILED' | 'CANCELED' | 'ABORTED';
  authorizeOrCapture: CuwoEnd<
    AuthorizeOrCapturePaymentWorkflowResult,
    AuthorizeOrCapturePaymentWorkflowFailure,
    AuthorizeOrCapturePaymentWorkflowCancelation
  >;
  capture?: CuwoEnd<CapturePaymentWorkflowResult, CapturePaymentWorkflowFailure, CapturePaymentWorkflowCancelation>;
  compensation?: SettledCompensation<CancelPaymentWorkflowResult, CancelPaymentWorkflowFailure, 'PaymentRequest' | 'CUWO'>;
  abortReason?: string;
  paymentProcessingData?: string;
}

export async function PaymentRequest(
  input: AuthorizeOrCapturePaymentWorkflowParameters,
  requestOptions: PaymentRequestOptions = {},
): Promise<PaymentRequestResult> {
  const paymentRequestID = requestIdOf(input, 'paymentRequestID');
  if (!paymentRequestID?.trim() || paymentRequestID.length > MAX_REQUEST_ID_LENGTH) {
    throw ApplicationFailure.nonRetryable(
      `paymentRequestID: must be a non-blank string of at most ${MAX_REQUEST_ID_LENGTH} characters`,
      'InvalidParameters',
    );
  }
  // Checked before anything is recorded, like the id: invalid options end the request with no command.
  const parsedOptions = parsePaymentRequestOptions(requestOptions);
  if (!parsedOptions.ok) throw ApplicationFailure.nonRetryable(parsedOptions.message, 'InvalidParameters');
  const options = parsedOptions.value;
  const run = new CuwoRun('PaymentRequest', paymentRequestID);
  let abort: { reason?: string } | undefined;
  let completed = false;
  setHandler(abortSignal, (request) => {
    abort ??= request ?? {};
  });
  setHandler(completeSignal, () => {
    completed = true;
  });

  // A cancel request or an abort while a CUWO runs is passed on to it: it alone knows whether it may still cancel.
  let running: string | undefined;
  const cancelRunning = async (): Promise<void> => {
    const target = running;
    // A CUWO that already finished cannot be canceled; its outcome is handled below.
    if (target) await CancellationScope.nonCancellable(() => getExternalWorkflowHandle(target).cancel()).catch(() => undefined);
  };
  CancellationScope.current().cancelRequested.catch(cancelRunning);
  void CancellationScope.nonCancellable(() => condition(() => abort !== undefined)).then(cancelRunning);

  // Once money may have moved no step of the orchestrator is cancellable: a cancel request leads to
  // the compensation instead (executions recorded before MONEY_SAFETY_PATCH ran in the root scope).
  const flow = async (): Promise<PaymentRequestResult> => {
    /** A cancel request (or, after success, a POS abort) that must undo what went through. */
    const undoRequested = () => run.moneySafety && run.cancelRequested;
    if (undoRequested()) {
      return run.complete(
        {
          paymentRequestID,
          outcome: 'CANCELED',
          authorizeOrCapture: { outcome: 'CANCELED', workflowId: workflowIds.authorizeOrCapturePayment(paymentRequestID) },
        },
        'CANCELED',
      );
    }

    const authId = workflowIds.authorizeOrCapturePayment(paymentRequestID);
    running = authId;
    run.record({ stage: 'AUTHORIZING' });
    const auth = await runCuwoChild<
      AuthorizeOrCapturePaymentWorkflowResult,
      AuthorizeOrCapturePaymentWorkflowFailure,
      AuthorizeOrCapturePaymentWorkflowCancelation
    >('AuthorizeOrCapturePayment', authId, [input], AuthorizeOrCapturePaymentTypes);
    running = undefined;
    const result: PaymentRequestResult = { paymentRequestID, outcome: 'BOOKED', authorizeOrCapture: auth };
    const latest = (data: string | undefined) => {
      if (data) run.record({ stage: run.state.stage, processingData: data });
      result.paymentProcessingData = run.state.processingData;
    };

    if (auth.outcome === 'CANCELED') {
      result.outcome = 'CANCELED';
      return run.complete(result, 'CANCELED');
    }
    if (auth.outcome !== 'SUCCESS') {
      const reason = auth.outcome === 'FAILURE' ? auth.failure.failureReason : 'ABNORMAL_END';
      // Another execution owns this payment's provider key: its money is not ours to compensate.
      if (run.moneySafety && reason === 'DUPLICATE_REQUEST') {
        result.outcome = 'FAILED';
        return run.complete(result, 'FAILURE', reason, true);
      }
      latest(auth.outcome === 'FAILURE' ? auth.failure.paymentProcessingData : await cuwoRecordedProcessingData(run, authId));
      return compensateAndEnd(run, result, 'FAILED', reason);
    }
    latest(auth.result.paymentProcessingData);
    run.record({ stage: auth.result.status, reference: auth.result.paymentReference });
    if (undoRequested()) return undo(run, result);

    if (auth.result.status === 'AUTHORIZED' && options.capture !== false && !abort) {
      const captureId = workflowIds.capturePayment(paymentRequestID);
      running = captureId;
      run.record({ stage: 'CAPTURING' });
      const captureParameters = {
        '@type': CapturePaymentTypes.parameters,
        paymentRequestID,
        paymentReference: auth.result.paymentReference,
        paymentProcessingData: result.paymentProcessingData,
      };
      const capture = await runCuwoChild<CapturePaymentWorkflowResult, CapturePaymentWorkflowFailure, CapturePaymentWorkflowCancelation>(
        'CapturePayment',
        captureId,
        [captureParameters],
        CapturePaymentTypes,
      );
      running = undefined;
      result.capture = capture;
      if (capture.outcome !== 'SUCCESS') {
        latest(capture.outcome === 'FAILURE' ? capture.failure.paymentProcessingData : await cuwoRecordedProcessingData(run, captureId));
        const reason = capture.outcome === 'FAILURE' ? capture.failure.failureReason : `CAPTURE_${capture.outcome}`;
        return compensateAndEnd(run, result, 'FAILED', reason);
      }
      latest(capture.result.paymentProcessingData);
      run.record({ stage: 'CAPTURED' });
      if (undoRequested()) return undo(run, result);
    }

    // The payment went through; the sale on the POS side may still be completed or aborted.
    run.record({ stage: 'AWAITING_POS' });
    await CancellationScope.nonCancellable(() =>
      condition(() => completed || abort !== undefined || undoRequested(), options.completionTimeoutMs ?? DEFAULT_COMPLETION_TIMEOUT_MS),
    );
    if (undoRequested() && !abort) return undo(run, result);
    if (abort) {
      result.abortReason = abort.reason;
      return compensateAndEnd(run, result, 'ABORTED', 'ABORTED_BY_POS');
    }
    run.record({ stage: 'BOOKED' });
    return run.complete(result, 'SUCCESS');
  };
  return run.moneySafety ? CancellationScope.nonCancellable(flow) : flow();
}

/** A cancel request after the payment went through: compensate, and report the request canceled. */
function undo(run: CuwoRun, result: PaymentRequestResult): Promise<PaymentRequestResult> {
  return compensateAndEnd(run, result, 'CANCELED', 'CANCELED_AFTER_PAYMENT');
}

/**
 * Runs CancelPayment with the latest processing data (or follows the one a CUWO already started) to its
 * end, then ends the request: FAILED and ABORTED report FAILURE (flagged when money may still be out).
 */
async function compensateAndEnd(
  run: CuwoRun,
  result: PaymentRequestResult,
  outcome: 'FAILED' | 'ABORTED' | 'CANCELED',
  reason: string,
): Promise<PaymentRequestResult> {
  const compensated = await settleCompensation(run, CANCEL_PAYMENT, result.paymentRequestID, result.paymentProcessingData, {
    here: 'PaymentRequest',
    cuwo: 'CUWO',
  });
  result.compensation = compensated.compensation;
  result.paymentProcessingData = compensated.processingData;
  result.outcome = outcome;
  run.record({ stage: outcome === 'FAILED' ? 'COMPENSATED' : outcome, processingData: result.paymentProcessingData });
  const failureReason = outcome === 'CANCELED' ? undefined : reason;
  return run.complete(result, outcome === 'CANCELED' ? 'CANCELED' : 'FAILURE', failureReason, compensated.leftMoneyOut);
}
