/**
 * The disburseFunds simulator's HTTP face: `POST /v1/disburseFunds` with the next queued fault
 * applied around the provider (held, not processed, dropped, reshaped or late), every exchange
 * recorded (also the ones the caller never saw answered), and Fastify's own errors answered in the
 * protocol's ErrorResponse shape. Each account's body protection (plain + bearer token, PGP, JWE over
 * mutual TLS) is envelopes.ts; HTTPS when started with `tls` (index.ts).
 */
import type { ServerOptions as HttpsOptions } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pause, type FaultQueue } from '../kit/faults';
import { createSimulatorApp, dropConnection, frameworkError } from '../kit/http';
import { JOSE_CONTENT_TYPE, PGP_CONTENT_TYPE, type Envelopes, type Opened } from './envelopes';
import { answerFor, processes, type Fault, type ParsedFault, type RawAnswer } from './faults';
import { ProtocolError, errorBody, isObject } from './protocol';
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

export function createApp(
  provider: DisburseFundsProvider,
  faults: FaultQueue<ParsedFault>,
  envelopes: Envelopes,
  https?: HttpsOptions,
): { app: FastifyInstance; traffic: Traffic } {
  const recorded: RecordedRequest[] = [];
  const inFlight = new Set<Promise<unknown>>();
  const app = createSimulatorApp(() => errorBody('FORBIDDEN', 'simulator admin endpoints are loopback only'), https);
  // Protected bodies arrive as text: web-safe base64 of a PGP message, or a JWE compact serialization.
  app.addContentTypeParser([PGP_CONTENT_TYPE, JOSE_CONTENT_TYPE], { parseAs: 'string' }, (_request, body, done) => done(null, body));

  /** Sends an answer, sealed for the account when it is JSON the provider itself wrote (broken bodies stay as broken). */
  async function send(reply: FastifyReply, answer: RawAnswer, seal: Opened['seal'], broken = false) {
    if (seal && !broken && answer.contentType.startsWith('application/json')) {
      const sealed = await seal(answer.body);
      return reply.code(answer.status).header('content-type', sealed.contentType).send(sealed.body);
    }
    return reply.code(answer.status).header('content-type', answer.contentType).send(answer.body);
  }

  // Framework errors (malformed JSON, wrong content type, body too large) still get the protocol's ErrorResponse shape.
  app.setErrorHandler((err, _request, reply) => {
    const { clientError, message } = frameworkError(err);
    if (clientError) return reply.code(400).send(errorBody('INVALID_FIELD_VALUE', `request body: ${message}`));
    return reply.code(500).send(errorBody(undefined, 'internal simulator error'));
  });

  async function respond(
    request: FastifyRequest,
    reply: FastifyReply,
    record: RecordedRequest,
    fault: ParsedFault | undefined,
    opened: Opened,
  ) {
    if (fault?.kind === 'delay-before-processing') await pause(fault.ms);
    const real = processes(fault) ? provider.handle(opened.body, request.headers.authorization, opened.authenticatedAccount) : undefined;
    if (real?.resultCode) record.resultCode = real.resultCode;
    const answer = answerFor(fault, real);
    if (answer === 'drop') return dropConnection(request, reply);
    if (fault?.kind === 'latency') await pause(fault.ms);
    record.httpStatus = answer.status;
    return send(reply, answer, opened.seal, fault?.kind === 'bad-body');
  }

  app.post(DISBURSE_FUNDS_PATH, async (request, reply) => {
    let opened: Opened;
    try {
      const socket = request.raw.socket as Partial<TLSSocket>;
      opened = await envelopes.open(request.headers['content-type'], request.body, socket.authorized === true);
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      // Refused before reading: recorded without a request id, answered in plain JSON (envelopes.ts).
      recorded.push({ httpStatus: err.httpStatus, resultCode: err.code, at: new Date().toISOString() });
      const { status, body } = err.answer();
      const answer = { status, body: JSON.stringify(body), contentType: 'application/json; charset=utf-8' };
      return send(reply, answer, undefined);
    }
    const raw = isObject(opened.body) ? opened.body : {};
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
    const done = respond(request, reply, record, fault, opened);
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
