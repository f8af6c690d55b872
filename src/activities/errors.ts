import { ApplicationFailure } from '@temporalio/common';

/**
 * The provider's outcome is not known (timeout, 5xx, connection reset). Retryable: the next attempt
 * re-sends the same idempotent request or asks for the status, so it is never reported as a failure.
 */
export function outcomeUnknown(message: string, cause?: unknown): ApplicationFailure {
  return ApplicationFailure.create({
    type: 'OutcomeUnknown',
    message,
    nonRetryable: false,
    cause: cause instanceof Error ? cause : undefined,
  });
}
