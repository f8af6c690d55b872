/**
 * Faults: the simulator answering the way a misbehaving gateway (or the network in front of it)
 * does, so tests and the chaos command can reproduce "outcome unknown" situations. Faults queue in
 * order; each applies to the next API request (of its `command`, when given) and is consumed per HTTP
 * request, except decline-next, which is consumed per created transaction. A fault may lose or
 * reformat what the simulator says, never say something else: the ledgers stay the single truth.
 * A fault aimed at `payout` also hits `payout-by-ref` (both are the v4 payout).
 *
 * Besides the queue, StatusNoise: status answers that say `unknown` (or another non-final status)
 * with a given probability, as the real gateway may while it works; seeded, so a test is deterministic.
 */
import { z } from 'zod';
import { faultCount } from '../kit/faults';
import { COMMANDS, type Command } from './commands';
import type { DeclinableTransactionType } from './model';
import { encodePaynetResponse, parsePaynetResponse, type Answer } from './protocol';

export type PayneteasyFault = (
  | { kind: 'latency'; ms: number } // delay the answer (after processing)
  | { kind: 'unavailable' } // HTTP 503, nothing processed
  | { kind: 'drop-after-processing' } // process (order created), then destroy the socket unanswered
  | { kind: 'drop-before-processing' }
  // An HTTP error status (408, 429, 5xx, ...) with an HTML page (default), a protocol error or nothing;
  // `processed` (default false): the request was carried out anyway.
  | { kind: 'http-error'; status: number; processed?: boolean; body?: 'html' | 'protocol' | 'empty' }
  // HTTP 200 with a body that is no complete answer; `processed` (default true).
  | { kind: 'bad-body'; body: 'truncated' | 'garbage' | 'empty' | 'html'; processed?: boolean }
  // Status answers show this undocumented status instead of the real one (`pending`, `APPROVED`, "").
  | { kind: 'status-override'; status: string }
  // Status answers write their amount with `extraZeros` more trailing zeros ("10.15" -> "10.150").
  | { kind: 'amount-format'; extraZeros?: number }
  // Hold the request `ms` before processing it: the client may time out, the order appears later.
  | { kind: 'delay-before-processing'; ms: number }
  // The next `count` (default 1) transactions of this type end declined with error-code `<TYPE>_DECLINED`.
  | { kind: 'decline-next'; transactionType: DeclinableTransactionType }
) & { count?: number; command?: Command };

const common = { count: faultCount, command: z.enum(COMMANDS).optional() };
const ms = z.number().int().nonnegative().max(600_000);
export const FaultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('latency'), ms, ...common }),
  z.object({ kind: z.literal('unavailable'), ...common }),
  z.object({ kind: z.literal('drop-after-processing'), ...common }),
  z.object({ kind: z.literal('drop-before-processing'), ...common }),
  z.object({
    kind: z.literal('http-error'),
    status: z.number().int().min(300).max(599),
    processed: z.boolean().optional(),
    body: z.enum(['html', 'protocol', 'empty']).optional(),
    ...common,
  }),
  z.object({
    kind: z.literal('bad-body'),
    body: z.enum(['truncated', 'garbage', 'empty', 'html']),
    processed: z.boolean().optional(),
    ...common,
  }),
  z.object({ kind: z.literal('status-override'), status: z.string().max(64), ...common }),
  z.object({ kind: z.literal('amount-format'), extraZeros: z.number().int().min(1).max(6).optional(), ...common }),
  z.object({ kind: z.literal('delay-before-processing'), ms, ...common }),
  z.object({ kind: z.literal('decline-next'), transactionType: z.enum(['capture', 'return', 'void', 'sale', 'preauth']), ...common }),
]);

/** Faults that only make sense on a status answer apply to status requests unless told otherwise. */
const STATUS_ONLY = new Set(['status-override', 'amount-format']);

/** Whether a queued fault applies to a request of this command (the queue hands out the first that does). */
export const appliesTo = (fault: PayneteasyFault, command: Command) => {
  const aimed = fault.command ?? (STATUS_ONLY.has(fault.kind) ? 'status' : command);
  return aimed === command || (aimed === 'payout' && command === 'payout-by-ref');
};

