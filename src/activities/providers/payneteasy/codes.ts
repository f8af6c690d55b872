/**
 * Payneteasy final statuses and error codes -> CUWO outcomes (payouts and payments): the one table
 * for this protocol. The provider's error code always travels on as `failureCode`.
 */

/** Final non-approved statuses; these reasons exist in both the payout and the payment failure enums. */
export const FINAL_STATUS_REASONS: Record<string, 'DECLINED' | 'FILTERED' | 'PROVIDER_ERROR'> = {
  declined: 'DECLINED',
  filtered: 'FILTERED',
  error: 'PROVIDER_ERROR',
};

/**
 * Error codes meaning the receiver never completed the provider's form, so nothing was paid: the
 * spec's cancelation (RECEIVER_DID_NOT_CONFIRM), not a failure. FORM_EXPIRED is the code our
 * simulator uses; the real code is not in the public docs, so it is configurable per account.
 */
export const DEFAULT_RECEIVER_ABANDONED_CODES = ['FORM_EXPIRED'];

/** Error codes of an answer that mean our account configuration is wrong. */
export const CONFIGURATION_ERROR_CODES = new Set(['OAUTH_INVALID', 'CONTROL_INVALID']);

/** The reason for a refusal (of a request, or to tell a status): our configuration, or the provider's. */
export const refusalReason = (code: string): 'CONFIGURATION_ERROR' | 'PROVIDER_ERROR' =>
  CONFIGURATION_ERROR_CODES.has(code) ? 'CONFIGURATION_ERROR' : 'PROVIDER_ERROR';
