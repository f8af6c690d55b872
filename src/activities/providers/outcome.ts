/**
 * The money rule, as a type. Every exchange with a provider is exactly one of:
 *   DONE      the provider confirmed it happened
 *   NOT_DONE  the provider confirmed it did not happen, or the request provably never left
 *   UNKNOWN   anything else (timeout, reset, 5xx, 408/429, an unreadable or incomplete body, an
 *             undocumented status, an amount that cannot be read)
 * UNKNOWN is never reported as "nothing moved": the caller retries the idempotent request or asks
 * the provider's status, and where that cannot settle it, fails flagged for reconciliation.
 * Each protocol decides it in one pure, total function with its table (`<provider>/outcome.ts`).
 */
export type Classified<Done, NotDone> =
  { outcome: 'DONE'; done: Done } | { outcome: 'NOT_DONE'; notDone: NotDone } | { outcome: 'UNKNOWN'; why: string };
