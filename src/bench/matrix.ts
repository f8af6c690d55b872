/**
 * The latency/throughput matrix: every workload at every concurrency level on one worker process,
 * level by level (all workloads back to back at one level, so the ratios compare runs made under the
 * same background load), after a warm-up per workload; then where the time of a few concurrency-1 runs
 * went, from their histories.
 */
import { workflowIds } from '../contracts/ids';
import { breakdowns, medianBreakdown } from './history';
import { runLevel, type LevelRun } from './load';
import { latencyStats, type LevelResult, type WorkloadId } from './measure';
import type { PhaseEnv } from './phases';
import type { BenchReport } from './report';
import { cpuText } from './report';
import { WORKLOADS } from './workloads';

export interface MatrixOptions {
  workloads: readonly WorkloadId[];
  concurrency: readonly number[];
  runs: number;
  levelSeconds: number;
  warmup: number;
  runTimeoutMs: number;
}

/** How many concurrency-1 runs per workload have their history read for the breakdown. */
const BREAKDOWN_RUNS = 15;

export async function runMatrix(
  env: PhaseEnv,
  options: MatrixOptions,
): Promise<{ levels: LevelResult[]; breakdowns: BenchReport['breakdowns'] }> {
  await env.workers.ensure(1);
  const levels: LevelResult[] = [];
  const firstRuns = new Map<WorkloadId, LevelRun>();
  const common = { runTimeoutMs: options.runTimeoutMs, signal: env.signal, workerGroups: () => env.workers.groups };
  for (const id of options.workloads) {
    if (env.signal.aborted) break;
    const warm = await runLevel(env.ctx, WORKLOADS[id], {
      ...common,
      concurrency: Math.min(10, Math.max(...options.concurrency)),
      runs: options.warmup,
      maxSeconds: options.levelSeconds,
      tag: `${short(id)}w`,
    });
    env.say(`warm-up ${id}: ${warm.level.runs} runs${warm.level.errors ? `, ${warm.level.errors} errors (${warm.level.firstError})` : ''}`);
  }
  for (const concurrency of options.concurrency) {
    for (const id of options.workloads) {
      if (env.signal.aborted) break;
      const run = await runLevel(env.ctx, WORKLOADS[id], {
        ...common,
        concurrency,
        runs: options.runs,
        maxSeconds: options.levelSeconds,
        tag: `${short(id)}${concurrency}`,
        progress: env.say,
      });
      levels.push(run.level);
      if (concurrency === Math.min(...options.concurrency)) firstRuns.set(id, run);
      const l = run.level;
      env.say(
        `${id} c=${concurrency}: ${l.runs} runs in ${l.seconds.toFixed(1)} s, ${l.throughput.toFixed(1)}/s, ` +
          `p50 ${l.latency.p50.toFixed(1)} p95 ${l.latency.p95.toFixed(1)} p99 ${l.latency.p99.toFixed(1)} ms; CPU % ${cpuText(l.cpu)}` +
          `${l.errors ? `; ${l.errors} errors, first: ${l.firstError}` : ''}`,
      );
    }
  }
  const out: BenchReport['breakdowns'] = [];
  // After Ctrl-C the Temporal server (in this process group) is gone: no more calls to it.
  if (env.signal.aborted) return { levels, breakdowns: out };
  for (const [id, run] of firstRuns) {
    const sample = run.samples.slice(0, BREAKDOWN_RUNS);
    if (!sample.length) continue;
    const clientMs = latencyStats(sample.map((s) => s.totalMs)).p50;
    const concurrency = run.level.concurrency;
    const parts = await breakdowns(
      env.ctx.client,
      sample.map((s) => s.workflowId),
    ).catch(() => []);
    const median = medianBreakdown(parts);
    if (median) out.push({ name: `${id} (c=${concurrency})`, runs: parts.length, clientMs, median });
    if (id === 'pr-capture') {
      const children = await breakdowns(
        env.ctx.client,
        sample.map((s) => workflowIds.authorizeOrCapturePayment(s.requestId)),
      ).catch(() => []);
      const child = medianBreakdown(children);
      if (child) out.push({ name: '  its AuthorizeOrCapturePayment', runs: children.length, clientMs: NaN, median: child });
    }
  }
  return { levels, breakdowns: out };
}

const short = (id: WorkloadId) => ({ bare: 'b', 'gp-disburse': 'gd', 'gp-payneteasy': 'gp', 'pr-capture': 'pr' })[id];
