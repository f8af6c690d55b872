/**
 * HTTP simulator of the Standard Payments `disburseFunds` method (payout provider side): the
 * protocol (protocol.ts) behind Fastify, with injectable faults (faults.ts) so tests and chaos runs
 * can reproduce "outcome unknown" situations. The ledger is the one truth of money moved.
 * Plain HTTP with a bearer token: it is meant for loopback use in tests and demos only.
 */
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { FaultSchema, answerFor, processes, type Fault, type ParsedFault } from './faults';
import {
  RECEIVER_STATES,
  createDisburseFundsProvider,
  errorBody,
  isObject,
  type Disbursement,
  type ReceiverState,
  type SimulatedIntegratorAccount,
} from './protocol';

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

export interface DisburseFundsSimulatorOptions {
  accounts: Record<string, SimulatedIntegratorAccount>;
  receivers?: Record<string, ReceiverState>;
  host?: string;
  port?: number;
  timestampToleranceMs?: number;
}

export interface DisburseFundsSimulator {
  readonly url: string;
  ledger(): Disbursement[];
  requests(): RecordedRequest[];
  injectFault(fault: Fault): void;
  clearFaults(): void;
  setReceiverState(vpa: string, state: ReceiverState | undefined): void;
  /** Resolves once no request is held or being answered (a delayed payout has happened by then). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export const DISBURSE_FUNDS_PATH = '/v1/disburseFunds';

const ReceiverBodySchema = z.object({ state: z.enum(RECEIVER_STATES).nullable() });

const isLoopback = (addr: string | undefined) => addr === '::1' || !!addr?.startsWith('127.') || !!addr?.startsWith('::ffff:127.');

export async function startDisburseFundsSimulator(options: DisburseFundsSimulatorOptions): Promise<DisburseFundsSimulator> {
  const provider = createDisburseFundsProvider(options);
  const recorded: RecordedRequest[] = [];
  const faults: { fault: ParsedFault; remaining: number }[] = [];
  const inFlight = new Set<Promise<unknown>>();

  function takeFault(): ParsedFault | undefined {
    const head = faults[0];
    if (!head) return undefined;
    if (--head.remaining <= 0) faults.shift();
    return head.fault;
  }

  // forceCloseConnections: close() must not wait for idle keep-alive sockets.
  const app = Fastify({ logger: false, forceCloseConnections: true });

  // Framework errors (malformed JSON, wrong content type, body too large) still get the protocol's ErrorResponse shape.
  app.setErrorHandler((err, _request, reply) => {
    const { statusCode, message } = (isObject(err) ? err : {}) as { statusCode?: unknown; message?: unknown };
    if (typeof statusCode === 'number' && statusCode < 500) {
      return reply.code(400).send(errorBody('INVALID_FIELD_VALUE', `request body: ${String(message)}`));
    }
    return reply.code(500).send(errorBody(undefined, 'internal simulator error'));
  });

  // Admin endpoints carry no auth, so refuse them to anything that is not on this host.
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/_sim/') && !isLoopback(request.socket.remoteAddress)) {
      return reply.code(403).send(errorBody('FORBIDDEN', 'simulator admin endpoints are loopback only'));
    }
  });

  async function respond(
    request: FastifyRequest,
    reply: FastifyReply,
    record: RecordedRequest,
    fault: ParsedFault | undefined,
  ): Promise<unknown> {
    if (fault?.kind === 'delay-before-processing') await sleep(fault.ms, undefined, { ref: false });
    const real = processes(fault) ? provider.handle(request.body, request.headers.authorization) : undefined;
    if (real?.resultCode) record.resultCode = real.resultCode;
    const answer = answerFor(fault, real);
    if (answer === 'drop') {
      reply.hijack(); // fastify must not try to answer on the destroyed socket
      request.raw.socket.destroy();
      return;
    }
    if (fault?.kind === 'latency') await sleep(fault.ms, undefined, { ref: false });
    record.httpStatus = answer.status;
    return reply.code(answer.status).header('content-type', answer.contentType).send(answer.body);
  }

  app.post(DISBURSE_FUNDS_PATH, async (request, reply) => {
    const raw = isObject(request.body) ? request.body : {};
    const header = isObject(raw.requestHeader) ? raw.requestHeader : {};
    const fault = takeFault();
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

  app.get('/_sim/ledger', async () => ({ disbursements: sim.ledger() }));
  app.get('/_sim/requests', async () => ({ requests: sim.requests() }));
  app.post('/_sim/faults', async (request, reply) => {
    const parsed = FaultSchema.safeParse(request.body);
    if (!parsed.success) return reply.code(400).send(errorBody('INVALID_FIELD_VALUE', z.prettifyError(parsed.error)));
    sim.injectFault(parsed.data);
    return reply.code(204).send();
  });
  app.delete('/_sim/faults', async (_request, reply) => {
    sim.clearFaults();
    return reply.code(204).send();
  });
  app.put<{ Params: { vpa: string } }>('/_sim/receivers/:vpa', async (request, reply) => {
    const parsed = ReceiverBodySchema.safeParse(request.body);
    if (!parsed.success) return reply.code(400).send(errorBody('INVALID_FIELD_VALUE', z.prettifyError(parsed.error)));
    sim.setReceiverState(request.params.vpa, parsed.data.state ?? undefined);
    return reply.code(204).send();
  });

  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  const sim: DisburseFundsSimulator = {
    url: `http://${host}:${address.port}`,
    ledger: provider.ledger,
    requests: () => recorded.map((r) => ({ ...r })),
    injectFault: (fault) => {
      const parsed = FaultSchema.parse(fault);
      faults.push({ fault: parsed, remaining: parsed.count ?? 1 });
    },
    clearFaults: () => void faults.splice(0),
    setReceiverState: provider.setReceiverState,
    settled: async () => {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    close: () => app.close(),
  };
  return sim;
}
