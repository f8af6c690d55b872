/**
 * `cuwo`: the project's command line. Connection settings follow Temporal's conventions
 * (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, ...); see `cuwo --help`.
 * The commands live in groups under ./cli/; this file builds the program and turns errors into exit codes.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { Command } from 'commander';
import { ConflictingParametersError, InvalidParametersError } from './client';
import { EXIT, UserFacingError } from './cli/common';
import { registerInspectCommands } from './cli/inspect';
import { registerReconcileCommands } from './cli/reconcile';
import { registerServiceCommands } from './cli/services';
import { registerStartCommands } from './cli/start';

// Kept importable from here: bin/cuwo, tests and scripts import `src/cli`.
export { EXIT, webUiLink } from './cli/common';
export { RECONCILIATION_QUERY, reconciliationEntries, type ReconciliationEntry } from './cli/reconcile';

export function buildProgram(): Command {
  const program = new Command('cuwo')
    .description('enfore payment and payout CUWOs on Temporal')
    // Usage errors read like every other error: one line "cuwo: <message>", exit code 1.
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'cuwo: ')) })
    .addHelpText(
      'after',
      '\nTemporal connection: TEMPORAL_ADDRESS (default localhost:7233), TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, ' +
        'TEMPORAL_TLS_* or a temporal.toml profile.\n' +
        'Web UI links use CUWO_WEB_UI_URL (default http://localhost:8233).',
    );

  // Registration order is the order `cuwo --help` lists the commands in.
  registerServiceCommands(program); // dev, cluster, callbacks, codec-server
  registerStartCommands(program); // start, abort
  registerInspectCommands(program); // show
  registerReconcileCommands(program); // reconcile, reconciler

  return program;
}

export async function main(argv = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    // Errors the user can act on get their message only; anything else keeps its stack for a bug report.
    const known =
      err instanceof InvalidParametersError ||
      err instanceof ConflictingParametersError ||
      err instanceof WorkflowNotFoundError ||
      err instanceof UserFacingError;
    console.error(`cuwo: ${known ? (err as Error).message : ((err as Error).stack ?? String(err))}`);
    process.exitCode = EXIT.error;
  }
}

if (require.main === module) void main();
