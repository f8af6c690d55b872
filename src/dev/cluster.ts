/**
 * A real Temporal cluster on this machine, no Docker: PostgreSQL (src/dev/postgres.ts), the Temporal
 * server built from deploy/temporal (scripts/install-temporal.sh --cluster) running all four services
 * in one process with the project's configuration (deploy/temporal/config/temporal.yaml: PostgreSQL
 * persistence and visibility, several history shards), the `default` namespace and the project's search
 * attributes, and optionally the Web UI server. `npm run cluster` and the test suite
 * (CUWO_TEST_SERVER=cluster) start it with startCluster().
 *
 * State directory (default .cuwo/cluster/): the PostgreSQL data, the ports and the database password
 * (cluster.json), the logs (logs/), the server's and the UI's configuration (config/, written from the
 * templates in deploy/temporal/config on every start; server.env: the values they are rendered with).
 * A second start on the same directory reuses all of it (the schema tool only applies newer schema
 * versions), so workflows survive a restart.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { msNumberToTs } from '@temporalio/common/lib/time';
import { ALL_SEARCH_ATTRIBUTES } from '../search-attributes';
import { commandLine, isAlive, startPostgres, type Postgres } from './postgres';
import { freePort } from './temporal-server';

const PROJECT_ROOT = resolve(__dirname, '..', '..');
/** The Go module that pins the binaries, and the configuration the project owns. */
export const TEMPORAL_MODULE_DIR = join(PROJECT_ROOT, 'deploy', 'temporal');
export const CLUSTER_CONFIG_DIR = join(TEMPORAL_MODULE_DIR, 'config');
/** The server's and the UI server's configuration templates (rendered by the servers from the environment). */
export const SERVER_CONFIG_TEMPLATE = join(CLUSTER_CONFIG_DIR, 'temporal.yaml.tmpl');
export const UI_CONFIG_TEMPLATE = join(CLUSTER_CONFIG_DIR, 'ui.yaml.tmpl');
export const DEFAULT_STATE_DIR = '.cuwo/cluster';
/** History shards of a new cluster (fixed for the life of its database; docker-compose.yml uses the same). */
export const DEFAULT_HISTORY_SHARDS = 4;
export const DEFAULT_NAMESPACE_RETENTION_SECONDS = 72 * 3600;
/** Ports tried first when none is given or remembered: the usual Temporal ones. */
const PREFERRED = { frontend: 7233, ui: 8233 };

export interface ClusterBinaries {
  temporal: string;
  'temporal-server': string;
  'temporal-sql-tool': string;
  'temporal-ui-server': string;
}

