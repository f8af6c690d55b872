/**
 * The local Temporal engine: the real Temporal server (Temporal CLI `server start-dev`, SQLite, Web UI),
 * built once by scripts/install-temporal.sh, started with the project's search attributes and speed
 * settings (DEV_SERVER_SPEED_SETTINGS), awaited until it answers, and stopped with everything this
 * process started.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { searchAttributeFlags } from '../search-attributes';

const PROJECT_ROOT = resolve(__dirname, '..', '..');

/** Builds the Temporal CLI if it is not cached yet (progress on stderr) and returns its path. */
export function ensureTemporalCli(): string {
  if (process.env.TEMPORAL_CLI_PATH) return process.env.TEMPORAL_CLI_PATH;
  const out = execFileSync('bash', [join(PROJECT_ROOT, 'scripts', 'install-temporal.sh')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  return out.trim().split('\n').pop()!;
}

/** One engine setting the project chooses for speed, with the measurement behind it. */
export interface SpeedSetting {
  /** `--dynamic-config-value` (deploy/temporal/config/dynamicconfig.yaml sets the same on the cluster) or `--sqlite-pragma` (a database file only). */
  kind: 'dynamic-config' | 'sqlite-pragma';
  key: string;
  value: string | number | boolean;
  why: string;
}

/**
 * The dev server's speed settings: the project's own choice, used by everything that starts it (the
 * tests, the demo, `npm run dev`, the chaos run).
 *
 * Measured 2026-11-21 (server 1.29.1, TS SDK 1.24, this 2-core machine shared with other work): p50
 * start-to-result in ms of 30 sequential runs (after 5 warm-up runs), client and workers in one
 * process, of a bare one-activity workflow / a GrantPayout over the disburseFunds simulator; the
 * median of 2 quiet rounds (load 2-3), in brackets of 6 interleaved rounds (load up to 15):
 *   dev server, in memory     engine defaults 150 / 150    these settings 23 / 43 (29 / 58)
 *                             + eager start (client on the worker's NativeConnection) 17 / 43 (22 / 57)
 *   dev server, SQLite file   engine defaults 150 / 149    these settings 22 / 46 (30 / 65)
 *                             + eager start 17 / 41 (28 / 61)
 *   PostgreSQL cluster, 4 shards (deploy/temporal/config/dynamicconfig.yaml sets the dynamic config)
 *                             engine defaults 32 / 62 (46 / 89)    these settings 31 / 63 (42 / 80)
 *                             + eager start 28 / 56 (30 / 63)
 * Each setting's `why` gives its own effect, measured with it on and off. At concurrency 50 the
 * in-memory server is CPU-bound, the same with or without them (bare ~50-60 wf/s, GrantPayout ~31-38
 * wf/s). An idle server costs the same with them (30 ms CPU per 30 s).
 */
export const DEV_SERVER_SPEED_SETTINGS: readonly SpeedSetting[] = [
  {
    kind: 'dynamic-config',
    key: 'history.transferProcessorMaxPollRPS',
    value: 1000,
    why:
      'Each dispatch hop (first workflow task, activity task, next workflow task) is a history transfer task, and ' +
      'the transfer reader reads at most this many times per second per shard (engine default 20); start-dev has one ' +
      'shard, so every hop waited ~50 ms. In memory: bare 150 -> 25 ms, GrantPayout 151 -> 51 ms (this setting alone). ' +
      'Reads follow new-task notifications: an idle server does not read more often.',
  },
  {
    kind: 'dynamic-config',
    key: 'system.enableActivityEagerExecution',
    value: true,
    why:
      'Server default false (1.29): with it, the worker that completes a workflow task gets the activities it just ' +
      'scheduled on its own task queue in the reply (the SDK asks for this by default), so the activity hop through ' +
      'matching is gone. Within the noise on the dev server once the hop costs ~1 ms; on the cluster bare 49 -> 35 ms ' +
      '(median; 29 -> 28 in the quiet round). Only first attempts go eagerly; retries go through matching.',
  },
  {
    kind: 'dynamic-config',
    key: 'history.visibilityProcessorMaxPollRPS',
    value: 1000,
    why:
      'The same read limit for visibility tasks (what list and count queries see). A CUWO upserts search attributes ' +
      'several times in a few ms, so its close waited for the limiter: a GrantPayout showed as Completed in a count ' +
      'query p50 30-37 ms (max 50) after its result, 2 ms (max 5) with this. Tests, `cuwo list` and reconcile poll such queries.',
  },
  {
    kind: 'dynamic-config',
    key: 'history.timerProcessorMaxTimeShift',
    value: '100ms',
    why:
      'New timer tasks are never due before now + this shift (engine default 1 s), so every timer, activity retry ' +
      'backoff and timeout fired up to ~1 s late: a 10 ms workflow sleep took ~1020 ms start-to-result, an activity ' +
      'retried after 10 ms ~1040 ms. With 100ms (and the read limit below): 125 ms and 150 ms; the engine test suite ' +
      '(Payneteasy polling, retries) 111 -> 93 s. Timers still never fire early.',
  },
  {
    kind: 'dynamic-config',
    key: 'history.timerProcessorMaxPollRPS',
    value: 1000,
    why:
      "The timer reader's read limit (engine default 20/s per shard): no effect while timers are 1 s coarse, but with " +
      'the 100ms shift the retry above took 199 ms at 20/s, 150 ms at 1000/s.',
  },
  {
    kind: 'sqlite-pragma',
    key: 'journal_mode',
    value: 'wal',
    why:
      'A file-backed server commits every step with an fsync of a rollback journal; with a write-ahead log and ' +
      'synchronous=normal a commit is an append. SQLite file, dynamic config above, sequential p50: bare 30 -> 22 ms, ' +
      'GrantPayout 60 -> 46 ms (quiet; under load 100 -> 30 and 141 -> 65, fsync waits grow with load); concurrency 50: ' +
      'bare 32 -> 54 workflows/s, GrantPayout 23 -> 36. WAL mode is stored in the database file.',
  },
  {
    kind: 'sqlite-pragma',
    key: 'synchronous',
    value: 'normal',
    why:
      'In WAL mode, NORMAL syncs at checkpoints instead of every commit: a killed server loses nothing; a machine ' +
      'crash or power cut may lose the last commits, acceptable for the local dev stack (the cluster keeps PostgreSQL defaults).',
  },
];

/** The command-line flags of DEV_SERVER_SPEED_SETTINGS (the pragmas only for a database file), then `dynamicConfig`. */
function engineFlags(options: { speedSettings: boolean; dbFile: boolean; dynamicConfig?: Record<string, unknown> }): string[] {
  const settings = options.speedSettings ? DEV_SERVER_SPEED_SETTINGS : [];
  const dynamic = {
    ...Object.fromEntries(settings.filter((s) => s.kind === 'dynamic-config').map((s) => [s.key, s.value])),
    ...options.dynamicConfig,
  };
  const pragmas = options.dbFile ? settings.filter((s) => s.kind === 'sqlite-pragma') : [];
  return [
    ...Object.entries(dynamic).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${JSON.stringify(value)}`]),
    ...pragmas.flatMap((p) => ['--sqlite-pragma', `${p.key}=${p.value}`]),
  ];
}

export interface DevServerOptions {
  /** SQLite file; state survives a restart. Default: in-memory. */
  dbFile?: string;
  /** gRPC frontend port; 0 or undefined picks a free one. */
  port?: number;
  /** Web UI port; false runs headless. Default: a free port. */
  uiPort?: number | false;
  namespace?: string;
  /** Server log file (its output is too chatty for a terminal). */
  logFile?: string;
  /** How long to wait for the server to answer; the SDK's 5 s is too short on a loaded 2-core box. */
  readyTimeoutMs?: number;
  /** Passed to the Web UI so it decodes payloads through the codec server. */
  uiCodecEndpoint?: string;
  /** DEV_SERVER_SPEED_SETTINGS (default true); false runs the engine's own defaults, to measure against them. */
  speedSettings?: boolean;
  /** More dynamic-config values (key -> JSON value), applied after the speed settings. */
  dynamicConfig?: Record<string, unknown>;
}

export interface DevServer {
  address: string;
  namespace: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * Starts the server. Ports left to us are picked free, but a free port can be taken before the
 * server binds it (parallel test workers, the server's own random ports): when the server exits
 * during start-up on ports we picked, it is started again on fresh ones.
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const attempts = options.port ? 1 : 3;
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options, options.port || (await freePort()));
    } catch (err) {
      if (!(err instanceof ExitedDuringStartup) || attempt >= attempts) throw err;
    }
  }
}

class ExitedDuringStartup extends Error {}

async function startOnce(options: DevServerOptions, port: number): Promise<DevServer> {
  const binary = ensureTemporalCli();
  const namespace = options.namespace ?? 'default';
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--namespace',
    namespace,
    '--log-level',
    'warn',
    ...searchAttributeFlags(),
  ];
  if (options.dbFile) {
    mkdirSync(dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
  }
  args.push(
    ...engineFlags({ speedSettings: options.speedSettings !== false, dbFile: !!options.dbFile, dynamicConfig: options.dynamicConfig }),
  );
  let uiUrl: string | undefined;
  if (options.uiPort === false) {
    args.push('--headless');
  } else {
    const uiPort = options.uiPort || (await freePort());
    args.push('--ui-port', String(uiPort), '--ui-ip', '127.0.0.1');
    if (options.uiCodecEndpoint) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
    uiUrl = `http://127.0.0.1:${uiPort}`;
  }
  let output: 'ignore' | number = 'ignore';
  if (options.logFile) {
    mkdirSync(dirname(options.logFile), { recursive: true });
    output = openSync(options.logFile, 'a');
  }
  const child = spawn(binary, args, { stdio: ['ignore', output, output] });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  // If this process dies first, never leave a server behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const address = `127.0.0.1:${port}`;
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitUntilReady(address, namespace, options.readyTimeoutMs ?? 60_000, exited, options.logFile);
  } catch (err) {
    await stop();
    throw err;
  }
  return { address, namespace, uiUrl, process: child, stop };
}

/** Probes until the namespace answers; a server that exits meanwhile ends the wait at once. */
async function waitUntilReady(
  address: string,
  namespace: string,
  timeoutMs: number,
  exited: Promise<number | null>,
  logFile?: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const died = exited.then(() => 'died' as const);
  let lastError: unknown;
  while (Date.now() < deadline) {
    const probe = probeOnce(address, namespace).then(
      () => 'ready' as const,
      (err: unknown) => {
        lastError = err;
        return 'not-yet' as const;
      },
    );
    const result = await Promise.race([probe, died]);
    if (result === 'ready') return;
    if (result === 'died')
      throw new ExitedDuringStartup(`the Temporal dev server exited during start-up (is port ${address} free?)${logTail(logFile)}`);
    await sleep(250);
  }
  throw new Error(`the Temporal dev server at ${address} did not answer within ${timeoutMs} ms: ${(lastError as Error)?.message}`);
}

/** One readiness RPC, bounded: something else listening on the port must not hang the wait. */
async function probeOnce(address: string, namespace: string): Promise<void> {
  const connection = await Connection.connect({ address, connectTimeout: 2_000 });
  try {
    await connection.withDeadline(Date.now() + 2_000, () => connection.workflowService.describeNamespace({ namespace }));
  } finally {
    await connection.close();
  }
}

/** The last lines of the server log, for an error message. */
function logTail(logFile: string | undefined): string {
  if (!logFile || !existsSync(logFile)) return '';
  return `\nlast lines of ${logFile}:\n${readFileSync(logFile, 'utf8').trim().split('\n').slice(-5).join('\n')}`;
}
