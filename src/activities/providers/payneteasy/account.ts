/** A Payneteasy merchant account as the worker configures it (secrets resolved by src/config.ts). */
import { z } from 'zod';
import { DEFAULT_RECEIVER_ABANDONED_CODES } from './codes';

export const PROVIDER = 'payneteasy';
export const DEFAULT_UNKNOWN_OUTCOME_WINDOW_MS = 60 * 60_000;

/** A duration in milliseconds, `fallback` when absent. */
const ms = (fallback: number) => z.number().int().positive().default(fallback);

export const payneteasyAccountSchema = z.object({
  provider: z.literal(PROVIDER),
  /** The gate's base, e.g. https://gate.payneteasy.com/paynet/ ; commands are appended as api/<command>/<endpointId>. */
  baseUrl: z.url(),
  endpointId: z.string().min(1),
  login: z.string().min(1),
  controlKey: z.string().min(1),
  privateKeyPem: z.string().refine((pem) => pem.includes('PRIVATE KEY'), 'must be a PEM-encoded private key'),
  /** Base URL of our callback receiver for this account; the CUWO's workflow id is appended. */
  callbackUrl: z.url().optional(),
  /** Whether the endpoint lets `return` reverse an approved payout (a contract matter, so configuration). */
  payoutReversal: z.boolean().default(false),
  receiverAbandonedCodes: z.array(z.string()).default(DEFAULT_RECEIVER_ABANDONED_CODES),
  timeoutMs: z.number().int().positive().default(15_000),
  /**
   * How long an outcome may stay unknown while we keep asking (no such order while the request may be
   * on its way, an undocumented status) before the step fails OUTCOME_UNKNOWN, flagged for a person.
   * Default (when absent): the provider's polling horizon, an hour, after which it says to rely on callbacks.
   */
  unknownOutcomeWindowMs: z.number().int().positive().optional(),
  /** The provider's advice: every 3-5 s for the first minutes, then every 5-10 min up to an hour, then rarely. */
  polling: z
    .object({
      fastIntervalMs: ms(4_000),
      fastPhaseMs: ms(5 * 60_000),
      slowIntervalMs: ms(5 * 60_000),
      slowPhaseMs: ms(60 * 60_000),
      lateIntervalMs: ms(60 * 60_000),
    })
    .default({
      fastIntervalMs: 4_000,
      fastPhaseMs: 5 * 60_000,
      slowIntervalMs: 5 * 60_000,
      slowPhaseMs: 60 * 60_000,
      lateIntervalMs: 60 * 60_000,
    }),
});
export type PayneteasyAccount = z.infer<typeof payneteasyAccountSchema>;
