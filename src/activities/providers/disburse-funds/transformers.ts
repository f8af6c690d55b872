/**
 * disburseFunds, pure (no I/O, never throws); the protocol: docs/spec/disburse-funds.txt and docs/disburse-funds.md.
 *   1. the request: the record a first attempt sends (requestId, micros), and its URL, headers, body;
 *   2. the response: a 200 "reply" or an "ErrorResponse", read into typed shapes;
 *   3. the money rule (../outcome.ts): every exchange is DONE, NOT_DONE or UNKNOWN, decided in
 *      `classifyDisburseFunds` and nowhere else:
 *
 *  exchange    HTTP        body                                                    outcome
 *  ----------  ----------  ------------------------------------------------------  -----------------------------
 *  not-sent    -           - (connection refused, TLS handshake failed: no byte    NOT_DONE not-sent
 *                          of the request left)
 *  no-answer   -           - (timeout, reset, body broke off)                      UNKNOWN
 *  unreadable  200         a PGP / JWE answer that does not decrypt with our keys  UNKNOWN (the request may have
 *                          or is not signed by a configured provider key           been executed)
 *  answer     200         reply, code SUCCESS                                     DONE
 *  answer     200         reply, documented decline code + rawResult.rawCode      NOT_DONE declined (limit kept raw)
 *  answer     200         reply, documented decline code, no rawResult.rawCode    UNKNOWN (protocol requires it)
 *  answer     200         reply, UNKNOWN_RESULT or an undocumented code           UNKNOWN
 *  answer     200         not JSON, truncated, empty, an ErrorResponse, or a      UNKNOWN
 *                         required field missing or of the wrong type
 *  answer     400         ErrorResponse INVALID_FIELD_VALUE, MISSING_REQUIRED_    NOT_DONE refused
 *                         FIELD, PRECONDITION_VIOLATION, INVALID_DECRYPTED_REQUEST
 *  answer     400/401/    ErrorResponse INVALID_API_VERSION, INVALID_PAYLOAD_     NOT_DONE refused (configuration)
 *             403/404     ENCRYPTION (400), INVALID_PAYLOAD_SIGNATURE (401),
 *                         FORBIDDEN (403), INVALID_IDENTIFIER (404)
 *  answer     412         ErrorResponse IDEMPOTENCY_VIOLATION                     NOT_DONE conflict (another execution owns the key)
 *  answer     400         ErrorResponse REQUEST_TIMESTAMP_OUT_OF_RANGE            UNKNOWN (retry)
 *  answer     423         ErrorResponse USER_ACTION_IN_PROGRESS                   UNKNOWN (retry)
 *  answer     408, 429,   anything                                                UNKNOWN
 *             5xx
 *  answer     any other   anything else: no ErrorResponse (HTML, empty), no code,  UNKNOWN
 *                         an undocumented code, or a code at another HTTP status
 *
 * "reply" = JSON object with responseHeader.responseTimestamp (string), a non-empty
 * paymentIntegratorTransactionId and disburseFundsResult.disburseFundsResultCode (string).
 * "ErrorResponse" = JSON object with a responseHeader object; errorResponseCode as in codes.ts.
 * Fields that only inform people (rawResult.scope, limits, errorDescription, the error identifier)
 * never decide an outcome: unreadable ones are kept raw or dropped.
 * NOT_DONE refused is about this one request: whether it also settles an earlier send is the
 * wiring's call (payouts.ts: only when no earlier send may have been processed).
 */
import { MAX_INT64, minorToMicros, toMinorUnits, type Money } from '../../../contracts/money';
import type { GrantPayoutActivityInput, GrantPayoutFailureReason } from '../../../contracts';
import { withSlash } from '../http';
import { providerKey } from '../keys';
import type { Classified } from '../outcome';
import { PROVIDER, type DisburseFundsAccount } from './account';
import { errorMeaning, resultReason } from './codes';
import type { DisburseRecord } from './record';
import type { TransportExchange } from './transport';

// ---- 1. the request ----

/** The customer identifier that names the payout destination (a UPI virtual payment address). */
export const DESTINATION_IDENTIFIER = 'UPI_VPA';

/** requestId: <= 100 chars of [a-zA-Z0-9:_-], stable for the payout request across every attempt. */
export function disburseRequestId(payoutRequestID: string): string {
  return providerKey('payout', payoutRequestID, 100);
}

/** Micros of an amount as a decimal string, or "" when it has none (refused before sending). */
export function microsOf(amount: Money): string {
  try {
    return minorToMicros(toMinorUnits(amount), amount.currency).toString();
  } catch {
    return '';
  }
}

