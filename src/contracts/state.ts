/** The CUWO summary every execution keeps in its memo (and answers to the `cuwoState` query). */
export const CUWO_MEMO_KEY = 'cuwo';

export interface CuwoState {
  cuwo: string;
  requestId?: string;
  stage: string;
  provider?: string;
  processingData?: string;
  moneyMayHaveMoved: boolean;
  reference?: string;
  redirectUrl?: string;
  /** The provider order the CUWO follows (callbacks are checked against it). */
  order?: { clientOrderId: string; orderId?: string };
  /** Why the provider outcome is not known yet, while the CUWO keeps asking (stage OUTCOME_UNKNOWN). */
  unknown?: string;
  outcome?: 'SUCCESS' | 'FAILURE' | 'CANCELED';
  failureReason?: string;
  compensationWorkflowId?: string;
  /** Query answers only: whether a cancel request has reached the execution. */
  cancelRequested?: boolean;
  /** The cancelation structure: Temporal's cancel command carries no details, so it lives here. */
  cancelation?: unknown;
}