/** Builds the cluster binaries if they are not cached yet (progress on stderr) and returns their paths. */
export function ensureClusterBinaries(): ClusterBinaries {
  const out = execFileSync('bash', [join(PROJECT_ROOT, 'scripts', 'install-temporal.sh'), '--cluster'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  const paths = Object.fromEntries(
    out
      .trim()
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  ) as Partial<ClusterBinaries>;
  for (const name of ['temporal', 'temporal-server', 'temporal-sql-tool', 'temporal-ui-server'] as const)
    if (!paths[name]) throw new Error(`scripts/install-temporal.sh --cluster did not report ${name}:\n${out}`);
  return paths as ClusterBinaries;
}

export interface ClusterOptions {
  /** Where PostgreSQL's data, the ports and the logs live. Default .cuwo/cluster (relative to the cwd). */
  stateDir?: string;
  /** Wipe the state directory first (a brand-new cluster). */
  fresh?: boolean;
  /** Frontend gRPC port: a number is required as given; 0 picks a free one; undefined reuses the last one (else 7233, else free). */
  port?: number;
  /** Start the Web UI server (default false). */
  ui?: boolean;
  /** Web UI port, same rules as `port` (default: the last one, else 8233, else free). */
  uiPort?: number;
  /**
   * Passed to the Web UI so it decodes payloads through the codec server (as the dev server's
   * --ui-codec-endpoint); a function gets the UI's URL first (for the codec server's allowed origins).
   */
  uiCodecEndpoint?: string | ((uiUrl: string) => Promise<string | undefined>);
  namespace?: string;
  /** History shards of a NEW cluster; an existing one keeps the count it was created with. */
  historyShards?: number;
  /** Extra PostgreSQL settings (`-c name=value`). */
  postgresSettings?: Record<string, string | number>;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
  /** How long to wait for the server to answer and the namespace to be usable. Default 120 s. */
  readyTimeoutMs?: number;
}

export interface Cluster {
  address: string;
  namespace: string;
  uiUrl?: string;
  stateDir: string;
  logDir: string;
  /** Stops everything this call started (UI server, Temporal server, PostgreSQL) and waits for it. */
  stop(): Promise<void>;
}

/** What survives in <stateDir>/cluster.json. */
interface ClusterState {
  historyShards: number;
  postgres: { port: number; user: string; password: string };
  ports: Partial<Record<ServicePort, number>>;
  uiPort?: number;
  /** Processes of the last start, to stop them if their owner died without doing so. */
  pids?: { owner: number; children: Array<{ pid: number; match: string }> };
}

const SERVICE_PORTS = [
  'frontend',
  'frontendHttp',
  'frontendMembership',
  'history',
  'historyMembership',
  'matching',
  'matchingMembership',
  'worker',
  'workerMembership',
] as const;
type ServicePort = (typeof SERVICE_PORTS)[number];

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const log = options.log ?? (() => {});
  const stateDir = resolve(options.stateDir ?? DEFAULT_STATE_DIR);
  const logDir = join(stateDir, 'logs');
  const stateFile = join(stateDir, 'cluster.json');
  const namespace = options.namespace ?? 'default';

  const previous = existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as ClusterState) : undefined;
  await stopLeftovers(previous, stateFile, log);
  if (options.fresh && existsSync(stateDir)) {
    log(`removing ${stateDir} (--fresh)...`);
    rmSync(stateDir, { recursive: true, force: true });
  }
  const state: ClusterState =
    options.fresh || !previous
      ? {
          historyShards: options.historyShards ?? DEFAULT_HISTORY_SHARDS,
          postgres: { port: 0, user: 'temporal', password: randomBytes(18).toString('base64url') },
          ports: {},
        }
      : previous;
  if (options.historyShards && options.historyShards !== state.historyShards)
    log(`note: this cluster was created with ${state.historyShards} history shards; --shards applies to a new one (--fresh)`);
  mkdirSync(logDir, { recursive: true });
  // The configuration the servers read (config/<env>.yaml): the project's templates, current on every start.
  mkdirSync(join(stateDir, 'config'), { recursive: true });
  copyFileSync(SERVER_CONFIG_TEMPLATE, join(stateDir, 'config', 'temporal.yaml'));
  copyFileSync(UI_CONFIG_TEMPLATE, join(stateDir, 'config', 'ui.yaml'));
  const saveState = () => writeFileSync(stateFile, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });

  const binaries = ensureClusterBinaries();
  const stack: Array<() => Promise<void>> = [];
  const children: Array<{ pid: number; match: string }> = [];
  const stopAll = async () => {
    for (const stop of stack.splice(0).reverse()) await stop().catch(() => {});
    state.pids = undefined;
    if (existsSync(stateDir)) saveState();
  };
  const track = (child: ChildProcess, match: string) => {
    children.push({ pid: child.pid!, match });
    state.pids = { owner: process.pid, children };
    saveState();
  };

  try {
    state.postgres.port = await choosePort(undefined, state.postgres.port || undefined);
    log(`starting PostgreSQL on 127.0.0.1:${state.postgres.port}...`);
    const postgres: Postgres = await startPostgres({
      dataDir: join(stateDir, 'postgres'),
      port: state.postgres.port,
      user: state.postgres.user,
      password: state.postgres.password,
      logFile: join(logDir, 'postgres.log'),
      settings: options.postgresSettings,
      log,
    });
    stack.push(postgres.stop);
    track(postgres.process, 'postgres');

    const dbEnv = {
      DB: 'postgres12',
      POSTGRES_SEEDS: postgres.host,
      DB_PORT: String(postgres.port),
      POSTGRES_USER: state.postgres.user,
      POSTGRES_PWD: state.postgres.password,
      DBNAME: 'temporal',
      VISIBILITY_DBNAME: 'temporal_visibility',
    };
    log('creating / updating the temporal and temporal_visibility schemas...');
    const setupLog = openSync(join(logDir, 'setup-schema.log'), 'a');
    const setup = spawnSync('sh', [join(TEMPORAL_MODULE_DIR, 'setup-schema.sh')], {
      env: { ...process.env, ...dbEnv, TEMPORAL_SQL_TOOL: binaries['temporal-sql-tool'] },
      stdio: ['ignore', setupLog, setupLog],
    });
    closeSync(setupLog);
    if (setup.status !== 0) throw new Error(`the schema setup failed (exit ${setup.status})${logTail(join(logDir, 'setup-schema.log'))}`);

    const server = await startServer(binaries['temporal-server'], options, stateDir, state, dbEnv, logDir, log, saveState);
    stack.push(server.stop);
    track(server.process, binaries['temporal-server']);
    const address = `127.0.0.1:${state.ports.frontend}`;

    await prepareNamespace(address, namespace, options.readyTimeoutMs ?? 120_000, log);

    let uiUrl: string | undefined;
    if (options.ui) {
      const ui = await startUi(binaries['temporal-ui-server'], address, namespace, options, stateDir, state, logDir, log);
      stack.push(ui.stop);
      track(ui.process, binaries['temporal-ui-server']);
      uiUrl = ui.url;
    }
    saveState();
    return { address, namespace, uiUrl, stateDir, logDir, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/**
 * The Temporal server: all four services, the project's config rendered from the environment. Ports
 * left to us are remembered in the state (membership records in the database name them); if the
 * server exits during start-up on ports we picked (taken meanwhile), it starts again on fresh ones.
 */
async function startServer(
  binary: string,
  options: ClusterOptions,
  stateDir: string,
  state: ClusterState,
  dbEnv: Record<string, string>,
  logDir: string,
  log: (line: string) => void,
  saveState: () => void,
): Promise<{ process: ChildProcess; stop: () => Promise<void> }> {
  const logFile = join(logDir, 'temporal.log');
  for (let attempt = 1; ; attempt++) {
    const taken = new Set<number>([state.postgres.port]);
    for (const name of SERVICE_PORTS) {
      const wanted = name === 'frontend' ? options.port : undefined;
      const preferred = name === 'frontend' ? PREFERRED.frontend : undefined;
      state.ports[name] = await choosePort(wanted, state.ports[name], preferred, taken);
      taken.add(state.ports[name]!);
    }
    saveState();
    const p = state.ports as Record<ServicePort, number>;
    const serverEnv: Record<string, string> = {
      ...dbEnv,
      NUM_HISTORY_SHARDS: String(state.historyShards),
      BIND_ON_IP: '127.0.0.1',
      FRONTEND_GRPC_PORT: String(p.frontend),
      FRONTEND_HTTP_PORT: String(p.frontendHttp),
      FRONTEND_MEMBERSHIP_PORT: String(p.frontendMembership),
      HISTORY_GRPC_PORT: String(p.history),
      HISTORY_MEMBERSHIP_PORT: String(p.historyMembership),
      MATCHING_GRPC_PORT: String(p.matching),
      MATCHING_MEMBERSHIP_PORT: String(p.matchingMembership),
      WORKER_GRPC_PORT: String(p.worker),
      WORKER_MEMBERSHIP_PORT: String(p.workerMembership),
      DYNAMIC_CONFIG_FILE_PATH: join(CLUSTER_CONFIG_DIR, 'dynamicconfig.yaml'),
      PROMETHEUS_ENDPOINT: '',
      LOG_LEVEL: process.env.CUWO_CLUSTER_LOG_LEVEL ?? 'warn',
    };
    // What deploy/temporal/config/temporal.yaml was rendered with (the password left out), for reference.
    const shown = Object.entries({ ...serverEnv, POSTGRES_PWD: '(see cluster.json)' }).map(([key, value]) => `${key}=${value}\n`);
    writeFileSync(join(stateDir, 'server.env'), shown.join(''), { mode: 0o600 });
    log(`starting the Temporal server (${state.historyShards} history shards, frontend 127.0.0.1:${p.frontend})...`);
    const output = openSync(logFile, 'a');
    const args = ['--root', stateDir, '--config', 'config', '--env', 'temporal', '--allow-no-auth', 'start'];
    const child = spawn(binary, args, { env: { ...process.env, ...serverEnv }, stdio: ['ignore', output, output] });
    closeSync(output); // the child has its own copy
    const stop = stopper(child, 'SIGTERM', 20_000);
    try {
      await waitForFrontend(`127.0.0.1:${p.frontend}`, child, options.readyTimeoutMs ?? 120_000, logFile);
      return { process: child, stop };
    } catch (err) {
      await stop();
      if (!(err instanceof ExitedDuringStartup) || attempt >= 3 || options.port) throw err;
      log('the server exited during start-up; trying fresh ports...');
      state.ports = {};
    }
  }
}

class ExitedDuringStartup extends Error {}

/** Kills the child on stop() (signal, then SIGKILL after graceMs) and if this process exits first. */
function stopper(child: ChildProcess, signal: NodeJS.Signals, graceMs: number): () => Promise<void> {
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  return async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
}

async function waitForFrontend(address: string, child: ChildProcess, timeoutMs: number, logFile: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new ExitedDuringStartup(`the Temporal server exited during start-up (code ${child.exitCode})${logTail(logFile)}`);
    try {
      await withConnection(address, (c) => bounded(c, () => c.workflowService.getSystemInfo({})));
      return;
    } catch (err) {
      lastError = err;
      await sleep(250);
    }
  }
  throw new Error(
    `the Temporal server at ${address} did not answer within ${timeoutMs} ms: ${(lastError as Error)?.message}${logTail(logFile)}`,
  );
}

/**
 * Registers the namespace (a fresh cluster has none) and the project's search attributes, then waits
 * until the frontend accepts a visibility query on all of them: a worker started right after never
 * meets an unknown namespace or attribute.
 */
async function prepareNamespace(address: string, namespace: string, timeoutMs: number, log: (line: string) => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const retry = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    for (;;) {
      try {
        return await fn();
      } catch (err) {
        if (Date.now() > deadline)
          throw new Error(`${what} did not succeed within ${timeoutMs} ms: ${(err as Error).message}`, { cause: err });
        await sleep(250);
      }
    }
  };
  await withConnection(address, async (connection) => {
    const exists = await retry('describing the namespace', () =>
      bounded(connection, () => connection.workflowService.describeNamespace({ namespace })).then(
        () => true,
        (err: { code?: number }) => {
          if (err.code === 5 /* NOT_FOUND */) return false;
          throw err;
        },
      ),
    );
    if (!exists) {
      log(`registering the namespace "${namespace}"...`);
      await retry('registering the namespace', () =>
        bounded(connection, () =>
          connection.workflowService.registerNamespace({
            namespace,
            workflowExecutionRetentionPeriod: msNumberToTs(DEFAULT_NAMESPACE_RETENTION_SECONDS * 1000),
          }),
        ).catch((err: { code?: number }) => {
          if (err.code !== 6 /* ALREADY_EXISTS */) throw err;
        }),
      );
    }
    const { customAttributes } = await retry('listing the search attributes', () =>
      bounded(connection, () => connection.operatorService.listSearchAttributes({ namespace })),
    );
    const missing = ALL_SEARCH_ATTRIBUTES.filter((key) => !(key.name in (customAttributes ?? {})));
    if (missing.length) {
      log(`registering the search attributes ${missing.map((key) => key.name).join(', ')}...`);
      await retry('registering the search attributes', () =>
        bounded(connection, () =>
          connection.operatorService.addSearchAttributes({
            namespace,
            searchAttributes: Object.fromEntries(missing.map((key) => [key.name, encodeSearchAttributeIndexedValueType(key.type)!])),
          }),
        ),
      );
    }
    // The namespace registry and the search attribute mapping reach every service on their refresh
    // interval (2 s): wait until a query naming every attribute is accepted, then one interval more.
    const query = ALL_SEARCH_ATTRIBUTES.map((key) => `${key.name} = ${key.type === 'BOOL' ? 'true' : "'probe'"}`).join(' AND ');
    await retry('a visibility query on the search attributes', () =>
      bounded(connection, () => connection.workflowService.countWorkflowExecutions({ namespace, query })),
    );
    if (!exists || missing.length) await sleep(2_500);
  });
}

