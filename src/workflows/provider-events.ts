/**
 * ProviderEvents (docs/reconciliation.md): one per CUWO (`provider-events:<cuwo workflow id>`),
 * started or extended by signal-with-start from the callback receiver (a verified event for a CUWO
 * that already ended) and from the reconciler (a finding). It keeps the events and findings (bounded;
 * continue-as-new past a limit), judges each event against the request's record (`judgeEvent`), and
 * carries the flag `CuwoNeedsReconciliation` while a person or the reconciler must look: closed CUWOs
 * cannot change their search attributes. When a finding starts or names a compensation, it follows
 * that compensation and clears the flag only when it reverted the money. Unflagged, it closes after a
 * quiet period; a later event starts a new run under the same id.
 */
import {
  condition,
  continueAsNew,
  log,
  metricMeter,
  proxyActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { CompensationActivities } from '../activities/compensations';
import {
  METRICS,
  PROVIDER_EVENTS_MEMO_KEY,
  count,
  judgeEvent,
  providerEventSignal,
  providerEventsQuery,
  reconcileFindingSignal,
  sameFinding,
  type ProviderEventSignal,
  type ProviderEventsInput,
  type ProviderEventsState,
  type ReconcileFinding,
  type ReconcileFindingSignal,
} from '../contracts';
import { CuwoNeedsReconciliation, CuwoProvider, CuwoRequestId, CuwoType } from '../contracts/search-attributes';

const { compensationEnd } = proxyActivities<CompensationActivities>({
  startToCloseTimeout: '30 days',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  summary: 'follow the compensation the reconciler named',
});

const KEEP_EVENTS = 50;
const KEEP_FINDINGS = 20;
/** Signals handled by one run before it continues as new (its history stays small). */
const SIGNALS_PER_RUN = 500;
const DEFAULT_QUIET_MS = 10_000;

type Inbox = { kind: 'event'; signal: ProviderEventSignal } | { kind: 'finding'; signal: ReconcileFindingSignal };

export async function ProviderEvents(input: ProviderEventsInput): Promise<ProviderEventsState> {
  const state: ProviderEventsState = input.carried ?? {
    cuwoWorkflowId: input.cuwoWorkflowId,
    requestId: input.requestId,
    provider: input.provider,
    events: [],
    eventCount: 0,
    needsReconciliation: false,
    findings: [],
  };
  const inbox: Inbox[] = [];
  let handled = 0;
  let compensationFailureType: string | undefined;
  setHandler(providerEventSignal, (signal) => void inbox.push({ kind: 'event', signal }));
  setHandler(reconcileFindingSignal, (signal) => void inbox.push({ kind: 'finding', signal }));
  setHandler(providerEventsQuery, () => state);

  const now = () => new Date().toISOString();
  const flag = (on: boolean, reason: string) => {
    if (on && !state.needsReconciliation) {
      state.flaggedAt = now();
      count(metricMeter, METRICS.reconciliationsNeeded, { cuwo: 'ProviderEvents' });
    }
    if (!on && state.needsReconciliation) state.resolvedAt = now();
    state.needsReconciliation = on;
    state.reason = reason;
  };
  const publish = () => {
    upsertMemo({ [PROVIDER_EVENTS_MEMO_KEY]: { ...state } });
    upsertSearchAttributes([
      { key: CuwoType, value: 'ProviderEvents' },
      { key: CuwoNeedsReconciliation, value: state.needsReconciliation },
      ...(state.requestId ? [{ key: CuwoRequestId, value: state.requestId }] : []),
      ...(state.provider ? [{ key: CuwoProvider, value: state.provider }] : []),
    ]);
  };

  const onEvent = ({ event, recorded }: ProviderEventSignal) => {
    state.recorded = recorded;
    state.provider ??= event.provider;
    const seen = state.events.some(
      (e) => e.status === event.status && e.orderId === event.orderId && e.clientOrderId === event.clientOrderId && e.type === event.type,
    );
    const verdict = judgeEvent(recorded, event);
    count(metricMeter, METRICS.providerEvents, {
      provider: event.provider,
      type: event.type || 'none',
      verdict: seen ? 'DUPLICATE' : verdict.verdict,
    });
    if (seen) return; // a retried or duplicated callback
    state.events = [...state.events, { ...event, ...verdict }].slice(-KEEP_EVENTS);
    state.eventCount += 1;
    log.info('provider event recorded', { cuwoWorkflowId: state.cuwoWorkflowId, ...verdict });
    if (verdict.verdict === 'CONTRADICTS') flag(true, verdict.reason);
  };

  const onFinding = ({ finding, recorded, compensationFailureType: failureType }: ReconcileFindingSignal) => {
    state.recorded = recorded;
    if (sameFinding(state.findings.at(-1), finding)) return; // the same answer again: nothing changes
    state.findings = [...state.findings, finding].slice(-KEEP_FINDINGS);
    count(metricMeter, METRICS.reconcileFindings, { provider: state.provider ?? 'unknown', action: finding.action });
    if (finding.action === 'CLEAR') flag(false, finding.reason);
    else flag(true, finding.reason);
    if (finding.compensationWorkflowId && (finding.action === 'COMPENSATE' || finding.action === 'FOLLOW_COMPENSATION')) {
      state.following = finding.compensationWorkflowId;
      compensationFailureType = failureType;
    }
  };

  if (input.adoptedBecause && !input.carried) flag(true, input.adoptedBecause);
  let following: Promise<void> | undefined;
  for (;;) {
    while (inbox.length) {
      const next = inbox.shift()!;
      handled += 1;
      if (next.kind === 'event') onEvent(next.signal);
      else onFinding(next.signal);
    }
    publish();
    if (state.following && !following) {
      const workflowId = state.following;
      following = follow(workflowId, compensationFailureType).then((finding) => {
        state.following = undefined;
        following = undefined;
        inbox.push({
          kind: 'finding',
          signal: { finding, recorded: state.recorded ?? { cuwoWorkflowId: state.cuwoWorkflowId, status: '' } },
        });
      });
    }
    if (!following && (handled >= SIGNALS_PER_RUN || workflowInfo().historyLength > 5_000)) {
      await continueAsNew<typeof ProviderEvents>({ ...input, carried: state, adoptedBecause: undefined });
    }
    if (state.needsReconciliation || following) {
      await condition(() => inbox.length > 0);
      continue;
    }
    if (!(await condition(() => inbox.length > 0, input.quietMs ?? DEFAULT_QUIET_MS))) return state;
  }
}

/** Waits for the compensation's end and says what it settled. */
async function follow(workflowId: string, failureType: string | undefined): Promise<ReconcileFinding> {
  const end = await compensationEnd({ workflowId, failureType: failureType ?? '' });
  const at = new Date().toISOString();
  if (end.outcome === 'SUCCESS')
    return { at, answer: { kind: 'REVERSED', detail: `${workflowId} succeeded` }, action: 'CLEAR', reason: `${workflowId} undid it` };
  const why =
    end.outcome === 'FAILURE'
      ? `failed ${(end.failure as { failureReason?: string } | undefined)?.failureReason ?? ''}`.trim()
      : end.outcome === 'ABNORMAL'
        ? `ended abnormally (${end.message})`
        : 'was canceled';
  return {
    at,
    answer: { kind: 'UNKNOWN', detail: `${workflowId} ${why}` },
    action: 'LEFT_TO_PERSON',
    reason: `${workflowId} ${why}: the money may still be out, reconcile by hand`,
    compensationWorkflowId: workflowId,
  };
}
