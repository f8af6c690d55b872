/**
 * Client side of the CUWOs: validate parameters with the same schemas the workflows use, start with
 * the business-derived workflow id (a second start finds the first execution), and turn a finished
 * execution back into the spec's typed outcome.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow';
import type { z } from 'zod';
import { parseWith } from './contracts/common';
import { parsePaymentOptions, parsePaymentRequestOptions, type PaymentRequestOptions } from './contracts/payment-options';
import { workflowIds } from './contracts/ids';
import {
  AuthorizeOrCapturePaymentWorkflowParameters,
  CancelPaymentWorkflowParameters,
  CapturePaymentWorkflowParameters,
} from './contracts/payment';
import { CancelPayoutWorkflowParameters, GrantPayoutWorkflowParameters } from './contracts/payout';
import { CUWO_END_TYPES, CUWO_MEMO_KEY, decodeCuwoFailure, type CuwoEnd, type CuwoState } from './contracts';

interface CuwoDefinition<S extends z.ZodTypeAny> {
  parameters: S;
  workflowId(params: z.infer<S>): string;
  /** What the workflow checks beyond the schema (payment options), so the client refuses it too. */
  check?(params: z.infer<S>): string | undefined;
}
const define = <S extends z.ZodTypeAny>(d: CuwoDefinition<S>) => d;

/** Every workflow type a client may start, with its parameter schema and id rule. */
export const CUWO_DEFINITIONS = {
  GrantPayout: define({ parameters: GrantPayoutWorkflowParameters, workflowId: (p) => workflowIds.grantPayout(p.payoutRequestID) }),
  CancelPayout: define({ parameters: CancelPayoutWorkflowParameters, workflowId: (p) => workflowIds.cancelPayout(p.payoutRequestID) }),
  PayoutRequest: define({ parameters: GrantPayoutWorkflowParameters, workflowId: (p) => workflowIds.payoutRequest(p.payoutRequestID) }),
  AuthorizeOrCapturePayment: define({
    parameters: AuthorizeOrCapturePaymentWorkflowParameters,
    workflowId: (p) => workflowIds.authorizeOrCapturePayment(p.paymentRequestID),
    check: paymentOptionsProblem,
  }),
  CapturePayment: define({
    parameters: CapturePaymentWorkflowParameters,
    workflowId: (p) => workflowIds.capturePayment(p.paymentRequestID),
  }),
  CancelPayment: define({ parameters: CancelPaymentWorkflowParameters, workflowId: (p) => workflowIds.cancelPayment(p.paymentRequestID) }),
  PaymentRequest: define({
    parameters: AuthorizeOrCapturePaymentWorkflowParameters,
    workflowId: (p) => workflowIds.paymentRequest(p.paymentRequestID),
    check: paymentOptionsProblem,
  }),
};

function paymentOptionsProblem(params: { paymentMethodConfiguration: { options?: unknown } }): string | undefined {
  const options = parsePaymentOptions(params.paymentMethodConfiguration.options);
  return options.ok ? undefined : options.message;
}
export type CuwoTypeName = keyof typeof CUWO_DEFINITIONS;

export class InvalidParametersError extends Error {
  override name = 'InvalidParametersError';
}

/** The request id already has an execution, started with other parameters: one request id names one payment or payout. */
export class ConflictingParametersError extends Error {
  override name = 'ConflictingParametersError';
  constructor(
    readonly workflowId: string,
    readonly fields: string[],
  ) {
    super(
      `${workflowId} already exists with other parameters (differing: ${fields.join(', ')}); nothing was started. ` +
        `Use a new request id for a new ${workflowId.includes('payout') ? 'payout' : 'payment'}`,
    );
  }
}

export interface StartedCuwo {
  handle: WorkflowHandle;
  workflowId: string;
  /** True when an execution for this request already existed; nothing new was started. */
  alreadyStarted: boolean;
}

/** Checks parameters against the CUWO's schema; returns the workflow id they derive, or throws naming the field. */
export function validateCuwoParams(type: string, params: unknown): { type: CuwoTypeName; workflowId: string } {
  const definition = CUWO_DEFINITIONS[type as CuwoTypeName] as CuwoDefinition<z.ZodTypeAny> | undefined;
  if (!definition) throw new InvalidParametersError(`unknown CUWO type "${type}" (known: ${Object.keys(CUWO_DEFINITIONS).join(', ')})`);
  const parsed = parseWith(definition.parameters, params);
  if (!parsed.ok) throw new InvalidParametersError(`invalid ${type} parameters: ${parsed.message}`);
  const problem = definition.check?.(parsed.value);
  if (problem) throw new InvalidParametersError(`invalid ${type} parameters: ${problem}`);
  return { type: type as CuwoTypeName, workflowId: definition.workflowId(parsed.value) };
}

