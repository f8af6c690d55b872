/**
 * What paymentMethodConfiguration.options may say about a payment (our definition; the platform's
 * EPM configuration is not public):
 *   captureMode   "CAPTURE" (default: take the money at once) | "AUTHORIZE" (reserve it; CapturePayment takes it)
 *   amountPolicy  which processed amount the CUWO accepts from the provider (docs/spec/authorize-or-capture-payment.txt):
 *     "EXACT" (default)  exactly the requested amount
 *     "ALLOW_LESS"       up to the requested amount: the tip reduced first, then a partial payment
 *     "ALLOW_MORE"       at least the requested amount: any excess is an extra tip
 *     "ALLOW_ANY"        any positive amount
 */
import { z } from 'zod';
import { describeIssues } from './common';
import { amountProblem, formatMoney, toMinorUnits, type Money } from './money';

export const paymentOptionsSchema = z.strictObject({
  captureMode: z.enum(['CAPTURE', 'AUTHORIZE']).default('CAPTURE'),
  amountPolicy: z.enum(['EXACT', 'ALLOW_LESS', 'ALLOW_MORE', 'ALLOW_ANY']).default('EXACT'),
});
export type PaymentOptions = z.infer<typeof paymentOptionsSchema>;

export function parsePaymentOptions(options: unknown): { ok: true; value: PaymentOptions } | { ok: false; message: string } {
  const parsed = paymentOptionsSchema.safeParse(options ?? {});
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, message: describeIssues(parsed.error).replace(/^/gm, 'paymentMethodConfiguration.options.') };
}

/**
 * Why `processed` is not acceptable for `requested` under `policy`, or undefined when it is. Runs in
 * workflow code on what the provider answered, so it never throws: an amount that cannot be read is a mismatch.
 */
export function amountPolicyViolation(policy: PaymentOptions['amountPolicy'], requested: Money, processed: Money): string | undefined {
  const unreadable = amountProblem(String(processed?.amount), String(processed?.currency));
  if (unreadable) return `the provider's processed amount cannot be read (${unreadable}); requested ${formatMoney(requested)}`;
  if (processed.currency !== requested.currency) {
    return `the provider processed ${formatMoney(processed)}, a different currency than the requested ${formatMoney(requested)}`;
  }
  const got = toMinorUnits(processed);
  const wanted = toMinorUnits(requested);
  const ok = {
    EXACT: got === wanted,
    ALLOW_LESS: got > 0n && got <= wanted,
    ALLOW_MORE: got >= wanted,
    ALLOW_ANY: got > 0n,
  }[policy];
  return ok
    ? undefined
    : `the provider processed ${formatMoney(processed)} for a requested ${formatMoney(requested)}, ` +
        `which amount policy ${policy} does not allow`;
}

/**
 * PaymentRequest's own options (the platform's side, not the spec's): the orchestrator's second
 * argument, set by the client (`startCuwo(..., { paymentRequest })`) and the CLI (`--no-capture`,
 * `--completion-timeout`).
 */
export const paymentRequestOptionsSchema = z.strictObject({
  /** Capture an AUTHORIZED payment right away with CapturePayment (default true). */
  capture: z.boolean().optional(),
  /** How long to wait for the POS side to complete or abort after success (default 15 minutes); then it counts as complete. */
  completionTimeoutMs: z
    .number()
    .int()
    .min(1_000)
    .max(30 * 24 * 3_600_000)
    .optional(),
});
export type PaymentRequestOptions = z.infer<typeof paymentRequestOptionsSchema>;
export const DEFAULT_COMPLETION_TIMEOUT_MS = 15 * 60_000;

export function parsePaymentRequestOptions(options: unknown): { ok: true; value: PaymentRequestOptions } | { ok: false; message: string } {
  const parsed = paymentRequestOptionsSchema.safeParse(options ?? {});
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, message: describeIssues(parsed.error).replace(/^/gm, 'PaymentRequest options.') };
}
