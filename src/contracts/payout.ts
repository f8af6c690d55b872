/** GrantPayout (docs/spec/grant-payout.txt) and CancelPayout (docs/enfore-cuwo.md) structures, `@type` strings exact. */
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
import { nfonType, structure } from './nfon';
import { CancelPayoutWorkflowFailureReason, GrantPayoutWorkflowCancelationReason, GrantPayoutWorkflowFailureReason } from './reasons';

const id = idSchema;

export const GrantPayoutTypes = {
  parameters: nfonType('grantpayout', 'GrantPayoutWorkflowParameters'),
  result: nfonType('grantpayout', 'GrantPayoutWorkflowResult'),
  failure: nfonType('grantpayout', 'GrantPayoutWorkflowFailure'),
  cancelation: nfonType('grantpayout', 'GrantPayoutWorkflowCancelation'),
} as const;

export const GrantPayoutWorkflowParameters = structure(GrantPayoutTypes.parameters, {
  payoutRequestID: id,
  requestedAmount: positiveMoneySchema,
  invoiceOrCreditMemoInformation: dataList(invoiceOrCreditMemoInformationSchema),
  customerInformation: customerInformationSchema,
  customerIdentifiers: dataList(customerIdentifierSchema),
  cuwoContextInformation: cuwoContextInformationSchema,
  paymentMethodConfiguration: paymentMethodConfigurationSchema,
});
export const GrantPayoutWorkflowResult = structure(GrantPayoutTypes.result, {
  processedAmount: moneySchema,
  payoutReference: z.string(),
  payoutProcessingData: z.string().optional(),
  customReceiptDocumentInformation: dataList(customDocumentInformationSchema).optional(),
});
export const GrantPayoutWorkflowFailure = structure(GrantPayoutTypes.failure, {
  failureReason: GrantPayoutWorkflowFailureReason,
  failureCode: z.string().optional(),
  payoutProcessingData: z.string().optional(),
});
export const GrantPayoutWorkflowCancelation = structure(GrantPayoutTypes.cancelation, {
  cancelationReason: GrantPayoutWorkflowCancelationReason,
});

export const CancelPayoutTypes = {
  parameters: nfonType('cancelpayout', 'CancelPayoutWorkflowParameters'),
  result: nfonType('cancelpayout', 'CancelPayoutWorkflowResult'),
  failure: nfonType('cancelpayout', 'CancelPayoutWorkflowFailure'),
} as const;

export const CancelPayoutWorkflowParameters = structure(CancelPayoutTypes.parameters, {
  payoutRequestID: id,
  payoutReference: referenceSchema,
  payoutProcessingData: processingDataSchema,
});
/** Assumed to mirror CancelPaymentWorkflowResult (the platform page was not readable). */
export const CancelPayoutWorkflowResult = structure(CancelPayoutTypes.result, {
  payoutProcessingData: z.string().optional(),
});
export const CancelPayoutWorkflowFailure = structure(CancelPayoutTypes.failure, {
  failureReason: CancelPayoutWorkflowFailureReason,
  failureCode: z.string().optional(),
  payoutProcessingData: z.string().optional(),
});

export type GrantPayoutWorkflowParameters = z.infer<typeof GrantPayoutWorkflowParameters>;
export type GrantPayoutWorkflowResult = z.infer<typeof GrantPayoutWorkflowResult>;
export type GrantPayoutWorkflowFailure = z.infer<typeof GrantPayoutWorkflowFailure>;
export type GrantPayoutWorkflowCancelation = z.infer<typeof GrantPayoutWorkflowCancelation>;
export type CancelPayoutWorkflowParameters = z.infer<typeof CancelPayoutWorkflowParameters>;
export type CancelPayoutWorkflowResult = z.infer<typeof CancelPayoutWorkflowResult>;
export type CancelPayoutWorkflowFailure = z.infer<typeof CancelPayoutWorkflowFailure>;
