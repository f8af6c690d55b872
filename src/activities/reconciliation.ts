/**
 * The reconciler's activities (docs/reconciliation.md), each a step visible in the Web UI: list the
 * requests flagged for reconciliation (visibility), inspect one (the record, then the provider's
 * status where its protocol can answer), and record the finding on the request's ProviderEvents
 * workflow (signal-with-start). None of them moves money; the Reconcile workflow starts the only
 * compensation it may start itself.
 */
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client, type WorkflowExecutionInfo } from '@temporalio/client';
import {
  CancelPaymentTypes,
  CancelPayoutTypes,
  PROVIDER_EVENTS_MEMO_KEY,
  PROVIDER_EVENTS_WORKFLOW,
  decideReconciliation,
  reconcileFindingSignal,
  workflowIds,
  type ProviderAnswer,
  type ProviderEventsInput,
  type ProviderEventsState,
  type ReconcileDecision,
  type ReconcileFinding,
  type RecordedOutcome,
} from '../contracts';
import { CuwoFailureReason } from '../contracts/search-attributes';
import { providerOfProcessingData } from './provider-lookup';
import type { ProviderRegistry } from './providers/registry';
import { compensationOf, moneyCuwoOf, readRecordedRequest } from './recorded-outcome';
import type { ProcessingDataSeal } from './sealing';

/** One request the reconciler visits. */
export interface ReconcileItem {
  cuwoWorkflowId: string;
  caseWorkflowId: string;
  /** Set when no ProviderEvents workflow carries the request yet: the closed execution that is flagged, and why. */
  adoptedBecause?: string;
  lastFinding?: ReconcileFinding;
}

export interface Inspection {
  recorded: RecordedOutcome;
  answer: ProviderAnswer;
  decision: ReconcileDecision;
  taskQueue: string;
  requestId?: string;
  provider?: string;
  /** The spec's compensation of this request and what it needs, for COMPENSATE / FOLLOW_COMPENSATION. */
  compensation?: {
    type: 'CancelPayout' | 'CancelPayment';
    workflowId: string;
    failureType: string;
    reference?: string;
    processingData?: string;
  };
}

/** The visibility query of everything flagged (optionally of one task queue, which keeps tests apart). */
export function flaggedQuery(taskQueue?: string): string {
  return `CuwoNeedsReconciliation = true${taskQueue ? ` AND TaskQueue = '${taskQueue.replace(/'/g, "\\'")}'` : ''}`;
}

