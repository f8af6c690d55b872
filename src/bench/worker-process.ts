/**
 * The bench's worker processes (./worker.ts in a child process each, like src/dev/worker-process.ts
 * does for src/worker.ts): started detached in their own process group so SIGKILL reaches tsx's node
 * child too, output to a log file per worker, killed on this process's exit whatever happens.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Accounts } from '../config';
import type { WorkerProcess } from '../dev/worker-process';
import { MEMORY_LINE, groupRssMiB, type WorkerMemory } from './system';

const ROOT = resolve(__dirname, '..', '..');
const READY = 'polling task queues';

export interface BenchWorkerSetup {
  address: string;
  namespace: string;
  taskQueue: string;
  bareTaskQueue: string;
  accounts: Accounts;
  cuwoBundlePath: string;
  bareBundlePath: string;
  /** Worker logs go to <logDir>/worker-<name>.log. */
  logDir: string;
  env: NodeJS.ProcessEnv;
  /** Node flags for the worker (e.g. --cpu-prof: each of its threads writes a profile on a graceful exit). */
  nodeArgs?: string[];
}

export interface BenchWorker extends WorkerProcess {
  /** Its Temporal identity (shown as an activity's lastWorkerIdentity). */
  name: string;
  /** Its process group (tsx and node). */
  pgrp: number;
  logFile: string;
  rssMiB(): number;
  /** Asks the worker for a full GC and its memory then (SIGUSR2); /proc's RSS when it does not answer. */
  memory(): Promise<WorkerMemory>;
}

let counter = 0;

export async function spawnBenchWorker(setup: BenchWorkerSetup, startTimeoutMs = 120_000): Promise<BenchWorker> {
  const name = `bench-w${++counter}`;
  const logFile = join(setup.logDir, `worker-${name}.log`);
  const log = createWriteStream(logFile);
  const child = spawn(resolve(ROOT, 'node_modules', '.bin', 'tsx'), [...(setup.nodeArgs ?? []), resolve(__dirname, 'worker.ts')], {
    cwd: ROOT,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'], // stdin: "memory" requests (./worker.ts)
    env: {
      ...process.env,
      ...setup.env,
      TEMPORAL_ADDRESS: setup.address,
      TEMPORAL_NAMESPACE: setup.namespace,
      CUWO_TASK_QUEUE: setup.taskQueue,
      CUWO_ACCOUNTS: JSON.stringify(setup.accounts),
      CUWO_WORKFLOW_BUNDLE: setup.cuwoBundlePath,
      BENCH_BARE_TASK_QUEUE: setup.bareTaskQueue,
      BENCH_BARE_BUNDLE: setup.bareBundlePath,
      BENCH_WORKER_NAME: name,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --expose-gc`.trim(),
    },
  });
  let head = ''; // the first output, until the ready line (for a start-up error)
  let ready = false;
  let memory: WorkerMemory | undefined; // the last answer to SIGUSR2
  const onData = (d: Buffer) => {
    log.write(d);
    if (!ready && head.length < 64_000) head += d.toString();
    if (head.includes(READY)) ready = true;
    const line = d
      .toString()
      .split('\n')
      .filter((l) => l.startsWith(`${MEMORY_LINE} `))
      .pop();
    try {
      const m = line && (JSON.parse(line.slice(MEMORY_LINE.length + 1)) as { rss: number; heapUsed: number; gc: boolean });
      if (m) memory = { rssMiB: m.rss / 2 ** 20, heapUsedMiB: m.heapUsed / 2 ** 20, afterGc: m.gc };
    } catch {
      /* a line cut across two chunks: the next request asks again */
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  child.stdin!.on('error', () => undefined); // a write after the worker died
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  void exited.then(() => log.end());
  const running = () => child.exitCode === null && child.signalCode === null;
  // SIGKILL goes to the whole group; SIGTERM only to tsx, which relays it once to its node child (the
  // SDK removes its handler on the first one: a second, from a group-wide signal, would end it at once).
  const signal = async (sig: NodeJS.Signals) => {
    if (!running()) return;
    try {
      process.kill(sig === 'SIGKILL' ? -child.pid! : child.pid!, sig);
    } catch {
      /* already gone */
    }
    await exited;
  };
  const killOnExit = () => running() && process.kill(-child.pid!, 'SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.removeListener('exit', killOnExit));
  const worker: BenchWorker = {
    name,
    child,
    pgrp: child.pid!,
    logFile,
    output: () => head,
    kill: () => signal('SIGKILL'),
    stop: async () => {
      const timer = setTimeout(() => void signal('SIGKILL'), 15_000); // stuck in shutdown
      await signal('SIGTERM');
      clearTimeout(timer);
    },
    rssMiB: () => groupRssMiB(child.pid!),
    memory: async () => {
      memory = undefined;
      if (running()) child.stdin!.write('memory\n');
      for (let i = 0; i < 100 && !memory && running(); i++) await sleep(50);
      return memory ?? { rssMiB: groupRssMiB(child.pid!), heapUsedMiB: NaN, afterGc: false };
    },
  };
  const deadline = Date.now() + startTimeoutMs;
  while (!ready) {
    if (!running()) throw new Error(`bench worker ${name} exited during start-up (log ${logFile}):\n${head.slice(-4_000)}`);
    if (Date.now() > deadline) {
      await worker.kill();
      throw new Error(`bench worker ${name} did not start within ${startTimeoutMs} ms (log ${logFile})`);
    }
    await sleep(100);
  }
  return worker;
}

/** The live bench workers: started, SIGKILLed and stopped by the phases. */
export class BenchWorkers {
  private readonly live = new Set<BenchWorker>();

  constructor(private readonly setup: BenchWorkerSetup) {}

  get all(): BenchWorker[] {
    return [...this.live];
  }

  get groups(): number[] {
    return this.all.map((w) => w.pgrp);
  }

  /** Starts workers until `count` are live (in parallel). */
  async ensure(count: number): Promise<void> {
    const missing = Math.max(0, count - this.live.size);
    const started = await Promise.all(Array.from({ length: missing }, () => spawnBenchWorker(this.setup)));
    for (const worker of started) this.track(worker);
  }

  /** Stops workers (gracefully) until at most `count` are live. */
  async shrink(count: number): Promise<void> {
    const extra = this.all.slice(count);
    await Promise.all(extra.map((w) => w.stop()));
  }

  async kill(worker: BenchWorker): Promise<void> {
    await worker.kill();
    this.live.delete(worker);
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.all.map((w) => w.stop()));
    this.live.clear();
  }

  private track(worker: BenchWorker): void {
    this.live.add(worker);
    worker.child.once('exit', () => this.live.delete(worker));
  }
}
