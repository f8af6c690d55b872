/**
 * Runs a provider call inside an activity with its ProviderContext: every processing-data update is
 * heartbeated (a retried attempt sees it) and signaled to the CUWO and its orchestrator (so a crash of
 * the CUWO itself loses nothing) before the provider call goes on.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import type { ProviderContext } from './providers/types';
import { PROCESSING_DATA_SIGNAL, type ProcessingDataUpdate } from './types';

const KEEP_ALIVE_MS = 2_000;

export async function withProviderContext<T>(provider: string, notify: string[], call: (ctx: ProviderContext) => Promise<T>): Promise<T> {
  const context = Context.current();
  let last: ProcessingDataUpdate | undefined;
  // A slow provider must not look like a dead worker: keep heartbeating while the call is in flight.
  const keepAlive = setInterval(() => context.heartbeat(last), KEEP_ALIVE_MS);
  try {
    const step = await call({
      attempt: context.info.attempt,
      signal: context.cancellationSignal,
      resumed: context.info.heartbeatDetails as ProcessingDataUpdate | undefined,
      workflowId: notify[0],
      report: async (update) => {
        last = { ...update, provider };
        context.heartbeat(last);
        await deliver(context, notify, last);
      },
    });
    const status = (step as { status?: string } | undefined)?.status ?? 'unknown';
    context.metricMeter.createCounter('cuwo_provider_steps_total', 'steps', 'provider answers by provider, activity and status').add(1, { provider, activity: context.info.activityType, status });
    context.log.info('provider step', { provider, status });
    return step;
  } finally {
    clearInterval(keepAlive);
  }
}

async function deliver(context: Context, notify: string[], update: ProcessingDataUpdate): Promise<void> {
  const [own, ...orchestrators] = notify;
  try {
    await context.client.workflow.getHandle(own).signal(PROCESSING_DATA_SIGNAL, update);
  } catch (err) {
    // The CUWO is closed (terminated, timed out): this attempt is an orphan and must not move money.
    if (err instanceof WorkflowNotFoundError) {
      throw ApplicationFailure.nonRetryable(`CUWO ${own} is no longer running; not calling the provider`, 'CuwoClosed');
    }
    throw err;
  }
  for (const id of orchestrators) {
    try {
      await context.client.workflow.getHandle(id).signal(PROCESSING_DATA_SIGNAL, update);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err; // an orchestrator that has closed needs no update
    }
  }
}
