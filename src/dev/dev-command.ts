/** `cuwo dev`: the local stack plus a worker, in the foreground until Ctrl-C. */
import { NativeConnection } from '@temporalio/worker';
import { installRuntime } from '../observability';
import { freePort } from './temporal-server';
import { taskQueue } from '../config';
import { createCuwoWorker } from '../worker';
import { startLocalStack, type TemporalServerKind } from './stack';

/** `server`: the Temporal dev server (default) or the PostgreSQL-backed cluster (state in <dataDir>/cluster). */
export async function runDevStack(dataDir: string, options: { server?: TemporalServerKind } = {}): Promise<void> {
  const metricsAddress = `127.0.0.1:${await freePort()}`;
  installRuntime({ metricsAddress, logLevel: 'WARN' });
  const log = (line: string) => console.error(`[dev] ${line}`);
  const stack = await startLocalStack({ dataDir, server: options.server, log });
  const connection = await NativeConnection.connect({ address: stack.temporal.address });
  try {
    log('bundling workflows and starting the worker...');
    const worker = await createCuwoWorker({
      connection,
      namespace: stack.temporal.namespace,
      taskQueue: taskQueue(),
      accounts: stack.accounts,
    });
    const queue = taskQueue();
    const tryExport =
      `export TEMPORAL_ADDRESS=${stack.temporal.address} CUWO_WEB_UI_URL=${stack.temporal.uiUrl} ` +
      `CUWO_CODEC_KEYS=$(cat ${stack.dataDir}/codec-keys) CUWO_SEAL_KEYS=$(cat ${stack.dataDir}/seal-keys)`;
    console.error(`
  Temporal        ${stack.temporal.address}   (TEMPORAL_ADDRESS=${stack.temporal.address}; ${stack.temporal.kind === 'cluster' ? 'PostgreSQL-backed cluster' : 'dev server'}, logs ${stack.temporal.logs})
  Web UI          ${stack.temporal.uiUrl}
  disburseFunds   ${stack.disburse.url}   (simulator; ledger: ${stack.disburse.url}/_sim/ledger)
  Payneteasy      ${stack.payneteasy.url}/paynet/   (simulator; orders: ${stack.payneteasy.url}/_sim/orders)
  callbacks       ${stack.callbacks.url}/callbacks/payneteasy/<account>/<workflowId>
  worker          task queue "${queue}", accounts "upi-demo", "pne-demo"; accounts file ${stack.accountsFile}
  codec server    ${stack.codec.url}   (the Web UI decrypts payloads through it)
  metrics         http://${metricsAddress}/metrics (worker), ${stack.callbacks.url}/metrics (callbacks)
  data            ${stack.dataDir} (${stack.temporal.kind === 'cluster' ? `the cluster's PostgreSQL data in ${stack.temporal.state}` : 'SQLite'} and the dev encryption key: state survives a restart)

  Try:  ${tryExport}
        npx cuwo start GrantPayout --params examples/grant-payout.json --wait
        npx cuwo start GrantPayout --params examples/grant-payout-payneteasy.json --wait   (prints the receiver's form URL: open it)
  Ctrl-C stops everything.
`);
    // Worker.run() resolves after SIGINT/SIGTERM and a graceful shutdown (the SDK installs the handlers).
    await worker.run();
  } finally {
    await connection.close();
    await stack.stop();
    log('stopped');
  }
}
