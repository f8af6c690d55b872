/**
 * `cuwo`: the project's command line. Connection settings follow Temporal's conventions
 * (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, ...); see `cuwo --help`.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { Command, Option } from 'commander';
import { CUWO_DEFINITIONS, CuwoAbnormalEndError, InvalidParametersError, cuwoOutcome, cuwoState, startCuwo, validateCuwoParams } from './client';
import { runDevStack } from './dev/dev-command';
import { startCallbackReceiver } from './callbacks/receiver';
import { loadAccounts, taskQueue } from './config';
import { workflowIds } from './contracts/ids';
import { connectClient, temporalSettings } from './temporal';

/** Exit codes scripts can rely on. */
export const EXIT = { success: 0, error: 1, failure: 2, canceled: 3, abnormal: 4 } as const;

export function webUiLink(workflowId: string, namespace = temporalSettings().namespace): string {
  const base = (process.env.CUWO_WEB_UI_URL ?? 'http://localhost:8233').replace(/\/$/, '');
  return `${base}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

function readParams(source: string): unknown {
  const text = source === '-' ? readFileSync(0, 'utf8') : readFileSync(source, 'utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InvalidParametersError(`${source === '-' ? 'standard input' : source} is not valid JSON: ${(err as Error).message}`);
  }
}

/** Prints stage changes (and a waiting form's URL) until the execution closes, then its typed outcome. */
async function follow(handle: WorkflowHandle, json: boolean): Promise<number> {
  const done = cuwoOutcome(handle).then(
    (outcome) => ({ outcome }),
    (error: unknown) => ({ error }),
  );
  let lastLine = '';
  for (;;) {
    const finished = await Promise.race([done, sleep(1000).then(() => undefined)]);
    if (!json) {
      const state = await cuwoState(handle).catch(() => undefined);
      if (state) {
        const line = [`stage ${state.stage}`, state.reference && `reference ${state.reference}`, state.redirectUrl && `form waiting: ${state.redirectUrl}`].filter(Boolean).join(', ');
        if (line !== lastLine) console.error(`[${handle.workflowId}] ${line}`);
        lastLine = line;
      }
    }
    if (!finished) continue;
    if ('error' in finished) {
      if (finished.error instanceof CuwoAbnormalEndError) {
        console.log(JSON.stringify({ kind: 'abnormal', message: finished.error.message }, null, 2));
        return EXIT.abnormal;
      }
      throw finished.error;
    }
    console.log(JSON.stringify(finished.outcome, null, 2));
    return { success: EXIT.success, failure: EXIT.failure, canceled: EXIT.canceled }[finished.outcome.kind];
  }
}

/** An error whose message is the whole story for the user (no stack trace). */
class UserFacingError extends Error {}

async function withClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const settings = temporalSettings();
  const client = await connectClient(settings).catch((err: Error) => {
    throw new UserFacingError(`cannot reach Temporal at ${settings.connectionOptions.address} (namespace ${settings.namespace}; set TEMPORAL_ADDRESS): ${err.message}`);
  });
  try {
    return await work(client);
  } finally {
    await client.connection.close();
  }
}

export function buildProgram(): Command {
  const program = new Command('cuwo')
    .description('enfore payment and payout CUWOs on Temporal')
    .addHelpText('after', '\nTemporal connection: TEMPORAL_ADDRESS (default localhost:7233), TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_* or a temporal.toml profile.\nWeb UI links use CUWO_WEB_UI_URL (default http://localhost:8233).');

  program
    .command('dev')
    .description('run the local stack in the foreground: Temporal dev server + Web UI, provider simulators, a worker; Ctrl-C stops all of it')
    .option('--data-dir <dir>', 'SQLite database, logs and the dev accounts file', '.cuwo')
    .action(async (opts: { dataDir: string }) => {
      await runDevStack(opts.dataDir);
    });

  program
    .command('callbacks')
    .description("run the provider callback receiver (Payneteasy final-status callbacks -> signals to the waiting CUWOs)")
    .option('--host <host>', 'interface to listen on', '0.0.0.0')
    .option('--port <port>', 'port to listen on', '8090')
    .action(async (opts: { host: string; port: string }) => {
      const client = await connectClient().catch((err: Error) => {
        throw new UserFacingError(`cannot reach Temporal at ${temporalSettings().connectionOptions.address}: ${err.message}`);
      });
      const receiver = await startCallbackReceiver({ client, accounts: loadAccounts(), host: opts.host, port: Number(opts.port) });
      console.error(`[callbacks] listening on ${receiver.url}/callbacks/payneteasy/<account>/<workflowId>`);
      await new Promise<void>((resolve) => ['SIGINT', 'SIGTERM'].forEach((signal) => process.once(signal, () => resolve())));
      await receiver.close();
      await client.connection.close();
    });

  program
    .command('start')
    .description('validate parameters and start a CUWO or request workflow; prints the workflow id and the Web UI link')
    .argument('<type>', `one of: ${Object.keys(CUWO_DEFINITIONS).join(', ')}`)
    .requiredOption('--params <file>', "parameters as JSON: a file, or '-' for standard input")
    .option('--wait', 'follow progress and print the typed outcome; exit code 0 success, 2 failure, 3 canceled, 4 abnormal end')
    .option('--json', 'machine-readable output only')
    .addOption(new Option('--task-queue <name>', 'task queue of the workers').default(taskQueue()))
    .action(async (type: string, opts: { params: string; wait?: boolean; json?: boolean; taskQueue: string }) => {
      const params = readParams(opts.params);
      const valid = validateCuwoParams(type, params); // before connecting: bad input changes nothing
      process.exitCode = await withClient(async (client) => {
        const started = await startCuwo(client, valid.type, params, { taskQueue: opts.taskQueue });
        const info = { workflowId: started.workflowId, alreadyStarted: started.alreadyStarted, webUi: webUiLink(started.workflowId) };
        if (opts.json && !opts.wait) console.log(JSON.stringify(info));
        else if (!opts.json) {
          console.error(`${started.alreadyStarted ? 'already started (nothing new started)' : 'started'}: ${started.workflowId}`);
          console.error(`Web UI: ${info.webUi}`);
        }
        return opts.wait ? follow(started.handle, Boolean(opts.json)) : EXIT.success;
      });
    });

  program
    .command('abort')
    .description('the POS side aborts the sale of a payment request: its PaymentRequest runs CancelPayment (a CUWO still running is asked to cancel)')
    .argument('<paymentRequestID>')
    .option('--reason <text>', 'why, kept in the request result')
    .action(async (paymentRequestID: string, opts: { reason?: string }) => {
      await withClient(async (client) => {
        const workflowId = workflowIds.paymentRequest(paymentRequestID);
        await client.workflow.getHandle(workflowId).signal('abort', { reason: opts.reason });
        console.error(`abort sent to ${workflowId}; follow it with: cuwo show ${workflowId}`);
      });
    });

  program
    .command('show')
    .description('show a workflow: status, CUWO state (stage, processing data, reference) and, when closed, its typed outcome')
    .argument('<workflowId>')
    .action(async (workflowId: string) => {
      await withClient(async (client) => {
        const handle = client.workflow.getHandle(workflowId);
        const description = await handle.describe();
        const closed = description.status.name !== 'RUNNING';
        const outcome = closed ? await cuwoOutcome(handle).catch((err: Error) => ({ kind: 'abnormal', message: err.message })) : undefined;
        console.log(JSON.stringify({ workflowId, type: description.type, status: description.status.name, state: await cuwoState(handle), outcome, webUi: webUiLink(workflowId) }, null, 2));
      });
    });

  return program;
}

export async function main(argv = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    const known = err instanceof InvalidParametersError || err instanceof WorkflowNotFoundError || err instanceof UserFacingError;
    console.error(`cuwo: ${known ? (err as Error).message : (err as Error).stack ?? String(err)}`);
    process.exitCode = EXIT.error;
  }
}

if (require.main === module) void main();
