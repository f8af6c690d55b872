/**
 * The life of a compensation CUWO (CancelPayout, CancelPayment; their specs in compensation-specs.ts):
 * validate, learn where the money stands, undo what can be undone, and otherwise fail with everything
 * a person needs (flagged CuwoNeedsReconciliation). The spec gives it no cancelation, so it ignores
 * cancel requests and its provider activities retry durably.
 */
import { CancellationScope } from '@temporalio/workflow';
import type { CompensationStep } from '../contracts';
import type { CompensationRequest, CompensationSpec, OwnFailureReason } from './compensation-specs';
import { CuwoRun } from './cuwo-run';
import type { NfonStructure } from './endings';
import { requestIdOf } from './inputs';
import { providerCallEnd } from './provider-calls';

/**
 * Runs the compensation `spec` with `undo`, one call of its provider activity, called again with the
 * updated processing data while it answers PENDING.
 */
export async function runCompensation<P, R, F extends NfonStructure & { failureReason: string }, Reason extends string>(
  input: unknown,
  spec: CompensationSpec<P, R, F, Reason>,
  undo: (request: CompensationRequest) => Promise<CompensationStep<Reason>>,
): Promise<R> {
  const run = new CuwoRun(spec.cuwo, requestIdOf(input, spec.requestIdField));
  const failure = (
    reason: Reason | OwnFailureReason,
    failureCode: string | undefined,
    processingData: string | undefined,
    message: string,
    needsReconciliation: boolean,
  ) => run.fail(spec.failure(reason, failureCode, processingData), message, needsReconciliation);

  const parsed = spec.parse(input);
  if (!parsed.ok) {
    const parameters = spec.types.parameters.split('.').pop();
    throw failure('INVALID_PARAMETERS', 'INVALID_PARAMETERS', undefined, `invalid ${parameters}: ${parsed.message}`, false);
  }
  const { requestId, reference, processingData: given } = spec.request(parsed.value);
  if (given) run.record({ stage: 'STARTED', processingData: given });

  const undoWith = (processingData: string | undefined) =>
    CancellationScope.nonCancellable(() => undo({ requestId, reference, processingData }));
  let step;
  try {
    // Still processing at the provider, or a reversal under way: resolve it before deciding.
    step = await run.followPending(await undoWith(given), undoWith, () => 'RESOLVING');
  } catch (err) {
    // Executions recorded before MONEY_SAFETY_PATCH let the error fail the workflow as it was.
    if (!run.moneySafety) throw err;
    // A defect, never a retry without end: the Failure structure, flagged, with the last processing data.
    const processingData = run.state.processingData ?? given;
    throw failure('INTERNAL_ERROR', 'INTERNAL_ERROR', processingData, `${providerCallEnd(err, false).message}; reconcile by hand`, true);
  }
  run.record({ stage: step.status, provider: step.provider, processingData: step.processingData });
  if (step.status === 'CANCELED') return run.succeed(spec.result(step.processingData));
  throw failure(step.reason, step.failureCode, step.processingData ?? given, step.message, step.needsReconciliation);
}
