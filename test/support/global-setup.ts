/**
 * One real Temporal server and one workflow bundle for the whole run; test files get their addresses
 * through the environment and start their own simulators and workers. The server, by CUWO_TEST_SERVER:
 *   dev (default)  the Temporal dev server (in-memory SQLite, one history shard, headless)
 *   cluster        the PostgreSQL-backed cluster of `npm run cluster` (src/dev/cluster.ts): several
 *                  history shards, all four services; a fresh state directory per run, no Web UI.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster } from '../../src/dev/cluster';
import { startDevServer } from '../../src/dev/temporal-server';
import { bundleCuwoWorkflows } from '../../src/workflow-bundle';
import { TEST_CODEC_KEYS, TEST_SEAL_KEYS } from './codec-keys';

export default async function globalSetup(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cuwo-test-'));
  const started = Date.now();
  const kind = process.env.CUWO_TEST_SERVER ?? 'dev';
  if (kind !== 'dev' && kind !== 'cluster') throw new Error(`CUWO_TEST_SERVER must be "dev" or "cluster", not "${kind}"`);
  // As root, PostgreSQL runs as the postgres user, which must be able to pass through this directory.
  if (kind === 'cluster') chmodSync(dir, 0o711);
  const [server, bundle] = await Promise.all([
    kind === 'cluster'
      ? startCluster({ stateDir: join(dir, 'cluster'), port: 0, ui: false })
      : startDevServer({ uiPort: false, logFile: join(dir, 'temporal.log') }),
    bundleCuwoWorkflows(),
  ]);
  const bundlePath = join(dir, 'workflows.js');
  writeFileSync(bundlePath, bundle);
  process.env.CUWO_TEST_TEMPORAL_ADDRESS = server.address;
  process.env.CUWO_TEST_WORKFLOW_BUNDLE = bundlePath;
  process.env.CUWO_TEST_DIR = dir;
  // Every client and worker of the tests encrypts; recorded histories need this same key to replay.
  process.env.CUWO_CODEC_KEYS = TEST_CODEC_KEYS;
  // Every worker of the tests seals processing data with this test-only key.
  process.env.CUWO_SEAL_KEYS = TEST_SEAL_KEYS;
  (globalThis as Record<string, unknown>).__cuwoDevServer = server;
  const what = kind === 'cluster' ? 'Temporal cluster (PostgreSQL)' : 'Temporal dev server';
  console.log(`\n[test] ${what} ${server.address} and workflow bundle ready in ${Date.now() - started} ms (${dir})`);
}