export function createReconciliationActivities(providers: ProviderRegistry, seal: ProcessingDataSeal) {
  const client = (): Client => Context.current().client;
  return {
    /** The flagged requests: open ProviderEvents workflows, and closed flagged executions that have none yet. */
    async reconciliationItems(input: { taskQueue?: string; limit?: number }): Promise<ReconcileItem[]> {
      const items = new Map<string, ReconcileItem>();
      const closed: WorkflowExecutionInfo[] = [];
      for await (const info of client().workflow.list({ query: flaggedQuery(input.taskQueue) })) {
        if (info.type === PROVIDER_EVENTS_WORKFLOW) {
          if (info.status.name !== 'RUNNING') continue;
          const state = info.memo?.[PROVIDER_EVENTS_MEMO_KEY] as ProviderEventsState | undefined;
          const cuwoWorkflowId = state?.cuwoWorkflowId ?? info.workflowId.slice('provider-events:'.length);
          items.set(cuwoWorkflowId, { cuwoWorkflowId, caseWorkflowId: info.workflowId, lastFinding: state?.findings.at(-1) });
        } else if (info.status.name !== 'RUNNING') closed.push(info);
      }
      for (const info of closed) {
        const request = moneyCuwoOf(info.workflowId);
        if (!request || items.has(request.cuwoWorkflowId)) continue;
        const caseWorkflowId = workflowIds.providerEvents(request.cuwoWorkflowId);
        if (await settledAfter(client(), caseWorkflowId, info.closeTime ?? info.startTime)) continue;
        const reason = info.typedSearchAttributes.get(CuwoFailureReason);
        items.set(request.cuwoWorkflowId, {
          cuwoWorkflowId: request.cuwoWorkflowId,
          caseWorkflowId,
          adoptedBecause: `${info.workflowId} ended ${info.status.name}${reason ? ` ${reason}` : ''}, flagged for reconciliation`,
        });
      }
      return [...items.values()].slice(0, input.limit);
    },

    /** The record, then the provider's answer (status queries only), and what the decision table makes of them. */
    async inspectRequest(input: { cuwoWorkflowId: string }): Promise<Inspection> {
      const read = await readRecordedRequest(client(), input.cuwoWorkflowId);
      const { recorded, state, flow, requestId } = read;
      const answer = await askProvider(providers, seal, flow, requestId, state?.processingData);
      const decision = decideReconciliation(recorded, answer);
      const spec = flow && requestId ? compensationOf(flow, requestId) : undefined;
      return {
        recorded,
        answer,
        decision,
        taskQueue: read.taskQueue,
        requestId,
        provider: state?.provider,
        compensation: spec && {
          ...spec,
          failureType: spec.type === 'CancelPayout' ? CancelPayoutTypes.failure : CancelPaymentTypes.failure,
          reference: state?.reference,
          processingData: state?.processingData,
        },
      };
    },

    /** Hands the finding to the request's ProviderEvents workflow, starting it when none runs. */
    async recordFinding(input: {
      item: ReconcileItem;
      inspection: Inspection;
      finding: ReconcileFinding;
    }): Promise<{ caseWorkflowId: string; runId: string }> {
      const { item, inspection, finding } = input;
      const args: ProviderEventsInput = {
        cuwoWorkflowId: item.cuwoWorkflowId,
        requestId: inspection.requestId,
        provider: inspection.provider,
        adoptedBecause: item.adoptedBecause,
      };
      const handle = await client().workflow.signalWithStart(PROVIDER_EVENTS_WORKFLOW, {
        workflowId: item.caseWorkflowId,
        taskQueue: inspection.taskQueue,
        args: [args],
        signal: reconcileFindingSignal,
        signalArgs: [{ finding, recorded: inspection.recorded, compensationFailureType: inspection.compensation?.failureType }],
      });
      return { caseWorkflowId: handle.workflowId, runId: handle.signaledRunId };
    },
  };
}
export type ReconciliationActivities = ReturnType<typeof createReconciliationActivities>;

/** A ProviderEvents run of this request closed after `since`: it already settled what was flagged then. */
async function settledAfter(client: Client, caseWorkflowId: string, since: Date): Promise<boolean> {
  try {
    const description = await client.workflow.getHandle(caseWorkflowId).describe();
    const state = description.memo?.[PROVIDER_EVENTS_MEMO_KEY] as ProviderEventsState | undefined;
    const resolvedAt = state?.resolvedAt ? Date.parse(state.resolvedAt) : NaN;
    return description.status.name === 'RUNNING' || resolvedAt > since.getTime();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

/** The provider's answer about the request's order, or why it cannot be asked. */
async function askProvider(
  providers: ProviderRegistry,
  seal: ProcessingDataSeal,
  flow: 'payout' | 'payment' | undefined,
  requestId: string | undefined,
  processingData: string | undefined,
): Promise<ProviderAnswer> {
  if (!flow || !requestId) return { kind: 'CANNOT_ASK', detail: 'the workflow id names no payout or payment request' };
  const found = providerOfProcessingData(seal, `${flow}:${requestId}`, processingData, (account) => providers.provider(account));
  if (!found.ok) return { kind: 'CANNOT_ASK', detail: found.problem };
  const reconciler = found.provider.reconcile?.();
  if (!reconciler)
    return {
      kind: 'CANNOT_ASK',
      detail: `${found.provider.name} offers no status query for a finished request: a person checks the provider's records`,
    };
  return reconciler.inspect(found.data, flow);
}
