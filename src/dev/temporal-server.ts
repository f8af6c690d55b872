/**
 * The local Temporal engine: the real Temporal server (Temporal CLI `server start-dev`, SQLite, Web UI),
 * built once by scripts/install-temporal.sh, started with the project's search attributes, awaited
 * until it answers, and stopped with everything this process started.
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
