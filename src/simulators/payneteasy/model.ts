/**
 * The Payneteasy simulator's model: merchants, orders and their transactions, money in minor units
 * (BigInt, never floats), and the ledgers computed from the transactions (the single truth tests
 * check adapters against).
 *
 * An order (paynet-order-id) holds transactions of a type (`payout`, `return`, `sale`, `preauth`,
 * `capture`, `void`), each with its own serial number and status. `processing` turns final after
 * `processingMs`; the final status is what status polling and the callback report.
 */
import currencyCodes from 'currency-codes';

export interface SimulatedMerchant {
  endpointId: string; // path segment ENDPOINTID
  login: string; // OAuth consumer key and `login` field
  controlKey: string; // merchant_control secret (SHA-1 controls, callbacks)
  publicKeyPem: string; // RSA public key that verifies the merchant's OAuth RSA-SHA256 signatures
  payoutReversal?: boolean; // whether `return` may reverse an approved payout (default false)
  endpointGroupId?: string; // path segment ENDPOINTGROUPID of `.../<command>/group/<id>`: this merchant's endpoint serves the group
  // Fields the creating commands (payout, payout-by-ref, sale-form, preauth-form) must carry: `validation-error` MISSING_FIELD otherwise.
  requiredFields?: string[];
}

/** The route a request came in on: `.../<command>/<endpointId>` or `.../<command>/group/<endpointGroupId>`. */
export interface SimRoute {
  kind: 'endpoint' | 'group';
  id: string;
}

export type TransactionStatus = 'processing' | 'approved' | 'declined' | 'error' | 'filtered';

export type TransactionType = 'payout' | 'return' | 'sale' | 'preauth' | 'capture' | 'void';

export type DeclinableTransactionType = 'capture' | 'return' | 'void' | 'sale' | 'preauth';

export interface SimulatedTransaction {
  serialNumber: string;
  type: TransactionType;
  status: TransactionStatus;
  amountMinor: string; // for a sale/preauth: the requested amount until the customer submits the form, then what they submitted
  currency: string;
  effect?: 'refund' | 'release'; // return/void on a payment order: money back to the customer, or an authorization released
  errorCode?: string;
  errorMessage?: string;
  createdAt: string;
  finalAt?: string;
}

export interface SimulatedOrder {
  orderId: string; // paynet-order-id, numeric string
  clientOrderId: string;
  endpointId: string;
  kind: 'payout' | 'sale' | 'preauth'; // the command that created the order (v4 payout, sale-form, preauth-form)
  amountMinor: string; // as requested by the merchant
  currency: string;
  destination?: string;
  email?: string; // payments
  redirectUrl?: string; // redirect_url: where the customer's or receiver's browser returns after the form
  formUrl?: string;
  formCompleted: boolean;
  serverCallbackUrl?: string;
  notifyUrl?: string; // notify_url: also told about later transactions of the order (late-events.ts)
  transactions: SimulatedTransaction[];
  createdVia?: string; // the creating command as sent: 'payout', 'payout-by-ref', 'sale-form', 'preauth-form'
  route?: SimRoute; // the route the creating command came in on
  customerFields?: Record<string, string>; // ipaddress, purpose and customer address fields as sent
}

export type PaymentFormOutcome = 'approve' | 'decline' | 'error' | 'filtered';
export const FORM_OUTCOMES = ['approve', 'decline', 'error', 'filtered'] as const satisfies readonly PaymentFormOutcome[];

export interface CompleteFormOptions {
  outcome?: PaymentFormOutcome; // payments only; default 'approve'
  amountMinor?: string; // payments only: positive decimal integer, the amount the customer submitted (default the requested one)
}

/** Money of one payment order (sale-form or preauth-form), all in minor units as decimal strings. */
export interface PaymentLedgerEntry {
  orderId: string;
  clientOrderId: string;
  currency: string;
  authorizedMinor: string; // approved preauth
  capturedMinor: string; // approved sale + approved captures
  refundedMinor: string; // approved returns/voids of a sale or capture
  releasedMinor: string; // approved returns/voids of an uncaptured preauth
  voidedMinor: string; // approved voids (each also counted in refunded or released)
  heldMinor: string; // authorized, neither captured nor released (>= 0)
  takenMinor: string; // captured - refunded: what the merchant keeps
}

/** Money actually paid out by one payout order: approved payouts and approved returns. */
export interface PayoutLedgerEntry {
  orderId: string;
  clientOrderId: string;
  paidMinor: string;
  reversedMinor: string;
  currency: string;
}

// ---- money ------------------------------------------------------------------------------------

/** ISO 4217 minor-unit digits (ISK and JPY 0, KWD 3); 2 for a code the table does not know. */
export const exponentOf = (currency: string) => currencyCodes.code(currency)?.digits ?? 2;

