/**
 * One bench run: the local stack on the server asked for (dev server or PostgreSQL cluster) in a fresh
 * temp dir, the provider simulators final at once, the bench's worker processes, then the matrix
 * (./matrix.ts), the SIGKILL recovery, the scale-out (cluster) and the RSS phase (./phases.ts); the
 * report (table, JSON, SVG + PNG) at the end. Everything it started is stopped in the end and on Ctrl-C.
 */
import { setMaxListeners } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH, cuwoDataConverter } from '../codec/data-converter';
import type { Accounts } from '../config';
import { DEFAULT_HISTORY_SHARDS } from '../dev/cluster';
import { DEMO_PAYNETEASY_ACCOUNT, DEMO_UPI_ACCOUNT, startLocalStack, type LocalStack } from '../dev/stack';
import { chartSpec, writeImages } from './chart';
import { startFormProxy, type FormProxy } from './form-proxy';
import { runMatrix } from './matrix';
import { checkTargets, ratios, type KillResult, type RssResult, type ScaleOutStep, type WorkloadId } from './measure';
import { killPhase, rssPhase, scaleOutPhase, type PhaseEnv } from './phases';
import { renderReport, writeJson, type BenchReport } from './report';
import { loadAverage } from './system';
import { BenchWorkers } from './worker-process';
import { WORKLOADS } from './workloads';
import { bundleCuwoWorkflows } from '../workflow-bundle';

export interface BenchOptions {
  server: 'dev' | 'cluster';
  workloads: WorkloadId[];
  concurrency: number[];
  runs: number;
  levelSeconds: number;
  warmup: number;
  rssCuwos: number;
  rssConcurrency: number;
  scaleOut: number[];
  killSamples: number;
  out: string;
  workerLogLevel: string;
  keepData: boolean;
  /** Workers write CPU profiles of all their threads here (node --cpu-prof) when they stop. */
  cpuProfileDir?: string;
}

const PAYMENTS_ACCOUNT = 'pne-bench-payments';
const RUN_TIMEOUT_MS = 120_000;

