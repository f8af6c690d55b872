/**
 * The disburseFunds wire format as the simulator speaks it (docs/disburse-funds.md): the JSON
 * answer and ErrorResponse shapes, and the validation of a request (fields, protocol version,
 * requestTimestamp window, account and bearer token) into a ParsedRequest, or a ProtocolError with
 * the ErrorResponse code and HTTP status the protocol gives for it. No state here (provider.ts).
 */
import { sameSecret } from '../kit/secrets';
import type { DisburseFundsResult, SimulatedIntegratorAccount } from './model';

export type Json = Record<string, unknown>;

/** What the provider answers: an HTTP status and a JSON body (result code or ErrorResponse code). */
export interface Answer {
  status: number;
  body: Json;
  resultCode?: string;
}

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export const nowMs = () => String(Date.now());

/** An ErrorResponse body; `code` undefined for the bare HTTP errors of faults. */
export const errorBody = (code: string | undefined, description: string): Json => ({
  responseHeader: { responseTimestamp: nowMs() },
  ...(code ? { errorResponseCode: code } : {}),
  errorDescription: description,
});

/** A request the provider refuses to process: answered with an HTTP error status and an ErrorResponse. */
export class ProtocolError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
  answer(): Answer {
    return { status: this.httpStatus, body: errorBody(this.code, this.message), resultCode: this.code };
  }
}
const missing = (field: string) => new ProtocolError(400, 'MISSING_REQUIRED_FIELD', `${field} is required`);
const invalid = (field: string, why: string) => new ProtocolError(400, 'INVALID_FIELD_VALUE', `${field} ${why}`);

/** The answer to a processed request (a fresh one or the stored reply to a replay). */
export function resultAnswer(paymentIntegratorTransactionId: string, disburseFundsResult: DisburseFundsResult): Answer {
  return {
    status: 200,
    body: { responseHeader: { responseTimestamp: nowMs() }, paymentIntegratorTransactionId, disburseFundsResult },
    resultCode: disburseFundsResult.disburseFundsResultCode,
  };
}

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

const INT64_MAX = 2n ** 63n - 1n;

export interface ParsedRequest {
  requestId: string;
  accountId: string;
  // Everything except requestTimestamp: these must be equal on a replay.
  params: {
    protocolVersion: string;
    transactionDescription: string;
    currencyCode: string;
    amount: string;
    vpa: string;
    userLocale?: string;
  };
}

/** Validates a request in the order the provider checks it; throws a ProtocolError for the first thing wrong. */
export function parseRequest(
  body: unknown,
  authorization: string | undefined,
  accounts: Record<string, SimulatedIntegratorAccount>,
  timestampToleranceMs: number,
  /** The account whose keys opened the request (envelopes.ts); undefined for plain JSON. */
  authenticatedAccount?: string,
): ParsedRequest {
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
  if (Math.abs(Number(ts) - Date.now()) > timestampToleranceMs) {
    throw new ProtocolError(
      400,
      'REQUEST_TIMESTAMP_OUT_OF_RANGE',
      `requestHeader.requestTimestamp is more than ${timestampToleranceMs} ms away from now`,
    );
  }

  const accountId = stringField(body, 'paymentIntegratorAccountId', 'paymentIntegratorAccountId');
  const account = Object.hasOwn(accounts, accountId) ? accounts[accountId] : undefined;
  if (!account) throw new ProtocolError(404, 'INVALID_IDENTIFIER', 'paymentIntegratorAccountId is not known');
  const protectedMode = account.transport && account.transport.mode !== 'plain';
  if (protectedMode && authenticatedAccount !== accountId) {
    throw new ProtocolError(
      400,
      'INVALID_PAYLOAD_ENCRYPTION',
      `this account requires a ${account.transport!.mode.toUpperCase()} protected body`,
    );
  }
  const token = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1];
  if (!protectedMode && (token === undefined || !account.bearerToken || !sameSecret(token, account.bearerToken))) {
    throw new ProtocolError(401, 'INVALID_PAYLOAD_SIGNATURE', 'Authorization bearer token missing or wrong for paymentIntegratorAccountId');
  }

  const userLocale = header.userLocale;
  if (userLocale !== undefined && (typeof userLocale !== 'string' || !/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/.test(userLocale))) {
    throw invalid('requestHeader.userLocale', 'must be a BCP 47 language tag such as "de-DE"');
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
    params: {
      protocolVersion: `${major}.${minor}.${revision}`,
      transactionDescription,
      currencyCode,
      amount,
      vpa,
      ...(userLocale ? { userLocale } : {}),
    },
  };
}
