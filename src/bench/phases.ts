/**
 * The bench's phases after the latency/throughput matrix:
 *   rss        one fresh worker, N GrantPayouts (disburseFunds) at concurrency 50, its RSS sampled as it goes
 *   kill       two workers; a payout whose provider call is slow, its worker SIGKILLed mid-call, the
 *              time to the payout's outcome on the other worker (several samples)
 *   scale-out  (cluster) the bare workflow and GrantPayout (disburseFunds) at concurrency 50 with 1, 2,
 *              4 ... worker processes, and where the CPU went at each step
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { msToNumber } from '@temporalio/common/lib/time';
import { cuwoOutcome, startCuwo } from '../client';
import { payoutParameters } from '../chaos/mix';
import type { LocalStack } from '../dev/stack';
import { PROVIDER_ACTIVITY_OPTIONS } from '../workflows/provider-calls';
import { eventMs } from './history';
import { runLevel } from './load';
import {
  latencyStats,
  rssLevels,
  type KillResult,
  type KillSample,
  type RssResult,
  type RssSample,
  type ScaleOutStep,
  type WorkloadId,
} from './measure';
import type { BenchWorkers } from './worker-process';
import { WORKLOADS, type BenchContext } from './workloads';

export interface PhaseEnv {
  ctx: BenchContext;
  stack: LocalStack;
  workers: BenchWorkers;
  signal: AbortSignal;
  say(line: string): void;
}

const RUN_TIMEOUT_MS = 120_000;

export async function rssPhase(env: PhaseEnv, cuwos: number, concurrency: number): Promise<RssResult> {
  const workload = WORKLOADS['gp-disburse'];
  env.say(`rss: a fresh worker, then ${cuwos} ${workload.label} at concurrency ${concurrency}`);
  await env.workers.stopAll();
  await env.workers.ensure(1);
  const [worker] = env.workers.all;
  await sleep(2_000); // start-up settles (bundle loaded, connections up)
  const sample = async (n: number): Promise<RssSample> => {
    const m = await worker.memory();
    return { cuwos: n, rssMiB: m.rssMiB, heapMiB: m.heapUsedMiB, afterGc: m.afterGc };
  };
  const samples: RssSample[] = [await sample(0)];
  const step = Math.max(100, Math.ceil(cuwos / 20));
  let done = 0;
  let errors = 0;
  const t0 = Date.now();
  for (let chunk = 1; done + errors < cuwos && !env.signal.aborted; chunk++) {
    const { level } = await runLevel(env.ctx, workload, {
      concurrency,
      runs: Math.min(step, cuwos - done - errors),
      maxSeconds: Infinity,
      tag: `rss${chunk}`,
      runTimeoutMs: RUN_TIMEOUT_MS,
      signal: env.signal,
      workerGroups: () => env.workers.groups,
    });
    if (env.signal.aborted) break;
    done += level.runs;
    errors += level.errors;
    samples.push(await sample(done));
    const rate = done / ((Date.now() - t0) / 1000);
    const last = samples.at(-1)!;
    env.say(
      `rss: ${done}/${cuwos} CUWOs (${rate.toFixed(1)}/s), worker RSS ${last.rssMiB.toFixed(0)} MiB, ` +
        `V8 heap ${last.heapMiB.toFixed(0)} MiB${last.afterGc ? ' (after a full GC)' : ''}`,
    );
    if (level.runs === 0) throw new Error(`rss: no CUWO completes (${level.firstError ?? 'no error'})`);
  }
  return {
    workload: workload.id,
    concurrency,
    startMiB: samples[0].rssMiB,
    ...(rssLevels(samples, cuwos) ?? { warmMiB: samples[0].rssMiB, endMiB: samples[0].rssMiB }),
    cuwos: done,
    errors,
    seconds: (Date.now() - t0) / 1000,
    samples,
  };
}

/** A payout whose disburseFunds call takes `slowMs`; its worker is SIGKILLed while the call is in flight. */
export async function killPhase(env: PhaseEnv, count: number, slowMs = 4_000): Promise<KillResult> {
  const heartbeatTimeoutMs = msToNumber(PROVIDER_ACTIVITY_OPTIONS.heartbeatTimeout);
  env.say(`kill: ${count} payouts, each worker SIGKILLed mid-call (heartbeat timeout ${heartbeatTimeoutMs / 1000} s)`);
  await env.workers.ensure(2);
  const samples: KillSample[] = [];
  const errors: string[] = [];
  const s = (ms: number | undefined) => (ms === undefined ? '?' : (ms / 1000).toFixed(2));
  for (let i = 1; i <= count && !env.signal.aborted; i++) {
    try {
      const sample = await env.ctx.client.connection.withAbortSignal(env.signal, () => killOnce(env, i, slowMs));
      samples.push(sample);
      env.say(
        `kill ${i}/${count}: payout completed on another worker ${s(sample.totalMs)} s after the SIGKILL ` +
          `(attempt ${sample.attempt} started at ${s(sample.retryStartedMs)} s, done ${s(sample.activityDoneMs)} s, ` +
          `CUWO closed ${s(sample.closedMs)} s)`,
      );
    } catch (err) {
      errors.push((err as Error).message);
      env.say(`kill ${i}/${count}: ${(err as Error).message}`);
    }
    await env.workers.ensure(2); // the replacement starts after the sample: its start-up must not slow the recovery
  }
  const samplesMs = samples.map((x) => x.totalMs);
  return { samplesMs, samples, p50Ms: latencyStats(samplesMs).p50, heartbeatTimeoutMs, errors };
}

