/**
 * Payneteasy: what an exchange proves, in the three outcomes of the money rule (../outcome.ts), as
 * docs/payneteasy.md ("What an answer proves") tabulates it. Small, pure, total functions; the
 * adapters only act on their results. Whether an answer is well-formed at all is answers.ts.
 *
 *   exchange                                  creation             status of transaction T      order command
 *                                             (payout, sale-form,   (asked by serial or for the  (capture, return)
 *                                             preauth-form)         order's latest)
 *   not-sent (connection refused)             NOT_DONE notSent      UNKNOWN retry                NOT_DONE notSent
 *   no-answer (timeout, reset, cut body)      UNKNOWN               UNKNOWN retry                UNKNOWN
 *   HTTP other than 200 and 4xx; 408, 429     UNKNOWN               UNKNOWN retry                UNKNOWN
 *   not well-formed (HTML, garbage, empty,    UNKNOWN               UNKNOWN retry                UNKNOWN
 *     truncated), or a required field missing
 *   type=error|validation-error with an       NOT_DONE refused      ORDER_NOT_FOUND,             NOT_DONE refused
 *     error-code (HTTP 200 or other 4xx)                            TRANSACTION_NOT_FOUND:
 *                                                                   UNKNOWN not-found;
 *                                                                   other: UNKNOWN refused
 *   async-response (async-form-response for   DONE (order id,       -                            DONE (serial)
 *     the forms) naming our order                serial, form URL)
 *   an accept naming another order            UNKNOWN               -                            UNKNOWN
 *   status-response for our order:
 *     another order or serial than asked      -                     UNKNOWN unrecognised         -
 *     transaction-type other than T           -                     UNKNOWN unrecognised + view  -
 *     T approved                              -                     DONE                         -
 *     T declined | error | filtered           -                     NOT_DONE                     -
 *     T processing | unknown (documented)     -                     UNKNOWN in-progress          -
 *     T any other status (pending, APPROVED,  -                     UNKNOWN unrecognised         -
 *       "")
 *
 * Amounts are not judged here: a view carries the provider's amount and, when it reads exactly
 * (protocol.ts providerMinorUnits), its minor units; the adapter compares it with its record.
 */
import type { Exchange } from '../http';
import type { Classified } from '../outcome';
import { field, read, refusalOf, type Refusal } from './answers';
import { providerMinorUnits } from './protocol';

export type { Refusal } from './answers';

export type TransactionType = 'payout' | 'sale' | 'preauth' | 'capture' | 'return' | 'void';
export type FinalFailure = 'declined' | 'error' | 'filtered';

/** Why a request did not happen: it never left, or the provider refused it. */
export type NotDone = { notSent: string } | { refused: Refusal };

export interface Accepted {
  orderId: string;
  serialNumber: string;
  /** The form the customer or receiver fills (async-form-response). */
  redirectUrl?: string;
}

/** One transaction as a status answer shows it. */
export interface TransactionView {
  orderId: string;
  clientOrderId: string;
  serialNumber: string;
  type: string;
  status: string;
  amount?: string;
  currency?: string;
  /** The amount in minor units of `currency`, when it reads exactly. */
  minor?: bigint;
  redirectUrl?: string;
  orderStage?: string;
  errorCode?: string;
  errorMessage?: string;
  /** The stored destination card a payout goes to, when the answer names it. */
  destination?: string;
}

export type StatusUnknownKind =
  | 'retry' // nothing usable came back: ask again soon
  | 'in-progress' // the provider says it is not final yet (documented)
  | 'unrecognised' // a well-formed answer we cannot take as a fact about T: keep asking, show it
  | 'not-found' // the provider knows no such order or transaction (yet)
  | 'refused'; // the provider refuses to tell (our configuration?)

export interface StatusUnknown {
  outcome: 'UNKNOWN';
  why: string;
  kind: StatusUnknownKind;
  /** The transaction the answer was about (our order, maybe another transaction type than asked). */
  view?: TransactionView;
  refusal?: Refusal;
}

export type StatusOutcome =
  Exclude<Classified<TransactionView, TransactionView & { status: FinalFailure }>, { outcome: 'UNKNOWN' }> | StatusUnknown;

const FINAL_FAILURES: ReadonlySet<string> = new Set<FinalFailure>(['declined', 'error', 'filtered']);
const isFinalFailure = (status: string): status is FinalFailure => FINAL_FAILURES.has(status);
const IN_PROGRESS: ReadonlySet<string> = new Set(['processing', 'unknown']);
const NOT_FOUND_CODES: ReadonlySet<string> = new Set(['ORDER_NOT_FOUND', 'TRANSACTION_NOT_FOUND']);

