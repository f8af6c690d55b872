/**
 * The pure arithmetic of `npm run bench`: percentiles, one level's figures, each workload's ratio to
 * the bare workflow, and the targets judged PASS / MISS. No I/O here (unit-tested in
 * test/unit/bench-measure.test.ts).
 */

export const WORKLOAD_IDS = ['bare', 'gp-disburse', 'gp-payneteasy', 'pr-capture'] as const;
export type WorkloadId = (typeof WORKLOAD_IDS)[number];
export const GRANT_PAYOUT_WORKLOADS: readonly WorkloadId[] = ['gp-disburse', 'gp-payneteasy'];

export interface LatencyStats {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

/** Nearest-rank percentile of ascending `sorted` (p in 0..100); NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  if (p <= 0) return sorted[0];
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, rank) - 1];
}

export function latencyStats(samples: readonly number[]): LatencyStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    mean: sorted.length ? sum / sorted.length : NaN,
    min: sorted.length ? sorted[0] : NaN,
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
  };
}

/** Where the machine's CPU went during a phase, in % of one core (a 2-core machine has 200 %). */
export interface CpuShare {
  cores: number;
  /** The bench process itself: client, simulators, callback receiver, codec server. */
  bench: number;
  workers: number;
  /** The Temporal server (dev server, or the cluster's server and its Web UI server). */
  temporal: number;
  postgres: number;
  /** Everything on the machine that this run did not start (other people's tests). */
  other: number;
  /** All of it: bench + workers + temporal + postgres + other. */
  busy: number;
}

/** One workload at one concurrency: closed loop, `concurrency` CUWOs in flight until `runs` are done. */
export interface LevelResult {
  workload: WorkloadId;
  concurrency: number;
  /** Completed with the expected outcome; only these count in the latencies. */
  runs: number;
  errors: number;
  firstError?: string;
  seconds: number;
  /** Completed per second (runs / seconds). */
  throughput: number;
  /** Start call to outcome, as the client sees it (ms). */
  latency: LatencyStats;
  /** The start call alone (ms). */
  start: LatencyStats;
  cpu?: CpuShare;
}

/** CPU time spent per completed workflow during a level (ms), by part: what one CUWO costs, whatever else ran. */
export interface CpuPerWorkflow {
  workers: number;
  temporal: number;
  postgres: number;
  bench: number;
}

export function cpuPerWorkflow(level: Pick<LevelResult, 'cpu' | 'throughput'>): CpuPerWorkflow | undefined {
  if (!level.cpu || !(level.throughput > 0)) return undefined;
  // cpu parts are % of one core, i.e. 10 ms of CPU per second per percent.
  const per = (pct: number) => Math.round(((pct * 10) / level.throughput) * 10) / 10;
  return {
    workers: per(level.cpu.workers),
    temporal: per(level.cpu.temporal),
    postgres: per(level.cpu.postgres),
    bench: per(level.cpu.bench),
  };
}

export interface Ratio {
  workload: WorkloadId;
  concurrency: number;
  /** p50 of the workload / p50 of the bare workflow at the same concurrency. */
  p50: number;
  /** p50 of the workload - p50 of the bare workflow (ms). */
  p50DeltaMs: number;
  /** Throughput of the workload / throughput of the bare workflow at the same concurrency. */
  throughput: number;
}

export function ratios(levels: readonly LevelResult[]): Ratio[] {
  const out: Ratio[] = [];
  for (const level of levels) {
    if (level.workload === 'bare') continue;
    const bare = levels.find((l) => l.workload === 'bare' && l.concurrency === level.concurrency);
    if (!bare) continue;
    out.push({
      workload: level.workload,
      concurrency: level.concurrency,
      p50: level.latency.p50 / bare.latency.p50,
      p50DeltaMs: level.latency.p50 - bare.latency.p50,
      throughput: level.throughput / bare.throughput,
    });
  }
  return out;
}

export interface RssSample {
  cuwos: number;
  /** The worker's node process, right after a full garbage collection (when afterGc). */
  rssMiB: number;
  /** V8 heap in use then (NaN when the worker did not answer). */
  heapMiB: number;
  afterGc: boolean;
}

export interface RssResult {
  workload: WorkloadId;
  concurrency: number;
  /** Right after the worker started polling, before any CUWO. */
  startMiB: number;
  /** Median of the samples from a tenth to a third of the CUWOs (caches and JIT warm); flatness is judged from here. */
  warmMiB: number;
  /** Median of the samples in the last fifth. */
  endMiB: number;
  cuwos: number;
  errors: number;
  seconds: number;
  samples: RssSample[];
}

export interface ScaleOutStep {
  workload: WorkloadId;
  workers: number;
  concurrency: number;
  throughput: number;
  p50: number;
  cpu?: CpuShare;
}

export interface KillSample {
  /** Kill to the payout's outcome, as the client saw it (ms). */
  totalMs: number;
  /** The attempt that completed the payout (2 after one kill). */
  attempt: number;
  /** After the kill (server event times, ms): the retried attempt started, the activity completed, the CUWO closed. */
  retryStartedMs?: number;
  activityDoneMs?: number;
  closedMs?: number;
  /** Why the attempt before failed (the heartbeat timeout). */
  lastFailure?: string;
}

export interface KillResult {
  /** Kill to the payout's outcome, per sample (ms). */
  samplesMs: number[];
  samples: KillSample[];
  p50Ms: number;
  heartbeatTimeoutMs: number;
  errors: string[];
}

/** A step counts as growing when it adds at least this much throughput. */
export const SCALE_OUT_GROWTH = 1.1;
/** The machine counts as saturated when this share of all its cores is busy. */
export const SATURATED_BUSY = 0.85;
/** RSS counts as flat when it grows at most this much from the warm sample to the end. */
export const RSS_FLAT_GROWTH = 0.1;

export type Verdict = 'PASS' | 'MISS' | 'n/a';

export interface TargetCheck {
  target: string;
  measured: string;
  verdict: Verdict;
}

export interface TargetInput {
  server: 'dev' | 'cluster';
  levels: readonly LevelResult[];
  rss?: RssResult;
  scaleOut?: readonly ScaleOutStep[];
  kill?: KillResult;
}

const ms = (v: number) => `${v.toFixed(1)} ms`;
const verdict = (pass: boolean | undefined): Verdict => (pass === undefined ? 'n/a' : pass ? 'PASS' : 'MISS');
const level = (levels: readonly LevelResult[], workload: WorkloadId, concurrency: number) =>
  levels.find((l) => l.workload === workload && l.concurrency === concurrency && l.runs > 0);

/** The targets (never a timed test: the bench reports them). */
export function checkTargets(input: TargetInput): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const bare1 = level(input.levels, 'bare', 1);
  const bare50 = level(input.levels, 'bare', 50);
  for (const id of GRANT_PAYOUT_WORKLOADS) {
    const gp1 = level(input.levels, id, 1);
    if (bare1 && gp1) {
      const delta = gp1.latency.p50 - bare1.latency.p50;
      checks.push({
        target: `${id} c=1: p50 within 10 ms of bare`,
        measured: `${ms(gp1.latency.p50)} vs ${ms(bare1.latency.p50)} (${delta >= 0 ? '+' : ''}${delta.toFixed(1)} ms)`,
        verdict: verdict(delta <= 10),
      });
      checks.push({
        target: `${id} c=1: p50 under 40 ms (dev stack)`,
        measured: ms(gp1.latency.p50),
        verdict: input.server === 'dev' ? verdict(gp1.latency.p50 < 40) : 'n/a',
      });
    }
    const gp50 = level(input.levels, id, 50);
    if (bare50 && gp50) {
      const ratio = gp50.throughput / bare50.throughput;
      checks.push({
        target: `${id} c=50: throughput >= 0.9x bare`,
        measured: `${gp50.throughput.toFixed(1)}/s vs ${bare50.throughput.toFixed(1)}/s (${ratio.toFixed(2)}x)`,
        verdict: verdict(ratio >= 0.9),
      });
    }
  }
  if (input.scaleOut?.length) checks.push(...scaleOutChecks(input.scaleOut));
  if (input.rss) {
    const growth = input.rss.endMiB / input.rss.warmMiB - 1;
    checks.push({
      target: `worker RSS flat over ${input.rss.cuwos} CUWOs (after a full GC; median of the last fifth <= +${RSS_FLAT_GROWTH * 100}% over warm)`,
      measured:
        `start ${input.rss.startMiB.toFixed(0)} MiB, warm ${input.rss.warmMiB.toFixed(0)} MiB, ` +
        `end ${input.rss.endMiB.toFixed(0)} MiB (${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)}%)`,
      verdict: verdict(growth <= RSS_FLAT_GROWTH),
    });
  }
  if (input.kill) {
    const limit = input.kill.heartbeatTimeoutMs + 2_000;
    const n = input.kill.samplesMs.length;
    checks.push({
      target: `SIGKILL mid-call to outcome: p50 <= heartbeat timeout + 2 s (${(limit / 1000).toFixed(0)} s)`,
      measured: n ? `p50 ${(input.kill.p50Ms / 1000).toFixed(2)} s of ${n}` : 'no sample',
      verdict: n ? verdict(input.kill.p50Ms <= limit) : 'MISS',
    });
  }
  return checks;
}

