/**
 * A worker that runs the real workflow bundle with stub activities, on the shared dev server: for
 * workflow tests where what the activities answer is the point (an exact sequence of provider steps,
 * a defect) rather than a provider simulator. Clients come from createHarness (harness.ts).
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { cuwoDataConverter } from '../../src/codec/data-converter';
import { testEnv } from './harness';

export interface StubWorker {
  stop(): Promise<void>;
}

/** Starts a worker on `taskQueue` whose activities are `activities` (only those the tested workflows call). */
export async function startStubWorker(
  taskQueue: string,
  activities: Record<string, (...args: never[]) => Promise<unknown>>,
): Promise<StubWorker> {
  const { address, bundlePath } = testEnv();
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    namespace: 'default',
    taskQueue,
    activities,
    dataConverter: cuwoDataConverter(),
    workflowBundle: { codePath: bundlePath },
  });
  const running = worker.run();
  return {
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
    },
  };
}
