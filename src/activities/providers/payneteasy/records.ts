/**
 * The Payneteasy processing records (what payouts and payments hand to the platform, sealed): their
 * shapes, their checks, and the bookkeeping both adapters share. A record that fails its check is a
 * deterministic impossibility: the adapter answers a FAILED step, never throws.
 */
import { z } from 'zod';
import { amountProblem, toMinorUnits, type Money } from '../../../contracts/money';
import type { ProviderOrder } from '../../../contracts';
import type { ProviderContext } from '../types';
import { DEFAULT_UNKNOWN_OUTCOME_WINDOW_MS, PROVIDER, type PayneteasyAccount } from './account';
import type { TransactionView } from './outcome';

/** What every Payneteasy processing record carries about its order. */
export interface OrderFields {
  clientOrderId: string;
  orderId?: string;
  /** The serial number of the transaction that created the order (payout, sale, preauth). */
  serialNumber?: string;
  orderStage?: string;
  /** When the order was created (the polling cadence counts from here). */
  createdAt?: string;
  /** When the creating request first may have left (an order not found is judged from here). */
  sentAt?: string;
  redirectUrl?: string;
  /** The customer or receiver was shown the provider's form at some point. */
  formShown?: boolean;
  errorCode?: string;
  errorMessage?: string;
  /** Since when, and why, the outcome is not known while we keep asking. */
  unknownSince?: string;
  unknown?: string;
}

const text = z.string().min(1);
const money = z
  .object({ amount: z.string(), currency: z.string() })
  .refine((m) => amountProblem(m.amount, m.currency) === undefined, 'is not a valid amount');
const orderFields = {
  provider: z.literal(PROVIDER),
  clientOrderId: text,
  orderId: text.optional(),
  serialNumber: text.optional(),
  createdAt: text.optional(),
  sentAt: text.optional(),
  unknownSince: text.optional(),
};

export const PAYOUT_STAGES = [
  'SENDING', // the payout request may have reached the provider; no answer yet
  'NOT_SENT', // the connection was refused on the first possible send: provably nothing sent
  'REJECTED', // the provider refused the request on the first possible send: no order of ours
  'CONFLICT', // another execution owns the client_orderid: nothing here may act on its order
  'PROCESSING',
  'APPROVED',
  'DECLINED',
  'ERROR',
  'FILTERED',
  'RETURN_SENDING', // a reversal (`return`) may have been sent
  'RETURN_PROCESSING',
  'RETURNED',
  'RETURN_DECLINED',
] as const;
export type PayoutStage = (typeof PAYOUT_STAGES)[number];

export const PAYMENT_STAGES = [
  'SENDING',
  'NOT_SENT',
  'REJECTED',
  'CONFLICT',
  'PROCESSING', // the order exists; the customer's form or the provider is still working
  'AUTHORIZED',
  'CAPTURED',
  'DECLINED',
  'ERROR',
  'FILTERED',
  'CAPTURE_SENDING', // a capture may have been sent
  'CAPTURE_PROCESSING',
  'RELEASE_SENDING', // a return (release of an authorization, or refund) may have been sent
  'RELEASE_PROCESSING',
  'RELEASED',
  'REFUNDED',
  'RELEASE_DECLINED',
] as const;
export type PaymentStage = (typeof PAYMENT_STAGES)[number];

/** Stages that name an order we own, and the serials they need. */
const NEEDS_ORDER = new Set<string>([
  'PROCESSING',
  'APPROVED',
  'RETURN_SENDING',
  'RETURN_PROCESSING',
  'RETURNED',
  'RETURN_DECLINED',
  'AUTHORIZED',
  'CAPTURED',
  'CAPTURE_SENDING',
  'CAPTURE_PROCESSING',
  'RELEASE_SENDING',
  'RELEASE_PROCESSING',
  'RELEASED',
  'REFUNDED',
  'RELEASE_DECLINED',
]);
const NEEDS_SERIAL: Record<string, string> = {
  RETURN_PROCESSING: 'returnSerialNumber',
  CAPTURE_PROCESSING: 'captureSerialNumber',
  RELEASE_PROCESSING: 'releaseSerialNumber',
};

function stageRules(record: { stage: string; orderId?: string } & Record<string, unknown>, ctx: z.RefinementCtx) {
  if (NEEDS_ORDER.has(record.stage) && !record.orderId)
    ctx.addIssue({ code: 'custom', message: `stage ${record.stage} needs an orderId`, path: ['orderId'] });
  const serial = NEEDS_SERIAL[record.stage];
  if (serial && typeof record[serial] !== 'string')
    ctx.addIssue({ code: 'custom', message: `stage ${record.stage} needs ${serial}`, path: [serial] });
}

const payoutSchema = z
  .looseObject({
    ...orderFields,
    amount: money,
    destination: text.optional(),
    stage: z.enum(PAYOUT_STAGES),
    returnSerialNumber: text.optional(),
  })
  .superRefine(stageRules);
const paymentSchema = z
  .looseObject({
    ...orderFields,
    command: z.enum(['sale', 'preauth']),
    requested: money,
    processedAmount: money.optional(),
    stage: z.enum(PAYMENT_STAGES),
    captureSerialNumber: text.optional(),
    releaseSerialNumber: text.optional(),
    releaseIsRefund: z.boolean().optional(),
  })
  .superRefine(stageRules);

