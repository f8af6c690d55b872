/**
 * How a CUWO execution ended, read back from Temporal: the one decoder the orchestrators (child
 * workflows), the compensation-following activity and the client all use.
 *
 * A CUWO ends (docs/design.md, "Workflow outcomes on Temporal") by returning its Result, failing with a
 * non-retryable ApplicationFailure whose first detail is its Failure structure, or ending Canceled
 * (or, for a cancelation the provider caused, failing with the Cancelation structure as detail).
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { AuthorizeOrCapturePaymentTypes, CancelPaymentTypes, CapturePaymentTypes } from './payment';
import { CancelPayoutTypes, GrantPayoutTypes } from './payout';
import type { CuwoOutcome } from './state';

/** SUCCESS, FAILURE and CANCELED are the CUWO outcomes of its memo (CuwoOutcome); ABNORMAL is no CUWO outcome. */
export type CuwoEnd<R, F, C = never> =
  | { outcome: Extract<CuwoOutcome, 'SUCCESS'>; workflowId: string; result: R }
  | { outcome: Extract<CuwoOutcome, 'FAILURE'>; workflowId: string; failure: F; message: string }
  /** `cancelation` is absent when the structure is not in the failure (Temporal's cancel carries none). */
  | { outcome: Extract<CuwoOutcome, 'CANCELED'>; workflowId: string; cancelation?: C }
  /** Terminated, timed out, or failed without a CUWO structure. */
  | { outcome: 'ABNORMAL'; workflowId: string; message: string };

/** The `@type` strings by which a CUWO's failure and cancelation structures are recognised. */
export interface CuwoEndTypes {
  failure: string;
  cancelation?: string;
}

/** The CUWOs by workflow type: the structures their end may carry. */
export const CUWO_END_TYPES: Record<string, CuwoEndTypes> = {
  GrantPayout: GrantPayoutTypes,
  CancelPayout: CancelPayoutTypes,
  AuthorizeOrCapturePayment: AuthorizeOrCapturePaymentTypes,
  CapturePayment: CapturePaymentTypes,
  CancelPayment: CancelPaymentTypes,
};

/**
 * Decodes the cause of a closed CUWO's failure (ChildWorkflowFailure.cause in a workflow,
 * WorkflowFailedError.cause in a client): its Failure structure, its Cancelation, or an abnormal end.
 */
export function decodeCuwoFailure<F, C>(
  workflowId: string,
  cause: unknown,
  types: CuwoEndTypes,
  fallbackMessage = 'the execution ended without a CUWO outcome',
): CuwoEnd<never, F, C> {
  const detail = cause instanceof ApplicationFailure ? (cause.details?.[0] as { '@type'?: unknown } | undefined) : undefined;
  const type = typeof detail?.['@type'] === 'string' ? detail['@type'] : undefined;
  if (type !== undefined && type === types.failure)
    return { outcome: 'FAILURE', workflowId, failure: detail as F, message: (cause as Error).message };
  // A cancelation the provider caused: Temporal lets no workflow cancel itself, so it ends Failed with the structure.
  if (type !== undefined && type === types.cancelation) return { outcome: 'CANCELED', workflowId, cancelation: detail as C };
  if (cause instanceof CancelledFailure) return { outcome: 'CANCELED', workflowId };
  const error = cause instanceof Error ? cause : undefined;
  return { outcome: 'ABNORMAL', workflowId, message: `${error?.name ?? 'failure'}: ${error?.message ?? fallbackMessage}` };
}