/** What a first attempt sends (stage NOT_SENT), or undefined when no UPI_VPA names the destination. */
export function firstRecord(
  input: GrantPayoutActivityInput,
  accountName: string,
  account: DisburseFundsAccount,
): DisburseRecord | undefined {
  const destination = input.destinations.find((d) => d.identifierType === DESTINATION_IDENTIFIER);
  if (!destination) return undefined;
  return {
    v: 1,
    provider: PROVIDER,
    account: accountName,
    requestId: disburseRequestId(input.payoutRequestID),
    paymentIntegratorAccountId: account.paymentIntegratorAccountId,
    amountMicros: microsOf(input.amount),
    currencyCode: input.amount.currency,
    vpa: destination.identifier,
    transactionDescription: input.description,
    ...(input.locale ? { userLocale: input.locale } : {}),
    stage: 'NOT_SENT',
  };
}

/** The HTTP request for a record. Every send of it is the same but for requestTimestamp (`now`, not part of the key). */
export function disburseFundsRequest(
  record: DisburseRecord,
  account: DisburseFundsAccount,
  now: number,
): { url: string; method: 'POST'; headers: Record<string, string>; body: string } {
  return {
    url: new URL('v1/disburseFunds', withSlash(account.baseUrl)).toString(),
    method: 'POST',
    // The plain transport's headers; the PGP and JWE transports send their own content type and no token.
    headers: { 'content-type': 'application/json', ...(account.bearerToken ? { authorization: `Bearer ${account.bearerToken}` } : {}) },
    body: JSON.stringify({
      requestHeader: {
        protocolVersion: { major: 1, minor: 0, revision: 0 },
        requestId: record.requestId,
        requestTimestamp: String(now),
        ...(record.userLocale ? { userLocale: record.userLocale } : {}),
      },
      paymentIntegratorAccountId: record.paymentIntegratorAccountId,
      transactionDescription: record.transactionDescription,
      currencyCode: record.currencyCode,
      amount: record.amountMicros,
      upiDetails: { vpa: record.vpa },
    }),
  };
}

// ---- 2. the response ----

/** A provider limit as sent; `micros` only when it is an int64 decimal string, as the protocol says. */
export type Limit = { kind: 'min' | 'max'; raw: string; micros?: bigint };

/** A "reply" (above). Its informational fields are read leniently: "", null or another type count as absent. */
export interface Reply {
  transactionId: string;
  resultCode: string;
  /** Only when rawResult is an object. */
  rawResult?: { scope: string | undefined; rawCode: string | undefined };
  limit?: Limit;
}

/** A 200 body as a reply, or why it is not one. */
export function parseReply(body: string): { ok: true; reply: Reply } | { ok: false; why: string } {
  const json = parseObject(body);
  if (!json) return { ok: false, why: `HTTP 200 with a body that is not a JSON object: ${excerpt(body)}` };
  const header = json.responseHeader;
  if (!isObject(header) || typeof header.responseTimestamp !== 'string')
    return { ok: false, why: 'HTTP 200 reply without responseHeader.responseTimestamp' };
  const transactionId = json.paymentIntegratorTransactionId;
  if (typeof transactionId !== 'string' || transactionId === '')
    return { ok: false, why: 'HTTP 200 reply without paymentIntegratorTransactionId' };
  const result = json.disburseFundsResult;
  const resultCode = isObject(result) ? result.disburseFundsResultCode : undefined;
  if (!isObject(result) || typeof resultCode !== 'string')
    return { ok: false, why: 'HTTP 200 reply without disburseFundsResult.disburseFundsResultCode' };
  const { rawResult: raw, transactionMinLimit: min, transactionMaxLimit: max } = result;
  // A limit decline keeps the limit field that belongs to it (a person acts on that one); other codes keep whichever came.
  const wanted = Object.hasOwn(LIMIT_OF_CODE, resultCode) ? LIMIT_OF_CODE[resultCode] : undefined;
  const minLimit = min != null && wanted !== 'max' ? limitOf('min', min) : undefined;
  const limit = minLimit ?? (max != null && wanted !== 'min' ? limitOf('max', max) : undefined);
  const rawResult = isObject(raw) ? { scope: optionalString(raw.scope), rawCode: optionalString(raw.rawCode) } : undefined;
  return { ok: true, reply: { transactionId, resultCode, ...(rawResult ? { rawResult } : {}), ...(limit ? { limit } : {}) } };
}

/** An "ErrorResponse" (above), read leniently like a reply's informational fields. */
export type ErrorResponse = { code?: string; description?: string; errorIdentifier?: string };

/** A non-200 body as an ErrorResponse, or undefined when it is none. */
export function parseErrorResponse(body: string): ErrorResponse | undefined {
  const json = parseObject(body);
  if (!json || !isObject(json.responseHeader)) return undefined;
  return {
    code: optionalString(json.errorResponseCode),
    description: optionalString(json.errorDescription),
    errorIdentifier: optionalString(json.paymentIntegratorErrorIdentifier),
  };
}

