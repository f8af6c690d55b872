/** The engine launcher: a SQLite-backed dev server keeps its state across a restart, registers our
 * search attributes, and leaves no process behind; the CLI build script explains a missing Go. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startDevServer } from '../../src/dev/temporal-server';
import { ALL_SEARCH_ATTRIBUTES } from '../../src/search-attributes';

test('state survives a restart on the same SQLite file; the server process is gone after stop()', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cuwo-devserver-'));
  const dbFile = join(dir, 'temporal.db');
  const first = await startDevServer({ dbFile, uiPort: false, logFile: join(dir, 'log') });
  let connection = await Connection.connect({ address: first.address });
  // Nobody polls this queue: the execution stays open, which is exactly what must survive.
  await new Client({ connection }).workflow.start('GrantPayout', { workflowId: 'survives-restart', taskQueue: 'nobody-polls', args: [{}] });
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
  expect(Object.keys(customAttributes ?? {})).toEqual(expect.arrayContaining(ALL_SEARCH_ATTRIBUTES.map((k) => k.name)));
  await connection.close();
  await first.stop();
  expect(first.process.exitCode !== null || first.process.signalCode !== null).toBe(true);

  const second = await startDevServer({ dbFile, uiPort: false, logFile: join(dir, 'log') });
  try {
    connection = await Connection.connect({ address: second.address });
    const description = await new Client({ connection }).workflow.getHandle('survives-restart').describe();
    expect(description.status.name).toBe('RUNNING');
    await connection.close();
  } finally {
    await second.stop();
  }
});

test('a port that is taken: the start fails fast with the server log, instead of waiting for the timeout', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cuwo-devserver-busy-'));
  // Something that is not Temporal holds the port (and accepts, then ignores, the readiness probe).
  const sockets = new Set<import('node:net').Socket>();
  const busy = createServer((socket) => sockets.add(socket));
  await new Promise<void>((done) => busy.listen(0, '127.0.0.1', done));
  const { port } = busy.address() as { port: number };
  try {
    const started = Date.now();
    await expect(startDevServer({ port, uiPort: false, logFile: join(dir, 'log') })).rejects.toThrow(
      /exited during start-up[\s\S]*last lines of/,
    );
    expect(Date.now() - started).toBeLessThan(30_000);
  } finally {
    sockets.forEach((socket) => socket.destroy());
    await new Promise((done) => busy.close(done));
  }
});

test('the Temporal CLI build explains a missing Go toolchain and builds nothing', () => {
  const cache = mkdtempSync(join(tmpdir(), 'cuwo-nogo-'));
  const bash = execFileSync('bash', ['-c', 'command -v bash'], { encoding: 'utf8' }).trim();
  const result = spawnSync(bash, [resolve(__dirname, '../../scripts/install-temporal.sh')], {
    env: { PATH: '/nonexistent', CUWO_CACHE_DIR: cache, HOME: cache },
    encoding: 'utf8',
  });
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('the Go toolchain is not installed');
});
