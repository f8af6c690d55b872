/**
 * Runs a provider call inside an activity with its ProviderContext:
 * - every processing-data update is heartbeated (a retried attempt resumes from it) and handed to the
 *   CUWO by an update, which also answers whether a money-moving request may still be sent (a cancel
 *   request that came first stops it), then signaled to the orchestrator on a best-effort basis;
 * - processing data is sealed for this request (src/activities/sealing.ts);
 * - errors keep the money rule: an unknown provider outcome is retried without limit, a failed hand-over
 *   to the CUWO is retried, a defect (TypeError, an impossible stage, ...) is not retried.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import type { ProviderContext } from './providers/types';
import type { ProcessingDataSeal, RequestBinding } from './sealing';
import {
  METRICS,
  count,
  cuwoStateQuery,
  processingDataSignal,
  processingDataUpdate,
  type ProcessingDataAck,
  type ProcessingDataUpdate,
} from '../contracts';

const KEEP_ALIVE_MS = 2_000;

/** What a provider activity needs besides its call: whom to notify, which request it serves, the seal. */
export interface ProviderCallScope {
  provider: string;
  /** The CUWO's workflow id first, then its orchestrator's (if any). */
  notify: string[];
  request: RequestBinding;
  seal: ProcessingDataSeal;
}

export async function withProviderContext<T>(scope: ProviderCallScope, call: (ctx: ProviderContext) => Promise<T>): Promise<T> {
  const context = Context.current();
  const { provider, notify, request, seal } = scope;
  const heartbeat = context.info.heartbeatDetails as ProcessingDataUpdate | undefined;
  // A retried attempt resumes from the CUWO's own record (every update it accepted, in order); the
  // heartbeat may lag behind it when the worker died right after reporting.
  const recorded = context.info.attempt > 1 ? await lastAcceptedProcessingData(context, notify[0]) : undefined;
  const resumedData = recorded ?? heartbeat?.processingData;
  const resumed = resumedData ? seal.open(resumedData, request) : undefined;
  let last: ProcessingDataUpdate | undefined = heartbeat;
  // A slow provider must not look like a dead worker: keep heartbeating while the call is in flight.
  const keepAlive = setInterval(() => context.heartbeat(last), KEEP_ALIVE_MS);
  try {
    const step = await call({
      attempt: context.info.attempt,
      signal: context.cancellationSignal,
      resumed: resumed?.ok ? resumed.record : undefined,
      workflowId: notify[0],
      seal: (record) => seal.seal(request, record),
      report: async (update) => {
        last = { ...update, provider };
        context.heartbeat(last);
        await deliver(context, notify, last);
      },
    });
    const status = (step as { status?: string } | undefined)?.status ?? 'unknown';
    count(context.metricMeter, METRICS.providerSteps, { provider, activity: context.info.activityType, status });
    context.log.info('provider step', { provider, status });
    return step;
  } catch (err) {
    if (err instanceof ApplicationFailure) throw err; // outcome unknown (retried), canceled before sending, CUWO closed, ...
    // Anything else is a defect on our side: retrying the same input cannot help. The CUWO ends with its
    // Failure structure (flagged when money may be out) instead of retrying forever.
    throw ApplicationFailure.create({
      type: 'InternalError',
      message: `defect in the ${provider} adapter: ${(err as Error)?.message ?? String(err)}`,
      nonRetryable: true,
      cause: err instanceof Error ? err : undefined,
    });
  } finally {
    clearInterval(keepAlive);
  }
}

/** The processing data the CUWO last accepted (its `cuwoState` query), or undefined when it cannot answer. */
async function lastAcceptedProcessingData(context: Context, workflowId: string): Promise<string | undefined> {
  try {
    const state = await context.client.workflow.getHandle(workflowId).query(cuwoStateQuery);
    return state?.processingData;
  } catch {
    return undefined;
  }
}

/** Hands the update to the CUWO (must succeed before the call goes on), then to its orchestrator (best effort). */
async function deliver(context: Context, notify: string[], update: ProcessingDataUpdate): Promise<void> {
  const [own, ...orchestrators] = notify;
  let ack: ProcessingDataAck;
  try {
    ack = await context.client.workflow.getHandle(own).executeUpdate(processingDataUpdate, { args: [update] });
  } catch (err) {
    // The CUWO is closed (terminated, timed out): this attempt is an orphan and must not move money.
    if (err instanceof WorkflowNotFoundError || /already completed|not found/i.test((err as Error)?.message ?? '')) {
      throw ApplicationFailure.nonRetryable(`CUWO ${own} is no longer running; not calling the provider`, 'CuwoClosed');
    }
    throw ApplicationFailure.retryable(
      `could not hand processing data to ${own}: ${(err as Error)?.message ?? String(err)}`,
      'NotifyFailed',
    );
  }
  if (!ack.proceed) {
    throw ApplicationFailure.nonRetryable(
      `a cancel request reached ${own} before the request was sent; nothing was sent`,
      'CanceledBeforeSending',
    );
  }
  for (const id of orchestrators) {
    // A failed notification of the orchestrator must never block a money step: the CUWO has the data
    // (and the orchestrator reads the CUWO's record when the CUWO dies), so a few quick tries, then on.
    for (let attempt = 1; ; attempt++) {
      try {
        await context.client.workflow.getHandle(id).signal(processingDataSignal, update);
        break;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) break; // an orchestrator that has closed needs no update
        if (attempt < ORCHESTRATOR_NOTIFY_TRIES) {
          await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
          continue;
        }
        count(context.metricMeter, METRICS.orchestratorNotifyFailures, { provider: update.provider });
        context.log.warn('could not hand processing data to the orchestrator', { orchestrator: id, error: (err as Error)?.message });
        break;
      }
    }
  }
}

const ORCHESTRATOR_NOTIFY_TRIES = 3;
