/**
 * A disburseFunds account as the worker configures it (secrets resolved by src/config.ts), read through
 * the descriptor by the config and the registry. What each field is for: docs/disburse-funds.md,
 * "What the code relies on".
 */
import { z } from 'zod';

export const PROVIDER = 'disburse-funds';

export const disburseFundsAccountSchema = z.object({
  provider: z.literal(PROVIDER),
  /** The request goes to `<baseUrl>v1/disburseFunds`. */
  baseUrl: z.url(),
  /** Half of the idempotency key (with the requestId); a retry keeps the one its first send used. */
  paymentIntegratorAccountId: z.string().min(1),
  /** This project's transport: plain JSON with a bearer token (the protocol's PGP / JWE layer is not implemented). */
  bearerToken: z.string().min(1),
  timeoutMs: z.number().int().positive().default(15_000),
});
export type DisburseFundsAccount = z.infer<typeof disburseFundsAccountSchema>;
