/**
 * `npm run chaos`: money safety under chaos, checked against the provider ledgers. See --help and the
 * README section "Chaos".
 */
import { randomInt } from 'node:crypto';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { TemporalServerKind } from '../dev/stack';
import type { runChaos as RunChaos } from './run';

// The callback receiver runs in this process and logs every callback it refuses or cannot hand over;
// hundreds of hostile ones would drown the progress lines (the table counts them). Workers keep the
// level they were given (their logs go to files).
process.env.CUWO_CHAOS_WORKER_LOG_LEVEL ??= process.env.CUWO_LOG_LEVEL ?? 'info';
process.env.CUWO_LOG_LEVEL = 'fatal';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the log level above must be set before ./run loads the logger
const { runChaos } = require('./run') as { runChaos: typeof RunChaos };

const integer = (min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`must be an integer from ${min} to ${max}`);
  return n;
};

const program = new Command('chaos')
  .description(
    'Starts the local stack (Temporal dev server, or with --server cluster a fresh PostgreSQL-backed cluster; disburseFunds ' +
      'and Payneteasy simulators, callback receiver, codec server) in a fresh temp dir with W worker processes, runs N mixed PayoutRequests and PaymentRequests while it SIGKILLs workers, ' +
      'injects every provider fault the simulators support, loses and duplicates callbacks, sends forged, replayed and lying ' +
      "callbacks, cancel-requests and terminates CUWOs and orchestrators; then drains and checks the money in the providers' " +
      'ledgers per request id. Exit code 1 on any violation.',
  )
  .addOption(
    new Option(
      '--server <kind>',
      'Temporal to run against: dev (the dev server, SQLite, one history shard) or cluster (a fresh PostgreSQL-backed ' +
        'cluster, several history shards, as `npm run cluster` starts it; stopped at the end)',
    )
      .choices(['dev', 'cluster'] satisfies TemporalServerKind[])
      .default('dev'),
  )
  .option('-n, --requests <n>', 'requests to run', integer(1, 100_000), 100)
  .option(
    '-s, --seconds <n>',
    'longest time disruptions go on (they stop earlier once every request was started and at most 2 are still in flight)',
    integer(1, 86_400),
    600,
  )
  .option('--seed <n>', 'seed of the request mix and the disruption choices (printed; default random)', integer(0, 2 ** 31 - 1))
  .option('-w, --workers <n>', 'worker processes (one is SIGKILLed every few seconds and replaced)', integer(1, 32), 3)
  .option('-c, --concurrency <n>', 'requests in flight at once', integer(1, 1_000), 12)
  .option(
    '--drain-seconds <n>',
    'longest wait, once every request was driven, for every workflow of the run to close (still open then: a violation); ' +
      'also stops the drives when none finishes for that long',
    integer(1, 86_400),
    120,
  )
  .option('--json-out <file>', 'where the JSON report goes', 'test-artifacts/chaos.json')
  .option('--keep', 'leave the stack up after the check (Web UI to look around); Ctrl-C stops it', false)
  .option('--keep-data', "keep the run's temp dir (Temporal SQLite, worker logs) afterwards; kept anyway on a violation", false)
  .addHelpText(
    'after',
    `
Terminations: at most one per request, of the orchestrator (PayoutRequest/PaymentRequest), of its CUWO
or of its compensation. The guarantee "exactly one compensation, money never out without a flag" holds
when either side survives: a terminated CUWO is compensated by its orchestrator, and a CUWO whose
orchestrator was terminated finishes and compensates on its own. An operator who terminates both the
CUWO and its orchestrator has switched the guarantee off; this run never does.

Invariants (per request id, against the simulators' ledgers): nothing open after the drain; at most one
disbursement per disburseFunds requestId, one Payneteasy order per client_orderid, one capture per
payment order, never more refunded than captured; every success matches the ledger amount for amount;
every non-success holds/moved no money unless flagged CuwoNeedsReconciliation (listed as flagged);
exactly one compensation where money moved and the request did not succeed (never two); no forged
callback accepted.

Examples:
  npm run chaos -- --requests 60            the CI run (under 3 minutes on 2 cores)
  npm run chaos -- --requests 300 --seed 42 a longer run, reproducible mix and disruption choices
  npm run chaos -- --server cluster --requests 60   the CI run on the PostgreSQL-backed cluster
`,
  );

async function main(): Promise<number> {
  program.parse();
  const opts = program.opts<{
    server: TemporalServerKind;
    requests: number;
    seconds: number;
    seed?: number;
    workers: number;
    concurrency: number;
    drainSeconds: number;
    jsonOut: string;
    keep: boolean;
    keepData: boolean;
  }>();
  const seed = opts.seed ?? randomInt(1, 2 ** 31 - 1);
  const interrupted = new AbortController();
  let firstSignalAt: number | undefined;
  const onSignal = (name: string) => {
    // Ctrl-C reaches this process twice (from the terminal and relayed by tsx): only a later one forces the exit.
    if (firstSignalAt !== undefined && Date.now() - firstSignalAt < 1_500) return;
    if (firstSignalAt !== undefined) {
      console.error(`[chaos] ${name} again: exiting now (child processes are killed on exit)`);
      process.exit(130);
    }
    firstSignalAt = Date.now();
    console.error(`[chaos] ${name}: stopping everything this run started (again to exit at once)...`);
    interrupted.abort();
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  const { exitCode } = await runChaos(
    {
      server: opts.server,
      requests: opts.requests,
      seconds: opts.seconds,
      seed,
      workers: opts.workers,
      concurrency: opts.concurrency,
      drainSeconds: opts.drainSeconds,
      keep: opts.keep,
      keepData: opts.keepData,
      jsonOut: opts.jsonOut,
    },
    interrupted.signal,
  );
  return interrupted.signal.aborted && !opts.keep ? 130 : exitCode;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`[chaos] failed: ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(1);
  },
);
