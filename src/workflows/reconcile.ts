/**
 * Reconcile (docs/reconciliation.md): the janitor a Temporal Schedule runs every few minutes
 * (`cuwo reconciler`). For each request flagged for reconciliation it inspects the record and asks
 * the provider where its protocol can answer (activity `inspectRequest`), applies the decision table
 * (`decideReconciliation`), and records the finding on the request's ProviderEvents workflow (activity
 * `recordFinding`), which carries the flag and clears it only when the provider agrees or the
 * compensation settled it. The one money movement it may cause is the spec's compensation
 * (CancelPayout / CancelPayment), started here with its deterministic id and REJECT_DUPLICATE: an
 * existing one is followed, never a second started. A finding equal to the last one is not recorded
 * again, so a second run over the same state changes nothing.
 */
import {
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  log,
  metricMeter,
  proxyActivities,
  startChild,
  upsertMemo,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Inspection, ReconcileItem, ReconciliationActivities } from '../activities/reconciliation';
import { METRICS, RECONCILE_MEMO_KEY, count, sameFinding, type ReconcileAction, type ReconcileFinding } from '../contracts';
import { CANCEL_PAYMENT, CANCEL_PAYOUT } from './compensation-specs';

const { reconciliationItems, inspectRequest, recordFinding } = proxyActivities<ReconciliationActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5 },
});

export interface ReconcileInput {
  /** Only requests of this task queue (tests; default: the whole namespace). */
  taskQueue?: string;
  /** At most this many requests per run (default 100). */
  limit?: number;
}

export interface ReconcileOutcome {
  cuwoWorkflowId: string;
  caseWorkflowId: string;
  action?: ReconcileAction;
  answer?: string;
  reason: string;
  /** False when the finding equals the last one recorded: nothing changed. */
  changed: boolean;
  compensationWorkflowId?: string;
  compensationStarted?: boolean;
}

export interface ReconcileSummary {
  runAt: string;
  items: ReconcileOutcome[];
}

export async function Reconcile(input: ReconcileInput = {}): Promise<ReconcileSummary> {
  const summary: ReconcileSummary = { runAt: new Date().toISOString(), items: [] };
  const items = await reconciliationItems({ taskQueue: input.taskQueue, limit: input.limit ?? 100 });
  for (const item of items) {
    try {
      summary.items.push(await visit(item));
    } catch (err) {
      // One request that cannot be visited now does not stop the others; the next run tries again.
      const reason = `not visited: ${(err as Error).message}`;
      log.warn('reconcile visit failed', { cuwoWorkflowId: item.cuwoWorkflowId, reason });
      summary.items.push({ cuwoWorkflowId: item.cuwoWorkflowId, caseWorkflowId: item.caseWorkflowId, reason, changed: false });
    }
    upsertMemo({ [RECONCILE_MEMO_KEY]: summary });
  }
  upsertMemo({ [RECONCILE_MEMO_KEY]: summary });
  return summary;
}

async function visit(item: ReconcileItem): Promise<ReconcileOutcome> {
  const inspection = await inspectRequest({ cuwoWorkflowId: item.cuwoWorkflowId });
  const { decision, answer } = inspection;
  let compensationWorkflowId: string | undefined;
  let compensationStarted: boolean | undefined;
  if (decision.action === 'COMPENSATE' && inspection.compensation) {
    compensationWorkflowId = inspection.compensation.workflowId;
    compensationStarted = await startCompensation(inspection);
  } else if (decision.action === 'FOLLOW_COMPENSATION') compensationWorkflowId = inspection.recorded.compensation?.workflowId;
  const finding: ReconcileFinding = {
    at: new Date().toISOString(),
    answer,
    action: decision.action,
    reason: decision.reason,
    compensationWorkflowId,
    by: workflowInfo().workflowId,
  };
  const changed = !sameFinding(item.lastFinding, finding);
  if (changed) await recordFinding({ item, inspection, finding });
  count(metricMeter, METRICS.reconcileFindings, { provider: inspection.provider ?? 'unknown', action: decision.action });
  return {
    cuwoWorkflowId: item.cuwoWorkflowId,
    caseWorkflowId: item.caseWorkflowId,
    action: decision.action,
    answer: `${answer.kind}: ${answer.detail}`,
    reason: decision.reason,
    changed,
    compensationWorkflowId,
    compensationStarted,
  };
}

/** Starts the request's compensation (abandoned child, deterministic id); false when it already exists. */
async function startCompensation(inspection: Inspection): Promise<boolean> {
  const compensation = inspection.compensation!;
  const spec = compensation.type === 'CancelPayout' ? CANCEL_PAYOUT : CANCEL_PAYMENT;
  const parameters = spec.parameters({
    requestId: inspection.requestId!,
    reference: compensation.reference,
    processingData: compensation.processingData,
  });
  try {
    await startChild(spec.cuwo, {
      workflowId: compensation.workflowId,
      args: [parameters],
      taskQueue: inspection.taskQueue,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
    count(metricMeter, METRICS.compensationsStarted, { cuwo: 'Reconcile', compensation: spec.cuwo, result: 'started' });
    return true;
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    count(metricMeter, METRICS.compensationsStarted, { cuwo: 'Reconcile', compensation: spec.cuwo, result: 'already-started' });
    return false;
  }
}
