/**
 * HTTP simulator of the Standard Payments `disburseFunds` method (payout provider side).
 *
 * It implements the parts the payout workflow depends on: request validation with ErrorResponse
 * codes, idempotency on requestId + paymentIntegratorAccountId (replays get the stored reply, money
 * moves once), the decline result codes, and injectable transport faults so tests can reproduce
 * "outcome unknown" situations (503, lost answer after the money moved, dropped request).
 * Plain HTTP with a bearer token: it is meant for loopback use in tests and demos only.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';

export type ReceiverState = 'ACCOUNT_CLOSED' | 'ACCOUNT_CLOSED_ACCOUNT_TAKEN_OVER' | 'ACCOUNT_CLOSED_FRAUD' | 'ACCOUNT_ON_HOLD';

export interface SimulatedIntegratorAccount {
  bearerToken: string; // requests must carry `Authorization: Bearer <token>`
  minMicros?: string; // inclusive per-transaction minimum, micros
  maxMicros?: string; // inclusive per-transaction maximum, micros
}

export type Fault =
  | { kind: 'latency'; ms: number; count?: number }
  | { kind: 'unavailable'; count?: number }
  | { kind: 'drop-after-disburse'; count?: number }
  | { kind: 'drop-before-processing'; count?: number };

export interface Disbursement {
  requestId: string;
  paymentIntegratorAccountId: string;
  paymentIntegratorTransactionId: string;
  amountMicros: string;
  currencyCode: string;
  vpa: string;
  transactionDescription: string;
  at: string;
}

export interface RecordedRequest {
  requestId?: string;
  paymentIntegratorAccountId?: string;
  httpStatus: number | 'dropped';
  resultCode?: string;
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
  setReceiverState(vpa: string, state: ReceiverState | undefined): void;
  close(): Promise<void>;
}

export const DISBURSE_FUNDS_PATH = '/v1/disburseFunds';

const RECEIVER_STATES = [
  'ACCOUNT_CLOSED',
  'ACCOUNT_CLOSED_ACCOUNT_TAKEN_OVER',
  'ACCOUNT_CLOSED_FRAUD',
  'ACCOUNT_ON_HOLD',
] as const satisfies readonly ReceiverState[];

// rawResult is mandatory for every non-SUCCESS result; these are the simulator's "network" codes.
const RAW_CODES: Record<ReceiverState | 'UNDER' | 'OVER', string> = {
  ACCOUNT_CLOSED: 'CLOSED',
  ACCOUNT_CLOSED_ACCOUNT_TAKEN_OVER: 'TAKEN_OVER',
  ACCOUNT_CLOSED_FRAUD: 'FRAUD',
  ACCOUNT_ON_HOLD: 'ON_HOLD',
  UNDER: 'LIMIT_MIN',
  OVER: 'LIMIT_MAX',
};

const INT64_MAX = 2n ** 63n - 1n;
const count = z.number().int().positive().optional();
const FaultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('latency'), ms: z.number().int().nonnegative(), count }),
  z.object({ kind: z.literal('unavailable'), count }),
  z.object({ kind: z.literal('drop-after-disburse'), count }),
  z.object({ kind: z.literal('drop-before-processing'), count }),
]);
const ReceiverBodySchema = z.object({ state: z.enum(RECEIVER_STATES).nullable() });

/** A request the provider refuses to process: answered with an HTTP error status and an ErrorResponse. */
class ProtocolError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
const missing = (field: string) => new ProtocolError(400, 'MISSING_REQUIRED_FIELD', `${field} is required`);
const invalid = (field: string, why: string) => new ProtocolError(400, 'INVALID_FIELD_VALUE', `${field} ${why}`);

const nowMs = () => String(Date.now());
const errorBody = (code: string | undefined, description: string) => ({
  responseHeader: { responseTimestamp: nowMs() },
  ...(code ? { errorResponseCode: code } : {}),
  errorDescription: description,
});

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

