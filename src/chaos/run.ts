/**
 * One chaos run: the local stack (on the Temporal dev server or, with `server: 'cluster'`, on a fresh
 * PostgreSQL-backed cluster) in a fresh data dir with quick provider timings, W worker processes,
 * N mixed requests driven with bounded concurrency while disruptions run, a bounded drain until every
 * workflow of the run is closed, then the money check against the simulators' ledgers.
 */
import { setMaxListeners } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { cuwoDataConverter } from '../codec/data-converter';
import { bundleCuwoWorkflows } from '../workflow-bundle';
import type { Accounts } from '../config';
import { DEMO_PAYNETEASY_ACCOUNT, DEMO_UPI_ACCOUNT, startLocalStack, type LocalStack, type TemporalServerKind } from '../dev/stack';
import { checkRun } from './check';
import { collectFacts, collectLedgers, mapLimit, openExecutions } from './collect';
import { elapsed, newStats, sleep, type ChaosContext, type TrackedRequest } from './context';
import { runDisruptions, uncoveredFaultKinds } from './disruptions';
import { driveRequest } from './drive';
import { planRequests } from './mix';
import { buildReport, renderTable, renderViolations, writeJson, type ChaosReport } from './report';
import { createRng, deriveSeed } from './rng';
import { WorkerPool } from './workers';

export interface ChaosOptions {
  /** The Temporal dev server (default) or a fresh PostgreSQL-backed cluster (src/dev/cluster.ts), stopped at the end. */
  server?: TemporalServerKind;
  requests: number;
  /** Longest time disruptions go on (they also stop once every request is done). */
  seconds: number;
  seed: number;
  workers: number;
  concurrency: number;
  /** Longest wait, after the disruptions, for every workflow of the run to close. */
  drainSeconds: number;
  keep: boolean;
  /** Keep the temp data dir (Temporal's state, worker logs) after the run; it is kept anyway when there are violations. */
  keepData: boolean;
  jsonOut: string;
}

/** Provider timings of the run: short, so a run is quick, and a request timeout that latency faults can pass. */
export const CHAOS_TIMINGS = {
  payneteasyProcessingMs: 300,
  payneteasyFormTtlMs: 8_000,
  providerTimeoutMs: 2_500,
  pollingIntervalMs: 500,
  unknownOutcomeWindowMs: 30_000,
};

/** The stack's accounts with the run's timings (the workers get these; the callback receiver only needs the keys). */
function chaosAccounts(stack: LocalStack): Accounts {
  const accounts = structuredClone(stack.accounts) as Accounts;
  const pne = accounts[DEMO_PAYNETEASY_ACCOUNT] as Record<string, unknown>;
  pne.timeoutMs = CHAOS_TIMINGS.providerTimeoutMs;
  pne.unknownOutcomeWindowMs = CHAOS_TIMINGS.unknownOutcomeWindowMs;
  pne.polling = {
    fastIntervalMs: CHAOS_TIMINGS.pollingIntervalMs,
    fastPhaseMs: 10 * 60_000,
    slowIntervalMs: 2_000,
    slowPhaseMs: 60 * 60_000,
    lateIntervalMs: 10_000,
  };
  (accounts[DEMO_UPI_ACCOUNT] as Record<string, unknown>).timeoutMs = CHAOS_TIMINGS.providerTimeoutMs;
  return accounts;
}

