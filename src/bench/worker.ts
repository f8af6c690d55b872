/**
 * The bench's worker process. In one process and on one connection:
 * - the real CUWO worker (createCuwoWorker from src/worker.ts: the production options, whatever they
 *   become) on CUWO_TASK_QUEUE, with the prebuilt CUWO bundle CUWO_WORKFLOW_BUNDLE;
 * - a minimal worker for BenchBare (./workflows.ts) on BENCH_BARE_TASK_QUEUE with BENCH_BARE_BUNDLE:
 *   the SDK's defaults, the same data converter (encrypted payloads), its one no-op activity.
 * Identity BENCH_WORKER_NAME, so the bench knows which process runs an activity (the SIGKILL phase).
 * Started by ./worker-process.ts; prints "bench worker ... polling" when both poll, and for each
 * "memory" line on its stdin a full garbage collection (node --expose-gc) followed by a
 * "bench-memory {json}" line (the RSS phase; not a signal: the SDK shuts the worker down on SIGUSR2).
 */
import { Worker } from '@temporalio/worker';
import { cuwoDataConverter } from '../codec/data-converter';
import { loadAccounts, taskQueue } from '../config';
import { installRuntime, logger } from '../observability';
import { connectWorker, temporalSettings } from '../temporal';
import { createCuwoWorker } from '../worker';
import { benchActivities } from './activities';
import { MEMORY_LINE } from './system';

/** After a full GC what is left is what the worker holds: the RSS phase's samples. */
function reportMemory(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const { rss, heapUsed, external } = process.memoryUsage();
  console.log(`${MEMORY_LINE} ${JSON.stringify({ rss, heapUsed, external, gc: gc !== undefined })}`);
}
process.stdin.on('data', (d: Buffer) => d.toString().includes('memory') && reportMemory());

async function main(): Promise<void> {
  installRuntime();
  const settings = temporalSettings();
  const bareQueue = process.env.BENCH_BARE_TASK_QUEUE;
  const bareBundle = process.env.BENCH_BARE_BUNDLE;
  if (!bareQueue || !bareBundle) throw new Error('BENCH_BARE_TASK_QUEUE and BENCH_BARE_BUNDLE are required');
  const identity = process.env.BENCH_WORKER_NAME ?? `bench-${process.pid}`;
  const connection = await connectWorker(settings);
  const cuwo = await createCuwoWorker({
    connection,
    namespace: settings.namespace,
    taskQueue: taskQueue(),
    accounts: loadAccounts(),
    workflowBundlePath: process.env.CUWO_WORKFLOW_BUNDLE,
    identity,
  });
  const bare = await Worker.create({
    connection,
    namespace: settings.namespace,
    taskQueue: bareQueue,
    identity,
    activities: benchActivities,
    dataConverter: cuwoDataConverter(),
    workflowBundle: { codePath: bareBundle },
  });
  console.log(`bench worker ${identity} (pid ${process.pid}) polling task queues "${taskQueue()}" and "${bareQueue}"`);
  // SIGTERM / SIGINT shut both down gracefully (the SDK's default shutdown signals).
  await Promise.all([cuwo.run(), bare.run()]);
  process.stdin.destroy(); // or the open pipe would keep the process alive
  await connection.close();
  console.log(`bench worker ${identity} stopped`);
}

main().catch((err) => {
  logger.fatal({ err: err instanceof Error ? err.message : String(err) }, 'bench worker stopped');
  process.exit(1);
});
