/**
 * The bench's own workflow bundle (never in src/workflows): BenchBare, a bare one-activity workflow,
 * the engine's floor the CUWOs are measured against. Bundled by the bench and run by its worker
 * process (./worker.ts) on a task queue of its own, next to the real CUWO worker.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { BenchActivities } from './activities';

const { benchNoop } = proxyActivities<BenchActivities>({ startToCloseTimeout: '1 minute' });

/** One activity that answers at once, and its answer as the result. */
export async function BenchBare(n: number): Promise<number> {
  return benchNoop(n);
}
