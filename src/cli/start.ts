/** Commands that act on requests: `start` (optionally following to the outcome) and `abort`. */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import { Command, Option } from 'commander';
import {
  CUWO_DEFINITIONS,
  CuwoAbnormalEndError,
  InvalidParametersError,
  cuwoOutcome,
  cuwoState,
  startArguments,
  startCuwo,
  validateCuwoParams,
} from '../client';
import { taskQueue } from '../config';
import { abortSignal, workflowIds, type PaymentRequestOptions } from '../contracts';
import { EXIT, webUiLink, withClient } from './common';

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

export function registerStartCommands(program: Command): void {
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
}