// Absent, null and "" all count as missing (proto3 JSON does not distinguish "" from unset).
function objectField(parent: Json, key: string, path: string): Json {
  const v = parent[key];
  if (v === undefined || v === null) throw missing(path);
  if (!isObject(v)) throw invalid(path, 'must be an object');
  return v;
}
function stringField(parent: Json, key: string, path: string): string {
  const v = parent[key];
  if (v === undefined || v === null || v === '') throw missing(path);
  if (typeof v !== 'string') throw invalid(path, 'must be a string');
  return v;
}
function integerField(parent: Json, key: string, path: string): number {
  const v = parent[key];
  if (v === undefined || v === null) throw missing(path);
  if (!Number.isInteger(v)) throw invalid(path, 'must be an integer');
  return v as number;
}

interface ParsedRequest {
  requestId: string;
  accountId: string;
  account: SimulatedIntegratorAccount;
  // Everything except requestTimestamp: these must be equal on a replay.
  params: {
    protocolVersion: string;
    transactionDescription: string;
    currencyCode: string;
    amount: string;
    vpa: string;
  };
}

function parseMicrosOption(value: string | undefined, what: string): bigint | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,19}$/.test(value)) throw new Error(`${what} must be a decimal integer string, got ${JSON.stringify(value)}`);
  return BigInt(value);
}

// Hash first so timingSafeEqual gets equal lengths and the comparison leaks no timing on the token.
const sameSecret = (a: string, b: string) =>
  timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

const isLoopback = (addr: string | undefined) =>
  addr === '::1' || !!addr?.startsWith('127.') || !!addr?.startsWith('::ffff:127.');