/** "25.00" (EUR) -> 2500n; undefined if it is not a positive amount with at most the currency's decimals. */
export function parseMajor(amount: string, currency: string): bigint | undefined {
  const m = /^(\d{1,18})(?:\.(\d+))?$/.exec(amount);
  if (!m) return undefined;
  const exp = exponentOf(currency);
  const frac = m[2] ?? '';
  if (frac.length > exp) return undefined;
  const minor = BigInt(m[1]) * 10n ** BigInt(exp) + BigInt(frac.padEnd(exp, '0') || '0');
  return minor > 0n ? minor : undefined;
}

/** 2500n (EUR) -> "25.00": exactly the currency's decimals. */
export function formatMinor(minor: bigint, currency: string): string {
  const exp = exponentOf(currency);
  const sign = minor < 0n ? '-' : '';
  const digits = (minor < 0n ? -minor : minor).toString().padStart(exp + 1, '0');
  return exp === 0 ? sign + digits : `${sign}${digits.slice(0, -exp)}.${digits.slice(-exp)}`;
}

/** How answers and callbacks write an amount: at least two decimals, as the gateway prints them ("1500.00" ISK). */
export function formatAnswerAmount(minor: bigint, currency: string): string {
  const exact = formatMinor(minor, currency);
  return exponentOf(currency) === 0 ? `${exact}.00` : exact;
}

// ---- outcomes and ledgers -------------------------------------------------------------------------

export interface Outcome {
  status: Exclude<TransactionStatus, 'processing'>;
  errorCode?: string;
  errorMessage?: string;
}
export const APPROVED: Outcome = { status: 'approved' };

/** The simulator's decision for a payout to a stored card reference, by its prefix. */
export function payoutOutcome(destination: string): Outcome {
  if (destination.startsWith('decline-')) return { status: 'declined', errorCode: 'DECLINED', errorMessage: "Receiver's issuer declined" };
  if (destination.startsWith('error-'))
    return { status: 'error', errorCode: 'PROCESSING_ERROR', errorMessage: 'Processing error at the receiving bank' };
  if (destination.startsWith('filtered-'))
    return { status: 'filtered', errorCode: 'FRAUD_FILTER', errorMessage: 'Rejected by the fraud filter' };
  return APPROVED;
}

/** The outcome the customer picks on a payment form. */
export function formOutcome(outcome: PaymentFormOutcome): Outcome {
  switch (outcome) {
    case 'approve':
      return APPROVED;
    case 'decline':
      return { status: 'declined', errorCode: 'DECLINED', errorMessage: 'Card declined' };
    case 'error':
      return { status: 'error', errorCode: 'PROCESSING_ERROR', errorMessage: 'Processing error at the card issuer' };
    case 'filtered':
      return { status: 'filtered', errorCode: 'FRAUD_FILTER', errorMessage: 'Rejected by the fraud filter' };
  }
}

export const isPayment = (order: SimulatedOrder) => order.kind !== 'payout';
/** A transaction that has not failed: still processing or approved. */
export const isLive = (t: SimulatedTransaction) => t.status === 'processing' || t.status === 'approved';
/** The transaction a form belongs to: the order's first one (payout, sale or preauth). */
export const formTransaction = (order: SimulatedOrder) => order.transactions[0];

const sumApproved = (txs: SimulatedTransaction[], keep: (t: SimulatedTransaction) => boolean) =>
  txs.filter((t) => t.status === 'approved' && keep(t)).reduce((acc, t) => acc + BigInt(t.amountMinor), 0n);

/** A payout order's money, or undefined when it moved none. */
export function payoutLedgerEntry(o: SimulatedOrder): PayoutLedgerEntry | undefined {
  const paid = sumApproved(o.transactions, (t) => t.type === 'payout');
  const reversed = sumApproved(o.transactions, (t) => t.type === 'return');
  if (paid === 0n && reversed === 0n) return undefined;
  return {
    orderId: o.orderId,
    clientOrderId: o.clientOrderId,
    paidMinor: paid.toString(),
    reversedMinor: reversed.toString(),
    currency: o.currency,
  };
}

export function paymentLedgerEntry(o: SimulatedOrder): PaymentLedgerEntry {
  const txs = o.transactions;
  const authorized = sumApproved(txs, (t) => t.type === 'preauth');
  const captures = sumApproved(txs, (t) => t.type === 'capture');
  const captured = sumApproved(txs, (t) => t.type === 'sale') + captures;
  const reversal = (t: SimulatedTransaction) => t.type === 'return' || t.type === 'void';
  const refunded = sumApproved(txs, (t) => reversal(t) && t.effect === 'refund');
  const released = sumApproved(txs, (t) => reversal(t) && t.effect === 'release');
  const voided = sumApproved(txs, (t) => t.type === 'void');
  const held = authorized - captures - released;
  return {
    orderId: o.orderId,
    clientOrderId: o.clientOrderId,
    currency: o.currency,
    authorizedMinor: authorized.toString(),
    capturedMinor: captured.toString(),
    refundedMinor: refunded.toString(),
    releasedMinor: released.toString(),
    voidedMinor: voided.toString(),
    heldMinor: (held > 0n ? held : 0n).toString(),
    takenMinor: (captured - refunded).toString(),
  };
}
