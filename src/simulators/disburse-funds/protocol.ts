/**
 * The provider side of disburseFunds as the protocol says it must behave: request validation with
 * ErrorResponse codes, idempotency on requestId + paymentIntegratorAccountId (replays get the stored
 * reply, money moves once), the decline result codes, and the ledger: the one truth of money moved.
 * No HTTP and no faults here (server.ts, faults.ts).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export type ReceiverState = 'ACCOUNT_CLOSED' | 'ACCOUNT_CLOSED_ACCOUNT_TAKEN_OVER' | 'ACCOUNT_CLOSED_FRAUD' | 'ACCOUNT_ON_HOLD';

export const RECEIVER_STATES = [
  'ACCOUNT_CLOSED',
  'ACCOUNT_CLOSED_ACCOUNT_TAKEN_OVER',
  'ACCOUNT_CLOSED_FRAUD',
  'ACCOUNT_ON_HOLD',
] as const satisfies readonly ReceiverState[];

export interface SimulatedIntegratorAccount {
  bearerToken: string; // requests must carry `Authorization: Bearer <token>`
  minMicros?: string; // inclusive per-transaction minimum, micros
  maxMicros?: string; // inclusive per-transaction maximum, micros
}

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

export type Json = Record<string, unknown>;
/** What the provider answers: an HTTP status and a JSON body (result code or ErrorResponse code). */
export interface Answer {
  status: number;
  body: Json;
  resultCode?: string;
}

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

export const nowMs = () => String(Date.now());
export const errorBody = (code: string | undefined, description: string): Json => ({
  responseHeader: { responseTimestamp: nowMs() },
  ...(code ? { errorResponseCode: code } : {}),
  errorDescription: description,
});

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

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

export interface DisburseFundsProvider {
  /** Validates, then answers from the idempotency store or processes the disbursement. Synchronous: no interleaving. */
  handle(body: unknown, authorization: string | undefined): Answer;
  ledger(): Disbursement[];
  setReceiverState(vpa: string, state: ReceiverState | undefined): void;
}

export function createDisburseFundsProvider(options: {
  accounts: Record<string, SimulatedIntegratorAccount>;
  receivers?: Record<string, ReceiverState>;
  timestampToleranceMs?: number;
}): DisburseFundsProvider {
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
  // Idempotency store: key -> parameters of the first call and its reply (without responseHeader).
  const replies = new Map<string, { params: ParsedRequest['params']; body: Json }>();

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
      throw new ProtocolError(
        400,
        'REQUEST_TIMESTAMP_OUT_OF_RANGE',
        `requestHeader.requestTimestamp is more than ${toleranceMs} ms away from now`,
      );
    }

    const accountId = stringField(body, 'paymentIntegratorAccountId', 'paymentIntegratorAccountId');
    const account = Object.hasOwn(options.accounts, accountId) ? options.accounts[accountId] : undefined;
    if (!account) throw new ProtocolError(404, 'INVALID_IDENTIFIER', 'paymentIntegratorAccountId is not known');
    const token = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1];
    if (token === undefined || !sameSecret(token, account.bearerToken)) {
      throw new ProtocolError(
        401,
        'INVALID_PAYLOAD_SIGNATURE',
        'Authorization bearer token missing or wrong for paymentIntegratorAccountId',
      );
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

  function handle(body: unknown, authorization: string | undefined): Answer {
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

  return {
    handle,
    ledger: () => ledger.map((d) => ({ ...d })),
    setReceiverState: (vpa, state) => {
      if (state === undefined) receivers.delete(vpa);
      else if ((RECEIVER_STATES as readonly string[]).includes(state)) receivers.set(vpa, state);
      else throw new Error(`unknown receiver state ${String(state)}`);
    },
  };
}
