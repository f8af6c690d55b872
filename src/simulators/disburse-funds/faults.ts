/**
 * Injectable faults of the disburseFunds simulator: how a misbehaving provider (or what stands in
 * front of it) answers. Each fault decides whether the provider processes the request (and may pay:
 * the ledger records it) and what the caller sees instead of the real answer. `process: true`
 * answers badly after the provider did its work; `process: false` before it did anything.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { faultCount as count } from '../kit/faults';
import { errorBody, isObject, nowMs, type Answer, type Json } from './protocol';

const processFirst = z.boolean().default(false);
export const FaultSchema = z.discriminatedUnion('kind', [
  /** The real answer, `ms` late. */
  z.object({ kind: z.literal('latency'), ms: z.number().int().nonnegative(), count }),
  /** 503, not processed: a retry with the same requestId is processed normally. */
  z.object({ kind: z.literal('unavailable'), count }),
  /** Processed, then the connection is closed without an answer. */
  z.object({ kind: z.literal('drop-after-disburse'), count }),
  /** The connection is closed, nothing processed. */
  z.object({ kind: z.literal('drop-before-processing'), count }),
  /** The request is held `ms` before it is processed: the caller times out, the payout happens later. */
  z.object({ kind: z.literal('delay-before-processing'), ms: z.number().int().nonnegative(), count }),
  /** A bare HTTP error status (with an ErrorResponse that has no code). */
  z.object({
    kind: z.literal('http-error'),
    status: z.union([z.literal(408), z.literal(429), z.literal(500), z.literal(502), z.literal(503), z.literal(504)]),
    process: processFirst,
    count,
  }),
  /** An HTML error page, as a proxy or load balancer sends it. */
  z.object({ kind: z.literal('html-error'), status: z.number().int().min(400).max(599).default(502), process: processFirst, count }),
  /** HTTP 200 with a body cut in half, garbage, or nothing. */
  z.object({ kind: z.literal('bad-body'), body: z.enum(['truncated', 'garbage', 'empty']), process: processFirst, count }),
  /** HTTP 200 with a decline code but no rawResult (the protocol requires it). */
  z.object({ kind: z.literal('decline-without-raw-result'), process: processFirst, count }),
  /** HTTP 200 with a result code the protocol does not document (UNKNOWN_RESULT must never be sent). */
  z.object({ kind: z.literal('undocumented-result'), code: z.string().min(1).default('UNKNOWN_RESULT'), process: processFirst, count }),
]);
/** A fault as callers give it (defaults may be left out). */
export type Fault = z.input<typeof FaultSchema>;
export type ParsedFault = z.output<typeof FaultSchema>;

/** Whether the provider processes the request before the fault shapes the answer. */
export function processes(fault: ParsedFault | undefined): boolean {
  if (!fault) return true;
  switch (fault.kind) {
    case 'latency':
    case 'drop-after-disburse':
    case 'delay-before-processing':
      return true;
    case 'unavailable':
    case 'drop-before-processing':
      return false;
    default:
      return fault.process;
  }
}

export interface RawAnswer {
  status: number;
  body: string;
  contentType: string;
}

const json = (status: number, body: Json): RawAnswer => ({
  status,
  body: JSON.stringify(body),
  contentType: 'application/json; charset=utf-8',
});

/** What the caller gets: the real answer, a faulty one, or a dropped connection. `real` is undefined when not processed. */
export function answerFor(fault: ParsedFault | undefined, real: Answer | undefined): RawAnswer | 'drop' {
  switch (fault?.kind) {
    case 'drop-after-disburse':
    case 'drop-before-processing':
      return 'drop';
    case 'unavailable':
      return json(503, errorBody(undefined, 'simulated outage: request was not processed'));
    case 'http-error':
      return json(fault.status, errorBody(undefined, `simulated HTTP ${fault.status}`));
    case 'html-error':
      return {
        status: fault.status,
        body:
          `<!DOCTYPE html><html><head><title>${fault.status}</title></head>` +
          `<body><h1>${fault.status} Error</h1><p>upstream said no</p></body></html>`,
        contentType: 'text/html; charset=utf-8',
      };
    case 'bad-body': {
      if (fault.body === 'empty') return { status: 200, body: '', contentType: 'application/json' };
      if (fault.body === 'garbage')
        return { status: 200, body: `\u0000\u00ff${randomBytes(12).toString('base64')}}{]`, contentType: 'application/json' };
      const whole = JSON.stringify(real?.body ?? reply('SUCCESS'));
      return { status: 200, body: whole.slice(0, Math.floor(whole.length / 2)), contentType: 'application/json' };
    }
    case 'decline-without-raw-result': {
      const code = realResultCode(real);
      return json(200, reply(code && code !== 'SUCCESS' ? code : 'ACCOUNT_ON_HOLD', realTransactionId(real)));
    }
    case 'undocumented-result':
      return json(200, {
        ...reply(fault.code, realTransactionId(real)),
        disburseFundsResult: { disburseFundsResultCode: fault.code, rawResult: { scope: 'simulator', rawCode: 'UNDOCUMENTED' } },
      });
    default:
      // No fault, latency, delay-before-processing: the real answer (always processed, so present).
      return json(real!.status, real!.body);
  }
}

function reply(code: string, transactionId = randomBytes(18).toString('base64url')): Json {
  return {
    responseHeader: { responseTimestamp: nowMs() },
    paymentIntegratorTransactionId: transactionId,
    disburseFundsResult: { disburseFundsResultCode: code },
  };
}

function realResultCode(real: Answer | undefined): string | undefined {
  const result = real?.body.disburseFundsResult;
  return isObject(result) && typeof result.disburseFundsResultCode === 'string' ? result.disburseFundsResultCode : undefined;
}

function realTransactionId(real: Answer | undefined): string | undefined {
  const id = real?.body.paymentIntegratorTransactionId;
  return typeof id === 'string' ? id : undefined;
}
