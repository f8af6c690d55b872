/**
 * The HTTP receiver for provider status callbacks (today Payneteasy's; docs/payneteasy.md). The
 * account's provider descriptor verifies a callback with the account's secret; a verified one is
 * handed to the waiting CUWO by update, and 200 is answered only once it is durably in the workflow's
 * history. Forged or malformed callbacks change nothing.
 *
 *   GET /callbacks/<provider>/<accountName>/<workflowId>?status=..&orderid=..&client_orderid=..&control=..
 *
 * The path names the workflow (the adapter put it into the callback URL). The update's validator
 * checks the callback against the order the CUWO follows and drops duplicates (by the signed fields
 * alone), so a replayed or misaddressed callback never enters a history; the CUWO treats a callback
 * only as "ask the provider now", so even a valid one cannot change an outcome. A verified callback
 * for a CUWO that already ended (a late approval, a reversal or chargeback sent to notify_url) is
 * recorded on the request's ProviderEvents workflow (late-events.ts, docs/reconciliation.md).
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import Fastify, { type FastifyInstance } from 'fastify';
import { Counter, Registry } from 'prom-client';
import { providerFor } from '../activities/providers/registry';
import { CALLBACK_REFUSALS, METRICS, providerCallbackUpdate } from '../contracts';
import type { Accounts } from '../config';
import { logger } from '../observability';
import { recordLateEvent } from './late-events';

export interface CallbackReceiverOptions {
  client: Client;
  accounts: Accounts;
  host?: string;
  port?: number;
  /** Called for every callback with what was decided (in addition to the metrics and the log line). */
  onCallback?: (event: CallbackEvent) => void;
}

export interface CallbackReceiver {
  readonly url: string;
  /** The callbackUrl to configure on the account of this name (its provider's path). */
  callbackUrlFor(accountName: string): string;
  close(): Promise<void>;
}

/** What happened to one callback; `result` is the metric label. */
export interface CallbackEvent {
  account: string;
  workflowId: string;
  httpStatus: number;
  result: 'delivered' | 'duplicate' | 'already-finished' | 'forged' | 'not-this-order' | 'malformed' | 'unknown-account' | 'unavailable';
  reason: string;
}

/** How long a callback waits for its CUWO to take it; then 503, and the provider retries later. */
const DELIVERY_TIMEOUT_MS = 10_000;

export function buildCallbackApp(options: CallbackReceiverOptions): FastifyInstance {
  // Workflow ids may be long (Temporal allows 1,000 bytes; percent-encoded up to three times that).
  const app = Fastify({ logger: false, forceCloseConnections: true, routerOptions: { maxParamLength: 4096 } });
  const registry = new Registry();
  const callbacks = new Counter({
    name: METRICS.callbacks.name,
    help: METRICS.callbacks.description,
    labelNames: ['account', 'result'],
    registers: [registry],
  });
  const report = (event: CallbackEvent) => {
    callbacks.inc({ account: event.account, result: event.result });
    logger[event.httpStatus >= 500 ? 'error' : event.httpStatus >= 400 ? 'warn' : 'info']({ ...event }, `callback ${event.result}`);
    options.onCallback?.(event);
  };

  app.get('/healthz', async () => ({ ok: true }));
  app.get('/metrics', async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));

  app.get<{ Params: { provider: string; account: string; workflowId: string }; Querystring: Record<string, string | undefined> }>(
    '/callbacks/:provider/:account/:workflowId',
    async (request, reply) => {
      const { provider, account: accountName, workflowId } = request.params;
      const answer = (httpStatus: number, reason: string, result: CallbackEvent['result'] = 'delivered') => {
        report({ account: accountName, workflowId, httpStatus, reason, result });
        return reply
          .code(httpStatus)
          .type('text/plain')
          .send(httpStatus === 200 ? 'OK' : reason);
      };
      const account = options.accounts[accountName];
      const verify = account?.provider === provider ? providerFor(accountName, account).verifyCallback : undefined;
      if (!verify) return answer(404, `no ${provider} account named "${accountName}" that sends callbacks`, 'unknown-account');
      const check = verify(request.query);
      if (!check.ok) return answer(check.httpStatus, check.reason, check.result);
      const callback = check.callback;
      try {
        await withTimeout(
          options.client.workflow.getHandle(workflowId).executeUpdate(providerCallbackUpdate, { args: [callback] }),
          DELIVERY_TIMEOUT_MS,
        );
      } catch (err) {
        // Finished (or unknown) workflow: nothing waits for this callback; it is recorded against the request
        // (late-events.ts) and 200 stops 14 days of retries.
        if (err instanceof WorkflowNotFoundError || /already completed/i.test((err as Error)?.message ?? '')) {
          const late = await recordLateEvent(options.client, {
            accountName,
            workflowId,
            callback,
            amount: request.query.amount,
          }).catch((cause: unknown) => ({ kind: 'failed' as const, reason: (cause as Error).message }));
          if (late.kind === 'not-this-order') return answer(403, late.reason, 'not-this-order');
          if (late.kind === 'failed') return answer(503, `could not record the event; retry later (${late.reason})`, 'unavailable');
          const what =
            late.kind === 'recorded' ? `recorded on ${late.caseWorkflowId}` : late.kind === 'no-order' ? late.reason : 'no such workflow';
          return answer(200, `workflow already finished; ${what}`, 'already-finished');
        }
        const refusal = err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure ? err.cause.type : undefined;
        if (refusal === CALLBACK_REFUSALS.duplicate || refusal === CALLBACK_REFUSALS.limit)
          return answer(200, 'already delivered', 'duplicate');
        if (refusal === CALLBACK_REFUSALS.notThisOrder)
          return answer(403, 'the callback names another order than this workflow follows: rejected', 'not-this-order');
        return answer(503, `could not hand the callback to its workflow; retry later (${(err as Error).message})`, 'unavailable');
      }
      return answer(200, 'delivered');
    },
  );
  return app;
}

export async function startCallbackReceiver(options: CallbackReceiverOptions): Promise<CallbackReceiver> {
  const app = buildCallbackApp(options);
  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  const address = app.server.address() as { address: string; port: number };
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  return {
    url,
    callbackUrlFor: (accountName) => {
      const provider = options.accounts[accountName]?.provider ?? 'payneteasy';
      return `${url}/callbacks/${provider}/${encodeURIComponent(accountName)}`;
    },
    close: () => app.close(),
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the workflow within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
