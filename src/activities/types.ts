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

/** Signal name by which activities hand processing data to orchestrators (and, in older histories, to CUWOs). */
export const PROCESSING_DATA_SIGNAL = 'processingData';
/** Update name by which activities hand processing data to their own CUWO and learn whether they may send. */
export const PROCESSING_DATA_UPDATE = 'reportProcessingData';
/** Query name of the CUWO summary (state + processing data it last accepted). */
export const CUWO_STATE_QUERY = 'cuwoState';
/** Update name by which the callback receiver hands a verified provider callback to its CUWO. */
export const PROVIDER_CALLBACK_UPDATE = 'deliverProviderCallback';
/** Signal name by which the callback receiver hands a verified provider callback to a CUWO. */
export const PROVIDER_CALLBACK_SIGNAL = 'providerCallback';

/** Why a CUWO refused a callback (the ApplicationFailure type the callback receiver sees). */
export const CALLBACK_REFUSALS = {
  notThisOrder: 'CallbackNotForThisOrder',
  orderNotYetKnown: 'CallbackOrderNotYetKnown',
  duplicate: 'CallbackDuplicate',
  limit: 'CallbackLimitReached',
} as const;

/** A verified provider callback: it only tells the CUWO to ask the provider now rather than later. */
export interface ProviderCallback {
  provider: string;
  orderId: string;
  clientOrderId: string;
  status: string;
  type: string;
}

/**
 * The provider's order a CUWO follows: a provider callback counts only for the CUWO whose order it
 * names (its signed fields are checked against these).
 */
export interface ProviderOrder {
  clientOrderId: string;
  orderId?: string;
}

/** What an activity reports the moment it knows it (heartbeat + update/signal to the CUWO and its orchestrator). */
export interface ProcessingDataUpdate {
  provider: string;
  /** Sealed, provider-owned JSON (src/activities/sealing.ts): everything a cancel needs, never a secret. */
  processingData: string;
  /** True from the moment a money-moving request may have reached the provider. */
  moneyMayHaveMoved: boolean;
  /**
   * This update precedes a money-moving request (payout, sale/preauth, capture). A cancellable CUWO
   * that already has a cancel request answers `proceed: false`, and the request is not sent.
   */
  sending?: boolean;
  /** Provider stage for people: SENDING, PROCESSING, PAID, DECLINED, ... */
  stage: string;
  reference?: string;
  /** A form the customer or receiver must complete at the provider. */
  redirectUrl?: string;
  order?: ProviderOrder;
}

/** The CUWO's answer to an update: `proceed: false` means a cancel request came first; do not send. */
export interface ProcessingDataAck {
  proceed: boolean;
}

/**
 * Asynchronous provider: ask again after pollAfterMs, or sooner when its callback arrives.
 * `unknown` says why the outcome is not known yet (an undocumented status, "no such order" while the
 * request may still be on its way, ...): the CUWO keeps asking and shows stage OUTCOME_UNKNOWN.
 */
export type PendingProviderStep = {
  status: 'PENDING';
  provider: string;
  processingData: string;
  pollAfterMs: number;
  reference?: string;
  redirectUrl?: string;
  order?: ProviderOrder;
  unknown?: string;
};

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
  payoutRequestID: string;
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
  | PendingProviderStep
  | {
      status: 'FAILED';
      provider: string;
      reason: GrantPayoutFailureReason;
      failureCode?: string;
      message: string;
      processingData?: string;
      moneyMayHaveMoved: boolean;
      /** A person must look even though nothing is to be compensated (a conflicting execution owns the key). */
      needsReconciliation?: boolean;
      /** Set when nothing was paid because the receiver never confirmed: the spec's cancelation, not a failure. */
      cancelation?: 'RECEIVER_DID_NOT_CONFIRM';
    };

export type CancelPayoutStep =
  | { status: 'CANCELED'; provider?: string; processingData?: string; message: string }
  | PendingProviderStep
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
  paymentRequestID: string;
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
      /** A person must look even though nothing is to be compensated (a conflicting execution owns the key). */
      needsReconciliation?: boolean;
      /** Nothing was authorized because the customer never completed the provider's form. */
      cancelation?: 'CUSTOMER_DID_NOT_COMPLETE_FORM';
    };

export type CaptureStep =
  | PendingProviderStep
  | { status: 'CAPTURED'; provider: string; processingData: string }
  | {
      status: 'FAILED';
      provider?: string;
      reason: CaptureFailureReason;
      failureCode?: string;
      message: string;
      processingData?: string;
      needsReconciliation?: boolean;
    };

/** Like CancelPayoutStep: the compensation either released/refunded (or found nothing), or needs a person. */
export type CancelPaymentStep =
  | { status: 'CANCELED'; provider?: string; processingData?: string; message: string }
  | PendingProviderStep
  | {
      status: 'FAILED';
      provider?: string;
      reason: CancelPaymentFailureReason;
      failureCode?: string;
      message: string;
      processingData?: string;
      needsReconciliation: boolean;
    };
