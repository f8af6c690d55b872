/**
 * Shared CUWO types. The platform names these types but does not publish them, so their shape
 * here is OUR definition (see README "Contracts"): each object may carry an `@type` (NFON), whose
 * value we do not check because the platform's class names for these are unknown. The top-level
 * CUWO structures, whose `@type` strings the specification gives, are checked exactly.
 */
import { z } from 'zod';
import { amountProblem, toMinorUnits } from './money';

const nfonType = z.string().optional();
const text = z.string().min(1, 'must not be empty');

export const moneySchema = z
  .object({ '@type': nfonType, amount: z.string(), currency: z.string() })
  .superRefine((money, ctx) => {
    const problem = amountProblem(money.amount, money.currency);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['amount'] });
  });

/** A money amount that must be strictly greater than zero (requested payouts and payments). */
export const positiveMoneySchema = moneySchema.superRefine((money, ctx) => {
  if (!amountProblem(money.amount, money.currency) && toMinorUnits(money) === 0n) {
    ctx.addIssue({ code: 'custom', message: 'amount must be greater than zero', path: ['amount'] });
  }
});

/** DataList<T>: an NFON list; ours is a plain JSON array. */
export const dataList = <T extends z.ZodTypeAny>(item: T) => z.array(item);

export const invoiceOrCreditMemoInformationSchema = z.object({
  '@type': nfonType,
  documentType: z.enum(['INVOICE', 'CREDIT_MEMO']),
  documentID: text,
  documentNumber: z.string().optional(),
  totalAmount: moneySchema.optional(),
});

export const customerInformationSchema = z.object({
  '@type': nfonType,
  customerID: z.string().optional(),
  name: z.string().optional(),
  email: z.string().optional(),
  phone: z.string().optional(),
});

/**
 * How the customer is known to the external method. Payout destinations are identifiers:
 * `UPI_VPA` (disburseFunds), `CARD_REFERENCE` / `BANK_ACCOUNT` (Payneteasy).
 */
export const customerIdentifierSchema = z.object({
  '@type': nfonType,
  identifierType: text,
  identifier: text,
});

export const cuwoContextInformationSchema = z.object({
  '@type': nfonType,
  tenantID: z.string().optional(),
  storeID: z.string().optional(),
  terminalID: z.string().optional(),
  userID: z.string().optional(),
  locale: z.string().optional(),
});

/**
 * Names the external method and the provider account the worker uses. Secrets are never here:
 * `accountName` is resolved to credentials from the worker's own configuration.
 * `options` carries non-secret per-method settings (e.g. amount policy for payments).
 */
export const paymentMethodConfigurationSchema = z.object({
  '@type': nfonType,
  paymentMethodID: text,
  accountName: text,
  options: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});

export const customDocumentInformationSchema = z.object({
  '@type': nfonType,
  label: text,
  value: z.string(),
});

export type InvoiceOrCreditMemoInformation = z.infer<typeof invoiceOrCreditMemoInformationSchema>;
export type CustomerInformation = z.infer<typeof customerInformationSchema>;
export type CustomerIdentifier = z.infer<typeof customerIdentifierSchema>;
export type CUWOContextInformation = z.infer<typeof cuwoContextInformationSchema>;
export type PaymentMethodConfiguration = z.infer<typeof paymentMethodConfigurationSchema>;
export type CustomDocumentInformation = z.infer<typeof customDocumentInformationSchema>;

/** "requestedAmount.amount: malformed amount ..." for every issue, so the message names the field. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

/** Parses `input`, returning either the data or a message that names every offending field. */
export function parseWith<T extends z.ZodTypeAny>(
  schema: T,
  input: unknown,
): { ok: true; value: z.infer<T> } | { ok: false; message: string } {
  const parsed = schema.safeParse(input);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, message: describeIssues(parsed.error) };
}
