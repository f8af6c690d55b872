/**
 * The life of a compensation CUWO (CancelPayout, CancelPayment): validate, learn where the money
 * stands, undo what can be undone, and otherwise fail with everything a person needs (flagged
 * CuwoNeedsReconciliation). The spec gives it no cancelation, so it ignores cancel requests and
 * its provider activities retry durably.
 */
import { CancellationScope } from '@temporalio/workflow';
import type { z } from 'zod';
import { parseWith } from '../contracts/common';
import type { PendingStep } from '../contracts';
import { CuwoRun, providerCallEnd, requestIdOf } from './cuwo-run';

type Step =
  | { status: 'CANCELED'; provider?: string; processingData?: string; message: string }
  | PendingStep
  | {
      status: 'FAILED';
      provider?: string;
      reason: string;
      failureCode?: string;
      message: string;
      processingData?: string;
      needsReconciliation: boolean;
    };

export interface CompensationSpec {
  cuwo: 'CancelPayout' | 'CancelPayment';
  parameters: z.ZodTypeAny;
  types: { parameters: string; result: string; failure: string };
  /** Field names of the spec: payoutRequestID / paymentRequestID, ... */
  fields: { requestId: string; reference: string; processingData: string };
  /** One call of the provider activity; called again with the updated data while it answers PENDING. */
  undo(input: { requestId: string; reference?: string; processingData?: string }): Promise<Step>;
}

export async function runCompensation<R>(input: unknown, spec: CompensationSpec): Promise<R> {
  const run = new CuwoRun(spec.cuwo, requestIdOf(input, spec.fields.requestId));
  const failure = (
    reason: string,
    failureCode: string | undefined,
    processingData: string | undefined,
    message: string,
    needsReconciliation: boolean,
  ) =>
    run.fail(
      { '@type': spec.types.failure, failureReason: reason, failureCode, [spec.fields.processingData]: processingData },
      message,
      needsReconciliation,
    );

  const parsed = parseWith(spec.parameters, input);
  if (!parsed.ok) {
    throw failure(
      'INVALID_PARAMETERS',
      'INVALID_PARAMETERS',
      undefined,
      `invalid ${spec.types.parameters.split('.').pop()}: ${parsed.message}`,
      false,
    );
  }
  const params = parsed.value as Record<string, string | undefined>;
  const given = params[spec.fields.processingData];
  if (given) run.record({ stage: 'STARTED', processingData: given });

  const undo = (processingData: string | undefined) =>
    CancellationScope.nonCancellable(() =>
      spec.undo({ requestId: params[spec.fields.requestId]!, reference: params[spec.fields.reference], processingData }),
    );
  let step: Exclude<Step, { status: 'PENDING' }>;
  try {
    // Still processing at the provider, or a reversal under way: resolve it before deciding.
    step = await run.followPending(await undo(given), undo, () => 'RESOLVING');
  } catch (err) {
    // Executions recorded before MONEY_SAFETY_PATCH let the error fail the workflow as it was.
    if (!run.moneySafety) throw err;
    // A defect, never a retry without end: the Failure structure, flagged, with the last processing data.
    const processingData = run.state.processingData ?? given;
    throw failure('INTERNAL_ERROR', 'INTERNAL_ERROR', processingData, `${providerCallEnd(err, false).message}; reconcile by hand`, true);
  }
  run.record({ stage: step.status, provider: step.provider, processingData: step.processingData });
  if (step.status === 'CANCELED') {
    return run.succeed({ '@type': spec.types.result, [spec.fields.processingData]: step.processingData } as R);
  }
  throw failure(step.reason, step.failureCode, step.processingData ?? given, step.message, step.needsReconciliation);
}
