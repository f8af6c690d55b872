/**
 * The money rule for disburseFunds (src/activities/providers/outcome.ts): every exchange is DONE,
 * NOT_DONE or UNKNOWN, decided here and nowhere else. Pure and total: no I/O, never throws.
 *
 *  exchange   HTTP        body                                                    outcome
 *  ---------  ----------  ------------------------------------------------------  -----------------------------
 *  not-sent   -           - (connection refused: no byte left)                    NOT_DONE not-sent
 *  no-answer  -           - (timeout, reset, body broke off)                      UNKNOWN
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
 *
 * NOT_DONE refused is about this one request: whether it also settles an earlier send is the
 * adapter's call (only when no earlier send may have been processed).
 */
import type { GrantPayoutFailureReason } from '../../../contracts';
import type { Exchange } from '../http';
import type { Classified } from '../outcome';
import { INT64_MAX, errorMeaning, resultReason } from './codes';

export interface Disbursed {
  transactionId: string;
}

export type NotDisbursed =
  | {
      kind: 'declined';
      resultCode: string;
      reason: GrantPayoutFailureReason;
      transactionId: string;
      rawResult: { scope?: string; rawCode: string };
      /** As the provider sent it; `micros` only when it is an int64 decimal string, as the protocol says. */
      limit?: { kind: 'min' | 'max'; raw: string; micros?: bigint };
    }
  | { kind: 'refused'; httpStatus: number; code: string; configuration: boolean; description?: string; errorIdentifier?: string }
  | { kind: 'conflict'; code: 'IDEMPOTENCY_VIOLATION'; description?: string; errorIdentifier?: string }
  | { kind: 'not-sent'; error: string };

export type DisburseFundsOutcome = Classified<Disbursed, NotDisbursed>;

export function classifyDisburseFunds(exchange: Exchange): DisburseFundsOutcome {
  if (exchange.kind === 'not-sent') return { outcome: 'NOT_DONE', notDone: { kind: 'not-sent', error: exchange.error } };
  if (exchange.kind === 'no-answer') return unknown(`no answer (${exchange.error})`);
  const { httpStatus, body } = exchange;
  const json = parseObject(body);
  if (httpStatus === 200) return json ? classifyReply(json) : unknown(`HTTP 200 with a body that is not a JSON object: ${excerpt(body)}`);

  const error = json && isObject(json.responseHeader) ? json : undefined;
  if (!error) return unknown(`HTTP ${httpStatus} without an ErrorResponse: ${excerpt(body)}`);
  const code = optionalString(error.errorResponseCode);
  const description = optionalString(error.errorDescription);
  const errorIdentifier = optionalString(error.paymentIntegratorErrorIdentifier);
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

function classifyReply(json: Record<string, unknown>): DisburseFundsOutcome {
  const header = json.responseHeader;
  if (!isObject(header) || typeof header.responseTimestamp !== 'string')
    return unknown('HTTP 200 reply without responseHeader.responseTimestamp');
  const transactionId = json.paymentIntegratorTransactionId;
  if (typeof transactionId !== 'string' || transactionId === '') return unknown('HTTP 200 reply without paymentIntegratorTransactionId');
  const result = json.disburseFundsResult;
  const code = isObject(result) ? result.disburseFundsResultCode : undefined;
  if (!isObject(result) || typeof code !== 'string') return unknown('HTTP 200 reply without disburseFundsResult.disburseFundsResultCode');
  if (code === 'SUCCESS') return { outcome: 'DONE', done: { transactionId } };

  const reason = resultReason(code);
  if (!reason) return unknown(`HTTP 200 with the undocumented result code ${JSON.stringify(code)} (transaction ${transactionId})`);
  const raw = result.rawResult;
  const rawCode = isObject(raw) ? optionalString(raw.rawCode) : undefined;
  if (!isObject(raw) || !rawCode)
    return unknown(`HTTP 200 ${code} without rawResult.rawCode, which the protocol requires for a decline (transaction ${transactionId})`);
  const limit =
    result.transactionMinLimit != null
      ? { kind: 'min' as const, value: result.transactionMinLimit }
      : result.transactionMaxLimit != null
        ? { kind: 'max' as const, value: result.transactionMaxLimit }
        : undefined;
  return {
    outcome: 'NOT_DONE',
    notDone: {
      kind: 'declined',
      resultCode: code,
      reason,
      transactionId,
      rawResult: { ...(optionalString(raw.scope) !== undefined ? { scope: optionalString(raw.scope) } : {}), rawCode },
      ...(limit ? { limit: { kind: limit.kind, ...readLimit(limit.value) } } : {}),
    },
  };
}

/** A limit for people: never decides anything, so an unreadable one is kept raw. */
function readLimit(value: unknown): { raw: string; micros?: bigint } {
  const raw = typeof value === 'string' ? value : JSON.stringify(value);
  const micros = typeof value === 'string' && /^\d{1,19}$/.test(value) && BigInt(value) <= INT64_MAX ? BigInt(value) : undefined;
  return micros === undefined ? { raw } : { raw, micros };
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