export async function runChaos(options: ChaosOptions, interrupted: AbortSignal): Promise<{ report?: ChaosReport; exitCode: number }> {
  const say = (line: string) => console.error(`[chaos] ${line}`);
  const t0 = Date.now();
  const server = options.server ?? 'dev';
  const phases: Record<string, number> = {};
  const dataDir = mkdtempSync(join(tmpdir(), 'cuwo-chaos-'));
  let keepData = false;
  // Also on a forced exit (a second Ctrl-C): workers and the Temporal server are killed by their own exit hooks.
  const removeDataDir = () => {
    if (!keepData) rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('exit', removeDataDir);
  say(
    `seed ${options.seed} (repeat with --seed ${options.seed}); ${options.requests} requests, ${options.workers} workers, ` +
      `concurrency ${options.concurrency}, disruptions for at most ${options.seconds} s; ` +
      `Temporal: ${server === 'cluster' ? 'a fresh PostgreSQL-backed cluster' : 'the dev server'}; data ${dataDir}`,
  );

  const stack = await startLocalStack({
    server,
    dataDir,
    temporalPort: 0,
    uiPort: 0,
    disbursePort: 0,
    payneteasyPort: 0,
    callbackPort: 0,
    codecPort: 0,
    payneteasyProcessingMs: CHAOS_TIMINGS.payneteasyProcessingMs,
    payneteasyFormTtlMs: CHAOS_TIMINGS.payneteasyFormTtlMs,
    log: say,
  });
  let workers: WorkerPool | undefined;
  let connection: Connection | undefined;
  try {
    say('bundling the workflow code once for the worker processes...');
    const bundle = await bundleCuwoWorkflows();
    const bundlePath = join(dataDir, 'workflows.js');
    writeFileSync(bundlePath, bundle);
    const taskQueue = 'cuwo-chaos';
    const pool = new WorkerPool({
      address: stack.temporal.address,
      taskQueue,
      accounts: chaosAccounts(stack),
      workflowBundlePath: bundlePath,
      logDir: dataDir,
      // Each worker gets the stack's payload and processing-data keys explicitly.
      env: {
        CUWO_CODEC_KEYS: process.env.CUWO_CODEC_KEYS,
        CUWO_SEAL_KEYS: process.env.CUWO_SEAL_KEYS,
        CUWO_LOG_LEVEL: process.env.CUWO_CHAOS_WORKER_LOG_LEVEL ?? 'info',
      },
      log: say,
    });
    workers = pool;
    say(`starting ${options.workers} worker processes...`);
    await pool.ensure(options.workers);
    if (pool.alive === 0) throw new Error(`no worker process started:\n${pool.startFailures.join('\n---\n')}`);
    if (pool.alive < options.workers) say(`only ${pool.alive} of ${options.workers} workers started; going on`);
    connection = await Connection.connect({ address: stack.temporal.address });
    const client = new Client({ connection, namespace: stack.temporal.namespace, dataConverter: cuwoDataConverter() });
    phases.startup = (Date.now() - t0) / 1000;
    say(`stack up in ${phases.startup.toFixed(0)} s: Temporal ${stack.temporal.address}, Web UI ${stack.temporal.uiUrl}`);

    // Requests are planned from the seed; the run's own abort stops the drivers at the drain deadline.
    const plans = planRequests(options.seed, options.requests, `chaos-${options.seed}`, 0);
    const requests = new Map<string, TrackedRequest>(plans.map((plan) => [plan.requestId, { plan, phase: 'waiting', events: [] }]));
    const stop = new AbortController();
    setMaxListeners(options.concurrency + 50, stop.signal); // every driver and the disruption loop sleep on it
    interrupted.addEventListener('abort', () => stop.abort(), { once: true });
    const stats = newStats();
    const ctx: ChaosContext = {
      client,
      stack,
      taskQueue,
      workers: pool,
      providerTimeoutMs: CHAOS_TIMINGS.providerTimeoutMs,
      startedAt: Date.now(),
      requests,
      stats,
      signal: stop.signal,
      log: say,
    };

    const progress = setInterval(() => say(progressLine(ctx)), 5_000);
    const runStart = Date.now();
    try {
      const drivers = mapLimit(plans, options.concurrency, (plan) => driveRequest(ctx, plan));
      const disruptions = runDisruptions(ctx, {
        rng: createRng(deriveSeed(options.seed, 'disruptions')),
        untilMs: options.seconds * 1_000,
      });
      await disruptions;
      phases.disruptions = (Date.now() - runStart) / 1000;
      if (!interrupted.aborted) {
        const left = [...requests.values()].filter((r) => r.phase !== 'done').length;
        say(`disruptions over after ${phases.disruptions.toFixed(0)} s${left ? `; ${left} request(s) still to finish undisturbed` : ''}`);
        await pool.ensure(options.workers); // a crashed or slow replacement must not stall the rest
        // The remaining drives, with a watchdog: no request finishing for --drain-seconds stops them.
        let done = -1;
        let lastProgress = Date.now();
        const watchdog = setInterval(() => {
          const now = [...requests.values()].filter((r) => r.phase === 'done').length;
          if (now !== done) [done, lastProgress] = [now, Date.now()];
          else if (Date.now() - lastProgress > options.drainSeconds * 1_000) stop.abort();
        }, 1_000);
        await drivers;
        clearInterval(watchdog);
      }
      await drivers;
      // Every drive is over; CUWOs and compensations may still run (an orchestrator was terminated, a compensation follows).
      const drainStart = Date.now();
      phases.undisturbed = (drainStart - runStart) / 1000 - phases.disruptions;
      const drainDeadline = drainStart + options.drainSeconds * 1_000;
      if (!interrupted.aborted) say(`draining: waiting (at most ${options.drainSeconds} s) until every workflow of the run is closed`);
      let quiet = 0;
      while (!interrupted.aborted && Date.now() < drainDeadline) {
        const open = await openExecutions(client, plans).catch(() => ['(Temporal not answering)']);
        quiet = open.length === 0 ? quiet + 1 : 0;
        if (quiet >= 2) break;
        if (open.length) say(`draining: ${open.length} workflow(s) open: ${open.slice(0, 6).join(', ')}${open.length > 6 ? ', ...' : ''}`);
        await sleep(open.length ? 2_000 : 700, interrupted);
      }
      phases.drain = (Date.now() - drainStart) / 1000;
    } finally {
      clearInterval(progress);
    }
    if (interrupted.aborted) {
      say('interrupted: no check');
      return { exitCode: 130 };
    }

    say("collecting every execution of the run and the providers' ledgers...");
    const checkStart = Date.now();
    const { requests: facts, unattributed } = await collectFacts(client, plans);
    const ledgers = await collectLedgers(stack);
    const check = checkRun(facts, ledgers, stats.forgedAnswers);
    phases.check = (Date.now() - checkStart) / 1000;
    keepData = check.violations.length > 0 || options.keepData;
    const report = buildReport({
      seed: options.seed,
      server: server === 'cluster' ? `cluster (PostgreSQL) ${stack.temporal.address}` : `dev server (SQLite) ${stack.temporal.address}`,
      options: { ...options, timings: CHAOS_TIMINGS },
      durationSeconds: (Date.now() - t0) / 1000,
      phases,
      requests,
      stats,
      workers: { count: options.workers, kills: pool.kills, crashes: pool.crashes, startFailures: pool.startFailures.length },
      check,
      uncoveredSimulatorKinds: uncoveredFaultKinds(),
      unattributed,
      ...(keepData ? { dataDir } : {}),
    });
    writeJson(options.jsonOut, report);
    console.log(renderTable(report));
    if (report.violations.length) console.log(`\n${renderViolations(report)}\n`);
    console.log(
      `chaos: ${report.requests.started} requests, ${report.workers.kills} kills, ${report.faults.total} faults, ` +
        `${report.cancels.total} cancels, ${report.terminations.total} terminations, ` +
        `${report.flagged.length} flagged, ${report.violations.length} violations in ${report.durationSeconds.toFixed(0)} s ` +
        `(seed ${options.seed}; JSON ${options.jsonOut})`,
    );
    if (keepData)
      console.log(
        server === 'cluster'
          ? `the run's data is kept in ${dataDir}: worker logs (worker-<pid>.log), the cluster's state and logs ` +
              `(cluster/; \`npm run cluster -- --state-dir ${stack.temporal.state}\` starts it again with its Web UI) and its keys`
          : `the run's data is kept in ${dataDir}: worker logs (worker-<pid>.log), the Temporal SQLite database ` +
              `(temporal.db; \`temporal server start-dev --db-filename ${dataDir}/temporal.db\` shows it in the Web UI) and its keys`,
      );
    if (options.keep) {
      say(`--keep: the stack stays up (Web UI ${stack.temporal.uiUrl}, Temporal ${stack.temporal.address}); Ctrl-C stops it`);
      await new Promise<void>((resolve) =>
        interrupted.aborted ? resolve() : interrupted.addEventListener('abort', () => resolve(), { once: true }),
      );
    }
    return { report, exitCode: report.ok ? 0 : 1 };
  } finally {
    say('stopping workers and the stack...');
    await connection?.close().catch(() => undefined);
    await workers?.stopAll().catch(() => undefined);
    await stack.stop().catch((err) => say(`stack stop: ${(err as Error).message}`));
    removeDataDir();
    process.removeListener('exit', removeDataDir);
  }
}

function progressLine(ctx: ChaosContext): string {
  const all = [...ctx.requests.values()];
  const count = (phase: string) => all.filter((r) => r.phase === phase).length;
  const s = ctx.stats;
  const total = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
  return (
    `${(elapsed(ctx) / 1000).toFixed(0)}s: requests ${all.length - count('waiting')}/${all.length} started, ` +
    `${count('running')} running, ${count('done')} done | ` +
    `workers ${ctx.workers.alive} up${ctx.workers.pending ? ` (+${ctx.workers.pending} starting)` : ''}, ` +
    `${ctx.workers.kills} killed | faults ${total(s.faults)} | ` +
    `cancels ${total(s.cancels)} | terminations ${total(s.terminations)} | ` +
    `callbacks forged ${total(s.callbacks.forged)}, replayed ${total(s.callbacks.replayed)}, lies ${total(s.callbacks.signedLies)}`
  );
}
