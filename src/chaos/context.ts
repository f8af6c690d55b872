/** What the parts of a chaos run share: the stack, the client, the requests in flight, and the counters. */
import type { Client } from '@temporalio/client';
import { workflowIds } from '../contracts/ids';
import type { LocalStack } from '../dev/stack';
import type { ForgedCallbackAnswer } from './check';
import { REQUEST_KINDS, type RequestKind, type RequestPlan } from './mix';
import type { WorkerPool } from './workers';

export type Phase = 'waiting' | 'running' | 'done';

export interface TrackedRequest {
  plan: RequestPlan;
  phase: Phase;
  /** Milliseconds since the run's start. */
  startedAtMs?: number;
  doneAtMs?: number;
  /** The one termination this request may get. */
  terminated?: string;
  startError?: string;
  /** What happened to this request, in order (its own disruptions and interactions). */
  events: Array<{ atMs: number; what: string }>;
}

export interface Stats {
  requestsByKind: Record<RequestKind, number>;
  faults: Record<string, number>;
  /** Fault kinds the simulator refused (not supported by this version of it). */
  unsupportedFaults: Record<string, string>;
  callbackModes: Record<string, number>;
  cancels: Record<string, number>;
  terminations: Record<string, number>;
  /** Receiver answers by HTTP status, per kind of hostile callback. */
  callbacks: { forged: Record<string, number>; replayed: Record<string, number>; signedLies: Record<string, number> };
  forgedAnswers: ForgedCallbackAnswer[];
  /** Global events (kills, faults, callback modes), for the story of a violation. */
  events: Array<{ atMs: number; what: string }>;
}

export interface ChaosContext {
  client: Client;
  stack: LocalStack;
  taskQueue: string;
  workers: WorkerPool;
  /** The chaos accounts' request timeout, so latency faults can go past it. */
  providerTimeoutMs: number;
  startedAt: number;
  requests: Map<string, TrackedRequest>;
  stats: Stats;
  /** Aborted on Ctrl-C or at the drain deadline: everything stops interacting. */
  signal: AbortSignal;
  log(line: string): void;
}

export function newStats(): Stats {
  return {
    requestsByKind: Object.fromEntries(REQUEST_KINDS.map((k) => [k, 0])) as Record<RequestKind, number>,
    faults: {},
    unsupportedFaults: {},
    callbackModes: {},
    cancels: {},
    terminations: {},
    callbacks: { forged: {}, replayed: {}, signedLies: {} },
    forgedAnswers: [],
    events: [],
  };
}

export const bump = (counter: Record<string, number>, key: string, by = 1) => {
  counter[key] = (counter[key] ?? 0) + by;
};

export const elapsed = (ctx: Pick<ChaosContext, 'startedAt'>) => Date.now() - ctx.startedAt;

export function requestEvent(ctx: ChaosContext, requestId: string, what: string): void {
  ctx.requests.get(requestId)?.events.push({ atMs: elapsed(ctx), what });
}

export function globalEvent(ctx: ChaosContext, what: string): void {
  ctx.stats.events.push({ atMs: elapsed(ctx), what });
}

/** The workflow ids of a request, by role. */
export function idsOf(plan: RequestPlan) {
  const id = plan.requestId;
  return plan.kind.startsWith('payout')
    ? { orchestrator: workflowIds.payoutRequest(id), cuwo: workflowIds.grantPayout(id), compensation: workflowIds.cancelPayout(id) }
    : {
        orchestrator: workflowIds.paymentRequest(id),
        cuwo: workflowIds.authorizeOrCapturePayment(id),
        capture: workflowIds.capturePayment(id),
        compensation: workflowIds.cancelPayment(id),
      };
}

export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