/** The accept of a request that creates or changes an order. */
function classifyAccept(
  exchange: Exchange,
  asked: { clientOrderId: string; orderId?: string; types: readonly string[] },
): Classified<Accepted, NotDone> {
  if (exchange.kind === 'not-sent') return { outcome: 'NOT_DONE', notDone: { notSent: exchange.error } };
  const answer = read(exchange);
  if ('why' in answer) return { outcome: 'UNKNOWN', why: answer.why };
  const refused = refusalOf(answer.fields);
  if (refused) return { outcome: 'NOT_DONE', notDone: { refused } };
  const type = answer.fields.get('type')!;
  if (answer.httpStatus !== 200 || !asked.types.includes(type))
    return { outcome: 'UNKNOWN', why: `unexpected answer: HTTP ${answer.httpStatus} type=${type}` };
  const orderId = field(answer.fields, 'paynet-order-id');
  const serialNumber = field(answer.fields, 'serial-number');
  const merchantOrderId = field(answer.fields, 'merchant-order-id');
  if (!orderId || !serialNumber || !merchantOrderId)
    return { outcome: 'UNKNOWN', why: `incomplete ${type}: paynet-order-id, serial-number and merchant-order-id are required` };
  if (merchantOrderId !== asked.clientOrderId || (asked.orderId !== undefined && orderId !== asked.orderId)) {
    return { outcome: 'UNKNOWN', why: `the ${type} names order ${orderId} / ${merchantOrderId}, not ours` };
  }
  return { outcome: 'DONE', done: { orderId, serialNumber, redirectUrl: field(answer.fields, 'redirect-url') } };
}

/** The answer to a request that creates an order: `/api/v4/payout`, `/api/v2/sale-form`, `/api/v2/preauth-form`. */
export function classifyCreation(exchange: Exchange, asked: { clientOrderId: string; form: boolean }): Classified<Accepted, NotDone> {
  return classifyAccept(exchange, {
    clientOrderId: asked.clientOrderId,
    types: asked.form ? ['async-form-response', 'async-response'] : ['async-response'],
  });
}

/** The answer to a command on an existing order (`capture`, `return`): DONE means a transaction exists. */
export function classifyOrderCommand(exchange: Exchange, asked: { clientOrderId: string; orderId: string }): Classified<Accepted, NotDone> {
  return classifyAccept(exchange, { ...asked, types: ['async-response'] });
}

/** The answer to `/api/v2/status` about transaction `type` (by its serial number when given). */
export function classifyStatus(
  exchange: Exchange,
  asked: { clientOrderId: string; orderId?: string; serialNumber?: string; type: TransactionType },
): StatusOutcome {
  const unknown = (kind: StatusUnknownKind, why: string, extra: Partial<StatusUnknown> = {}): StatusUnknown => ({
    outcome: 'UNKNOWN',
    kind,
    why,
    ...extra,
  });
  const answer = read(exchange);
  if ('why' in answer) return unknown('retry', `status of ${asked.type}: ${answer.why}`);
  const { fields } = answer;
  const refused = refusalOf(fields);
  if (refused) {
    const sought = asked.serialNumber ? `${asked.type} ${asked.serialNumber}` : 'order';
    return NOT_FOUND_CODES.has(refused.code)
      ? unknown('not-found', `Payneteasy knows no ${sought} for ${asked.clientOrderId} (${refused.code})`, { refusal: refused })
      : unknown('refused', `Payneteasy refused the status of ${asked.clientOrderId}: ${refused.code} ${refused.message}`.trim(), {
          refusal: refused,
        });
  }
  const type = fields.get('type');
  if (answer.httpStatus !== 200 || type !== 'status-response')
    return unknown('retry', `status of ${asked.type}: unexpected answer HTTP ${answer.httpStatus} type=${type}`);
  const status = fields.get('status');
  const orderId = field(fields, 'paynet-order-id');
  const clientOrderId = field(fields, 'merchant-order-id');
  const serialNumber = field(fields, 'serial-number');
  const txType = field(fields, 'transaction-type');
  if (status === undefined || !orderId || !clientOrderId || !serialNumber || !txType) {
    return unknown(
      'retry',
      'incomplete status-response: status, paynet-order-id, merchant-order-id, serial-number and transaction-type are required',
    );
  }
  if (clientOrderId !== asked.clientOrderId || (asked.orderId !== undefined && orderId !== asked.orderId)) {
    return unknown('unrecognised', `the status answer is about order ${orderId} / ${clientOrderId}, not the one asked about`);
  }
  if (asked.serialNumber !== undefined && serialNumber !== asked.serialNumber) {
    return unknown('unrecognised', `the status answer is about transaction ${serialNumber}, not ${asked.serialNumber}`);
  }
  const amount = field(fields, 'amount');
  const currency = field(fields, 'currency');
  const view: TransactionView = {
    orderId,
    clientOrderId,
    serialNumber,
    type: txType,
    status,
    amount,
    currency,
    minor: providerMinorUnits(amount, currency),
    redirectUrl: field(fields, 'redirect-to'),
    orderStage: field(fields, 'order-stage'),
    errorCode: field(fields, 'error-code'),
    errorMessage: field(fields, 'error-message'),
    destination: field(fields, 'destination-card-ref-id'),
  };
  if (txType !== asked.type)
    return unknown('unrecognised', `the status answer is about a ${txType}, not the ${asked.type} asked about`, { view });
  if (status === 'approved') return { outcome: 'DONE', done: view };
  if (isFinalFailure(status)) return { outcome: 'NOT_DONE', notDone: { ...view, status } };
  if (IN_PROGRESS.has(status)) return unknown('in-progress', `${asked.type} ${serialNumber} is ${status}`, { view });
  return unknown('unrecognised', `undocumented status "${status}" for ${asked.type} ${serialNumber}`, { view });
}

/** The transaction a status answer was about, when it named our order. */
export function viewOf(answer: StatusOutcome): TransactionView | undefined {
  return answer.outcome === 'DONE' ? answer.done : answer.outcome === 'NOT_DONE' ? answer.notDone : answer.view;
}
