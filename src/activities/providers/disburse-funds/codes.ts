/**
 * disburseFunds result and error codes (docs/spec/disburse-funds.txt; the ErrorResponse table in
 * docs/disburse-funds.md): the one table of this protocol's codes. The provider's own code always
 * travels on as `failureCode`.
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
const MEANINGS = ['REFUSED', 'MISCONFIGURED', 'RETRY', 'CONFLICT'] as const;
export type ErrorMeaning = (typeof MEANINGS)[number];

/** By meaning, then by HTTP status: each code stands once. */
const CODES_BY_MEANING: Record<ErrorMeaning, Record<number, string[]>> = {
  REFUSED: { 400: ['INVALID_FIELD_VALUE', 'MISSING_REQUIRED_FIELD', 'PRECONDITION_VIOLATION', 'INVALID_DECRYPTED_REQUEST'] },
  MISCONFIGURED: {
    400: ['INVALID_API_VERSION', 'INVALID_PAYLOAD_ENCRYPTION'],
    401: ['INVALID_PAYLOAD_SIGNATURE'],
    403: ['FORBIDDEN'],
    404: ['INVALID_IDENTIFIER'],
  },
  RETRY: { 400: ['REQUEST_TIMESTAMP_OUT_OF_RANGE'], 423: ['USER_ACTION_IN_PROGRESS'] },
  CONFLICT: { 412: ['IDEMPOTENCY_VIOLATION'] },
};

/** Every documented ErrorResponse code with its HTTP status and meaning. */
export const ERROR_RESPONSE_CODES: Record<string, { httpStatus: number; means: ErrorMeaning }> = Object.fromEntries(
  MEANINGS.flatMap((means) =>
    Object.entries(CODES_BY_MEANING[means]).flatMap(([status, codes]) =>
      codes.map((code) => [code, { httpStatus: Number(status), means }]),
    ),
  ),
);

/** Own-key lookups only: a code such as "constructor" must not find Object.prototype. */
export const resultReason = (code: string): GrantPayoutFailureReason | undefined =>
  Object.hasOwn(RESULT_CODE_REASONS, code) ? RESULT_CODE_REASONS[code] : undefined;
/** What a code proves whatever the HTTP status it came with (for records, which keep the code only). */
export const codeMeaning = (code: string): ErrorMeaning | undefined =>
  Object.hasOwn(ERROR_RESPONSE_CODES, code) ? ERROR_RESPONSE_CODES[code].means : undefined;
/** What a code proves at this HTTP status: only at the status the protocol gives it. */
export const errorMeaning = (code: string, httpStatus: number): ErrorMeaning | undefined => {
  const entry = Object.hasOwn(ERROR_RESPONSE_CODES, code) ? ERROR_RESPONSE_CODES[code] : undefined;
  return entry?.httpStatus === httpStatus ? entry.means : undefined;
};