async function startUi(
  binary: string,
  address: string,
  namespace: string,
  options: ClusterOptions,
  stateDir: string,
  state: ClusterState,
  logDir: string,
  log: (line: string) => void,
): Promise<{ process: ChildProcess; url: string; stop: () => Promise<void> }> {
  const taken = new Set(Object.values(state.ports).concat(state.postgres.port));
  state.uiPort = await choosePort(options.uiPort, state.uiPort, PREFERRED.ui, taken);
  const url = `http://127.0.0.1:${state.uiPort}`;
  const codecEndpoint = typeof options.uiCodecEndpoint === 'function' ? await options.uiCodecEndpoint(url) : options.uiCodecEndpoint;
  log(`starting the Web UI server on ${url}...`);
  const logFile = join(logDir, 'ui.log');
  const output = openSync(logFile, 'a');
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: address,
    TEMPORAL_UI_IP: '127.0.0.1',
    TEMPORAL_UI_PORT: String(state.uiPort),
    TEMPORAL_DEFAULT_NAMESPACE: namespace,
    TEMPORAL_CODEC_ENDPOINT: codecEndpoint ?? '',
    TEMPORAL_CORS_ORIGINS: `${url},http://localhost:${state.uiPort}`,
  };
  const child = spawn(binary, ['--root', stateDir, '--config', 'config', '--env', 'ui', 'start'], {
    env,
    stdio: ['ignore', output, output],
  });
  closeSync(output);
  const stop = stopper(child, 'SIGTERM', 5_000);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`the Web UI server exited during start-up (is port ${state.uiPort} free?)${logTail(logFile)}`);
    }
    const ok = await fetch(`${url}/`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { process: child, url, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the Web UI server did not answer on ${url} within 30 s${logTail(logFile)}`);
    }
    await sleep(200);
  }
}

/**
 * A port: the one required (must be free), else the remembered one if still free, else the preferred
 * one if free, else any free one. `taken` holds ports already handed out in this start.
 */
async function choosePort(required?: number, remembered?: number, preferred?: number, taken = new Set<number>()): Promise<number> {
  if (required) {
    if (!(await isFree(required))) throw new Error(`port ${required} is in use`);
    return required;
  }
  if (required === undefined) {
    for (const port of [remembered, preferred]) if (port && !taken.has(port) && (await isFree(port))) return port;
  }
  for (;;) {
    const port = await lowFreePort();
    if (!taken.has(port)) return port;
  }
}

/**
 * A free port below the kernel's ephemeral range (32768+): the server stores membership ports in a
 * PostgreSQL smallint (max 32767) and refuses to start on a higher one. Random, so that clusters
 * started side by side (test runs) rarely try the same one.
 */
async function lowFreePort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await isFree(port)) return port;
  }
  return freePort();
}

function isFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => done(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => done(true)));
  });
}

/** Stops the processes of an earlier start on this state directory whose owner died without stopping them. */
async function stopLeftovers(previous: ClusterState | undefined, stateFile: string, log: (line: string) => void): Promise<void> {
  const pids = previous?.pids;
  if (!pids) return;
  if (pids.owner !== process.pid && isAlive(pids.owner) && commandLine(pids.owner).includes('node'))
    throw new Error(`this cluster is already running (process ${pids.owner}; state ${stateFile}): stop it first`);
  // The server first, PostgreSQL last (its own data directory check handles a postmaster left alone).
  for (const { pid, match } of [...pids.children].reverse()) {
    if (!isAlive(pid) || !commandLine(pid).includes(match)) continue;
    log(`stopping ${match} left running by an earlier start (pid ${pid})...`);
    process.kill(pid, match === 'postgres' ? 'SIGINT' : 'SIGTERM');
    const deadline = Date.now() + 20_000;
    while (isAlive(pid) && Date.now() < deadline) await sleep(100);
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
}

async function withConnection<T>(address: string, fn: (connection: Connection) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address, connectTimeout: 2_000 });
  try {
    return await fn(connection);
  } finally {
    await connection.close();
  }
}

/** One RPC, bounded: a server still forming its ring must not hang a start-up step. */
function bounded<T>(connection: Connection, fn: () => Promise<T>): Promise<T> {
  return connection.withDeadline(Date.now() + 5_000, fn);
}

function logTail(logFile: string): string {
  if (!existsSync(logFile)) return '';
  return `\nlast lines of ${logFile}:\n${readFileSync(logFile, 'utf8').trim().split('\n').slice(-8).join('\n')}`;
}
