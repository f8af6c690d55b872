/**
 * AuthorizeOrCapturePayment (docs/spec/authorize-or-capture-payment.txt), CancelPayment
 * (docs/spec/cancel-payment.txt) and CapturePayment (docs/enfore-cuwo.md) structures, `@type` strings exact.
 */
import { z } from 'zod';
import {
  customDocumentInformationSchema,
  customerIdentifierSchema,
  customerInformationSchema,
  cuwoContextInformationSchema,
  dataList,
  invoiceOrCreditMemoInformationSchema,
  idSchema,
  moneySchema,
  paymentMethodConfigurationSchema,
  processingDataSchema,
  referenceSchema,
  positiveMoneySchema,
} from './common';
import { amountProblem, toMinorUnits } from './money';
import { nfonType, structure } from './nfon';
import {
  AuthorizeOrCapturePaymentWorkflowCancelationReason,
  AuthorizeOrCapturePaymentWorkflowFailureReason,
  AuthorizeOrCapturePaymentWorkflowResultStatus,
  CancelPaymentWorkflowFailureReason,
  CapturePaymentWorkflowCancelationReason,
  CapturePaymentWorkflowFailureReason,
} from './reasons';

const id = idSchema;

export const AuthorizeOrCapturePaymentTypes = {
  parameters: nfonType('authorizeorcapturepayment', 'AuthorizeOrCapturePaymentWorkflowParameters'),
  result: nfonType('authorizeorcapturepayment', 'AuthorizeOrCapturePaymentWorkflowResult'),
  failure: nfonType('authorizeorcapturepayment', 'AuthorizeOrCapturePaymentWorkflowFailure'),
  cancelation: nfonType('authorizeorcapturepayment', 'AuthorizeOrCapturePaymentWorkflowCancelation'),
} as const;

export const AuthorizeOrCapturePaymentWorkflowParameters = structure(AuthorizeOrCapturePaymentTypes.parameters, {
  paymentRequestID: id,
  requestedAmount: positiveMoneySchema,
  includedTipAmount: moneySchema,
  invoiceOrCreditMemoInformation: dataList(invoiceOrCreditMemoInformationSchema),
  customerInformation: customerInformationSchema,
  customerIdentifiers: dataList(customerIdentifierSchema),
  cuwoContextInformation: cuwoContextInformationSchema,
  paymentMethodConfiguration: paymentMethodConfigurationSchema,
}).superRefine((params, ctx) => {
  const { requestedAmount: requested, includedTipAmount: tip } = params;
  if (tip.currency !== requested.currency) {
    ctx.addIssue({
      code: 'custom',
      path: ['includedTipAmount', 'currency'],
      message: `must equal requestedAmount.currency (${requested.currency})`,
    });
  } else if (
    !amountProblem(tip.amount, tip.currency) &&
    !amountProblem(requested.amount, requested.currency) &&
    toMinorUnits(tip) > toMinorUnits(requested)
  ) {
    // docs/spec/authorize-or-capture-payment.txt: the tip is included in the requested amount, so it cannot exceed it.
    ctx.addIssue({
      code: 'custom',
      path: ['includedTipAmount', 'amount'],
      message: `tip ${tip.amount} exceeds requestedAmount ${requested.amount}`,
    });
  }
});
export const AuthorizeOrCapturePaymentWorkflowResult = structure(AuthorizeOrCapturePaymentTypes.result, {
  status: AuthorizeOrCapturePaymentWorkflowResultStatus,
  processedAmount: moneySchema,
  paymentReference: z.string(),
  paymentProcessingData: z.string().optional(),
  customReceiptDocumentInformation: dataList(customDocumentInformationSchema).optional(),
});
export const AuthorizeOrCapturePaymentWorkflowFailure = structure(AuthorizeOrCapturePaymentTypes.failure, {
  failureReason: AuthorizeOrCapturePaymentWorkflowFailureReason,
  failureCode: z.string().optional(),
  paymentProcessingData: z.string().optional(),
});
export const AuthorizeOrCapturePaymentWorkflowCancelation = structure(AuthorizeOrCapturePaymentTypes.cancelation, {
  cancelationReason: AuthorizeOrCapturePaymentWorkflowCancelationReason,
});