export const NON_FINAL_STATUSES = ['unknown', 'processing'] as const;
export const StatusNoiseSchema = z.strictObject({
  probability: z.number().min(0).max(1),
  seed: z.number().int(),
  statuses: z.array(z.enum(NON_FINAL_STATUSES)).min(1).optional(),
});
export type StatusNoiseOptions = z.infer<typeof StatusNoiseSchema>;

/**
 * Status answers that say a non-final status (default `unknown`) instead of the real one, with a
 * probability, drawn from a seeded generator (mulberry32): the same seed gives the same sequence.
 */
export class StatusNoise {
  private state: number;
  private readonly statuses: readonly string[];
  /** How many status answers were made non-final so far. */
  answered = 0;

  constructor(readonly options: StatusNoiseOptions) {
    StatusNoiseSchema.parse(options);
    this.state = options.seed >>> 0;
    this.statuses = options.statuses ?? ['unknown'];
  }

  private next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A status answer, maybe showing a non-final status instead (other answers pass unchanged). */
  apply(answer: Answer): Answer {
    const fields = parsePaynetResponse(answer.body);
    if (fields.type !== 'status-response' || this.next() >= this.options.probability) return answer;
    this.answered++;
    const status = this.statuses[Math.floor(this.next() * this.statuses.length)];
    return {
      status: answer.status,
      body: encodePaynetResponse({ ...fields, status, 'order-stage': `${fields['transaction-type']}_${status}` }),
    };
  }
}

const HTML =
  '<!doctype html><html><head><title>Gateway error</title></head>' +
  '<body><h1>Something went wrong</h1><p>Please try again later.</p></body></html>';

/** Whether the request is carried out before the fault answers. */
export function processes(fault: PayneteasyFault | undefined): boolean {
  if (!fault) return true;
  switch (fault.kind) {
    case 'unavailable':
    case 'drop-before-processing':
      return false;
    case 'http-error':
      return fault.processed ?? false;
    case 'bad-body':
      return fault.processed ?? true;
    default:
      return true;
  }
}

/** The answer the client gets instead of (or made from) the simulator's own answer. */
export function faultyAnswer(fault: PayneteasyFault | undefined, answer: Answer | undefined): Answer & { contentType?: string } {
  const real = answer ?? { status: 200, body: '' };
  switch (fault?.kind) {
    case 'unavailable':
      return {
        status: 503,
        body: encodePaynetResponse({
          type: 'error',
          'error-message': 'simulated outage: request was not processed',
          'error-code': 'SERVICE_UNAVAILABLE',
        }),
      };
    case 'http-error': {
      const kind = fault.body ?? 'html';
      if (kind === 'html') return { status: fault.status, body: HTML, contentType: 'text/html; charset=utf-8' };
      if (kind === 'empty') return { status: fault.status, body: '' };
      return {
        status: fault.status,
        body: encodePaynetResponse({
          type: 'error',
          'error-message': `simulated HTTP ${fault.status}`,
          'error-code': 'SIMULATED_HTTP_ERROR',
        }),
      };
    }
    case 'bad-body':
      if (fault.body === 'html') return { status: 200, body: HTML, contentType: 'text/html; charset=utf-8' };
      if (fault.body === 'empty') return { status: 200, body: '' };
      if (fault.body === 'garbage') return { status: 200, body: '\u0000\u00ff\u00fegarbage=%%%&&==\u0007' };
      return { status: 200, body: truncated(real.body) };
    case 'status-override':
      return edit(real, (f) => f.type === 'status-response' && 'status' in f && (f.status = fault.status));
    case 'amount-format':
      return edit(real, (f) => {
        if (f.type === 'status-response' && f.amount)
          f.amount = `${f.amount}${f.amount.includes('.') ? '' : '.'}${'0'.repeat(fault.extraZeros ?? 1)}`;
      });
    default:
      return real;
  }
}

/** The first half of a body, never ending on a value's newline (so it is recognisably cut off). */
function truncated(body: string): string {
  let cut = body.slice(0, Math.floor(body.length / 2));
  while (cut.endsWith('\n')) cut = cut.slice(0, -1);
  return cut;
}

function edit(answer: Answer, change: (fields: Record<string, string>) => unknown): Answer {
  const fields = parsePaynetResponse(answer.body);
  change(fields);
  return { status: answer.status, body: encodePaynetResponse(fields) };
}
