/**
 * Stops the run's Temporal server: the dev server or the cluster (PostgreSQL included), see global-setup.ts.
 * A cluster's PostgreSQL data (60-80 MB) goes with it; its logs stay in the run's directory for a post-mortem.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as Record<string, unknown>).__cuwoDevServer as { stop(): Promise<void> } | undefined;
  await server?.stop();
  const dir = process.env.CUWO_TEST_DIR;
  if (dir && process.env.CUWO_TEST_SERVER === 'cluster') rmSync(join(dir, 'cluster', 'postgres'), { recursive: true, force: true });
}