export const CapturePaymentTypes = {
  parameters: nfonType('capturepayment', 'CapturePaymentWorkflowParameters'),
  result: nfonType('capturepayment', 'CapturePaymentWorkflowResult'),
  failure: nfonType('capturepayment', 'CapturePaymentWorkflowFailure'),
  cancelation: nfonType('capturepayment', 'CapturePaymentWorkflowCancelation'),
} as const;

export const CapturePaymentWorkflowParameters = structure(CapturePaymentTypes.parameters, {
  paymentRequestID: id,
  paymentReference: referenceSchema,
  paymentProcessingData: processingDataSchema,
});
export const CapturePaymentWorkflowResult = structure(CapturePaymentTypes.result, {
  paymentProcessingData: z.string().optional(),
  customReceiptDocumentInformation: dataList(customDocumentInformationSchema).optional(),
});
/** Failure and cancelation pages were not readable: assumed to have the shape of the other CUWOs. */
export const CapturePaymentWorkflowFailure = structure(CapturePaymentTypes.failure, {
  failureReason: CapturePaymentWorkflowFailureReason,
  failureCode: z.string().optional(),
  paymentProcessingData: z.string().optional(),
});
export const CapturePaymentWorkflowCancelation = structure(CapturePaymentTypes.cancelation, {
  cancelationReason: CapturePaymentWorkflowCancelationReason,
});

export const CancelPaymentTypes = {
  parameters: nfonType('cancelpayment', 'CancelPaymentWorkflowParameters'),
  result: nfonType('cancelpayment', 'CancelPaymentWorkflowResult'),
  failure: nfonType('cancelpayment', 'CancelPaymentWorkflowFailure'),
} as const;

export const CancelPaymentWorkflowParameters = structure(CancelPaymentTypes.parameters, {
  paymentRequestID: id,
  paymentReference: referenceSchema,
  paymentProcessingData: processingDataSchema,
});
export const CancelPaymentWorkflowResult = structure(CancelPaymentTypes.result, {
  paymentProcessingData: z.string().optional(),
});
export const CancelPaymentWorkflowFailure = structure(CancelPaymentTypes.failure, {
  failureReason: CancelPaymentWorkflowFailureReason,
  failureCode: z.string().optional(),
  paymentProcessingData: z.string().optional(),
});

export type AuthorizeOrCapturePaymentWorkflowParameters = z.infer<typeof AuthorizeOrCapturePaymentWorkflowParameters>;
export type AuthorizeOrCapturePaymentWorkflowResult = z.infer<typeof AuthorizeOrCapturePaymentWorkflowResult>;
export type AuthorizeOrCapturePaymentWorkflowFailure = z.infer<typeof AuthorizeOrCapturePaymentWorkflowFailure>;
export type AuthorizeOrCapturePaymentWorkflowCancelation = z.infer<typeof AuthorizeOrCapturePaymentWorkflowCancelation>;
export type CapturePaymentWorkflowParameters = z.infer<typeof CapturePaymentWorkflowParameters>;
export type CapturePaymentWorkflowResult = z.infer<typeof CapturePaymentWorkflowResult>;
export type CapturePaymentWorkflowFailure = z.infer<typeof CapturePaymentWorkflowFailure>;
export type CapturePaymentWorkflowCancelation = z.infer<typeof CapturePaymentWorkflowCancelation>;
export type CancelPaymentWorkflowParameters = z.infer<typeof CancelPaymentWorkflowParameters>;
export type CancelPaymentWorkflowResult = z.infer<typeof CancelPaymentWorkflowResult>;
export type CancelPaymentWorkflowFailure = z.infer<typeof CancelPaymentWorkflowFailure>;
