/**
 * How the CUWO workflows are bundled, in one place for the worker, the tests, the demo, chaos, the
 * bench and `npm run bundle`.
 *
 * Preloaded modules: the worker runs every workflow in one reused V8 context per thread, and gives each
 * workflow a fresh copy of the bundle's modules, so every new CUWO evaluated zod and built all the
 * contract schemas again (about 8 ms of worker CPU per GrantPayout, the largest part of its start;
 * `npm run bench -- --cpu-profile DIR`). zod and the contracts hold no per-workflow state (schemas,
 * message definitions, constants), so they are evaluated once per thread and shared, deep-frozen, by
 * every workflow. A module listed here must never hold per-workflow state: it would leak between
 * workflows and break determinism.
 */
import { bundleWorkflowCode, type WorkerOptions } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from './codec/data-converter';

export const CUWO_WORKFLOWS_PATH = require.resolve('./workflows');

/** Stateless modules evaluated once per worker thread (see above). */
export const PRELOADED_WORKFLOW_MODULES = [require.resolve('./workflows/shared-modules')];

/** The worker's options when it bundles the workflows itself (no prebuilt bundle). */
export const CUWO_BUNDLER_OPTIONS: WorkerOptions['bundlerOptions'] = { preloadModules: PRELOADED_WORKFLOW_MODULES };

const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error };

/** The workflow bundle's code, for CUWO_WORKFLOW_BUNDLE or `workflowBundle: { codePath }`. */
export async function bundleCuwoWorkflows(options: { verbose?: boolean } = {}): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: CUWO_WORKFLOWS_PATH,
    failureConverterPath: FAILURE_CONVERTER_PATH,
    preloadModules: PRELOADED_WORKFLOW_MODULES,
    ...(options.verbose ? {} : { logger: quiet }),
  });
  return code;
}
