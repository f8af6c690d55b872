/**
 * The contract between CUWO workflows and provider activities: what each activity takes and the one
 * step shape every provider call answers. Workflows see only these provider-neutral steps; each
 * provider folder owns its protocol behind them.
 */
import type { z } from 'zod';
import type { CustomerIdentifier } from './common';
import type { Money } from './money';
import type {
  AuthorizeOrCapturePaymentWorkflowFailureReason,
  CancelPaymentWorkflowFailureReason,
  CancelPayoutWorkflowFailureReason,
  CapturePaymentWorkflowFailureReason,
  GrantPayoutWorkflowFailureReason,
} from './reasons';
import type { ProviderOrder } from './state';

/**
 * Asynchronous provider: ask again after pollAfterMs, or sooner when its callback arrives.
 * `unknown` says why the outcome is not known yet (an undocumented status, "no such order" while the
 * request may still be on its way, ...): the CUWO keeps asking and shows stage OUTCOME_UNKNOWN.
 */
export interface PendingStep {
  status: 'PENDING';
  provider: string;
  processingData: string;
  pollAfterMs: number;
  reference?: string;
  redirectUrl?: string;
  order?: ProviderOrder;
  unknown?: string;
}

/** The provider answered that it did not do it, or a person must look. */
export type FailedStep<Reason extends string, Extra = object> = {
  status: 'FAILED';
  provider?: string;
  reason: Reason;
  failureCode?: string;
  message: string;
  processingData?: string;
} & Extra;

/**
 * What one provider call answers: the flow's own done step, PENDING (ask again), or FAILED.
 * Unknown outcomes are never answered as FAILED: the activity throws (and is retried) or answers
 * PENDING with `unknown` set.
 */
export type ProviderStep<Done extends { status: string }, Reason extends string, FailedExtra = object> =
  Done | PendingStep | FailedStep<Reason, FailedExtra>;

/** A step once the provider settled it. */
export type Settled<S> = Exclude<S, { status: 'PENDING' }>;

/** What a FAILED step of a first money-moving call says beyond its reason. */
interface MoneyMovingFailure<Cancelation extends string> {
  moneyMayHaveMoved: boolean;
  /** A person must look even though nothing is to be compensated (a conflicting execution owns the key). */
  needsReconciliation?: boolean;
  /** Nothing moved because the receiver or customer never completed the provider's form: the spec's cancelation. */
  cancelation?: Cancelation;
}

/** A compensation undid it (or found nothing to undo), or a person must reconcile. */
export type CompensationStep<Reason extends string> = ProviderStep<
  { status: 'CANCELED'; provider?: string; processingData?: string; message: string },
  Reason,
  { needsReconciliation: boolean }
>;

/** Workflow ids that receive every processing-data update (the CUWO, and its orchestrator if any). */
interface Notified {
  notify: string[];
}

// ---- Payouts ----

export type GrantPayoutFailureReason = z.infer<typeof GrantPayoutWorkflowFailureReason>;
export type CancelPayoutFailureReason = z.infer<typeof CancelPayoutWorkflowFailureReason>;

export interface GrantPayoutActivityInput extends Notified {
  payoutRequestID: string;
  amount: Money;
  accountName: string;
  destinations: CustomerIdentifier[];
  description: string;
  /** The customer's locale (cuwoContextInformation.locale), for providers that take it (disburseFunds: userLocale). */
  locale?: string;
}

export interface PayoutStatusActivityInput extends Notified {
  payoutRequestID: string;
  processingData: string;
}

export interface CancelPayoutActivityInput extends Notified {
  payoutRequestID: string;
  payoutReference?: string;
  processingData?: string;
}

export type PayoutStep = ProviderStep<
  { status: 'PAID'; provider: string; reference: string; processedAmount: Money; processingData: string },
  GrantPayoutFailureReason,
  MoneyMovingFailure<'RECEIVER_DID_NOT_CONFIRM'>
>;
export type CancelPayoutStep = CompensationStep<CancelPayoutFailureReason>;

// ---- Payments ----

export type AuthorizeOrCaptureFailureReason = z.infer<typeof AuthorizeOrCapturePaymentWorkflowFailureReason>;
export type CaptureFailureReason = z.infer<typeof CapturePaymentWorkflowFailureReason>;
export type CancelPaymentFailureReason = z.infer<typeof CancelPaymentWorkflowFailureReason>;

/** AUTHORIZE reserves the money (Payneteasy preauth); CAPTURE takes it at once (sale). */
export type CaptureMode = 'AUTHORIZE' | 'CAPTURE';

export interface StartPaymentActivityInput extends Notified {
  paymentRequestID: string;
  amount: Money;
  mode: CaptureMode;
  accountName: string;
  description: string;
  customerEmail?: string;
}

export interface PaymentStatusActivityInput extends Notified {
  paymentRequestID: string;
  processingData: string;
}

/** CapturePayment and CancelPayment know the payment only by reference and processing data. */
export interface FollowUpPaymentActivityInput extends Notified {
  paymentRequestID: string;
  paymentReference?: string;
  processingData?: string;
}

/** The provider authorized (mode AUTHORIZE) or captured (mode CAPTURE) `processedAmount`, as it answered. */
export type PaymentStep = ProviderStep<
  { status: 'APPROVED'; provider: string; mode: CaptureMode; processedAmount: Money; reference: string; processingData: string },
  AuthorizeOrCaptureFailureReason,
  MoneyMovingFailure<'CUSTOMER_DID_NOT_COMPLETE_FORM'>
>;
export type CaptureStep = ProviderStep<
  { status: 'CAPTURED'; provider: string; processingData: string },
  CaptureFailureReason,
  { needsReconciliation?: boolean }
>;
export type CancelPaymentStep = CompensationStep<CancelPaymentFailureReason>;
