/**
 * disburseFunds result and error codes (reference/disburse-funds.md): the one table for this protocol.
 * The provider's own code always travels on as `failureCode`.
 */
import type { GrantPayoutFailureReason } from '../../../contracts';

/** The documented declines (HTTP 200): nothing was disbursed. UNKNOWN_RESULT is not among them: it must never be sent. */
export const RESULT_CODE_REASONS: Record<string, GrantPayoutFailureReason> = {
  DISBURSEMENT_UNDER_TRANSACTION_LIMIT: 'AMOUNT_BELOW_LIMIT',
  DISBURSEMENT_EXCEEDS_TRANSACTION_LIMIT: 'AMOUNT_ABOVE_LIMIT',
  ACCOUNT_CLOSED: 'RECEIVER_ACCOUNT_CLOSED',
  ACCOUNT_CLOSED_ACCOUNT_TAKEN_OVER: 'RECEIVER_ACCOUNT_CLOSED',
  ACCOUNT_CLOSED_FRAUD: 'RECEIVER_ACCOUNT_CLOSED',
  ACCOUNT_ON_HOLD: 'RECEIVER_ACCOUNT_ON_HOLD',
};

/**
 * What an ErrorResponse code proves, with the HTTP status the protocol gives it (another status with
 * the code is outside the protocol):
 *   REFUSED        the provider refused to process this request (the request is wrong)
 *   MISCONFIGURED  the provider refused to process this request (our account configuration is wrong)
 *   RETRY          the same request may be processed later: outcome unknown
 *   CONFLICT       the idempotency key is taken by other parameters: another execution owns it
 */
export type ErrorMeaning = 'REFUSED' | 'MISCONFIGURED' | 'RETRY' | 'CONFLICT';
export const ERROR_RESPONSE_CODES: Record<string, { httpStatus: number; means: ErrorMeaning }> = {
  INVALID_API_VERSION: { httpStatus: 400, means: 'MISCONFIGURED' },
  INVALID_PAYLOAD_SIGNATURE: { httpStatus: 401, means: 'MISCONFIGURED' },
  INVALID_PAYLOAD_ENCRYPTION: { httpStatus: 400, means: 'MISCONFIGURED' },
  REQUEST_TIMESTAMP_OUT_OF_RANGE: { httpStatus: 400, means: 'RETRY' },
  INVALID_IDENTIFIER: { httpStatus: 404, means: 'MISCONFIGURED' },
  IDEMPOTENCY_VIOLATION: { httpStatus: 412, means: 'CONFLICT' },
  INVALID_FIELD_VALUE: { httpStatus: 400, means: 'REFUSED' },
  MISSING_REQUIRED_FIELD: { httpStatus: 400, means: 'REFUSED' },
  PRECONDITION_VIOLATION: { httpStatus: 400, means: 'REFUSED' },
  INVALID_DECRYPTED_REQUEST: { httpStatus: 400, means: 'REFUSED' },
  USER_ACTION_IN_PROGRESS: { httpStatus: 423, means: 'RETRY' },
  FORBIDDEN: { httpStatus: 403, means: 'MISCONFIGURED' },
};

/** Own-key lookups only: a code such as "constructor" must not find Object.prototype. */
export const resultReason = (code: string): GrantPayoutFailureReason | undefined =>
  Object.hasOwn(RESULT_CODE_REASONS, code) ? RESULT_CODE_REASONS[code] : undefined;
export const errorMeaning = (code: string, httpStatus: number): ErrorMeaning | undefined => {
  const entry = Object.hasOwn(ERROR_RESPONSE_CODES, code) ? ERROR_RESPONSE_CODES[code] : undefined;
  return entry?.httpStatus === httpStatus ? entry.means : undefined;
};

/** disburseFunds amounts are int64 micros. */
export const INT64_MAX = 2n ** 63n - 1n;
