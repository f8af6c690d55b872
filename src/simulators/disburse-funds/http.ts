/**
 * The disburseFunds simulator's HTTP face: `POST /v1/disburseFunds` with the next queued fault
 * applied around the provider (held, not processed, dropped, reshaped or late), every exchange
 * recorded (also the ones the caller never saw answered), and Fastify's own errors answered in the
 * protocol's ErrorResponse shape. Plain HTTP with a bearer token: loopback use in tests and demos only.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pause, type FaultQueue } from '../kit/faults';
import { createSimulatorApp, dropConnection, frameworkError } from '../kit/http';
import { answerFor, processes, type Fault, type ParsedFault } from './faults';
import { errorBody, isObject } from './protocol';
import type { DisburseFundsProvider } from './provider';

export const DISBURSE_FUNDS_PATH = '/v1/disburseFunds';

export interface RecordedRequest {
  requestId?: string;
  paymentIntegratorAccountId?: string;
  httpStatus: number | 'dropped';
  /** The provider's result or error code, also when the caller never saw it. */
  resultCode?: string;
  /** The fault that shaped this exchange, if any. */
  fault?: Fault['kind'];
  at: string;
}

/** The exchanges so far, and a way to wait until none is held or being answered. */
export interface Traffic {
  readonly recorded: RecordedRequest[];
  settled(): Promise<void>;
}

export function createApp(provider: DisburseFundsProvider, faults: FaultQueue<ParsedFault>): { app: FastifyInstance; traffic: Traffic } {
  const recorded: RecordedRequest[] = [];
  const inFlight = new Set<Promise<unknown>>();
  const app = createSimulatorApp(() => errorBody('FORBIDDEN', 'simulator admin endpoints are loopback only'));

  // Framework errors (malformed JSON, wrong content type, body too large) still get the protocol's ErrorResponse shape.
  app.setErrorHandler((err, _request, reply) => {
    const { clientError, message } = frameworkError(err);
    if (clientError) return reply.code(400).send(errorBody('INVALID_FIELD_VALUE', `request body: ${message}`));
    return reply.code(500).send(errorBody(undefined, 'internal simulator error'));
  });

  async function respond(request: FastifyRequest, reply: FastifyReply, record: RecordedRequest, fault: ParsedFault | undefined) {
    if (fault?.kind === 'delay-before-processing') await pause(fault.ms);
    const real = processes(fault) ? provider.handle(request.body, request.headers.authorization) : undefined;
    if (real?.resultCode) record.resultCode = real.resultCode;
    const answer = answerFor(fault, real);
    if (answer === 'drop') return dropConnection(request, reply);
    if (fault?.kind === 'latency') await pause(fault.ms);
    record.httpStatus = answer.status;
    return reply.code(answer.status).header('content-type', answer.contentType).send(answer.body);
  }

  app.post(DISBURSE_FUNDS_PATH, async (request, reply) => {
    const raw = isObject(request.body) ? request.body : {};
    const header = isObject(raw.requestHeader) ? raw.requestHeader : {};
    const fault = faults.take();
    const record: RecordedRequest = {
      ...(typeof header.requestId === 'string' ? { requestId: header.requestId } : {}),
      ...(typeof raw.paymentIntegratorAccountId === 'string' ? { paymentIntegratorAccountId: raw.paymentIntegratorAccountId } : {}),
      httpStatus: 'dropped',
      ...(fault ? { fault: fault.kind } : {}),
      at: new Date().toISOString(),
    };
    recorded.push(record);
    const done = respond(request, reply, record, fault);
    inFlight.add(done);
    try {
      return await done;
    } finally {
      inFlight.delete(done);
    }
  });

  const traffic: Traffic = {
    recorded,
    settled: async () => {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
  return { app, traffic };
}