export async function runBench(options: BenchOptions, interrupted: AbortSignal): Promise<number> {
  const say = (line: string) => console.error(`[bench] ${line}`);
  const t0 = Date.now();
  const startedAt = new Date().toISOString();
  const loadBefore = loadAverage();
  const dataDir = mkdtempSync(join(tmpdir(), 'cuwo-bench-'));
  const removeDataDir = () => options.keepData || rmSync(dataDir, { recursive: true, force: true });
  process.once('exit', removeDataDir);
  // Aborted on Ctrl-C and at the end: runs still in flight (timed out) stop calling before the connection closes.
  const calls = new AbortController();
  interrupted.addEventListener('abort', () => calls.abort(), { once: true });
  setMaxListeners(10_000, calls.signal); // every lane and every call waits on it
  say(`${options.server === 'cluster' ? 'PostgreSQL-backed cluster' : 'dev server'}; load average ${loadBefore}; data ${dataDir}`);

  let stack: LocalStack | undefined;
  let proxy: FormProxy | undefined;
  let workers: BenchWorkers | undefined;
  let connection: Connection | undefined;
  try {
    stack = await startLocalStack({
      server: options.server,
      dataDir,
      temporalPort: 0,
      uiPort: 0,
      disbursePort: 0,
      payneteasyPort: 0,
      callbackPort: 0,
      codecPort: 0,
      payneteasyProcessingMs: 0, // every Payneteasy transaction is final at once; its callback follows
      log: say,
    });
    const payneteasy = stack.payneteasy;
    proxy = await startFormProxy(payneteasy.url, (orderId) => payneteasy.completeForm(orderId));
    say('bundling the CUWO workflows and the bare workflow once for the worker processes...');
    const [cuwoBundlePath, bareBundlePath] = await Promise.all([
      write(join(dataDir, 'cuwo-workflows.js'), bundleCuwoWorkflows()),
      write(join(dataDir, 'bench-workflows.js'), bundleBare()),
    ]);
    const accounts = structuredClone(stack.accounts) as Accounts;
    // The payments' account: Payneteasy behind the form proxy (its callbacks are signed for pne-demo, which it copies).
    accounts[PAYMENTS_ACCOUNT] = { ...accounts[DEMO_PAYNETEASY_ACCOUNT], baseUrl: `${proxy.url}/paynet/` } as Accounts[string];
    workers = new BenchWorkers({
      address: stack.temporal.address,
      namespace: stack.temporal.namespace,
      taskQueue: 'cuwo-bench',
      bareTaskQueue: 'cuwo-bench-bare',
      accounts,
      cuwoBundlePath,
      bareBundlePath,
      logDir: dataDir,
      env: {
        CUWO_CODEC_KEYS: process.env.CUWO_CODEC_KEYS,
        CUWO_SEAL_KEYS: process.env.CUWO_SEAL_KEYS,
        CUWO_LOG_LEVEL: options.workerLogLevel,
      },
      nodeArgs: options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${resolve(options.cpuProfileDir)}`] : [],
    });
    connection = await Connection.connect({ address: stack.temporal.address });
    const env: PhaseEnv = {
      ctx: {
        client: new Client({ connection, namespace: stack.temporal.namespace, dataConverter: cuwoDataConverter() }),
        taskQueue: 'cuwo-bench',
        bareTaskQueue: 'cuwo-bench-bare',
        runId: `b${Date.now().toString(36)}`,
        accounts: { disburse: DEMO_UPI_ACCOUNT, payneteasy: DEMO_PAYNETEASY_ACCOUNT, payments: PAYMENTS_ACCOUNT },
      },
      stack,
      workers,
      signal: calls.signal,
      say,
    };
    say(`stack up in ${((Date.now() - t0) / 1000).toFixed(0)} s: Temporal ${stack.temporal.address}; starting the worker process...`);

    const matrix = await runMatrix(env, { ...options, runTimeoutMs: RUN_TIMEOUT_MS });
    let kill: KillResult | undefined;
    let scaleOut: ScaleOutStep[] | undefined;
    let rss: RssResult | undefined;
    if (options.killSamples > 0 && !interrupted.aborted) kill = await killPhase(env, options.killSamples);
    if (options.server === 'cluster' && options.scaleOut.length && !interrupted.aborted)
      scaleOut = await scaleOutPhase(env, options.scaleOut, options.runs, options.rssConcurrency);
    if (options.rssCuwos > 0 && !interrupted.aborted) rss = await rssPhase(env, options.rssCuwos, options.rssConcurrency);
    if (interrupted.aborted) {
      say('interrupted: no report');
      return 130;
    }

    const outDir = resolve(options.out);
    mkdirSync(outDir, { recursive: true });
    const base = join(outDir, `bench-${options.server}`);
    const report: BenchReport = {
      startedAt,
      durationSeconds: (Date.now() - t0) / 1000,
      server: {
        kind: options.server,
        address: stack.temporal.address,
        description:
          options.server === 'cluster'
            ? `PostgreSQL-backed Temporal cluster (${DEFAULT_HISTORY_SHARDS} history shards; a new cluster)`
            : 'Temporal dev server (SQLite file, 1 history shard)',
      },
      machine: { cores: cpus().length, node: process.version, loadBefore, loadAfter: loadAverage() },
      options: { ...options },
      labels: Object.fromEntries(Object.values(WORKLOADS).map((w) => [w.id, w.label])) as BenchReport['labels'],
      levels: matrix.levels,
      ratios: ratios(matrix.levels),
      breakdowns: matrix.breakdowns,
      ...(rss ? { rss } : {}),
      ...(kill ? { kill } : {}),
      ...(scaleOut ? { scaleOut } : {}),
      targets: checkTargets({ server: options.server, levels: matrix.levels, rss, kill, scaleOut }),
      files: { json: `${base}.json`, svg: `${base}.svg` },
      notes: [...notes(matrix.breakdowns, proxy), ...loadNotes(matrix.levels)],
    };
    try {
      const images = await writeImages(chartSpec(report), `${base}.svg`, `${base}.png`);
      if (images.png) report.files.png = images.png;
      if (images.pngSkipped) report.notes.push(images.pngSkipped);
    } catch (err) {
      report.notes.push(`the image could not be drawn: ${(err as Error).message}`);
    }
    writeJson(report.files.json, report);
    writeFileSync(`${base}.txt`, `${renderReport(report)}\n`);
    console.log(renderReport(report));
    console.log(
      `\nJSON ${report.files.json}; image ${report.files.png ?? report.files.svg}${report.files.png ? ` (and ${report.files.svg})` : ''}`,
    );
    return 0;
  } finally {
    say('stopping the workers and the stack...');
    calls.abort();
    await workers?.stopAll().catch(() => undefined);
    await proxy?.close().catch(() => undefined);
    await stack?.stop().catch((err) => say(`stack stop: ${(err as Error).message}`));
    await connection?.close().catch(() => undefined);
    removeDataDir();
    process.removeListener('exit', removeDataDir);
    if (options.keepData) say(`data kept in ${dataDir} (worker logs worker-bench-w*.log, Temporal's state and logs)`);
    if (options.cpuProfileDir) say(`worker CPU profiles (one per thread; killed workers write none) in ${resolve(options.cpuProfileDir)}`);
  }
}

/** The bare workflow with the SDK's defaults (no preloaded modules): what an empty workflow costs. */
async function bundleBare(): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('./workflows'),
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error },
  });
  return code;
}

async function write(file: string, code: Promise<string>): Promise<string> {
  writeFileSync(file, await code);
  return file;
}

/** When other processes took a good share of the machine, throughput and ratios say little; the CPU cost per workflow still does. */
function loadNotes(levels: BenchReport['levels']): string[] {
  const others = levels.map((l) => l.cpu?.other ?? 0);
  const median = [...others].sort((a, b) => a - b)[Math.floor(others.length / 2)] ?? 0;
  if (median < 30) return [];
  return [
    `other processes on this machine used a median ${median}% of a core during the levels (up to ${Math.max(...others)}%): ` +
      'throughputs and ratios at c=10/50 move with that load; the CPU ms per workflow table does not depend on it.',
  ];
}

/** What the reader should know to read the figures, and what the histories say about the time. */
function notes(breakdowns: BenchReport['breakdowns'], proxy: FormProxy): string[] {
  const out = [
    'Payneteasy: every transaction is final at once (simulator processingMs 0) and its callback is sent at once; ' +
      `the payment form is completed by the bench the moment it is handed out (${proxy.completed} forms), ` +
      'and the POS completion is signalled right after the PaymentRequest starts.',
    'The bench process (client, simulators, callback receiver, codec server) runs on the same machine as the server and the worker.',
  ];
  if (proxy.refused.length) out.push(`forms the simulator refused to complete: ${proxy.refused.slice(0, 3).join('; ')}`);
  for (const b of breakdowns)
    if (b.median.timersFired >= 1)
      out.push(
        `${b.name.trim()}: a median run waited on ${b.median.timersFired} timer(s) that ran out (${b.median.timerMs.toFixed(0)} ms in timers): ` +
          'a polling interval waited in full although the provider had already called back.',
      );
  return out;
}
