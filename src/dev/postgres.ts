/**
 * A private PostgreSQL for the local Temporal cluster (src/dev/cluster.ts): Debian's package (installed
 * when missing and we are root), a data directory anywhere, listening on 127.0.0.1 only, run as a child
 * of this process so that stopping it, or this process dying, leaves nothing behind.
 *
 * PostgreSQL refuses to run as root: as root, initdb and postgres run as the `postgres` user (created by
 * the Debian package) through setpriv, with the data directory owned by it. Otherwise they run as the
 * current user.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface PostgresOptions {
  /** The data directory (created and initialised on first start; reused afterwards). */
  dataDir: string;
  port: number;
  /** Superuser created by initdb; the Temporal server and the schema tool log in as it. */
  user: string;
  password: string;
  /** initdb, server and shutdown output (appended). */
  logFile: string;
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string | number>;
  log?: (line: string) => void;
  readyTimeoutMs?: number;
}

export interface Postgres {
  host: string;
  port: number;
  process: ChildProcess;
  /** Fast shutdown (a checkpoint: the data is on disk), then waits for the server to exit. */
  stop(): Promise<void>;
}

const isRoot = () => process.getuid?.() === 0;

/** The directory holding initdb, postgres and pg_isready: CUWO_POSTGRES_BIN, Debian's newest, or PATH. */
export function findPostgresBin(): string | undefined {
  const candidates: string[] = [];
  if (process.env.CUWO_POSTGRES_BIN) candidates.push(process.env.CUWO_POSTGRES_BIN);
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => join(debian, v, 'bin')));
  }
  const onPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout?.trim();
  if (onPath) candidates.push(dirname(onPath));
  return candidates.find((dir) => ['initdb', 'postgres', 'pg_isready'].every((bin) => existsSync(join(dir, bin))));
}

/** Finds PostgreSQL, installing Debian's package when it is missing and we may (root, apt-get). */
export function ensurePostgresInstalled(log: (line: string) => void = () => {}): string {
  const found = findPostgresBin();
  if (found) return found;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' }).status === 0;
  if (!isRoot() || !hasApt) {
    throw new Error(
      'PostgreSQL is not installed (no initdb/postgres under /usr/lib/postgresql/*/bin or on PATH). ' +
        (hasApt
          ? 'Install it once as root: apt-get install -y --no-install-recommends postgresql'
          : 'Install PostgreSQL 12 or newer, or point CUWO_POSTGRES_BIN at the directory holding initdb and postgres.'),
    );
  }
  log("installing Debian's postgresql package (once)...");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'postgresql'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let result = install();
  if (result.status !== 0) {
    log('apt-get install failed; refreshing the package lists (apt-get update) and trying again...');
    spawnSync('apt-get', ['update', '-q'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    result = install();
  }
  if (result.status !== 0) throw new Error(`apt-get install postgresql failed:\n${result.stderr?.toString().trim()}`);
  const bin = findPostgresBin();
  if (!bin) throw new Error('apt-get installed postgresql but its binaries are not under /usr/lib/postgresql/*/bin');
  return bin;
}

/** The command prefix that runs a PostgreSQL binary as the right user. */
function runAs(): { prefix: string[]; uid?: number; gid?: number } {
  if (!isRoot()) return { prefix: [] };
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const uid = id('-u');
  if (uid.status !== 0) throw new Error('running as root, PostgreSQL needs the `postgres` user (created by the Debian package): not found');
  return {
    prefix: ['setpriv', '--reuid=postgres', '--regid=postgres', '--init-groups', '--'],
    uid: Number(uid.stdout.trim()),
    gid: Number(id('-g').stdout.trim()),
  };
}

/** Stops a postmaster left running on this data directory by an earlier process that died. */
async function stopLeftover(dataDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!pid || !isAlive(pid) || !commandLine(pid).includes('postgres')) return;
  log(`stopping PostgreSQL left running on ${dataDir} (pid ${pid})...`);
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 30_000;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) process.kill(pid, 'SIGQUIT');
}

