/** Per-test-file wiring: a client and worker on the shared dev server, on a task queue of their own. */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import type { Accounts } from '../../src/config';
import { cuwoDataConverter } from '../../src/codec/data-converter';
import { createCuwoWorker } from '../../src/worker';

let runtimeInstalled = false;
/** Keep the SDK's own logs to warnings so test output stays readable. */
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger('ERROR') });
}

export function testEnv(): { address: string; bundlePath: string; dir: string } {
  const address = process.env.CUWO_TEST_TEMPORAL_ADDRESS;
  const bundlePath = process.env.CUWO_TEST_WORKFLOW_BUNDLE;
  if (!address || !bundlePath) throw new Error('integration tests need the jest globalSetup (run them through `npm test` / jest)');
  return { address, bundlePath, dir: process.env.CUWO_TEST_DIR! };
}

export interface Harness {
  client: Client;
  taskQueue: string;
  startWorker(accounts: Accounts, taskQueue?: string): Promise<RunningWorker>;
  close(): Promise<void>;
}

export interface RunningWorker {
  worker: Worker;
  stop(): Promise<void>;
}

export async function createHarness(): Promise<Harness> {
  quietRuntime();
  const { address, bundlePath } = testEnv();
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: 'default', dataConverter: cuwoDataConverter() });
  const taskQueue = `test-${randomUUID()}`;
  const workers: RunningWorker[] = [];
  const nativeConnections: NativeConnection[] = [];

  const startWorker = async (accounts: Accounts, queue = taskQueue): Promise<RunningWorker> => {
    const native = await NativeConnection.connect({ address });
    nativeConnections.push(native);
    const worker = await createCuwoWorker({
      connection: native,
      namespace: 'default',
      taskQueue: queue,
      accounts,
      workflowBundlePath: bundlePath,
    });
    const running = worker.run();
    const handle: RunningWorker = {
      worker,
      stop: async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running;
      },
    };
    workers.push(handle);
    return handle;
  };

  return {
    client,
    taskQueue,
    startWorker,
    close: async () => {
      await Promise.all(workers.map((w) => w.stop()));
      await Promise.all(nativeConnections.map((c) => c.close()));
      await connection.close();
    },
  };
}

/** A request id unique to this test run, so executions of earlier runs never collide. */
export function uniqueId(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
