/** Every workflow the worker registers; the type names are the CUWO names of the specification. */
export { GrantPayout, CancelPayout } from './payouts';
export { PayoutRequest } from './payout-request';
export { AuthorizeOrCapturePayment, CapturePayment, CancelPayment } from './payments';
export { PaymentRequest } from './payment-request';
export { ProviderEvents } from './provider-events';
export { Reconcile } from './reconcile';
