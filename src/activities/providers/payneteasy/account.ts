/** A Payneteasy merchant account as the worker configures it (secrets resolved by src/config.ts). */
import { z } from 'zod';
import { DEFAULT_RECEIVER_ABANDONED_CODES } from './codes';

export const PROVIDER = 'payneteasy';
export const DEFAULT_UNKNOWN_OUTCOME_WINDOW_MS = 60 * 60_000;

/** A duration in milliseconds, `fallback` when absent. */
const ms = (fallback: number) => z.number().int().positive().default(fallback);

/** Error codes of a refused or declined `void` meaning "too late to void": the release falls back to `return`. */
export const DEFAULT_NOT_VOIDABLE_CODES = ['NOT_VOIDABLE'];
/** The time zone the provider's day is counted in (a void is only possible on the authorization's day). */
export const DEFAULT_PROVIDER_TIME_ZONE = 'UTC';

/** Customer and order fields an endpoint may require on the creating requests; the account gives their values. */
export const CUSTOMER_FIELDS = [
  'ipaddress',
  'purpose',
  'first_name',
  'last_name',
  'address1',
  'city',
  'state',
  'zip_code',
  'country',
  'phone',
] as const;
export type CustomerField = (typeof CUSTOMER_FIELDS)[number];

const isTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat('en-CA', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' });
const plain = (max: number) => z.string().trim().min(1).max(max);

/** Values only, never secrets: they travel in the request body and the provider's records. */
const customerFieldsSchema = z.strictObject({
  ipaddress: z.union([z.ipv4(), z.ipv6()], { error: 'must be an IPv4 or IPv6 address' }).optional(),
  purpose: plain(128).optional(),
  first_name: plain(50).optional(),
  last_name: plain(50).optional(),
  address1: plain(128).optional(),
  city: plain(50).optional(),
  state: plain(3).optional(),
  zip_code: plain(10).optional(),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code (2 capital letters)')
    .optional(),
  phone: plain(15).optional(),
});

export const payneteasyAccountSchema = z
  .object({
    provider: z.literal(PROVIDER),
    /** The gate's base, e.g. https://gate.payneteasy.com/paynet/ ; commands are appended as api/<command>/<endpointId>. */
    baseUrl: z.url(),
    /** Exactly one of the two: commands go to api/<command>/<endpointId> or api/<command>/group/<endpointGroupId>. */
    endpointId: z.string().min(1).optional(),
    endpointGroupId: z.string().min(1).optional(),
    login: z.string().min(1),
    controlKey: z.string().min(1),
    privateKeyPem: z.string().refine((pem) => pem.includes('PRIVATE KEY'), 'must be a PEM-encoded private key'),
    /** Base URL of our callback receiver for this account; the CUWO's workflow id is appended. */
    callbackUrl: z.url().optional(),
    /** Where the provider sends the receiver's or customer's browser after its form (seed 003 step 9), as `redirect_url`. */
    redirectUrl: httpUrl.optional(),
    /** Values sent on payouts and sale-form / preauth-form (ipaddress, purpose, customer address). */
    customerFields: customerFieldsSchema.optional(),
    /** The fields the endpoint requires on those requests: each must have a value in customerFields. */
    requiredFields: z.array(z.enum(CUSTOMER_FIELDS)).optional(),
    /** The IANA time zone of the provider's day (a same-day authorization is released by `void`); default UTC. */
    providerTimeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as UTC or Europe/Berlin').optional(),
    /** Codes of a `void` refused or declined as too late (then `return` releases instead); default NOT_VOIDABLE. */
    notVoidableCodes: z.array(z.string().min(1)).optional(),
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
  })
  .superRefine((account, ctx) => {
    if ((account.endpointId === undefined) === (account.endpointGroupId === undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['endpointId'],
        message: 'configure exactly one of endpointId and endpointGroupId (commands go to one endpoint or to one endpoint group)',
      });
    for (const name of account.requiredFields ?? [])
      if (account.customerFields?.[name] === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['customerFields', name],
          message: `is required by the endpoint (requiredFields) but has no value`,
        });
  });
export type PayneteasyAccount = z.infer<typeof payneteasyAccountSchema>;

/** Where an account's commands go: `<command>/<id>` for an endpoint, `<command>/group/<id>` for an endpoint group. */
export interface Route {
  kind: 'endpoint' | 'group';
  /** The endpoint or group id: the path's last segment, and the first part of the sale / preauth control. */
  id: string;
}

/** The route of an account the schema checked; throws on an account built around it (a defect, not provider data). */
export function routeOf(account: Pick<PayneteasyAccount, 'endpointId' | 'endpointGroupId'>): Route {
  if (account.endpointId !== undefined && account.endpointGroupId === undefined) return { kind: 'endpoint', id: account.endpointId };
  if (account.endpointGroupId !== undefined && account.endpointId === undefined) return { kind: 'group', id: account.endpointGroupId };
  throw new Error('a Payneteasy account needs exactly one of endpointId and endpointGroupId');
}
