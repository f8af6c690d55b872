/** The CUWO summary every execution keeps in its memo (and answers to the `cuwoState` query). */
export const CUWO_MEMO_KEY = 'cuwo';

/**
 * Where a provider order stands, as the provider activities report it (a provider's processing
 * record uses a subset of these).
 */
export const PROVIDER_STAGES = [
  'SENDING', // a money-moving request may have reached the provider; no answer yet
  'NOT_SENT', // provably nothing was sent
  'REJECTED', // the provider refused the request before creating an order of ours
  'CONFLICT', // another execution owns the provider's idempotency key: nothing here may act on it
  'PROCESSING',
  'OUTCOME_UNKNOWN', // the answer could not be read; the CUWO keeps asking
  'APPROVED',
  'PAID',
  'AUTHORIZED',
  'CAPTURED',
  'DECLINED',
  'ERROR',
  'FILTERED',
  'RETURN_SENDING', // a payout reversal may have been sent
  'RETURN_PROCESSING',
  'RETURNED',
  'RETURN_DECLINED',
  'CAPTURE_SENDING',
  'CAPTURE_PROCESSING',
  'RELEASE_SENDING', // a release of an authorization, or a refund, may have been sent
  'RELEASE_PROCESSING',
  'RELEASED',
  'REFUNDED',
  'RELEASE_DECLINED',
] as const;
export type ProviderStage = (typeof PROVIDER_STAGES)[number];

/** Stages the workflows themselves set (CUWOs and orchestrators). */
export const WORKFLOW_STAGES = [
  'STARTED',
  'WAITING_FOR_RECEIVER', // a payout form the receiver must complete
  'WAITING_FOR_CUSTOMER', // a payment form the customer must complete
  'CAPTURING',
  'RESOLVING', // a compensation learns where the money stands
  'CANCELED',
  'FAILED',
  'GRANTING',
  'AUTHORIZING',
  'AWAITING_POS',
  'BOOKED',
  'ABORTED',
  'COMPENSATED',
  'SUCCESS',
  'FAILURE',
] as const;
export type CuwoStage = ProviderStage | (typeof WORKFLOW_STAGES)[number];

/** How a CUWO or a request ended, as its memo and the CuwoOutcome search attribute say. */
export type CuwoOutcome = 'SUCCESS' | 'FAILURE' | 'CANCELED';

export interface CuwoState {
  cuwo: string;
  requestId?: string;
  stage: CuwoStage;
  provider?: string;
  processingData?: string;
  moneyMayHaveMoved: boolean;
  reference?: string;
  redirectUrl?: string;
  /** The provider order the CUWO follows (callbacks are checked against it). */
  order?: ProviderOrder;
  /** Why the provider outcome is not known yet, while the CUWO keeps asking (stage OUTCOME_UNKNOWN). */
  unknown?: string;
  outcome?: CuwoOutcome;
  failureReason?: string;
  compensationWorkflowId?: string;
  /** Query answers only: whether a cancel request has reached the execution. */
  cancelRequested?: boolean;
  /** The cancelation structure: Temporal's cancel command carries no details, so it lives here. */
  cancelation?: unknown;
}

/**
 * The provider's order a CUWO follows: a provider callback counts only for the CUWO whose order it
 * names (its signed fields are checked against these).
 */
export interface ProviderOrder {
  clientOrderId: string;
  orderId?: string;
}
