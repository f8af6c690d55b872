/** A CUWO worker in its own OS process (the real `src/worker.ts` entry point), so it can be SIGKILLed. */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { Accounts } from '../config';

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  /** SIGKILL the whole process group: no graceful shutdown, no finally blocks. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the graceful shutdown. */
  stop(): Promise<void>;
}

export interface WorkerProcessOptions {
  address: string;
  namespace?: string;
  taskQueue: string;
  accounts: Accounts;
  /** A prebuilt workflow bundle; without it the worker bundles at start (slower). */
  workflowBundlePath?: string;
  startTimeoutMs?: number;
  /** Extra environment (e.g. CUWO_METRICS_ADDRESS). */
  env?: NodeJS.ProcessEnv;
}

const ROOT = resolve(__dirname, '..', '..');

export async function spawnWorkerProcess(options: WorkerProcessOptions): Promise<WorkerProcess> {
  const child = spawn(resolve(ROOT, 'node_modules', '.bin', 'tsx'), [resolve(ROOT, 'src', 'worker.ts')], {
    cwd: ROOT,
    detached: true, // its own process group, so a kill reaches tsx's node child too
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: options.address,
      TEMPORAL_NAMESPACE: options.namespace ?? 'default',
      CUWO_TASK_QUEUE: options.taskQueue,
      CUWO_ACCOUNTS: JSON.stringify(options.accounts),
      ...(options.workflowBundlePath ? { CUWO_WORKFLOW_BUNDLE: options.workflowBundlePath } : {}),
      ...options.env,
    },
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const running = () => child.exitCode === null && child.signalCode === null;
  const signal = async (name: NodeJS.Signals) => {
    if (!running()) return;
    try {
      process.kill(-child.pid!, name);
    } catch {
      /* already gone */
    }
    await exited;
  };
  const killOnExit = () => running() && process.kill(-child.pid!, 'SIGKILL');
  process.once('exit', killOnExit);
  const handle: WorkerProcess = {
    child,
    output: () => output,
    kill: () => signal('SIGKILL'),
    stop: () => signal('SIGTERM'),
  };
  void exited.then(() => process.removeListener('exit', killOnExit));

  const deadline = Date.now() + (options.startTimeoutMs ?? 120_000);
  while (!output.includes('polling task queue')) {
    if (!running()) throw new Error(`worker process exited during start-up:\n${output}`);
    if (Date.now() > deadline) {
      await handle.kill();
      throw new Error(`worker process did not start in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return handle;
}
