/**
 * Workflow ids derive from business ids, so a second start of the same request finds the first
 * execution instead of moving money twice, and a compensation has exactly one possible id.
 */
export const workflowIds = {
  grantPayout: (payoutRequestID: string) => `grant-payout:${payoutRequestID}`,
  cancelPayout: (payoutRequestID: string) => `cancel-payout:${payoutRequestID}`,
  payoutRequest: (payoutRequestID: string) => `payout-request:${payoutRequestID}`,
  authorizeOrCapturePayment: (paymentRequestID: string) => `authorize-or-capture-payment:${paymentRequestID}`,
  capturePayment: (paymentRequestID: string) => `capture-payment:${paymentRequestID}`,
  cancelPayment: (paymentRequestID: string) => `cancel-payment:${paymentRequestID}`,
  paymentRequest: (paymentRequestID: string) => `payment-request:${paymentRequestID}`,
  /** The provider events (and reconciliation) of one CUWO, keyed by the CUWO's workflow id. */
  providerEvents: (cuwoWorkflowId: string) => `provider-events:${cuwoWorkflowId}`,
};

/** The Temporal Schedule that runs the Reconcile workflow (created by `cuwo reconciler`). */
export const RECONCILER_SCHEDULE_ID = 'cuwo-reconciler';
