/**
 * What needs a person: `cuwo reconcile` lists it (with its table rendering), `cuwo reconciler` schedules the
 * Reconcile workflow that settles what the provider can answer (docs/reconciliation.md).
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import { Command, InvalidArgumentError, Option } from 'commander';
import { cuwoOutcome } from '../client';
import { taskQueue } from '../config';
import {
  CUWO_MEMO_KEY,
  PROVIDER_EVENTS_MEMO_KEY,
  PROVIDER_EVENTS_WORKFLOW,
  RECONCILER_SCHEDULE_ID,
  type CuwoState,
  type ProviderEventsState,
} from '../contracts';
import { DEFAULT_RECONCILE_EVERY, caseView, ensureReconcilerSchedule, formatAge, type CaseView } from '../reconciler';
import { CuwoFailureReason, CuwoProvider, CuwoRequestId, CuwoType } from '../search-attributes';
import { UserFacingError, table, withClient } from './common';

/** What needs a person: a compensation that could not undo a money movement, a provider event that contradicts a request's end. */
export const RECONCILIATION_QUERY = 'CuwoNeedsReconciliation = true';

/**
 * Processing data for a person: the parsed object when it is JSON, else as stored; a sealed envelope
 * shows its record (the seal is the worker's business).
 */
function parseProcessingData(data: string | undefined): unknown {
  if (data === undefined) return undefined;
  try {
    const parsed = JSON.parse(data);
    return parsed && typeof parsed === 'object' && parsed.seal && parsed.record ? parsed.record : parsed;
  } catch {
    return data;
  }
}

export interface ReconciliationEntry {
  workflowId: string;
  type?: string;
  requestId?: string;
  provider?: string;
  failureReason?: string;
  closeTime?: string;
  reference?: string;
  processingData?: unknown;
  message?: string;
  /** How long it has needed a person (since it closed, or since its ProviderEvents workflow flagged it). */
  age?: string;
  /** A ProviderEvents workflow: its events, reason and the provider's last answer (docs/reconciliation.md). */
  case?: CaseView;
}

/** Every execution the visibility query finds, newest first, with what a person needs to reconcile it. */
export async function reconciliationEntries(client: Client, limit?: number): Promise<ReconciliationEntry[]> {
  const infos: WorkflowExecutionInfo[] = [];
  for await (const info of client.workflow.list({ query: RECONCILIATION_QUERY })) infos.push(info);
  const time = (info: WorkflowExecutionInfo) => (info.closeTime ?? info.startTime).getTime();
  infos.sort((a, b) => time(b) - time(a));
  return Promise.all(
    infos.slice(0, limit).map(async (info) => {
      const handle = client.workflow.getHandle(info.workflowId, info.runId);
      const memo = info.memo ?? (await handle.describe()).memo;
      const state = memo?.[CUWO_MEMO_KEY] as CuwoState | undefined;
      const outcome =
        info.status.name === 'RUNNING'
          ? undefined
          : await cuwoOutcome(handle).catch((err: Error) => ({ outcome: 'ABNORMAL', message: err.message }));
      const attributes = info.typedSearchAttributes;
      const events =
        info.type === PROVIDER_EVENTS_WORKFLOW ? (memo?.[PROVIDER_EVENTS_MEMO_KEY] as ProviderEventsState | undefined) : undefined;
      const since = info.closeTime ?? info.startTime;
      return {
        workflowId: info.workflowId,
        type: attributes.get(CuwoType) ?? info.type,
        requestId: attributes.get(CuwoRequestId),
        provider: attributes.get(CuwoProvider),
        failureReason: attributes.get(CuwoFailureReason),
        closeTime: info.closeTime?.toISOString(),
        reference: state?.reference,
        processingData: parseProcessingData(state?.processingData),
        message: outcome && 'message' in outcome ? outcome.message : undefined,
        age: formatAge(Date.now() - since.getTime()),
        ...(events ? { case: caseView(events, since) } : {}),
      };
    }),
  );
}

/** Closed executions in one table, open provider-events cases in another (they have different columns). */
function printReconciliation(entries: ReconciliationEntry[]): void {
  if (entries.length === 0) {
    console.log('Nothing needs reconciliation.');
    return;
  }
  const head = ['workflow id', 'type', 'request id', 'provider', 'failure reason', 'closed', 'reference', 'processing data', 'message'];
  const rows = table({ head, colWidths: [null, null, null, null, null, null, null, null, 50], wordWrap: true });
  const cases = entries.filter((e) => e.case);
  for (const e of entries.filter((entry) => !entry.case)) {
    const data =
      typeof e.processingData === 'object' && e.processingData !== null
        ? Object.entries(e.processingData)
            .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
            .join('\n')
        : (e.processingData as string | undefined);
    rows.push(
      [e.workflowId, e.type, e.requestId, e.provider, e.failureReason, e.closeTime, e.reference, data, e.message].map((cell) => cell ?? ''),
    );
  }
  if (rows.length) console.log(rows.toString());
  if (cases.length) {
    const open = table({
      head: ['provider events of', 'request id', 'age', 'why', 'events', 'last answer'],
      colWidths: [null, null, null, 40, 50, 50],
      wordWrap: true,
    });
    for (const e of cases) {
      const c = e.case!;
      open.push([e.workflowId, e.requestId ?? '', c.age ?? '', c.reason ?? '', c.events.join('\n'), c.lastAnswer ?? '(not asked yet)']);
    }
    console.log(open.toString());
  }
  console.log(`${entries.length} execution${entries.length === 1 ? '' : 's'} need${entries.length === 1 ? 's' : ''} reconciliation`);
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

export function registerReconcileCommands(program: Command): void {
  program
    .command('reconcile')
    .description(`list the executions that need a person (visibility query: ${RECONCILIATION_QUERY}), newest first`)
    .option('--json', 'machine-readable output: a JSON array')
    .option('--limit <n>', 'show at most the n newest', positiveInteger)
    .action(async (opts: { json?: boolean; limit?: number }) => {
      await withClient(async (client) => {
        const entries = await reconciliationEntries(client, opts.limit);
        if (opts.json) console.log(JSON.stringify(entries, null, 2));
        else printReconciliation(entries);
      });
    });

  program
    .command('reconciler')
    .description(
      'create (or update) the Temporal Schedule that runs the Reconcile workflow: it asks the provider about every request ' +
        'flagged for reconciliation and clears the flag only when the provider agrees or the compensation settled it',
    )
    .option('--every <duration>', "how often (e.g. '5m', '1h')", DEFAULT_RECONCILE_EVERY)
    .option('--trigger', 'also run it once now')
    .addOption(new Option('--task-queue <name>', 'task queue of the workers').default(taskQueue()))
    .action(async (opts: { every: string; trigger?: boolean; taskQueue: string }) => {
      try {
        msToNumber(opts.every as Duration);
      } catch {
        throw new UserFacingError(`--every: "${opts.every}" is not a duration (e.g. 5m, 1h)`);
      }
      await withClient(async (client) => {
        const done = await ensureReconcilerSchedule(client, { taskQueue: opts.taskQueue, every: opts.every as Duration });
        console.error(`reconciler schedule ${done}: Reconcile every ${opts.every} on task queue ${opts.taskQueue}`);
        if (opts.trigger) {
          await client.schedule.getHandle(RECONCILER_SCHEDULE_ID).trigger();
          console.error('triggered one run now');
        }
      });
    });
}