export interface PayoutRecord extends OrderFields {
  v: 1;
  provider: typeof PROVIDER;
  account: string;
  amount: Money;
  /** The stored card the payout goes to; without one the receiver fills the provider's form. */
  destination?: string;
  stage: PayoutStage;
  returnSerialNumber?: string;
}

export interface PaymentRecord extends OrderFields {
  v: 1;
  provider: typeof PROVIDER;
  account: string;
  command: 'sale' | 'preauth';
  requested: Money;
  /** What the provider actually authorized or captured (the customer may change the tip on the form). */
  processedAmount?: Money;
  stage: PaymentStage;
  captureSerialNumber?: string;
  releaseSerialNumber?: string;
  /** Whether the money had been captured when the release was sent: refund, not release. */
  releaseIsRefund?: boolean;
}

export type Checked<R> = { ok: true; record: R } | { ok: false; problem: string };

function check<R>(schema: z.ZodType, data: unknown, what: string): Checked<R> {
  const parsed = schema.safeParse(data);
  return parsed.success
    ? { ok: true, record: parsed.data as R }
    : { ok: false, problem: `not a usable Payneteasy ${what} record: ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}` };
}
export const checkPayoutRecord = (data: unknown) => check<PayoutRecord>(payoutSchema, data, 'payout');
export const checkPaymentRecord = (data: unknown) => check<PaymentRecord>(paymentSchema, data, 'payment');

/**
 * The record to work from: what an earlier attempt of this activity last reported (it knows more,
 * e.g. that a reversal was sent), else what the activity was handed.
 */
export function resumeFrom<R extends OrderFields>(
  given: Checked<R>,
  ctx: ProviderContext,
  checker: (data: unknown) => Checked<R>,
): Checked<R> {
  const resumed = ctx.resumed ? checker(ctx.resumed) : undefined;
  if (resumed?.ok && (!given.ok || resumed.record.clientOrderId === given.record.clientOrderId)) return resumed;
  return given;
}

export const nowIso = () => new Date().toISOString();

export const orderOf = (record: OrderFields): ProviderOrder =>
  record.orderId ? { clientOrderId: record.clientOrderId, orderId: record.orderId } : { clientOrderId: record.clientOrderId };

/** The record once a known state was learned: no longer unknown. */
export function known<R extends OrderFields>(record: R): R {
  const { unknownSince: _since, unknown: _why, ...rest } = record;
  return rest as R;
}

/**
 * The record while its outcome stays unknown, and whether the window to learn it is over. An order
 * not found counts from when its request may have left; anything else from when it became unknown.
 */
export function stillUnknown<R extends OrderFields>(
  record: R,
  why: string,
  account: PayneteasyAccount,
  notFound: boolean,
): { record: R; over: boolean } {
  const since = record.unknownSince ?? nowIso();
  const start = Date.parse(notFound && !record.orderId && record.sentAt ? record.sentAt : since);
  const windowMs = account.unknownOutcomeWindowMs ?? DEFAULT_UNKNOWN_OUTCOME_WINDOW_MS;
  return { record: { ...record, unknownSince: since, unknown: why }, over: Number.isNaN(start) || Date.now() - start >= windowMs };
}

/** The window, for messages. */
export function windowText(account: PayneteasyAccount): string {
  const ms = account.unknownOutcomeWindowMs ?? DEFAULT_UNKNOWN_OUTCOME_WINDOW_MS;
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${ms} ms`;
}

/** The fields a status answer updates on the record of the transaction it was about. */
export function seen<R extends OrderFields>(record: R, view: TransactionView): R {
  return {
    ...record,
    orderId: record.orderId ?? view.orderId,
    orderStage: view.orderStage ?? record.orderStage,
    createdAt: record.createdAt ?? nowIso(),
    redirectUrl: view.redirectUrl,
    formShown: record.formShown || Boolean(view.redirectUrl),
    errorCode: view.errorCode,
    errorMessage: view.errorMessage,
  };
}

export type Ownership = 'ours' | 'not-ours' | 'cannot-tell';
const CREATIONS = new Set(['payout', 'sale', 'preauth']);

/**
 * Whether the order a status answer shows (found by client_orderid alone) is the one our record asked
 * for. 'not-ours' needs a fact that differs; 'ours' needs every fact the record has to match.
 */
export function ownership(
  expected: { type: string; amount: Money; destination?: string; amountMayChange: boolean },
  view: TransactionView,
): Ownership {
  if (CREATIONS.has(view.type) && view.type !== expected.type) return 'not-ours';
  if (view.currency !== undefined && view.currency !== expected.amount.currency) return 'not-ours';
  if (view.destination !== undefined && view.destination !== expected.destination) return 'not-ours';
  if (view.type !== expected.type || view.minor === undefined) return 'cannot-tell';
  if (view.minor !== toMinorUnits(expected.amount)) return expected.amountMayChange ? 'cannot-tell' : 'not-ours';
  if (expected.destination !== undefined && view.destination === undefined) return 'cannot-tell';
  return 'ours';
}
