/**
 * The two compensations as typed specs: how CancelPayout (docs/enfore-cuwo.md) and CancelPayment
 * (docs/spec/cancel-payment.txt) read their request from the parsed parameters and build their
 * parameters, Result and Failure structures. compensation.ts runs either one; compensation-start.ts
 * (a failing CUWO) and children.ts (an orchestrator) start them.
 */
import {
  CancelPaymentTypes,
  CancelPaymentWorkflowParameters,
  CancelPayoutTypes,
  CancelPayoutWorkflowParameters,
  parseWith,
  workflowIds,
  type CancelPaymentFailureReason,
  type CancelPaymentWorkflowFailure,
  type CancelPaymentWorkflowResult,
  type CancelPayoutFailureReason,
  type CancelPayoutWorkflowFailure,
  type CancelPayoutWorkflowResult,
} from '../contracts';

/** What a compensation knows of the request it undoes, whatever the spec calls the fields. */
export interface CompensationRequest {
  requestId: string;
  reference?: string;
  processingData?: string;
}

/** The reasons every compensation may fail with on its own (every failure-reason enum has them). */
export type OwnFailureReason = 'INVALID_PARAMETERS' | 'INTERNAL_ERROR';

/** A compensation CUWO, typed by its Parameters, Result, Failure and failure reasons. */
export interface CompensationSpec<P, R, F, Reason extends string> {
  /** The CUWO's name, which is also its workflow type. */
  cuwo: 'CancelPayout' | 'CancelPayment';
  types: { parameters: string; result: string; failure: string };
  /** Its one possible workflow id: a second trigger finds the first execution. */
  workflowId(requestId: string): string;
  /** Where the request id is in input that may not pass validation (for the search attribute only). */
  requestIdField: keyof P & string;
  parse(input: unknown): { ok: true; value: P } | { ok: false; message: string };
  request(parameters: P): CompensationRequest;
  parameters(request: CompensationRequest): P;
  result(processingData: string | undefined): R;
  /** The latest processing data a successful compensation hands back. */
  processingDataOf(result: R): string | undefined;
  failure(reason: Reason | OwnFailureReason, failureCode: string | undefined, processingData: string | undefined): F;
}

/** Undoes GrantPayout: reverts the payout, or fails with what a person needs to reconcile it. */
export const CANCEL_PAYOUT: CompensationSpec<
  CancelPayoutWorkflowParameters,
  CancelPayoutWorkflowResult,
  CancelPayoutWorkflowFailure,
  CancelPayoutFailureReason
> = {
  cuwo: 'CancelPayout',
  types: CancelPayoutTypes,
  workflowId: workflowIds.cancelPayout,
  requestIdField: 'payoutRequestID',
  parse: (input) => parseWith(CancelPayoutWorkflowParameters, input),
  request: (parameters) => ({
    requestId: parameters.payoutRequestID,
    reference: parameters.payoutReference,
    processingData: parameters.payoutProcessingData,
  }),
  parameters: ({ requestId, reference, processingData }) => ({
    '@type': CancelPayoutTypes.parameters,
    payoutRequestID: requestId,
    payoutReference: reference,
    payoutProcessingData: processingData,
  }),
  result: (processingData) => ({ '@type': CancelPayoutTypes.result, payoutProcessingData: processingData }),
  processingDataOf: (result) => result.payoutProcessingData,
  failure: (failureReason, failureCode, processingData) => ({
    '@type': CancelPayoutTypes.failure,
    failureReason,
    failureCode,
    payoutProcessingData: processingData,
  }),
};

/** Undoes AuthorizeOrCapturePayment and CapturePayment: releases the authorization or refunds the capture. */
export const CANCEL_PAYMENT: CompensationSpec<
  CancelPaymentWorkflowParameters,
  CancelPaymentWorkflowResult,
  CancelPaymentWorkflowFailure,
  CancelPaymentFailureReason
> = {
  cuwo: 'CancelPayment',
  types: CancelPaymentTypes,
  workflowId: workflowIds.cancelPayment,
  requestIdField: 'paymentRequestID',
  parse: (input) => parseWith(CancelPaymentWorkflowParameters, input),
  request: (parameters) => ({
    requestId: parameters.paymentRequestID,
    reference: parameters.paymentReference,
    processingData: parameters.paymentProcessingData,
  }),
  parameters: ({ requestId, reference, processingData }) => ({
    '@type': CancelPaymentTypes.parameters,
    paymentRequestID: requestId,
    paymentReference: reference,
    paymentProcessingData: processingData,
  }),
  result: (processingData) => ({ '@type': CancelPaymentTypes.result, paymentProcessingData: processingData }),
  processingDataOf: (result) => result.paymentProcessingData,
  failure: (failureReason, failureCode, processingData) => ({
    '@type': CancelPaymentTypes.failure,
    failureReason,
    failureCode,
    paymentProcessingData: processingData,
  }),
};
