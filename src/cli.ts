/**
 * `cuwo`: the project's command line. Connection settings follow Temporal's conventions
 * (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, ...); see `cuwo --help`.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowNotFoundError, type Client, type WorkflowExecutionInfo, type WorkflowHandle } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import Table from 'cli-table3';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  CUWO_DEFINITIONS,
  ConflictingParametersError,
  CuwoAbnormalEndError,
  InvalidParametersError,
  cuwoOutcome,
  cuwoState,
  startArguments,
  startCuwo,
  validateCuwoParams,
} from './client';
import { clusterCommand } from './dev/cluster-command';
import { runDevStack } from './dev/dev-command';
import { TEMPORAL_SERVER_KINDS, type TemporalServerKind } from './dev/stack';
import { startCallbackReceiver } from './callbacks/receiver';
import { AesGcmCodec, CodecKeyError, parseCodecKeys } from './codec/codec';
import { startCodecServer } from './codec/server';
import { loadAccounts, taskQueue } from './config';
import {
  CUWO_MEMO_KEY,
  PROVIDER_EVENTS_MEMO_KEY,
  RECONCILER_SCHEDULE_ID,
  PROVIDER_EVENTS_WORKFLOW,
  abortSignal,
  workflowIds,
  type CuwoState,
  type PaymentRequestOptions,
  type ProviderEventsState,
} from './contracts';
import { DEFAULT_RECONCILE_EVERY, caseView, ensureReconcilerSchedule, formatAge, type CaseView } from './reconciler';
import { CuwoFailureReason, CuwoProvider, CuwoRequestId, CuwoType } from './search-attributes';
import { connectClient, temporalSettings } from './temporal';

/** Exit codes scripts can rely on. */
export const EXIT = { success: 0, error: 1, failure: 2, canceled: 3, abnormal: 4 } as const;

