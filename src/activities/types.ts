/**
 * The contract between CUWO workflows and the provider activities. Workflows see only these
 * provider-neutral steps; each provider adapter owns its protocol behind them.
 */
import type { CustomerIdentifier } from '../contracts/common';
import type { Money } from '../contracts/money';
import type {
  AuthorizeOrCapturePaymentWorkflowFailureReason,
  CancelPaymentWorkflowFailureReason,
  CancelPayoutWorkflowFailureReason,
  CapturePaymentWorkflowFailureReason,
  GrantPayoutWorkflowFailureReason,
} from '../contracts/reasons';
import type { z } from 'zod';

/** Signal name by which activities hand processing data to workflows. */
export const PROCESSING_DATA_SIGNAL = 'processingData';
/** Signal name by which the callback receiver hands a verified provider callback to a CUWO. */
export const PROVIDER_CALLBACK_SIGNAL = 'providerCallback';

/** A verified provider callback: it only tells the CUWO to ask the provider now rather than later. */
export interface ProviderCallback {
  provider: string;
  orderId: string;
  clientOrderId: string;
  status: string;
  type: string;
}

/** What an activity reports the moment it knows it (heartbeat + signal to the CUWO and its orchestrator). */
export interface ProcessingDataUpdate {
  provider: string;
  /** Opaque, provider-owned JSON: everything a cancel needs, never a secret. */
  processingData: string;
  /** True from the moment a money-moving request may have reached the provider. */
  moneyMayHaveMoved: boolean;
  /** Provider stage for people: SENDING, PROCESSING, PAID, DECLINED, ... */
  stage: string;
  reference?: string;
  /** A form the customer or receiver must complete at the provider. */
  redirectUrl?: string;
}

export type GrantPayoutFailureReason = z.infer<typeof GrantPayoutWorkflowFailureReason>;
export type CancelPayoutFailureReason = z.infer<typeof CancelPayoutWorkflowFailureReason>;

export interface GrantPayoutActivityInput {
  payoutRequestID: string;
  amount: Money;
  accountName: string;
  destinations: CustomerIdentifier[];
  description: string;
  /** Workflow ids that receive every processing-data update (the CUWO, and its orchestrator if any). */
  notify: string[];
}

export interface PayoutStatusActivityInput {
  processingData: string;
  notify: string[];
}

export interface CancelPayoutActivityInput {
  payoutRequestID: string;
  payoutReference?: string;
  processingData?: string;
  notify: string[];
}

export type PayoutStep =
  | { status: 'PAID'; provider: string; reference: string; processedAmount: Money; processingData: string }
  /** Asynchronous provider: ask again after pollAfterMs, or sooner when its callback arrives. */
  | { status: 'PENDING'; provider: string; processingData: string; pollAfterMs: number; reference?: string; redirectUrl?: string }
  | {
      status: 'FAILED';
      provider: string;
      reason: GrantPayoutFailureReason;
      failureCode?: string;
      message: string;
      processingData?: string;
      moneyMayHaveMoved: boolean;
      /** Set when nothing was paid because the receiver never confirmed: the spec's cancelation, not a failure. */
      cancelation?: 'RECEIVER_DID_NOT_CONFIRM';
    };

export type CancelPayoutStep =
  | { status: 'CANCELED'; provider?: string; processingData?: string; message: string }
  | { status: 'PENDING'; provider: string; processingData: string; pollAfterMs: number }
  | {
      status: 'FAILED';
      provider?: string;
      reason: CancelPayoutFailureReason;
      failureCode?: string;
      message: string;
      processingData?: string;
      /** The money moved and was not undone: a person must reconcile with the provider. */
      needsReconciliation: boolean;
    };

// ---- Payments ----

export type AuthorizeOrCaptureFailureReason = z.infer<typeof AuthorizeOrCapturePaymentWorkflowFailureReason>;
export type CaptureFailureReason = z.infer<typeof CapturePaymentWorkflowFailureReason>;
export type CancelPaymentFailureReason = z.infer<typeof CancelPaymentWorkflowFailureReason>;

/** AUTHORIZE reserves the money (Payneteasy preauth); CAPTURE takes it at once (sale). */
export type CaptureMode = 'AUTHORIZE' | 'CAPTURE';

export interface StartPaymentActivityInput {
  paymentRequestID: string;
  amount: Money;
  mode: CaptureMode;
  accountName: string;
  description: string;
  customerEmail?: string;
  notify: string[];
}

export interface PaymentStatusActivityInput {
  processingData: string;
  notify: string[];
}

/** CapturePayment and CancelPayment know the payment only by reference and processing data. */
export interface FollowUpPaymentActivityInput {
  paymentRequestID: string;
  paymentReference?: string;
  processingData?: string;
  notify: string[];
}

export type PendingProviderStep = { status: 'PENDING'; provider: string; processingData: string; pollAfterMs: number; reference?: string; redirectUrl?: string };

export type PaymentStep =
  | PendingProviderStep
  /** The provider authorized (mode AUTHORIZE) or captured (mode CAPTURE) `processedAmount`, as it answered. */
  | { status: 'APPROVED'; provider: string; mode: CaptureMode; processedAmount: Money; reference: string; processingData: string }
  | {
      status: 'FAILED';
      provider: string;
      reason: AuthorizeOrCaptureFailureReason;
      failureCode?: string;
      message: string;
      processingData?: string;
      moneyMayHaveMoved: boolean;
      /** Nothing was authorized because the customer never completed the provider's form. */
      cancelation?: 'CUSTOMER_DID_NOT_COMPLETE_FORM';
    };

export type CaptureStep =
  | PendingProviderStep
  | { status: 'CAPTURED'; provider: string; processingData: string }
  | { status: 'FAILED'; provider?: string; reason: CaptureFailureReason; failureCode?: string; message: string; processingData?: string };

/** Like CancelPayoutStep: the compensation either released/refunded (or found nothing), or needs a person. */
export type CancelPaymentStep =
  | { status: 'CANCELED'; provider?: string; processingData?: string; message: string }
  | PendingProviderStep
  | { status: 'FAILED'; provider?: string; reason: CancelPaymentFailureReason; failureCode?: string; message: string; processingData?: string; needsReconciliation: boolean };