export async function startPostgres(options: PostgresOptions): Promise<Postgres> {
  const log = options.log ?? (() => {});
  const bin = ensurePostgresInstalled(log);
  const user = runAs();
  const { dataDir } = options;
  mkdirSync(dirname(options.logFile), { recursive: true });
  const output = openSync(options.logFile, 'a');
  await stopLeftover(dataDir, log);

  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    log(`initialising a PostgreSQL data directory in ${dataDir}...`);
    rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // initdb reads the superuser's password from a file the postgres user can read, removed right after.
    const pwDir = mkdtempSync(join(tmpdir(), 'cuwo-pg-'));
    const pwFile = join(pwDir, 'pw');
    writeFileSync(pwFile, `${options.password}\n`, { mode: 0o600 });
    if (user.uid !== undefined) {
      chownSync(dataDir, user.uid, user.gid!);
      chownSync(pwDir, user.uid, user.gid!);
      chownSync(pwFile, user.uid, user.gid!);
      assertReachable(dataDir, user.prefix);
    }
    try {
      const args = [
        ...user.prefix,
        join(bin, 'initdb'),
        '-D',
        dataDir,
        '-U',
        options.user,
        `--pwfile=${pwFile}`,
        '--auth-local=peer',
        '--auth-host=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
      ];
      const result = spawnSync(args[0], args.slice(1), { cwd: dataDir, stdio: ['ignore', output, output] });
      if (result.status !== 0) throw new Error(`initdb failed (exit ${result.status}); see ${options.logFile}${tail(options.logFile)}`);
    } finally {
      rmSync(pwDir, { recursive: true, force: true });
    }
  }

  const settings: Record<string, string | number> = {
    listen_addresses: '127.0.0.1',
    port: options.port,
    // The socket lives in the data directory: no dependency on /var/run/postgresql.
    unix_socket_directories: dataDir,
    // Each of the server's four services opens its own pools (up to 20 + 10 connections each).
    max_connections: 200,
    ...options.settings,
  };
  const args = [...user.prefix, join(bin, 'postgres'), '-D', dataDir, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  const child = spawn(args[0], args.slice(1), { cwd: dataDir, stdio: ['ignore', output, output] });
  closeSync(output); // the child has its own copy
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  // If this process dies first, never leave a database server behind (immediate shutdown).
  const killOnExit = () => child.kill('SIGQUIT');
  process.once('exit', killOnExit);

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGINT'); // fast shutdown: disconnect clients, checkpoint, exit
    const quit = setTimeout(() => child.kill('SIGQUIT'), 30_000);
    const kill = setTimeout(() => child.kill('SIGKILL'), 40_000);
    await exited;
    clearTimeout(quit);
    clearTimeout(kill);
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`PostgreSQL exited during start-up (is port ${options.port} free?)${tail(options.logFile)}`);
    const ready = spawnSync(join(bin, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(options.port)]);
    if (ready.status === 0) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`PostgreSQL did not accept connections on 127.0.0.1:${options.port} in time${tail(options.logFile)}`);
    }
    await sleep(100);
  }
  return { host: '127.0.0.1', port: options.port, process: child, stop };
}

/** As root, the data directory must be reachable by the postgres user (no private parent like /root). */
function assertReachable(dataDir: string, prefix: string[]): void {
  const probe = spawnSync(prefix[0], [...prefix.slice(1), 'test', '-w', dataDir]);
  if (probe.status !== 0)
    throw new Error(
      `the postgres user cannot reach ${dataDir} (a parent directory is private to root?): choose a state directory it can reach, e.g. --state-dir /var/tmp/cuwo-cluster`,
    );
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    try {
      return execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' });
    } catch {
      return '';
    }
  }
}

function tail(file: string): string {
  if (!existsSync(file)) return '';
  return `\nlast lines of ${file}:\n${readFileSync(file, 'utf8').trim().split('\n').slice(-8).join('\n')}`;
}
