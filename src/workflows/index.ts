/** Every workflow the worker registers; the type names are the CUWO names of the specification. */
export { GrantPayout, CancelPayout } from './payouts';
export { PayoutRequest } from './payout-request';
