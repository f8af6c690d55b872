/**
 * `npm run bench`: how fast the CUWOs are next to a bare one-activity workflow, on the dev server or
 * the PostgreSQL cluster. See --help and the README section "Benchmark".
 */
import { Command, InvalidArgumentError } from 'commander';
import { WORKLOAD_IDS, type WorkloadId } from './measure';
import type { runBench as RunBench } from './run';

// The callback receiver and the simulators run in this process and log every request at info: the
// progress lines would drown. Workers keep their own level (their logs go to files).
const workerLogLevel = process.env.CUWO_LOG_LEVEL ?? 'info';
process.env.CUWO_LOG_LEVEL = 'fatal';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the log level above must be set before ./run loads the logger
const { runBench } = require('./run') as { runBench: typeof RunBench };

const integer = (min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`must be an integer from ${min} to ${max}`);
  return n;
};
const integerList = (min: number, max: number) => (value: string) => {
  if (value.trim() === '') return [];
  const list = value.split(',').map((v) => integer(min, max)(v.trim()));
  return [...new Set(list)];
};
const workloadList = (value: string): WorkloadId[] => {
  const list = value.split(',').map((v) => v.trim());
  const unknown = list.filter((v) => !(WORKLOAD_IDS as readonly string[]).includes(v));
  if (unknown.length) throw new InvalidArgumentError(`unknown workload(s) ${unknown.join(', ')} (known: ${WORKLOAD_IDS.join(', ')})`);
  if (!list.includes('bare')) throw new InvalidArgumentError('the bare workflow is the yardstick: include "bare"');
  return list as WorkloadId[];
};

const program = new Command('bench')
  .description(
    'Starts the local stack (Temporal dev server or PostgreSQL-backed cluster, simulators answering at once, callback ' +
      'receiver) in a fresh temp dir with the bench worker process, and measures a bare one-activity workflow next to ' +
      'GrantPayout (disburseFunds), GrantPayout (Payneteasy, final at once) and PaymentRequest (capture): throughput and ' +
      'p50/p95/p99 start-to-outcome per concurrency level and their ratio to the bare workflow, where the time goes ' +
      '(from the histories), the recovery after a worker SIGKILL mid-call, worker RSS over many CUWOs, and on the ' +
      'cluster the scale-out with more worker processes. Prints a table with each target PASS/MISS, writes JSON, ' +
      'an SVG and a PNG.',
  )
  .option('--server <kind>', 'dev (Temporal dev server, SQLite) or cluster (PostgreSQL-backed, all four services)', 'dev')
  .option('-c, --concurrency <list>', 'concurrency levels (CUWOs in flight)', integerList(1, 1_000), [1, 10, 50])
  .option('-n, --runs <n>', 'runs per workload and level (fewer when --level-seconds is up first)', integer(1, 1_000_000), 200)
  .option('--level-seconds <n>', 'no new run starts in a level after this long', integer(1, 86_400), 15)
  .option('--warmup <n>', 'unmeasured runs per workload before the levels', integer(0, 100_000), 10)
  .option('--workloads <list>', `which workloads (${WORKLOAD_IDS.join(',')})`, workloadList, [...WORKLOAD_IDS])
  .option('--rss-cuwos <n>', 'GrantPayouts on a fresh worker while its RSS is sampled (0 skips)', integer(0, 10_000_000), 10_000)
  .option('--phase-concurrency <n>', 'concurrency of the RSS and scale-out phases', integer(1, 1_000), 50)
  .option('--scale-out <list>', 'worker process counts for the scale-out (cluster only; empty skips)', integerList(1, 64), [1, 2, 4])
  .option('--kill-samples <n>', 'payouts whose worker is SIGKILLed mid-call (0 skips)', integer(0, 1_000), 5)
  .option('-o, --out <dir>', 'where bench-<server>.json, .svg, .png and .txt go', 'test-artifacts/bench')
  .option('--keep-data', "keep the run's temp dir (worker logs, Temporal's state) afterwards", false)
  .option(
    '--cpu-profile <dir>',
    'workers run with node --cpu-prof and write a .cpuprofile per thread (workflow threads too) here when stopped ' +
      '(Chrome DevTools or speedscope read them; profiling slows the workers)',
  )
  .addHelpText(
    'after',
    `
Targets (reported PASS/MISS, never a timed test): at c=1 a GrantPayout p50 within 10 ms of the bare
workflow and under 40 ms on the dev stack; at c=50 GrantPayout throughput >= 0.9x the bare workflow;
throughput grows with worker processes on the cluster until the machine/server is saturated; worker RSS
flat over the RSS phase (<= +10% after the first tenth); recovery after a SIGKILL mid-call at most the
heartbeat timeout + 2 s.

Examples:
  npm run bench                                              the default run on the dev stack (< 10 min)
  npm run bench -- --runs 20 --rss-cuwos 500 --kill-samples 2 a quick look
  npm run bench -- --server cluster --scale-out 1,2,4        the cluster, with the scale-out
`,
  );

async function main(): Promise<number> {
  program.parse();
  const opts = program.opts<{
    server: string;
    concurrency: number[];
    runs: number;
    levelSeconds: number;
    warmup: number;
    workloads: WorkloadId[];
    rssCuwos: number;
    phaseConcurrency: number;
    scaleOut: number[];
    killSamples: number;
    out: string;
    keepData: boolean;
    cpuProfile?: string;
  }>();
  const server = opts.server === 'dev' || opts.server === 'cluster' ? opts.server : undefined;
  if (!server) return program.error(`--server must be dev or cluster, got "${opts.server}"`);
  if (!opts.concurrency.length) program.error('--concurrency needs at least one level');
  const interrupted = new AbortController();
  let firstSignalAt: number | undefined;
  const onSignal = (name: string) => {
    // Ctrl-C reaches this process twice (from the terminal and relayed by tsx): only a later one forces the exit.
    if (firstSignalAt !== undefined && Date.now() - firstSignalAt < 1_500) return;
    if (firstSignalAt !== undefined) {
      console.error(`[bench] ${name} again: exiting now (child processes are killed on exit)`);
      process.exit(130);
    }
    firstSignalAt = Date.now();
    console.error(`[bench] ${name}: stopping everything this run started (again to exit at once)...`);
    interrupted.abort();
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  return runBench(
    {
      server,
      workloads: opts.workloads,
      concurrency: opts.concurrency,
      runs: opts.runs,
      levelSeconds: opts.levelSeconds,
      warmup: opts.warmup,
      rssCuwos: opts.rssCuwos,
      rssConcurrency: opts.phaseConcurrency,
      scaleOut: opts.scaleOut,
      killSamples: opts.killSamples,
      out: opts.out,
      workerLogLevel,
      keepData: opts.keepData,
      cpuProfileDir: opts.cpuProfile,
    },
    interrupted.signal,
  );
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`[bench] failed: ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(1);
  },
);
