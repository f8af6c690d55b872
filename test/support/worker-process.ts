/** A worker in a separate OS process (the real `src/worker.ts` entry point), so a test can SIGKILL it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { Accounts } from '../../src/config';
import { testEnv } from './harness';

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  /** SIGKILL the whole process group: no graceful shutdown, no finally blocks. */
  kill(): Promise<void>;
}

export async function spawnWorkerProcess(taskQueue: string, accounts: Accounts): Promise<WorkerProcess> {
  const { address, bundlePath } = testEnv();
  const root = resolve(__dirname, '..', '..');
  const child = spawn(resolve(root, 'node_modules', '.bin', 'tsx'), [resolve(root, 'src', 'worker.ts')], {
    cwd: root,
    detached: true, // own process group, so the kill reaches tsx's node child too
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: 'default',
      CUWO_TASK_QUEUE: taskQueue,
      CUWO_ACCOUNTS: JSON.stringify(accounts),
      CUWO_WORKFLOW_BUNDLE: bundlePath,
    },
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
      await exited;
    }
  };
  const deadline = Date.now() + 60_000;
  while (!output.includes('polling task queue')) {
    if (child.exitCode !== null) throw new Error(`worker process exited during start-up:\n${output}`);
    if (Date.now() > deadline) {
      await kill();
      throw new Error(`worker process did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, output: () => output, kill };
}
