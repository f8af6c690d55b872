/**
 * disburseFunds result and error codes -> GrantPayout failure reasons: the one table for this protocol.
 * The provider's own code always travels on as `failureCode`.
 */
import type { GrantPayoutFailureReason } from '../../types';

export const RESULT_CODE_REASONS: Record<string, GrantPayoutFailureReason> = {
  DISBURSEMENT_UNDER_TRANSACTION_LIMIT: 'AMOUNT_BELOW_LIMIT',
  DISBURSEMENT_EXCEEDS_TRANSACTION_LIMIT: 'AMOUNT_ABOVE_LIMIT',
  ACCOUNT_CLOSED: 'RECEIVER_ACCOUNT_CLOSED',
  ACCOUNT_CLOSED_ACCOUNT_TAKEN_OVER: 'RECEIVER_ACCOUNT_CLOSED',
  ACCOUNT_CLOSED_FRAUD: 'RECEIVER_ACCOUNT_CLOSED',
  ACCOUNT_ON_HOLD: 'RECEIVER_ACCOUNT_ON_HOLD',
};

/** ErrorResponse codes that mean "our account configuration is wrong", not "the request is wrong". */
export const CONFIGURATION_ERROR_CODES = new Set(['INVALID_PAYLOAD_SIGNATURE', 'INVALID_IDENTIFIER', 'FORBIDDEN', 'INVALID_API_VERSION']);

/** ErrorResponse codes after which the same request may succeed later: treated like an unknown outcome. */
export const TRANSIENT_ERROR_CODES = new Set(['USER_ACTION_IN_PROGRESS', 'REQUEST_TIMESTAMP_OUT_OF_RANGE']);