async function killOnce(env: PhaseEnv, i: number, slowMs: number): Promise<KillSample> {
  const requestId = `${env.ctx.runId}-kill-${i}`;
  const params = payoutParameters({
    index: i,
    requestId,
    kind: 'payout-disburse',
    amountMinor: 1_000n,
    notBeforeMs: 0,
    destination: `k${i}@okbank`,
    note: 'paid',
  });
  params.paymentMethodConfiguration.accountName = env.ctx.accounts.disburse;
  env.stack.disburse.injectFault({ kind: 'latency', ms: slowMs, count: 1 });
  const { handle } = await startCuwo(env.ctx.client, 'GrantPayout', params, { taskQueue: env.ctx.taskQueue });
  // Mid-call: the provider has the request (and has paid), its answer is still on the way.
  const deadline = Date.now() + 30_000;
  let victim: (typeof env.workers.all)[number] | undefined;
  while (!victim) {
    if (Date.now() > deadline) throw new Error(`${handle.workflowId}: the provider call did not start within 30 s`);
    const inFlight = env.stack.disburse.ledger().some((d) => d.requestId === `payout:${requestId}`);
    if (inFlight) {
      const identity = (await handle.describe()).raw.pendingActivities?.[0]?.lastWorkerIdentity;
      victim = env.workers.all.find((w) => w.name === identity);
    }
    if (!victim) await sleep(20);
  }
  const t0 = Date.now();
  await env.workers.kill(victim);
  const end = await cuwoOutcome(handle);
  const totalMs = Date.now() - t0;
  if (end.outcome !== 'SUCCESS') throw new Error(`${handle.workflowId} ended ${end.outcome} after the SIGKILL`);
  return { totalMs, ...(await killTimeline(env, handle.workflowId, t0)) };
}

/** From the history: when the retried attempt started, when it ended, when the CUWO closed (ms after the kill). */
async function killTimeline(env: PhaseEnv, workflowId: string, killedAt: number): Promise<Omit<KillSample, 'totalMs'>> {
  const events = (await env.ctx.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const after = (e: (typeof events)[number] | undefined) => (e?.eventTime ? Math.round(eventMs(e) - killedAt) : undefined);
  const retried = events.find((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 0) > 1);
  return {
    attempt: retried?.activityTaskStartedEventAttributes?.attempt ?? 1,
    retryStartedMs: after(retried),
    activityDoneMs: after(events.find((e) => e.activityTaskCompletedEventAttributes)),
    closedMs: after(events.at(-1)),
    lastFailure: retried?.activityTaskStartedEventAttributes?.lastFailure?.message ?? undefined,
  };
}

export async function scaleOutPhase(env: PhaseEnv, counts: readonly number[], runs: number, concurrency: number): Promise<ScaleOutStep[]> {
  const steps: ScaleOutStep[] = [];
  const workloads: WorkloadId[] = ['bare', 'gp-disburse'];
  for (const count of [...counts].sort((a, b) => a - b)) {
    if (env.signal.aborted) break;
    await env.workers.shrink(count);
    env.say(`scale-out: ${count} worker process(es)...`);
    await env.workers.ensure(count);
    for (const id of workloads) {
      const common = {
        concurrency,
        maxSeconds: Infinity,
        runTimeoutMs: RUN_TIMEOUT_MS,
        signal: env.signal,
        workerGroups: () => env.workers.groups,
      };
      await runLevel(env.ctx, WORKLOADS[id], { ...common, runs: concurrency * 2, tag: `sw${count}${id}` }); // new workers warm up
      const { level } = await runLevel(env.ctx, WORKLOADS[id], { ...common, runs, tag: `s${count}${id}`, progress: env.say });
      steps.push({ workload: id, workers: count, concurrency, throughput: level.throughput, p50: level.latency.p50, cpu: level.cpu });
      env.say(
        `scale-out ${count}w ${id}: ${level.throughput.toFixed(1)}/s, p50 ${level.latency.p50.toFixed(0)} ms, ` +
          `CPU busy ${level.cpu?.busy}% of ${(level.cpu?.cores ?? 0) * 100}% (workers ${level.cpu?.workers}%, temporal ${level.cpu?.temporal}%, ` +
          `postgres ${level.cpu?.postgres}%, bench ${level.cpu?.bench}%, other ${level.cpu?.other}%)`,
      );
    }
  }
  return steps;
}
