/**
 * Where a run's time goes, from its history's event times (the server's clock): time in the workflow
 * task queue and in workflow tasks, in the activity task queue and in activities, in timers and in
 * child workflows, and the counts (workflow tasks, activities, updates, signals, events). Parts
 * overlap (an update's workflow task runs while an activity is in flight), so they need not add up.
 */
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** An event time in ms (seconds are a Long in real histories, a number in made-up ones). */
export function eventMs(event: HistoryEvent): number {
  const time = event.eventTime;
  if (!time) return NaN;
  const seconds = time.seconds as unknown as number | { toNumber(): number } | null | undefined;
  return (typeof seconds === 'object' && seconds ? seconds.toNumber() : Number(seconds ?? 0)) * 1000 + (time.nanos ?? 0) / 1e6;
}

export interface RunBreakdown {
  /** Execution started to closed (ms). */
  serverMs: number;
  workflowTaskQueueMs: number;
  workflowTaskRunMs: number;
  activityQueueMs: number;
  activityRunMs: number;
  timerMs: number;
  childMs: number;
  /** Timers that ran out (a polling interval waited in full); canceled ones are not counted. */
  timersFired: number;
  workflowTasks: number;
  activities: number;
  updates: number;
  signals: number;
  events: number;
}

export const BREAKDOWN_KEYS = [
  'serverMs',
  'workflowTaskQueueMs',
  'workflowTaskRunMs',
  'activityQueueMs',
  'activityRunMs',
  'timerMs',
  'childMs',
  'timersFired',
  'workflowTasks',
  'activities',
  'updates',
  'signals',
  'events',
] as const satisfies ReadonlyArray<keyof RunBreakdown>;

export function breakdown(events: readonly HistoryEvent[]): RunBreakdown {
  const at = new Map<number, number>(); // event id -> ms
  for (const e of events) at.set(Number(e.eventId), eventMs(e));
  const since = (id: unknown, now: number) => now - (at.get(Number(id)) ?? now);
  const out: RunBreakdown = {
    serverMs: 0,
    workflowTaskQueueMs: 0,
    workflowTaskRunMs: 0,
    activityQueueMs: 0,
    activityRunMs: 0,
    timerMs: 0,
    childMs: 0,
    timersFired: 0,
    workflowTasks: 0,
    activities: 0,
    updates: 0,
    signals: 0,
    events: events.length,
  };
  const timers = new Map<string, number>();
  for (const e of events) {
    const now = at.get(Number(e.eventId))!;
    if (e.workflowTaskStartedEventAttributes) out.workflowTaskQueueMs += since(e.workflowTaskStartedEventAttributes.scheduledEventId, now);
    if (e.workflowTaskCompletedEventAttributes) {
      out.workflowTasks++;
      out.workflowTaskRunMs += since(e.workflowTaskCompletedEventAttributes.startedEventId, now);
    }
    const activityEnd =
      e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes;
    if (e.activityTaskStartedEventAttributes) out.activityQueueMs += since(e.activityTaskStartedEventAttributes.scheduledEventId, now);
    if (activityEnd) {
      out.activities++;
      out.activityRunMs += since(activityEnd.startedEventId, now);
    }
    if (e.timerStartedEventAttributes) timers.set(e.timerStartedEventAttributes.timerId ?? '', now);
    const timerEnd = e.timerFiredEventAttributes ?? e.timerCanceledEventAttributes;
    if (e.timerFiredEventAttributes) out.timersFired++;
    if (timerEnd && timers.has(timerEnd.timerId ?? '')) out.timerMs += now - timers.get(timerEnd.timerId ?? '')!;
    const childEnd =
      e.childWorkflowExecutionCompletedEventAttributes ??
      e.childWorkflowExecutionFailedEventAttributes ??
      e.childWorkflowExecutionCanceledEventAttributes ??
      e.childWorkflowExecutionTerminatedEventAttributes;
    if (childEnd) out.childMs += since(childEnd.initiatedEventId, now);
    if (e.workflowExecutionUpdateAcceptedEventAttributes) out.updates++;
    if (e.workflowExecutionSignaledEventAttributes) out.signals++;
  }
  const first = events[0] ? at.get(Number(events[0].eventId))! : 0;
  const last = events.length ? at.get(Number(events[events.length - 1].eventId))! : 0;
  out.serverMs = last - first;
  return out;
}

/** The breakdown of each of `workflowIds` (their histories fetched one by one). */
export async function breakdowns(client: Client, workflowIds: readonly string[]): Promise<RunBreakdown[]> {
  const out: RunBreakdown[] = [];
  for (const id of workflowIds) {
    const history = await client.workflow.getHandle(id).fetchHistory();
    out.push(breakdown(history.events ?? []));
  }
  return out;
}

/** The median of each figure over several runs. */
export function medianBreakdown(list: readonly RunBreakdown[]): RunBreakdown | undefined {
  if (!list.length) return undefined;
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  return Object.fromEntries(BREAKDOWN_KEYS.map((key) => [key, median(list.map((b) => b[key]))])) as unknown as RunBreakdown;
}