export async function startDisburseFundsSimulator(options: DisburseFundsSimulatorOptions): Promise<DisburseFundsSimulator> {
  const toleranceMs = options.timestampToleranceMs ?? 60_000;
  // Fail at start-up on a bad configuration rather than on the first request.
  const limits = new Map<string, { min?: bigint; max?: bigint }>();
  for (const [id, acct] of Object.entries(options.accounts)) {
    if (!acct.bearerToken) throw new Error(`account ${id}: bearerToken must not be empty`);
    limits.set(id, {
      min: parseMicrosOption(acct.minMicros, `account ${id}: minMicros`),
      max: parseMicrosOption(acct.maxMicros, `account ${id}: maxMicros`),
    });
  }

  const receivers = new Map<string, ReceiverState>(Object.entries(options.receivers ?? {}));
  const ledger: Disbursement[] = [];
  const recorded: RecordedRequest[] = [];
  const faults: { fault: Fault; remaining: number }[] = [];
  // Idempotency store: key -> parameters of the first call and its reply (without responseHeader).
  const replies = new Map<string, { params: ParsedRequest['params']; body: Json }>();

  function takeFault(): Fault | undefined {
    const head = faults[0];
    if (!head) return undefined;
    if (--head.remaining <= 0) faults.shift();
    return head.fault;
  }

  function validate(body: unknown, authorization: string | undefined): ParsedRequest {
    if (body === undefined || body === null) throw missing('requestHeader');
    if (!isObject(body)) throw invalid('request body', 'must be a JSON object');
    const header = objectField(body, 'requestHeader', 'requestHeader');
    const version = objectField(header, 'protocolVersion', 'requestHeader.protocolVersion');
    const major = integerField(version, 'major', 'requestHeader.protocolVersion.major');
    const minor = integerField(version, 'minor', 'requestHeader.protocolVersion.minor');
    const revision = integerField(version, 'revision', 'requestHeader.protocolVersion.revision');
    if (major !== 1) throw new ProtocolError(400, 'INVALID_API_VERSION', `protocolVersion.major ${major} is not supported (expected 1)`);

    const requestId = stringField(header, 'requestId', 'requestHeader.requestId');
    if (!/^[A-Za-z0-9:_-]{1,100}$/.test(requestId)) throw invalid('requestHeader.requestId', 'must be 1..100 chars of [a-zA-Z0-9:_-]');
    const ts = stringField(header, 'requestTimestamp', 'requestHeader.requestTimestamp');
    if (!/^\d{1,16}$/.test(ts)) throw invalid('requestHeader.requestTimestamp', 'must be milliseconds since epoch as a decimal string');
    if (Math.abs(Number(ts) - Date.now()) > toleranceMs) {
      throw new ProtocolError(400, 'REQUEST_TIMESTAMP_OUT_OF_RANGE', `requestHeader.requestTimestamp is more than ${toleranceMs} ms away from now`);
    }

    const accountId = stringField(body, 'paymentIntegratorAccountId', 'paymentIntegratorAccountId');
    const account = Object.hasOwn(options.accounts, accountId) ? options.accounts[accountId] : undefined;
    if (!account) throw new ProtocolError(404, 'INVALID_IDENTIFIER', 'paymentIntegratorAccountId is not known');
    const token = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1];
    if (token === undefined || !sameSecret(token, account.bearerToken)) {
      throw new ProtocolError(401, 'INVALID_PAYLOAD_SIGNATURE', 'Authorization bearer token missing or wrong for paymentIntegratorAccountId');
    }

    const transactionDescription = stringField(body, 'transactionDescription', 'transactionDescription');
    const currencyCode = stringField(body, 'currencyCode', 'currencyCode');
    if (!/^[A-Z]{3}$/.test(currencyCode)) throw invalid('currencyCode', 'must be a 3-letter ISO 4217 code');
    const amount = stringField(body, 'amount', 'amount');
    // Micros as int64: BigInt only, a float would silently lose precision above 2^53.
    if (!/^[1-9]\d{0,18}$/.test(amount) || BigInt(amount) > INT64_MAX) {
      throw invalid('amount', 'must be a positive int64 decimal string (micros)');
    }
    const vpa = stringField(objectField(body, 'upiDetails', 'upiDetails.vpa'), 'vpa', 'upiDetails.vpa');

    return {
      requestId,
      accountId,
      account,
      params: { protocolVersion: `${major}.${minor}.${revision}`, transactionDescription, currencyCode, amount, vpa },
    };
  }

  function decide(req: ParsedRequest): Json {
    const state = receivers.get(req.params.vpa);
    if (state) return { disburseFundsResultCode: state, rawResult: { scope: 'simulator', rawCode: RAW_CODES[state] } };
    const amount = BigInt(req.params.amount);
    const { min, max } = limits.get(req.accountId)!;
    if (min !== undefined && amount < min) {
      return {
        disburseFundsResultCode: 'DISBURSEMENT_UNDER_TRANSACTION_LIMIT',
        rawResult: { scope: 'simulator', rawCode: RAW_CODES.UNDER },
        transactionMinLimit: String(min),
      };
    }
    if (max !== undefined && amount > max) {
      return {
        disburseFundsResultCode: 'DISBURSEMENT_EXCEEDS_TRANSACTION_LIMIT',
        rawResult: { scope: 'simulator', rawCode: RAW_CODES.OVER },
        transactionMaxLimit: String(max),
      };
    }
    return { disburseFundsResultCode: 'SUCCESS' };
  }

  /** Validates, then answers from the idempotency store or processes the disbursement. Synchronous, so no interleaving. */
  function handle(body: unknown, authorization: string | undefined): { status: number; body: Json; resultCode?: string } {
    let req: ParsedRequest;
    try {
      req = validate(body, authorization);
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      return { status: err.httpStatus, body: errorBody(err.code, err.message), resultCode: err.code };
    }
    // JSON array as key: requestId may contain ':' so plain concatenation could collide.
    const key = JSON.stringify([req.requestId, req.accountId]);
    let stored = replies.get(key);
    if (stored) {
      const previous = stored.params;
      const changed = (Object.keys(req.params) as (keyof ParsedRequest['params'])[]).filter((k) => req.params[k] !== previous[k]);
      if (changed.length > 0) {
        const description = `requestId ${req.requestId} was already used with different ${changed.join(', ')}`;
        return { status: 412, body: errorBody('IDEMPOTENCY_VIOLATION', description), resultCode: 'IDEMPOTENCY_VIOLATION' };
      }
    } else {
      const paymentIntegratorTransactionId = randomBytes(18).toString('base64url');
      const disburseFundsResult = decide(req);
      stored = { params: req.params, body: { paymentIntegratorTransactionId, disburseFundsResult } };
      replies.set(key, stored); // declines are stored too: a replay must see the same decline
      if (disburseFundsResult.disburseFundsResultCode === 'SUCCESS') {
        ledger.push({
          requestId: req.requestId,
          paymentIntegratorAccountId: req.accountId,
          paymentIntegratorTransactionId,
          amountMicros: req.params.amount,
          currencyCode: req.params.currencyCode,
          vpa: req.params.vpa,
          transactionDescription: req.params.transactionDescription,
          at: new Date().toISOString(),
        });
      }
    }
    const resultCode = (stored.body.disburseFundsResult as Json).disburseFundsResultCode as string;
    return { status: 200, body: { responseHeader: { responseTimestamp: nowMs() }, ...stored.body }, resultCode };
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

  const drop = (request: FastifyRequest, reply: FastifyReply) => {
    reply.hijack(); // fastify must not try to answer on the destroyed socket
    request.raw.socket.destroy();
  };

  app.post(DISBURSE_FUNDS_PATH, async (request, reply) => {
    const raw = isObject(request.body) ? request.body : {};
    const header = isObject(raw.requestHeader) ? raw.requestHeader : {};
    const record: RecordedRequest = {
      ...(typeof header.requestId === 'string' ? { requestId: header.requestId } : {}),
      ...(typeof raw.paymentIntegratorAccountId === 'string' ? { paymentIntegratorAccountId: raw.paymentIntegratorAccountId } : {}),
      httpStatus: 'dropped',
      at: new Date().toISOString(),
    };
    recorded.push(record);

    const fault = takeFault();
    if (fault?.kind === 'drop-before-processing') return drop(request, reply);
    if (fault?.kind === 'unavailable') {
      // Not processed and not stored: a retry with the same requestId is processed normally.
      record.httpStatus = 503;
      return reply.code(503).send(errorBody(undefined, 'simulated outage: request was not processed'));
    }

    const out = handle(request.body, request.headers.authorization);
    if (out.resultCode) record.resultCode = out.resultCode; // kept for dropped answers too: what the caller never saw
    if (fault?.kind === 'drop-after-disburse') return drop(request, reply);
    record.httpStatus = out.status;
    if (fault?.kind === 'latency') await sleep(fault.ms, undefined, { ref: false });
    return reply.code(out.status).send(out.body);
  });

  app.get('/_sim/ledger', async () => ({ disbursements: sim.ledger() }));
  app.get('/_sim/requests', async () => ({ requests: sim.requests() }));
  app.post('/_sim/faults', async (request, reply) => {
    const parsed = FaultSchema.safeParse(request.body);
    if (!parsed.success) return reply.code(400).send(errorBody('INVALID_FIELD_VALUE', z.prettifyError(parsed.error)));
    sim.injectFault(parsed.data);
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
    ledger: () => ledger.map((d) => ({ ...d })),
    requests: () => recorded.map((r) => ({ ...r })),
    injectFault: (fault) => {
      const parsed = FaultSchema.parse(fault);
      faults.push({ fault: parsed, remaining: parsed.count ?? 1 });
    },
    setReceiverState: (vpa, state) => {
      if (state === undefined) receivers.delete(vpa);
      else if ((RECEIVER_STATES as readonly string[]).includes(state)) receivers.set(vpa, state);
      else throw new Error(`unknown receiver state ${String(state)}`);
    },
    close: () => app.close(),
  };
  return sim;
}

/** Standalone: `npx tsx src/simulators/disburse-funds.ts --port 8081 [--host 127.0.0.1]`. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<DisburseFundsSimulator> {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const port = Number(arg('--port') ?? 8081);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port ${arg('--port')}`);
  const accountId = process.env.DISBURSE_ACCOUNT_ID || 'demo-integrator-EUR';
  const sim = await startDisburseFundsSimulator({
    host: arg('--host') ?? '127.0.0.1',
    port,
    accounts: {
      [accountId]: {
        bearerToken: process.env.DISBURSE_BEARER_TOKEN || 'dev-token',
        maxMicros: process.env.DISBURSE_MAX_MICROS || '1000000000',
      },
    },
  });
  console.log(`disburseFunds simulator listening on ${sim.url} (POST ${sim.url}${DISBURSE_FUNDS_PATH}, account ${accountId})`);
  const stop = () => void sim.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return sim;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