/**
 * Throughput grows with each step in worker processes, or, where it stops growing, the step before
 * already had the machine saturated (the server side cannot go faster on these cores).
 */
export function scaleOutChecks(steps: readonly ScaleOutStep[]): TargetCheck[] {
  const byWorkload = new Map<WorkloadId, ScaleOutStep[]>();
  for (const step of steps) byWorkload.set(step.workload, [...(byWorkload.get(step.workload) ?? []), step]);
  const checks: TargetCheck[] = [];
  for (const [workload, list] of byWorkload) {
    const sorted = [...list].sort((a, b) => a.workers - b.workers);
    let pass = true;
    const parts: string[] = [`${sorted[0].workers}w ${sorted[0].throughput.toFixed(1)}/s`];
    for (let i = 1; i < sorted.length; i++) {
      const [before, after] = [sorted[i - 1], sorted[i]];
      const grew = after.throughput >= before.throughput * SCALE_OUT_GROWTH;
      const saturated = isSaturated(before.cpu) || isSaturated(after.cpu);
      if (!grew && !saturated) pass = false;
      parts.push(`${after.workers}w ${after.throughput.toFixed(1)}/s${grew ? '' : saturated ? ' (CPU saturated)' : ' (flat)'}`);
    }
    checks.push({
      target: `${workload}: throughput grows with worker processes until the server side is the bottleneck`,
      measured: parts.join(', '),
      verdict: sorted.length > 1 ? verdict(pass) : 'n/a',
    });
  }
  return checks;
}

export function isSaturated(cpu: CpuShare | undefined): boolean {
  return cpu !== undefined && cpu.busy >= cpu.cores * 100 * SATURATED_BUSY;
}

/**
 * RSS samples are noisy (allocator and GC timing: +-10 % from one sample to the next), so flatness
 * compares medians: `warm` over the samples from a tenth to a third of the CUWOs, `end` over the last
 * fifth. Undefined without samples after the start.
 */
export function rssLevels(samples: readonly RssSample[], total: number): { warmMiB: number; endMiB: number } | undefined {
  const after = samples.filter((s) => s.cuwos > 0);
  if (!after.length) return undefined;
  const median = (list: readonly RssSample[]) => {
    const sorted = list.map((s) => s.rssMiB).sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  const warm = after.filter((s) => s.cuwos >= total / 10 && s.cuwos <= total / 3);
  const end = after.filter((s) => s.cuwos >= (total * 4) / 5);
  return { warmMiB: median(warm.length ? warm : after.slice(0, 1)), endMiB: median(end.length ? end : after.slice(-1)) };
}
