/**
 * Failure and cancelation reasons. The platform does not publish the enum values, so these are OUR
 * definitions; each provider maps its own codes onto them in one table (src/activities/providers/*\/codes.ts),
 * and the provider's own code always travels alongside in `failureCode`.
 */
import { z } from 'zod';

/** Reasons every CUWO can fail with. */
const COMMON_FAILURES = [
  'INVALID_PARAMETERS', // the input did not match the specification; nothing was done
  'CONFIGURATION_ERROR', // the payment method configuration names no usable account; nothing was done
  'PROVIDER_ERROR', // the provider refused the request or answered against its protocol
  'OUTCOME_UNKNOWN', // the provider's outcome could not be learned; flagged for reconciliation
  'INTERNAL_ERROR', // a defect on our side; the processing data says what may have happened
  'INVALID_PROCESSING_DATA', // processing data this worker did not seal, or sealed for another request; nothing was done; flagged
  'DUPLICATE_REQUEST', // another execution owns this request's provider key: nothing moved here, nothing compensated; flagged
] as const;

export const GrantPayoutWorkflowFailureReason = z.enum([
  ...COMMON_FAILURES,
  'AMOUNT_BELOW_LIMIT',
  'AMOUNT_ABOVE_LIMIT',
  'RECEIVER_ACCOUNT_CLOSED',
  'RECEIVER_ACCOUNT_ON_HOLD',
  'RECEIVER_NOT_IDENTIFIED', // no usable payout destination among the customer identifiers
  'DECLINED',
  'FILTERED', // stopped by the provider's anti-fraud
  'CANCELED_AFTER_PAYOUT', // a cancel request came after the payout was made (spec: must fail, not cancel)
]);
export const GrantPayoutWorkflowCancelationReason = z.enum([
  'CANCELED_BY_REQUEST', // a cancel request arrived before any money moved
  'RECEIVER_DID_NOT_CONFIRM', // the receiver never completed the provider's form; provider confirmed nothing paid
]);

export const CancelPayoutWorkflowFailureReason = z.enum([
  ...COMMON_FAILURES,
  'NOT_REVERSIBLE', // the payout was made and cannot be reverted automatically: reconcile by hand
  'REVERSAL_DECLINED', // the provider refused the reversal: reconcile by hand
]);

export const AuthorizeOrCapturePaymentWorkflowResultStatus = z.enum(['AUTHORIZED', 'CAPTURED']);
export const AuthorizeOrCapturePaymentWorkflowFailureReason = z.enum([
  ...COMMON_FAILURES,
  'DECLINED',
  'FILTERED',
  'AMOUNT_MISMATCH', // the provider processed an amount or currency the CUWO did not allow
  'CANCELED_AFTER_AUTHORIZATION', // a cancel request came after money was authorized/captured
]);
export const AuthorizeOrCapturePaymentWorkflowCancelationReason = z.enum(['CANCELED_BY_REQUEST', 'CUSTOMER_DID_NOT_COMPLETE_FORM']);

export const CapturePaymentWorkflowFailureReason = z.enum([...COMMON_FAILURES, 'DECLINED', 'NOT_AUTHORIZED']);
export const CapturePaymentWorkflowCancelationReason = z.enum(['CANCELED_BY_REQUEST']);

export const CancelPaymentWorkflowFailureReason = z.enum([...COMMON_FAILURES, 'NOT_REVERSIBLE', 'REVERSAL_DECLINED']);