const LIMIT_OF_CODE: Record<string, 'min' | 'max' | undefined> = {
  DISBURSEMENT_UNDER_TRANSACTION_LIMIT: 'min',
  DISBURSEMENT_EXCEEDS_TRANSACTION_LIMIT: 'max',
};

/** A limit for people: never decides anything, so an unreadable one is kept raw. */
function limitOf(kind: 'min' | 'max', value: unknown): Limit {
  const raw = typeof value === 'string' ? value : JSON.stringify(value);
  const micros = typeof value === 'string' && /^\d{1,19}$/.test(value) && BigInt(value) <= MAX_INT64 ? BigInt(value) : undefined;
  return micros === undefined ? { kind, raw } : { kind, raw, micros };
}

// ---- 3. the outcome table ----

export type Disbursed = { transactionId: string };

export type NotDisbursed =
  | {
      kind: 'declined';
      resultCode: string;
      reason: GrantPayoutFailureReason;
      transactionId: string;
      rawResult: { scope?: string; rawCode: string };
      limit?: Limit;
    }
  | { kind: 'refused'; httpStatus: number; code: string; configuration: boolean; description?: string; errorIdentifier?: string }
  | { kind: 'conflict'; code: 'IDEMPOTENCY_VIOLATION'; description?: string; errorIdentifier?: string }
  | { kind: 'not-sent'; error: string };

export type DisburseFundsOutcome = Classified<Disbursed, NotDisbursed>;

export function classifyDisburseFunds(exchange: TransportExchange): DisburseFundsOutcome {
  if (exchange.kind === 'not-sent') return { outcome: 'NOT_DONE', notDone: { kind: 'not-sent', error: exchange.error } };
  if (exchange.kind === 'no-answer') return unknown(`no answer (${exchange.error})`);
  if (exchange.kind === 'unreadable') return unknown(`HTTP ${exchange.httpStatus} answer that cannot be opened: ${exchange.error}`);
  const { httpStatus, body } = exchange;
  if (httpStatus === 200) {
    const parsed = parseReply(body);
    return parsed.ok ? classifyReply(parsed.reply) : unknown(parsed.why);
  }
  const error = parseErrorResponse(body);
  if (!error) return unknown(`HTTP ${httpStatus} without an ErrorResponse: ${excerpt(body)}`);
  const { code, description, errorIdentifier } = error;
  const means = code ? errorMeaning(code, httpStatus) : undefined;
  if (code && (means === 'REFUSED' || means === 'MISCONFIGURED')) {
    return {
      outcome: 'NOT_DONE',
      notDone: { kind: 'refused', httpStatus, code, configuration: means === 'MISCONFIGURED', description, errorIdentifier },
    };
  }
  if (means === 'CONFLICT')
    return { outcome: 'NOT_DONE', notDone: { kind: 'conflict', code: 'IDEMPOTENCY_VIOLATION', description, errorIdentifier } };
  const id = errorIdentifier ? ` (error id ${errorIdentifier})` : '';
  return unknown(`HTTP ${httpStatus} ${code ?? 'ErrorResponse without errorResponseCode'}${id}${description ? `: ${description}` : ''}`);
}

function classifyReply({ transactionId, resultCode: code, rawResult, limit }: Reply): DisburseFundsOutcome {
  if (code === 'SUCCESS') return { outcome: 'DONE', done: { transactionId } };
  const reason = resultReason(code);
  if (!reason) return unknown(`HTTP 200 with the undocumented result code ${JSON.stringify(code)} (transaction ${transactionId})`);
  const rawCode = rawResult?.rawCode;
  if (!rawCode)
    return unknown(`HTTP 200 ${code} without rawResult.rawCode, which the protocol requires for a decline (transaction ${transactionId})`);
  const scope = rawResult?.scope;
  return {
    outcome: 'NOT_DONE',
    notDone: {
      kind: 'declined',
      resultCode: code,
      reason,
      transactionId,
      rawResult: { ...(scope !== undefined ? { scope } : {}), rawCode },
      ...(limit ? { limit } : {}),
    },
  };
}

const unknown = (why: string): DisburseFundsOutcome => ({ outcome: 'UNKNOWN', why });

function parseObject(body: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-empty string, or undefined (absent, null, "", or another type: proto3 JSON does not tell "" from unset). */
function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The start of a body for people: one line, bounded. */
function excerpt(body: string): string {
  const line = body.replace(/\s+/g, ' ').trim();
  if (line === '') return '(empty body)';
  return JSON.stringify(line.length > 120 ? `${line.slice(0, 120)}...` : line);
}
