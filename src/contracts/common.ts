/**
 * Shared CUWO types. The platform names these types but does not publish them, so their shape
 * here is OUR definition (see README "Contracts"): each object may carry an `@type` (NFON), whose
 * value we do not check because the platform's class names for these are unknown. The top-level
 * CUWO structures, whose `@type` strings the specification gives, are checked exactly.
 */
import { z } from 'zod';
import { amountProblem, toMinorUnits } from './money';

/**
 * Bounds on every string the CUWOs accept (our definition; README "Contracts"): input that exceeds
 * them is refused as INVALID_PARAMETERS naming the field, by the client and the workflow alike, so no
 * oversized value reaches a provider, a search attribute or a history.
 */
export const BOUNDS = {
  /** payoutRequestID / paymentRequestID and other ids (Payneteasy's client_orderid allows 128). */
  id: 128,
  /** Integer digits of an amount: below one trillion units, so micros stay inside int64 for every currency. */
  amountIntegerDigits: 12,
  /** Document numbers end up in the provider's transaction description. */
  documentNumber: 64,
  name: 256,
  email: 254,
  phone: 32,
  shortCode: 64,
  identifier: 256,
  reference: 256,
  /** Processing data is our own sealed JSON (a few hundred bytes); anything far larger is not ours. */
  processingData: 32 * 1024,
  listEntries: 20,
  optionEntries: 32,
  optionValue: 256,
  customDocumentValue: 1024,
} as const;
export const MAX_REQUEST_ID_LENGTH = BOUNDS.id;

/** A string of at most `max` characters. */
export const bounded = (max: number) => z.string().max(max, `must be at most ${max} characters`);
/** A required string: not empty, not only blanks, at most `max` characters. */
export const required = (max: number) => bounded(max).refine((value) => value.trim().length > 0, 'must not be empty');
/** An id: 1..128 characters, not blank. */
export const idSchema = required(BOUNDS.id);
const nfonType = bounded(BOUNDS.identifier).optional();
const text = required(BOUNDS.identifier);
const amountText = bounded(BOUNDS.amountIntegerDigits + 8);

export const moneySchema = z.object({ '@type': nfonType, amount: amountText, currency: bounded(3) }).superRefine((money, ctx) => {
  if (money.amount.length > BOUNDS.amountIntegerDigits + 8 || money.currency.length > 3) return; // reported by the field schemas
  const problem = amountProblem(money.amount, money.currency);
  if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['amount'] });
  else if (money.amount.split('.')[0].length > BOUNDS.amountIntegerDigits) {
    ctx.addIssue({ code: 'custom', message: `must be below 10^${BOUNDS.amountIntegerDigits} ${money.currency}`, path: ['amount'] });
  }
});

/** A money amount that must be strictly greater than zero (requested payouts and payments). */
export const positiveMoneySchema = moneySchema.superRefine((money, ctx) => {
  if (!amountProblem(money.amount, money.currency) && toMinorUnits(money) === 0n) {
    ctx.addIssue({ code: 'custom', message: 'amount must be greater than zero', path: ['amount'] });
  }
});

/** DataList<T>: an NFON list; ours is a plain JSON array of at most BOUNDS.listEntries entries. */
export const dataList = <T extends z.ZodTypeAny>(item: T) =>
  z.array(item).max(BOUNDS.listEntries, `must have at most ${BOUNDS.listEntries} entries`);

export const invoiceOrCreditMemoInformationSchema = z.object({
  '@type': nfonType,
  documentType: z.enum(['INVOICE', 'CREDIT_MEMO']),
  documentID: idSchema,
  documentNumber: bounded(BOUNDS.documentNumber).optional(),
  totalAmount: moneySchema.optional(),
});

export const customerInformationSchema = z.object({
  '@type': nfonType,
  customerID: bounded(BOUNDS.id).optional(),
  name: bounded(BOUNDS.name).optional(),
  email: bounded(BOUNDS.email).optional(),
  phone: bounded(BOUNDS.phone).optional(),
});

/**
 * How the customer is known to the external method. Payout destinations are identifiers:
 * `UPI_VPA` (disburseFunds), `CARD_REFERENCE` / `BANK_ACCOUNT` (Payneteasy).
 */
export const customerIdentifierSchema = z.object({
  '@type': nfonType,
  identifierType: required(BOUNDS.shortCode),
  identifier: text,
});

export const cuwoContextInformationSchema = z.object({
  '@type': nfonType,
  tenantID: bounded(BOUNDS.id).optional(),
  storeID: bounded(BOUNDS.id).optional(),
  terminalID: bounded(BOUNDS.id).optional(),
  userID: bounded(BOUNDS.id).optional(),
  locale: bounded(BOUNDS.shortCode).optional(),
});

/**
 * Names the external method and the provider account the worker uses. Secrets are never here:
 * `accountName` is resolved to credentials from the worker's own configuration.
 * `options` carries non-secret per-method settings (e.g. amount policy for payments).
 */
export const paymentMethodConfigurationSchema = z.object({
  '@type': nfonType,
  paymentMethodID: idSchema,
  accountName: idSchema,
  options: z
    .record(bounded(BOUNDS.shortCode), z.union([bounded(BOUNDS.optionValue), z.number(), z.boolean()]))
    .refine((options) => Object.keys(options).length <= BOUNDS.optionEntries, `must have at most ${BOUNDS.optionEntries} entries`)
    .optional(),
});

export const customDocumentInformationSchema = z.object({
  '@type': nfonType,
  label: required(BOUNDS.shortCode),
  value: bounded(BOUNDS.customDocumentValue),
});

/** Reference and processing data handed back to a follow-up CUWO (CapturePayment, CancelPayment, CancelPayout). */
export const referenceSchema = bounded(BOUNDS.reference).optional();
export const processingDataSchema = bounded(BOUNDS.processingData).optional();

export type InvoiceOrCreditMemoInformation = z.infer<typeof invoiceOrCreditMemoInformationSchema>;
export type CustomerInformation = z.infer<typeof customerInformationSchema>;
export type CustomerIdentifier = z.infer<typeof customerIdentifierSchema>;
export type CUWOContextInformation = z.infer<typeof cuwoContextInformationSchema>;
export type PaymentMethodConfiguration = z.infer<typeof paymentMethodConfigurationSchema>;
export type CustomDocumentInformation = z.infer<typeof customDocumentInformationSchema>;

/** "requestedAmount.amount: malformed amount ..." for every issue, so the message names the field. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`).join('; ');
}

/** Parses `input`, returning either the data or a message that names every offending field. */
export function parseWith<T extends z.ZodTypeAny>(
  schema: T,
  input: unknown,
): { ok: true; value: z.infer<T> } | { ok: false; message: string } {
  const parsed = schema.safeParse(input);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, message: describeIssues(parsed.error) };
}
