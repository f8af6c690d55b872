/**
 * The Payneteasy processing records (what payouts and payments hand to the platform, sealed): one zod
 * schema per flow, the record types inferred from them, version 1. A record that fails its check is
 * a deterministic impossibility: the adapter answers a FAILED step, never throws. Records sealed by
 * earlier code must keep parsing (replay histories and open CUWOs hold them): a field is only ever
 * added as optional; another shape needs a new version `v` and its own schema next to this one.
 */
import { z } from 'zod';
import { amountProblem } from '../../../contracts/money';
import type { ProviderOrder } from '../../../contracts/state';
import type { ProviderContext } from '../types';
import { PROVIDER } from './account';

/** The version every record written now carries. */
export const RECORD_VERSION = 1;

const text = z.string().min(1);
const money = z
  .object({ amount: z.string(), currency: z.string() })
  .refine((m) => amountProblem(m.amount, m.currency) === undefined, 'is not a valid amount');

/** What every Payneteasy record says about its order. */
const orderFields = {
  provider: z.literal(PROVIDER),
  clientOrderId: text,
  orderId: text.optional(),
  /** The serial number of the transaction that created the order (payout, sale, preauth). */
  serialNumber: text.optional(),
  /** When the order was created (the polling cadence counts from here). */
  createdAt: text.optional(),
  /** When the creating request first may have left (an order not found is judged from here). */
  sentAt: text.optional(),
  /** Since when the outcome is not known while we keep asking (`unknown` says why). */
  unknownSince: text.optional(),
};

/** What every record carries besides; version 1 wrote these without a check, so they are checked only for their type. */
const recordFields = {
  v: z.literal(RECORD_VERSION),
  account: z.string(),
  orderStage: z.string().optional(),
  /** The provider's form for the customer or receiver, while the provider shows one. */
  redirectUrl: z.string().optional(),
  /** The customer or receiver was shown the provider's form at some point. */
  formShown: z.boolean().optional(),
  errorCode: z.string().optional(),
  errorMessage: z.string().optional(),
  unknown: z.string().optional(),
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
    /** The stored card the payout goes to; without one the receiver fills the provider's form. */
    destination: text.optional(),
    stage: z.enum(PAYOUT_STAGES),
    returnSerialNumber: text.optional(),
    ...recordFields,
  })
  .superRefine(stageRules);

const paymentSchema = z
  .looseObject({
    ...orderFields,
    command: z.enum(['sale', 'preauth']),
    requested: money,
    /** What the provider actually authorized or captured (the customer may change the tip on the form). */
    processedAmount: money.optional(),
    stage: z.enum(PAYMENT_STAGES),
    captureSerialNumber: text.optional(),
    releaseSerialNumber: text.optional(),
    /** Whether the money had been captured when the release was sent: refund, not release. */
    releaseIsRefund: z.boolean().optional(),
    /** The command of the release: `void` (an authorization on its own day) or `return`; absent (older records): `return`. */
    releaseCommand: z.enum(['return', 'void']).optional(),
    ...recordFields,
  })
  .superRefine(stageRules);

export type PayoutRecord = z.infer<typeof payoutSchema>;
export type PaymentRecord = z.infer<typeof paymentSchema>;
/** Either record: what the shared order life (orders.ts, reversal.ts, learn.ts, steps.ts) reads and writes. */
export type OrderRecord = PayoutRecord | PaymentRecord;

export type Checked<R> = { ok: true; record: R } | { ok: false; problem: string };

function check<S extends z.ZodType>(schema: S, data: unknown, what: string): Checked<z.output<S>> {
  const parsed = schema.safeParse(data);
  return parsed.success
    ? { ok: true, record: parsed.data }
    : { ok: false, problem: `not a usable Payneteasy ${what} record: ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}` };
}
export const checkPayoutRecord = (data: unknown) => check(payoutSchema, data, 'payout');
export const checkPaymentRecord = (data: unknown) => check(paymentSchema, data, 'payment');

/**
 * The record an activity works from: what an earlier attempt of it last reported (it knows more,
 * e.g. that a reversal was sent), else what the activity was handed.
 */
export function recordToWorkOn<R extends OrderRecord>(
  data: unknown,
  ctx: ProviderContext,
  checker: (data: unknown) => Checked<R>,
): Checked<R> {
  const given = checker(data);
  const resumed = ctx.resumed ? checker(ctx.resumed) : undefined;
  if (resumed?.ok && (!given.ok || resumed.record.clientOrderId === given.record.clientOrderId)) return resumed;
  return given;
}

export const nowIso = () => new Date().toISOString();

export const orderOf = (record: OrderRecord): ProviderOrder =>
  record.orderId ? { clientOrderId: record.clientOrderId, orderId: record.orderId } : { clientOrderId: record.clientOrderId };