export function webUiLink(workflowId: string, namespace = temporalSettings().namespace): string {
  const base = (process.env.CUWO_WEB_UI_URL ?? 'http://localhost:8233').replace(/\/$/, '');
  return `${base}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

interface StartCommandOptions {
  params: string;
  wait?: boolean;
  json?: boolean;
  taskQueue: string;
  /** false with --no-capture */
  capture: boolean;
  completionTimeout?: string;
}

/** PaymentRequest's options from the start flags, or undefined when none was given. */
function paymentRequestOptions(opts: StartCommandOptions): PaymentRequestOptions | undefined {
  const options: PaymentRequestOptions = {};
  if (!opts.capture) options.capture = false;
  if (opts.completionTimeout !== undefined) {
    try {
      options.completionTimeoutMs = msToNumber(opts.completionTimeout as Duration);
    } catch {
      throw new InvalidParametersError(`--completion-timeout: "${opts.completionTimeout}" is not a duration (e.g. 30s, 10m, 2h)`);
    }
  }
  return Object.keys(options).length ? options : undefined;
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
  let lastProcessingData: string | undefined;
  for (;;) {
    const finished = await Promise.race([done, sleep(1000).then(() => undefined)]);
    if (!json) {
      const state = await cuwoState(handle).catch(() => undefined);
      if (state) {
        const line = [
          `stage ${state.stage}`,
          state.reference && `reference ${state.reference}`,
          state.redirectUrl && `form waiting: ${state.redirectUrl}`,
        ]
          .filter(Boolean)
          .join(', ');
        if (line !== lastLine) console.error(`[${handle.workflowId}] ${line}`);
        if (state.processingData && state.processingData !== lastProcessingData)
          console.error(`[${handle.workflowId}] processing data ${state.processingData}`);
        lastLine = line;
        lastProcessingData = state.processingData;
      }
    }
    if (!finished) continue;
    if ('error' in finished) {
      if (finished.error instanceof CuwoAbnormalEndError) {
        console.log(JSON.stringify({ outcome: 'ABNORMAL', message: finished.error.message }, null, 2));
        return EXIT.abnormal;
      }
      throw finished.error;
    }
    console.log(JSON.stringify(finished.outcome, null, 2));
    return { SUCCESS: EXIT.success, FAILURE: EXIT.failure, CANCELED: EXIT.canceled }[finished.outcome.outcome];
  }
}

/** What needs a person: a compensation that could not undo a money movement, a provider event that contradicts a request's end. */
export const RECONCILIATION_QUERY = 'CuwoNeedsReconciliation = true';

/** A plain table (no colours, so it reads the same in a log or a pipe). */
function table(options: Partial<Table.TableConstructorOptions> = {}): Table.Table {
  return new Table({ style: { head: [], border: [] }, ...options });
}

/** Processing data as the parsed object when it is JSON, else as stored. */
/** The record inside processing data, for a person: a sealed envelope shows its record (the seal is the worker's business). */
function parseProcessingData(data: string | undefined): unknown {
  if (data === undefined) return undefined;
  try {
    const parsed = JSON.parse(data);
    return parsed && typeof parsed === 'object' && parsed.seal && parsed.record ? parsed.record : parsed;
  } catch {
    return data;
  }
}

export interface ReconciliationEntry {
  workflowId: string;
  type?: string;
  requestId?: string;
  provider?: string;
  failureReason?: string;
  closeTime?: string;
  reference?: string;
  processingData?: unknown;
  message?: string;
  /** How long it has needed a person (since it closed, or since its ProviderEvents workflow flagged it). */
  age?: string;
  /** A ProviderEvents workflow: its events, reason and the provider's last answer (docs/reconciliation.md). */
  case?: CaseView;
}

/** Every execution the visibility query finds, newest first, with what a person needs to reconcile it. */
export async function reconciliationEntries(client: Client, limit?: number): Promise<ReconciliationEntry[]> {
  const infos: WorkflowExecutionInfo[] = [];
  for await (const info of client.workflow.list({ query: RECONCILIATION_QUERY })) infos.push(info);
  const time = (info: WorkflowExecutionInfo) => (info.closeTime ?? info.startTime).getTime();
  infos.sort((a, b) => time(b) - time(a));
  return Promise.all(
    infos.slice(0, limit).map(async (info) => {
      const handle = client.workflow.getHandle(info.workflowId, info.runId);
      const memo = info.memo ?? (await handle.describe()).memo;
      const state = memo?.[CUWO_MEMO_KEY] as CuwoState | undefined;
      const outcome =
        info.status.name === 'RUNNING'
          ? undefined
          : await cuwoOutcome(handle).catch((err: Error) => ({ outcome: 'ABNORMAL', message: err.message }));
      const attributes = info.typedSearchAttributes;
      const events =
        info.type === PROVIDER_EVENTS_WORKFLOW ? (memo?.[PROVIDER_EVENTS_MEMO_KEY] as ProviderEventsState | undefined) : undefined;
      const since = info.closeTime ?? info.startTime;
      return {
        workflowId: info.workflowId,
        type: attributes.get(CuwoType) ?? info.type,
        requestId: attributes.get(CuwoRequestId),
        provider: attributes.get(CuwoProvider),
        failureReason: attributes.get(CuwoFailureReason),
        closeTime: info.closeTime?.toISOString(),
        reference: state?.reference,
        processingData: parseProcessingData(state?.processingData),
        message: outcome && 'message' in outcome ? outcome.message : undefined,
        age: formatAge(Date.now() - since.getTime()),
        ...(events ? { case: caseView(events, since) } : {}),
      };
    }),
  );
}

function printReconciliation(entries: ReconciliationEntry[]): void {
  if (entries.length === 0) {
    console.log('Nothing needs reconciliation.');
    return;
  }
  const head = ['workflow id', 'type', 'request id', 'provider', 'failure reason', 'closed', 'reference', 'processing data', 'message'];
  const rows = table({ head, colWidths: [null, null, null, null, null, null, null, null, 50], wordWrap: true });
  const cases = entries.filter((e) => e.case);
  for (const e of entries.filter((entry) => !entry.case)) {
    const data =
      typeof e.processingData === 'object' && e.processingData !== null
        ? Object.entries(e.processingData)
            .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
            .join('\n')
        : (e.processingData as string | undefined);
    rows.push(
      [e.workflowId, e.type, e.requestId, e.provider, e.failureReason, e.closeTime, e.reference, data, e.message].map((cell) => cell ?? ''),
    );
  }
  if (rows.length) console.log(rows.toString());
  if (cases.length) {
    const open = table({
      head: ['provider events of', 'request id', 'age', 'why', 'events', 'last answer'],
      colWidths: [null, null, null, 40, 50, 50],
      wordWrap: true,
    });
    for (const e of cases) {
      const c = e.case!;
      open.push([e.workflowId, e.requestId ?? '', c.age ?? '', c.reason ?? '', c.events.join('\n'), c.lastAnswer ?? '(not asked yet)']);
    }
    console.log(open.toString());
  }
  console.log(`${entries.length} execution${entries.length === 1 ? '' : 's'} need${entries.length === 1 ? 's' : ''} reconciliation`);
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

/** An error whose message is the whole story for the user (no stack trace). */
class UserFacingError extends Error {}

/** Connects with this project's converter; what goes wrong is said in one line. */
async function connectOrExplain(): Promise<Client> {
  const settings = temporalSettings();
  return connectClient(settings).catch((err: Error) => {
    if (err instanceof CodecKeyError) throw new UserFacingError(err.message);
    throw new UserFacingError(
      `cannot reach Temporal at ${settings.connectionOptions.address} ` +
        `(namespace ${settings.namespace}; set TEMPORAL_ADDRESS): ${err.message}`,
    );
  });
}

async function withClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = await connectOrExplain();
  try {
    return await work(client);
  } finally {
    await client.connection.close();
  }
}

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

  program
    .command('dev')
    .description(
      'run the local stack in the foreground: Temporal dev server + Web UI, provider simulators, a worker; Ctrl-C stops all of it',
    )
    .option('--data-dir <dir>', 'SQLite database (or the cluster state), logs and the dev accounts file', '.cuwo')
    .addOption(
      new Option('--server <kind>', 'the Temporal side: the dev server, or the PostgreSQL-backed cluster (production topology)')
        .choices(TEMPORAL_SERVER_KINDS)
        .default('dev'),
    )
    .action(async (opts: { dataDir: string; server: TemporalServerKind }) => {
      await runDevStack(opts.dataDir, { server: opts.server });
    });

  // A real PostgreSQL-backed cluster (the production topology) instead of the dev server.
  program.addCommand(clusterCommand());

  program
    .command('callbacks')
    .description('run the provider callback receiver (Payneteasy final-status callbacks -> signals to the waiting CUWOs)')
    .option('--host <host>', 'interface to listen on', '0.0.0.0')
    .option('--port <port>', 'port to listen on', '8090')
    .action(async (opts: { host: string; port: string }) => {
      const client = await connectOrExplain();
      const receiver = await startCallbackReceiver({ client, accounts: loadAccounts(), host: opts.host, port: Number(opts.port) });
      console.error(`[callbacks] listening on ${receiver.url}/callbacks/payneteasy/<account>/<workflowId>`);
      await new Promise<void>((resolve) => ['SIGINT', 'SIGTERM'].forEach((signal) => process.once(signal, () => resolve())));
      await receiver.close();
      await client.connection.close();
    });

  program
    .command('codec-server')
    .description(
      'serve /encode and /decode so the Temporal Web UI shows encrypted payloads to people allowed to see them ' +
        '(keys: CUWO_CODEC_KEYS, token: CUWO_CODEC_SERVER_TOKEN)',
    )
    .option('--host <host>', 'interface to listen on', '0.0.0.0')
    .option('--port <port>', 'port to listen on', '8888')
    .option('--origin <url...>', 'Web UI origin(s) allowed to call it (CORS)', ['http://localhost:8080'])
    .action(async (opts: { host: string; port: string; origin: string[] }) => {
      const token = process.env.CUWO_CODEC_SERVER_TOKEN;
      if (!token) throw new UserFacingError('CUWO_CODEC_SERVER_TOKEN is not set: the codec server must not decrypt for anyone who asks');
      const keys = process.env.CUWO_CODEC_KEYS;
      if (!keys) throw new UserFacingError('CUWO_CODEC_KEYS is not set: nothing to decrypt with');
      const server = await startCodecServer({
        codec: new AesGcmCodec(parseCodecKeys(keys)),
        token,
        allowedOrigins: opts.origin,
        host: opts.host,
        port: Number(opts.port),
      });
      console.error(
        `[codec-server] listening on ${server.url} (Web UI endpoint: ${server.url}/t/<token>) for origins ${opts.origin.join(', ')}`,
      );
      await new Promise<void>((resolve) => ['SIGINT', 'SIGTERM'].forEach((signal) => process.once(signal, () => resolve())));
      await server.close();
    });

  program
    .command('start')
    .description('validate parameters and start a CUWO or request workflow; prints the workflow id and the Web UI link')
    .argument('<type>', `one of: ${Object.keys(CUWO_DEFINITIONS).join(', ')}`)
    .requiredOption('--params <file>', "parameters as JSON: a file, or '-' for standard input")
    .option('--wait', 'follow progress and print the typed outcome; exit code 0 success, 2 failure, 3 canceled, 4 abnormal end')
    .option('--json', 'machine-readable output only')
    .option('--no-capture', 'PaymentRequest: keep an AUTHORIZED payment authorized (no CapturePayment)')
    .option(
      '--completion-timeout <duration>',
      "PaymentRequest: how long to wait for the POS side to complete or abort (e.g. '10m'; default 15m)",
    )
    .addOption(new Option('--task-queue <name>', 'task queue of the workers').default(taskQueue()))
    .action(async (type: string, opts: StartCommandOptions) => {
      const params = readParams(opts.params);
      const valid = validateCuwoParams(type, params); // before connecting: bad input changes nothing
      const paymentRequest = paymentRequestOptions(opts);
      startArguments(valid.type, params, { paymentRequest }); // the options too, before connecting
      process.exitCode = await withClient(async (client) => {
        const started = await startCuwo(client, valid.type, params, { taskQueue: opts.taskQueue, paymentRequest });
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
    .description(
      'the POS side aborts the sale of a payment request: its PaymentRequest runs CancelPayment (a CUWO still running is asked to cancel)',
    )
    .argument('<paymentRequestID>')
    .option('--reason <text>', 'why, kept in the request result')
    .action(async (paymentRequestID: string, opts: { reason?: string }) => {
      await withClient(async (client) => {
        const workflowId = workflowIds.paymentRequest(paymentRequestID);
        await client.workflow.getHandle(workflowId).signal(abortSignal, { reason: opts.reason });
        console.error(`abort sent to ${workflowId}; follow it with: cuwo show ${workflowId}`);
      });
    });

  program
    .command('show')
    .description('show a workflow: status, CUWO state (stage, provider, reference) and, when closed, its typed outcome')
    .argument('<workflowId>')
    .option('--json', 'machine-readable output: the full state (with processing data) and the typed outcome')
    .action(async (workflowId: string, opts: { json?: boolean }) => {
      await withClient(async (client) => {
        const handle = client.workflow.getHandle(workflowId);
        const description = await handle.describe();
        const closed = description.status.name !== 'RUNNING';
        const outcome = closed
          ? await cuwoOutcome(handle).catch((err: Error) => ({ outcome: 'ABNORMAL' as const, message: err.message }))
          : undefined;
        const state = await cuwoState(handle);
        const view = { workflowId, type: description.type, status: description.status.name, state, outcome, webUi: webUiLink(workflowId) };
        if (opts.json) {
          console.log(JSON.stringify(view, null, 2));
          return;
        }
        const rows = table();
        const row = (label: string, value: string | undefined) => value && rows.push({ [label]: value });
        row('workflow id', workflowId);
        row('type', description.type);
        row('status', description.status.name);
        row('stage', state?.stage);
        row('provider', state?.provider);
        row('reference', state?.reference);
        row('redirect URL', state?.redirectUrl);
        row('compensation', state?.compensationWorkflowId);
        row('outcome', outcome?.outcome);
        if (outcome?.outcome === 'FAILURE') {
          const failure = outcome.failure as { failureReason?: string; failureCode?: string };
          row(
            'failure',
            [failure.failureReason, failure.failureCode && failure.failureCode !== failure.failureReason && `(${failure.failureCode})`]
              .filter(Boolean)
              .join(' '),
          );
          row('message', outcome.message);
        }
        if (outcome?.outcome === 'CANCELED') row('cancelation', (outcome.cancelation as { cancelationReason?: string }).cancelationReason);
        if (outcome?.outcome === 'ABNORMAL') row('message', outcome.message);
        row('Web UI', view.webUi);
        console.log(rows.toString());
      });
    });

  program
    .command('reconcile')
    .description(`list the executions that need a person (visibility query: ${RECONCILIATION_QUERY}), newest first`)
    .option('--json', 'machine-readable output: a JSON array')
    .option('--limit <n>', 'show at most the n newest', positiveInteger)
    .action(async (opts: { json?: boolean; limit?: number }) => {
      await withClient(async (client) => {
        const entries = await reconciliationEntries(client, opts.limit);
        if (opts.json) console.log(JSON.stringify(entries, null, 2));
        else printReconciliation(entries);
      });
    });

  program
    .command('reconciler')
    .description(
      'create (or update) the Temporal Schedule that runs the Reconcile workflow: it asks the provider about every request ' +
        'flagged for reconciliation and clears the flag only when the provider agrees or the compensation settled it',
    )
    .option('--every <duration>', "how often (e.g. '5m', '1h')", DEFAULT_RECONCILE_EVERY)
    .option('--trigger', 'also run it once now')
    .addOption(new Option('--task-queue <name>', 'task queue of the workers').default(taskQueue()))
    .action(async (opts: { every: string; trigger?: boolean; taskQueue: string }) => {
      try {
        msToNumber(opts.every as Duration);
      } catch {
        throw new UserFacingError(`--every: "${opts.every}" is not a duration (e.g. 5m, 1h)`);
      }
      await withClient(async (client) => {
        const done = await ensureReconcilerSchedule(client, { taskQueue: opts.taskQueue, every: opts.every as Duration });
        console.error(`reconciler schedule ${done}: Reconcile every ${opts.every} on task queue ${opts.taskQueue}`);
        if (opts.trigger) {
          await client.schedule.getHandle(RECONCILER_SCHEDULE_ID).trigger();
          console.error('triggered one run now');
        }
      });
    });

  return program;
}

export async function main(argv = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
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
