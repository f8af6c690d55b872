/**
 * The closed-loop load of one level: `concurrency` lanes, each starting the next CUWO as soon as its
 * last one reached its outcome, until `runs` are done (or the level's time is up). Measures
 * start-to-outcome per run, throughput over the level, and where the machine's CPU went meanwhile.
 */
import { latencyStats, type LevelResult } from './measure';
import { cpuBetween, snapshot } from './system';
import type { BenchContext, RunSample, Workload } from './workloads';

export interface LevelOptions {
  concurrency: number;
  runs: number;
  /** No new run starts after this long (the ones in flight finish); at least `concurrency` runs start. */
  maxSeconds: number;
  /** Short tag in the request ids (workload and level), unique within the bench run. */
  tag: string;
  /** A run that has no outcome after this long counts as an error (its workflow may still finish). */
  runTimeoutMs: number;
  /** Stops new runs and aborts the calls of those in flight (Ctrl-C, or the end of the bench). */
  signal: AbortSignal;
  /** Worker process groups, for the CPU breakdown. */
  workerGroups(): number[];
  /** A progress line every few seconds (none when undefined). */
  progress?: (line: string) => void;
}

export interface LevelRun {
  level: LevelResult;
  samples: RunSample[];
}

export async function runLevel(ctx: BenchContext, workload: Workload, options: LevelOptions): Promise<LevelRun> {
  const samples: RunSample[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let started = 0;
  const t0 = Date.now();
  let lastEnd = t0;
  const cpuBefore = snapshot();
  const timeUp = () => Date.now() - t0 > options.maxSeconds * 1_000 && started >= options.concurrency;
  const ticker =
    options.progress &&
    setInterval(() => {
      const s = (Date.now() - t0) / 1000;
      const p50 = latencyStats(samples.map((x) => x.totalMs)).p50;
      options.progress!(
        `${workload.id} c=${options.concurrency}: ${samples.length}/${options.runs} done${errors ? `, ${errors} errors` : ''}, ` +
          `${(samples.length / s).toFixed(1)}/s, p50 ${Number.isNaN(p50) ? '-' : p50.toFixed(0)} ms`,
      );
    }, 5_000);
  const lane = async () => {
    while (started < options.runs && !options.signal.aborted && !timeUp()) {
      const index = ++started;
      try {
        // Its calls end with the signal too: none of them may outlive the connection (or retry against a stopped server).
        const run = ctx.client.connection.withAbortSignal(options.signal, () =>
          workload.run(ctx, `${ctx.runId}-${options.tag}-${index}`, index),
        );
        samples.push(await bounded(run, options.runTimeoutMs, options.signal));
      } catch (err) {
        errors++;
        firstError ??= (err as Error).message;
      }
      lastEnd = Date.now();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(options.concurrency, options.runs) }, lane));
  } finally {
    if (ticker) clearInterval(ticker);
  }
  const seconds = Math.max(0.001, (lastEnd - t0) / 1000);
  return {
    samples,
    level: {
      workload: workload.id,
      concurrency: options.concurrency,
      runs: samples.length,
      errors,
      ...(firstError ? { firstError: firstError.slice(0, 500) } : {}),
      seconds,
      throughput: samples.length / seconds,
      latency: latencyStats(samples.map((s) => s.totalMs)),
      start: latencyStats(samples.map((s) => s.startMs)),
      cpu: cpuBetween(cpuBefore, snapshot(), options.workerGroups()),
    },
  };
}

/** The run, or an error after `ms` or on abort (the run itself is left to finish in the background). */
function bounded<T>(run: Promise<T>, ms: number, signal: AbortSignal): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no outcome within ${ms} ms`)), ms);
    onAbort = () => reject(new Error('interrupted'));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([run, limit]).finally(() => {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort!);
  });
}
