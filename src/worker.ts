/**
 * The CUWO worker: registers the workflows and the provider activities on the task queue.
 *   TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, ... (see src/temporal.ts)   where Temporal is
 *   CUWO_TASK_QUEUE (default "cuwo")                                    which queue to poll
 *   CUWO_ACCOUNTS_FILE / CUWO_ACCOUNTS                                  provider accounts and secrets
 *   CUWO_WORKFLOW_BUNDLE                                                a prebuilt workflow bundle (optional)
 *   CUWO_CREATE_SEARCH_ATTRIBUTES=true                                  register missing search attributes
 *   CUWO_CODEC_KEYS                                                     payload encryption keys (src/codec/codec.ts)
 *   CUWO_METRICS_ADDRESS (e.g. 0.0.0.0:9464)                            Prometheus /metrics (src/observability.ts)
 */
import type { DataConverter } from '@temporalio/common';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { cuwoDataConverter } from './codec/data-converter';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from './activities';
import { ProviderRegistry } from './activities/providers/registry';
import { createReconciliationActivities } from './activities/reconciliation';
import { sealFromEnv } from './activities/sealing';
import { installRuntime, logger } from './observability';
import { loadAccounts, taskQueue, type Accounts } from './config';
import { ALL_SEARCH_ATTRIBUTES, createSearchAttributeCommand } from './search-attributes';
import { connectWorker, temporalSettings } from './temporal';
import { CUWO_BUNDLER_OPTIONS, CUWO_WORKFLOWS_PATH } from './workflow-bundle';

export interface CuwoWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  accounts: Accounts;
  /** Path of a bundle made by bundleWorkflowCode; otherwise the workflows are bundled at start. */
  workflowBundlePath?: string;
  identity?: string;
  /** Default: cuwoDataConverter() from the environment (encryption keys). */
  dataConverter?: DataConverter;
}

export async function createCuwoWorker(options: CuwoWorkerOptions): Promise<Worker> {
  await assertSearchAttributes(options.connection, options.namespace);
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.identity ? { identity: options.identity } : {}),
    activities: {
      ...createActivities(options.accounts),
      // The reconciler's steps (docs/reconciliation.md): visibility, status queries, findings.
      ...createReconciliationActivities(new ProviderRegistry(options.accounts), sealFromEnv()),
    },
    dataConverter: options.dataConverter ?? cuwoDataConverter(),
    ...(options.workflowBundlePath
      ? { workflowBundle: { codePath: options.workflowBundlePath } }
      : { workflowsPath: CUWO_WORKFLOWS_PATH, bundlerOptions: CUWO_BUNDLER_OPTIONS }),
  });
}

/**
 * Fails fast with the fix, instead of every workflow task failing on an unknown search attribute.
 * With CUWO_CREATE_SEARCH_ATTRIBUTES=true it registers the missing ones itself (self-hosted clusters;
 * Temporal Cloud needs them created in its console or with tcld).
 */
async function assertSearchAttributes(connection: NativeConnection, namespace: string): Promise<void> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = ALL_SEARCH_ATTRIBUTES.filter((key) => !(key.name in (customAttributes ?? {})));
  if (missing.length && process.env.CUWO_CREATE_SEARCH_ATTRIBUTES === 'true') {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((key) => [key.name, encodeSearchAttributeIndexedValueType(key.type)!])),
    });
    logger.info({ namespace, searchAttributes: missing.map((key) => key.name) }, 'registered missing search attributes');
    return;
  }
  if (missing.length) {
    const commands = missing.map((key) => createSearchAttributeCommand(key, namespace));
    throw new Error(`namespace "${namespace}" lacks the search attributes the CUWOs write. Create them once:\n  ${commands.join('\n  ')}`);
  }
}

async function main(): Promise<void> {
  installRuntime({ metricsAddress: process.env.CUWO_METRICS_ADDRESS });
  const settings = temporalSettings();
  const accounts = loadAccounts();
  const connection = await connectWorker(settings);
  const worker = await createCuwoWorker({
    connection,
    namespace: settings.namespace,
    taskQueue: taskQueue(),
    accounts,
    workflowBundlePath: process.env.CUWO_WORKFLOW_BUNDLE,
  });
  logger.info(
    {
      taskQueue: taskQueue(),
      address: settings.connectionOptions.address,
      namespace: settings.namespace,
      accounts: Object.keys(accounts),
      metrics: process.env.CUWO_METRICS_ADDRESS,
    },
    `worker polling task queue "${taskQueue()}"`,
  );
  await worker.run(); // returns after SIGINT/SIGTERM and a graceful shutdown
  await connection.close();
}

if (require.main === module) {
  main().catch((err) => {
    logger.fatal({ err: err instanceof Error ? err.message : String(err) }, 'worker stopped');
    process.exit(1);
  });
}