export interface StartOptions {
  taskQueue: string;
  /** PaymentRequest only: the orchestrator's own options (capture right away, POS completion timeout). */
  paymentRequest?: PaymentRequestOptions;
  /**
   * Eager workflow start: the server returns the first workflow task in the start response, to a
   * worker in this process, instead of dispatching it through matching (one hop less; see
   * DEV_SERVER_SPEED_SETTINGS in src/dev/temporal-server.ts for the figures). Only for a client built
   * on a NativeConnection (the SDK throws for a client Connection); it takes effect when a worker on
   * that same connection polls `taskQueue` in the client's namespace and has a free workflow slot,
   * otherwise (no such worker, all slots busy, shutting down) the start is an ordinary one. The
   * workflow runs the same either way (same events and commands; the started event records
   * eagerExecutionAccepted); only if this process dies holding the task does its next attempt wait
   * for the workflow task timeout (10 s) instead of going to another worker at once.
   */
  requestEagerStart?: boolean;
}

/** The workflow's arguments: the parameters, and PaymentRequest's options when given (checked, or throws naming the field). */
export function startArguments(type: CuwoTypeName, params: unknown, options: Omit<StartOptions, 'taskQueue'> = {}): unknown[] {
  if (options.paymentRequest === undefined) return [params];
  if (type !== 'PaymentRequest') throw new InvalidParametersError(`PaymentRequest options given for ${type}, which takes none`);
  const parsed = parsePaymentRequestOptions(options.paymentRequest);
  if (!parsed.ok) throw new InvalidParametersError(`invalid PaymentRequest options: ${parsed.message}`);
  return [params, parsed.value];
}

/**
 * Validates, then starts; invalid parameters throw InvalidParametersError naming the field and start
 * nothing. A second start with the same parameters is an idempotent success (`alreadyStarted`); with
 * other parameters it throws ConflictingParametersError naming the fields that differ.
 */
export async function startCuwo(client: Client, type: CuwoTypeName, params: unknown, options: StartOptions): Promise<StartedCuwo> {
  const { workflowId } = validateCuwoParams(type, params);
  const args = startArguments(type, params, options);
  try {
    const handle = await client.workflow.start(type, {
      workflowId,
      taskQueue: options.taskQueue,
      args,
      // A finished payout or payment must never run again under the same request id.
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      ...(options.requestEagerStart ? { requestEagerStart: true } : {}),
    });
    return { handle, workflowId, alreadyStarted: false };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      const handle = client.workflow.getHandle(workflowId);
      const differing = differingFields(await startedWith(client, handle), args).map(
        (path) => path.replace(/^\[0\]\.?/, '').replace(/^\[1\]/, 'options') || '(root)',
      );
      if (differing.length) throw new ConflictingParametersError(workflowId, differing);
      return { handle, workflowId, alreadyStarted: true };
    }
    throw err;
  }
}

/** The arguments the existing execution was started with (decoded like every payload). */
async function startedWith(client: Client, handle: WorkflowHandle): Promise<unknown[]> {
  const history = await handle.fetchHistory();
  const payloads = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads;
  return decodeArrayFromPayloads(client.options.loadedDataConverter, payloads);
}

/** Dotted paths where two JSON values differ ("requestedAmount.amount", "customerIdentifiers[0].identifier"). */
export function differingFields(a: unknown, b: unknown, path = ''): string[] {
  if (a === b) return [];
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (!isObject(a) || !isObject(b) || Array.isArray(a) !== Array.isArray(b)) return [path || '(root)'];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.flatMap((key) => differingFields(a[key], b[key], Array.isArray(a) ? `${path}[${key}]` : path ? `${path}.${key}` : key));
}

/** A CUWO's end as the spec knows it: Result, Failure or Cancelation (the one decoder, src/contracts/outcome.ts). */
export type CuwoOutcome<R = unknown, F = unknown, C = unknown> = Exclude<CuwoEnd<R, F, C>, { outcome: 'ABNORMAL' }>;

/** The execution ended without a CUWO outcome: terminated, timed out, or failed on a defect. */
export class CuwoAbnormalEndError extends Error {
  override name = 'CuwoAbnormalEndError';
}

/** Waits for the execution to close and returns its typed Result | Failure | Cancelation. */
export async function cuwoOutcome<R = unknown, F = unknown, C = unknown>(handle: WorkflowHandle): Promise<CuwoOutcome<R, F, C>> {
  let end: CuwoEnd<R, F, C>;
  try {
    end = { outcome: 'SUCCESS', workflowId: handle.workflowId, result: (await handle.result()) as R };
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    const { type } = await handle.describe();
    end = decodeCuwoFailure<F, C>(handle.workflowId, err.cause, CUWO_END_TYPES[type] ?? { failure: '' }, err.message);
    // Canceled on request: Temporal's cancel carries no details, so the CUWO keeps its cancelation in its memo.
    if (end.outcome === 'CANCELED' && end.cancelation === undefined) {
      const state = await cuwoState(handle);
      if (state?.cancelation === undefined)
        end = { outcome: 'ABNORMAL', workflowId: handle.workflowId, message: 'canceled without a CUWO cancelation' };
      else end = { ...end, cancelation: state.cancelation as C };
    }
  }
  if (end.outcome === 'ABNORMAL') throw new CuwoAbnormalEndError(`${handle.workflowId} ended without a CUWO outcome: ${end.message}`);
  return end;
}

/** The CUWO summary from the memo (works for closed executions, unlike a query on a stopped worker). */
export async function cuwoState(handle: WorkflowHandle): Promise<CuwoState | undefined> {
  const description = await handle.describe();
  return description.memo?.[CUWO_MEMO_KEY] as CuwoState | undefined;
}
