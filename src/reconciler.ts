/**
 * The reconciler's apps side (docs/reconciliation.md): the Temporal Schedule that runs the Reconcile
 * workflow (created or updated idempotently by `cuwo reconciler`), and how `cuwo reconcile` shows a
 * request's ProviderEvents workflow: age, reason, events, the provider's last answer.
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { RECONCILER_SCHEDULE_ID, RECONCILE_WORKFLOW, type ProviderEventsState } from './contracts';

export const DEFAULT_RECONCILE_EVERY = '5m';

export interface ReconcilerScheduleOptions {
  taskQueue: string;
  every?: Duration;
  /** Only requests of this task queue (tests); default the whole namespace. */
  scopeTaskQueue?: string;
  scheduleId?: string;
}

/** Creates the schedule, or brings an existing one to these options; never two schedules. */
export async function ensureReconcilerSchedule(client: Client, options: ReconcilerScheduleOptions): Promise<'created' | 'updated'> {
  const scheduleId = options.scheduleId ?? RECONCILER_SCHEDULE_ID;
  const every = options.every ?? DEFAULT_RECONCILE_EVERY;
  const action = {
    type: 'startWorkflow' as const,
    workflowType: RECONCILE_WORKFLOW,
    workflowId: `reconcile:${scheduleId}`,
    taskQueue: options.taskQueue,
    args: [{ ...(options.scopeTaskQueue ? { taskQueue: options.scopeTaskQueue } : {}) }],
  };
  try {
    await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every }] },
      action,
      // A run still going when the next is due: skip the next (two runs would visit the same requests).
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec: { intervals: [{ every }] }, action }));
    return 'updated';
  }
}

/** "42s", "7m 3s", "5h 2m", "3d 4h". */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

export interface CaseView {
  cuwoWorkflowId: string;
  flaggedSince?: string;
  age?: string;
  reason?: string;
  events: string[];
  lastAnswer?: string;
  following?: string;
}

/** What a person reads about a ProviderEvents workflow (from its memo). */
export function caseView(state: ProviderEventsState, since: Date, now = new Date()): CaseView {
  const flaggedSince = state.flaggedAt ?? since.toISOString();
  const last = state.findings.at(-1);
  return {
    cuwoWorkflowId: state.cuwoWorkflowId,
    flaggedSince,
    age: formatAge(now.getTime() - Date.parse(flaggedSince)),
    reason: state.reason,
    events: state.events.slice(-5).map((e) => `${e.receivedAt} ${e.type || '-'} ${e.status} (${e.verdict})`),
    lastAnswer: last && `${last.at} ${last.answer.kind}: ${last.answer.detail} -> ${last.action}`,
    following: state.following,
  };
}
