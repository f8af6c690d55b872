/**
 * HTTP simulator of the Payneteasy merchant API.
 * Payout part (seed 003): `/api/v4/payout` signed with OAuth 1.0a RSA-SHA256, `/api/v2/status` and
 * `/api/v2/return` signed with the SHA-1 `control`, the receiver form some payout methods need, and the
 * Connecting Party callback with its retries.
 * Payments part: `/api/v2/sale-form` and `/api/v2/preauth-form` (the customer enters card data on the
 * simulator's form, never the merchant), `/api/v2/capture`, `/api/v2/return` (refund, or release of an
 * uncaptured preauth) and `/api/v2/void`, all signed with the SHA-1 `control`, plus a payments ledger.
 *
 * The OAuth verification is written here from RFC 5849 on purpose: the project's client uses a
 * library, and a simulator sharing that library would accept whatever the library gets wrong.
 *
 * Model: an order (paynet-order-id) holds transactions of a type (`payout`, `return`, `sale`, `preauth`,
 * `capture`, `void`), each with its own serial number and status. `processing` turns final after
 * `processingMs`; the final status is what status polling and the callback report.
 *
 * Faults (503, lost answer after processing, dropped request, latency) let tests reproduce
 * "outcome unknown" situations. Plain HTTP, admin endpoints without auth: loopback use only.
 */
import { createHash, createPublicKey, randomUUID, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';

export interface SimulatedMerchant {
  endpointId: string; // path segment ENDPOINTID
  login: string; // OAuth consumer key and `login` field
  controlKey: string; // merchant_control secret (SHA-1 controls, callbacks)
  publicKeyPem: string; // RSA public key that verifies the merchant's OAuth RSA-SHA256 signatures
  payoutReversal?: boolean; // whether `return` may reverse an approved payout (default false)
}

export type PayneteasyFault =
  | { kind: 'latency'; ms: number; count?: number } // delay the answer (after processing)
  | { kind: 'unavailable'; count?: number } // HTTP 503, nothing processed
  | { kind: 'drop-after-processing'; count?: number } // process (order created), then destroy the socket unanswered
  | { kind: 'drop-before-processing'; count?: number }
  // The next `count` (default 1) transactions of this type end declined with error-code `<TYPE>_DECLINED`.
  // Consumed when such a transaction is created (an idempotent repeat creates none), not per HTTP request.
  | { kind: 'decline-next'; transactionType: DeclinableTransactionType; count?: number };

export type DeclinableTransactionType = 'capture' | 'return' | 'void' | 'sale' | 'preauth';

export type CallbackMode = 'deliver' | 'drop' | 'duplicate'; // drop = never sent; duplicate = sent twice

export type TransactionStatus = 'processing' | 'approved' | 'declined' | 'error' | 'filtered';

export type TransactionType = 'payout' | 'return' | 'sale' | 'preauth' | 'capture' | 'void';

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
  redirectUrl?: string; // payments: where the customer's browser returns after the form
  formUrl?: string;
  formCompleted: boolean;
  serverCallbackUrl?: string;
  transactions: SimulatedTransaction[];
}

export interface CallbackAttempt {
  url: string; // server_callback_url as the merchant sent it; the parameters below were added to its query
  query: Record<string, string>;
  httpStatus: number | 'network-error';
  at: string;
}

export interface PayneteasySimulatorOptions {
  merchants: SimulatedMerchant[];
  host?: string;
  port?: number;
  processingMs?: number; // time a transaction stays `processing` before its final status (default 1000)
  formTtlMs?: number; // a receiver form not completed within this time declines the payout with FORM_EXPIRED (default 60_000)
  callbackRetryMs?: number; // retry interval for callbacks answered non-200 / network error (default 500, at most 5 attempts)
}

export type PaymentFormOutcome = 'approve' | 'decline' | 'error' | 'filtered';

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

export interface PayneteasySimulator {
  readonly url: string; // base, e.g. http://127.0.0.1:PORT (API under `${url}/paynet/api/`)
  orders(): SimulatedOrder[];
  /**
   * Money actually paid out, per order that moved money: `paidMinor` = approved payout transactions,
   * `reversedMinor` = approved returns (net paid = paidMinor - reversedMinor).
   */
  ledger(): Array<{ orderId: string; clientOrderId: string; paidMinor: string; reversedMinor: string; currency: string }>;
  /** One entry per payment order (sale-form / preauth-form), whatever its outcome. */
  paymentLedger(): PaymentLedgerEntry[];
  callbacks(): CallbackAttempt[];
  injectFault(f: PayneteasyFault): void;
  setCallbackMode(mode: CallbackMode): void; // applies to callbacks sent from now on (default 'deliver')
  /**
   * What the receiver (payout) or the customer (payment) submitting the form does. The options are for
   * payment forms only (a payout form refuses them); the payment's final status follows after processingMs.
   */
  completeForm(orderId: string, options?: CompleteFormOptions): void;
  close(): Promise<void>; // also stops timers and pending callbacks
}

const API = '/paynet/api';
const FORM_PATH = '/paynet/form';
const RESPONSE_TYPE = 'application/x-www-form-urlencoded; charset=utf-8';
const OAUTH_TOLERANCE_S = 300;
const MAX_CALLBACK_ATTEMPTS = 5;
const CALLBACK_TIMEOUT_MS = 5_000;
const CALLBACK_MODES = ['deliver', 'drop', 'duplicate'] as const satisfies readonly CallbackMode[];

const count = z.number().int().positive().optional();
const FaultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('latency'), ms: z.number().int().nonnegative(), count }),
  z.object({ kind: z.literal('unavailable'), count }),
  z.object({ kind: z.literal('drop-after-processing'), count }),
  z.object({ kind: z.literal('drop-before-processing'), count }),
  z.object({ kind: z.literal('decline-next'), transactionType: z.enum(['capture', 'return', 'void', 'sale', 'preauth']), count }),
]);
const FORM_OUTCOMES = ['approve', 'decline', 'error', 'filtered'] as const satisfies readonly PaymentFormOutcome[];
const CompleteFormSchema = z.strictObject({
  outcome: z.enum(FORM_OUTCOMES).optional(),
  amountMinor: z.string().regex(/^\d{1,30}$/, 'must be a decimal integer string').optional(),
});
const CallbackModeSchema = z.object({ mode: z.enum(CALLBACK_MODES) });

// ---------------------------------------------------------------------------------------------
// Shared protocol helpers
// ---------------------------------------------------------------------------------------------

/** Lowercase hex SHA-1 of the UTF-8 string: the `control` of the v2 commands and of callbacks. */
export function sha1Hex(s: string): string {
  return createHash('sha1').update(s, 'utf8').digest('hex');
}

// Form encoding as Payneteasy's (Java) side writes it: space as '+', everything else percent-encoded.
const formEncode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
function formDecode(s: string): string {
  const plus = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(plus);
  } catch {
    return plus; // malformed %-sequence: keep it as sent rather than lose the field
  }
}

/** `a=1\n&b=x+y\n`: pairs joined by '&', each value form-encoded and followed by a newline. Undefined values are left out. */
export function encodePaynetResponse(fields: Record<string, string | undefined>): string {
  return Object.entries(fields)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${formEncode(k)}=${formEncode(v)}\n`)
    .join('&');
}

/** Inverse of encodePaynetResponse; keys and values are trimmed (the trailing newline goes). A repeated key keeps its last value. */
export function parsePaynetResponse(body: string): Record<string, string> {
  const out = new Map<string, string>();
  for (const pair of body.split('&')) {
    if (pair.trim() === '') continue;
    const i = pair.indexOf('=');
    const key = formDecode(i < 0 ? pair : pair.slice(0, i)).trim();
    if (key) out.set(key, i < 0 ? '' : formDecode(pair.slice(i + 1)).trim());
  }
  return Object.fromEntries(out); // fromEntries: a "__proto__" key stays an own property
}

// ---------------------------------------------------------------------------------------------
// Money: minor units as BigInt, never floats
// ---------------------------------------------------------------------------------------------

const EXPONENTS: Record<string, number> = { JPY: 0, KWD: 3, BHD: 3 };
const exponentOf = (currency: string) => (Object.hasOwn(EXPONENTS, currency) ? EXPONENTS[currency] : 2);

/** "25.00" (EUR) -> 2500n; undefined if it is not a positive amount with at most the currency's decimals. */
function parseMajor(amount: string, currency: string): bigint | undefined {
  const m = /^(\d{1,18})(?:\.(\d+))?$/.exec(amount);
  if (!m) return undefined;
  const exp = exponentOf(currency);
  const frac = m[2] ?? '';
  if (frac.length > exp) return undefined;
  const minor = BigInt(m[1]) * 10n ** BigInt(exp) + BigInt(frac.padEnd(exp, '0') || '0');
  return minor > 0n ? minor : undefined;
}

/** 2500n (EUR) -> "25.00". */
function formatMinor(minor: bigint, currency: string): string {
  const exp = exponentOf(currency);
  const sign = minor < 0n ? '-' : '';
  const digits = (minor < 0n ? -minor : minor).toString().padStart(exp + 1, '0');
  return exp === 0 ? sign + digits : `${sign}${digits.slice(0, -exp)}.${digits.slice(-exp)}`;
}

// ---------------------------------------------------------------------------------------------
// Errors and request fields
// ---------------------------------------------------------------------------------------------

/** A refused request: answered with `type=validation-error|error` (HTTP 200 unless said otherwise). */
class ProtocolError extends Error {
  constructor(
    readonly type: 'validation-error' | 'error',
    readonly code: string,
    message: string,
    readonly httpStatus = 200,
  ) {
    super(message);
  }
  answer(): Answer {
    return { status: this.httpStatus, body: encodePaynetResponse({ type: this.type, 'error-message': this.message, 'error-code': this.code }) };
  }
}
const missing = (field: string) => new ProtocolError('validation-error', 'MISSING_FIELD', `${field} is required`);
const invalid = (field: string, why: string) => new ProtocolError('validation-error', 'INVALID_FIELD', `${field} ${why}`);
const oauthFailure = (why: string) => new ProtocolError('error', 'OAUTH_INVALID', `OAuth authentication failed: ${why}`, 401);

interface Answer {
  status: number;
  body: string;
}

/** Request parameters; "" counts as absent (an empty HTML form field), a repeated field is refused. */
class Fields {
  constructor(private readonly params: URLSearchParams) {}
  opt(name: string): string | undefined {
    const all = this.params.getAll(name);
    if (all.length > 1) throw invalid(name, 'is sent more than once');
    return all[0] === '' ? undefined : all[0];
  }
  req(name: string): string {
    const v = this.opt(name);
    if (v === undefined) throw missing(name);
    return v;
  }
}

function amountField(f: Fields, amountName: string, currency: string): bigint {
  const raw = f.req(amountName);
  const minor = parseMajor(raw, currency);
  if (minor === undefined) {
    throw invalid(amountName, `must be a positive amount in major units with '.' and at most ${exponentOf(currency)} decimals for ${currency}, got "${raw}"`);
  }
  return minor;
}
function currencyField(f: Fields): string {
  const c = f.req('currency');
  if (!/^[A-Z]{3}$/.test(c)) throw invalid('currency', 'must be 3 uppercase letters (ISO 4217)');
  return c;
}

/** An optional absolute http(s) URL field. */
function httpUrlField(f: Fields, name: string): string | undefined {
  const v = f.opt(name);
  if (v === undefined) return undefined;
  let ok = false;
  try {
    ok = ['http:', 'https:'].includes(new URL(v).protocol);
  } catch {
    ok = false;
  }
  if (!ok) throw invalid(name, 'must be an absolute http(s) URL');
  return v;
}

// Hash first so timingSafeEqual gets equal lengths and the comparison leaks no timing on the secret.
const sameSecret = (a: string, b: string) =>
  timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

const isLoopback = (addr: string | undefined) =>
  addr === '::1' || !!addr?.startsWith('127.') || !!addr?.startsWith('::ffff:127.');

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

// ---------------------------------------------------------------------------------------------
// OAuth 1.0a RSA-SHA256 (RFC 5849), verification side
// ---------------------------------------------------------------------------------------------

/** RFC 3986 percent-encoding as RFC 5849 §3.6 wants it: only A-Z a-z 0-9 - . _ ~ stay, %XX uppercase. */
const oauthEncode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** `OAuth realm="x", oauth_consumer_key="..."` -> decoded parameters, or a reason it is unusable. */
function parseOAuthHeader(header: string): Map<string, string> | string {
  const m = /^OAuth\s+([\s\S]*)$/i.exec(header.trim());
  if (!m) return 'Authorization header is not of the OAuth scheme';
  const params = new Map<string, string>();
  for (const item of m[1].split(',')) {
    if (item.trim() === '') continue;
    const p = /^\s*([^\s="]+)\s*=\s*"([^"]*)"\s*$/.exec(item);
    if (!p) return 'malformed OAuth Authorization header';
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent(p[1]);
      value = decodeURIComponent(p[2]);
    } catch {
      return 'malformed percent-encoding in the OAuth Authorization header';
    }
    if (params.has(name)) return `${name} appears more than once`;
    params.set(name, value);
  }
  return params;
}

/** The URL the client used, as RFC 5849 §3.4.1.2 wants it: lowercase scheme and host, no default port, no query. */
function baseStringUri(request: FastifyRequest): string {
  const scheme = request.protocol.toLowerCase();
  let host = (request.headers.host ?? '').toLowerCase();
  if ((scheme === 'http' && host.endsWith(':80')) || (scheme === 'https' && host.endsWith(':443'))) host = host.replace(/:\d+$/, '');
  const path = (request.raw.url ?? '/').split('?')[0];
  return `${scheme}://${host}${path}`;
}

function oauthBaseString(request: FastifyRequest, oauth: Map<string, string>, body: URLSearchParams): string {
  const pairs: [string, string][] = [];
  for (const [k, v] of oauth) if (k !== 'oauth_signature' && k !== 'realm') pairs.push([k, v]);
  const query = (request.raw.url ?? '').split('?')[1];
  if (query) pairs.push(...new URLSearchParams(query)); // RFC 5849 §3.4.1.3.1: query parameters count too
  pairs.push(...body);
  const normalized = pairs
    .map(([k, v]) => [oauthEncode(k), oauthEncode(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  return `${request.method.toUpperCase()}&${oauthEncode(baseStringUri(request))}&${oauthEncode(normalized)}`;
}

// ---------------------------------------------------------------------------------------------
// The simulator
// ---------------------------------------------------------------------------------------------

interface Outcome {
  status: Exclude<TransactionStatus, 'processing'>;
  errorCode?: string;
  errorMessage?: string;
}
const APPROVED: Outcome = { status: 'approved' };

/** The simulator's decision for a payout to a stored card reference, by its prefix. */
function payoutOutcome(destination: string): Outcome {
  if (destination.startsWith('decline-')) return { status: 'declined', errorCode: 'DECLINED', errorMessage: "Receiver's issuer declined" };
  if (destination.startsWith('error-')) return { status: 'error', errorCode: 'PROCESSING_ERROR', errorMessage: 'Processing error at the receiving bank' };
  if (destination.startsWith('filtered-')) return { status: 'filtered', errorCode: 'FRAUD_FILTER', errorMessage: 'Rejected by the fraud filter' };
  return APPROVED;
}

/** The outcome the customer picks on a payment form. */
function formOutcome(outcome: PaymentFormOutcome): Outcome {
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

const isPayment = (order: SimulatedOrder) => order.kind !== 'payout';
/** A transaction that has not failed: still processing or approved. */
const isLive = (t: SimulatedTransaction) => t.status === 'processing' || t.status === 'approved';
const sumApproved = (txs: SimulatedTransaction[], keep: (t: SimulatedTransaction) => boolean) =>
  txs.filter((t) => t.status === 'approved' && keep(t)).reduce((acc, t) => acc + BigInt(t.amountMinor), 0n);

function paymentLedgerEntry(o: SimulatedOrder): PaymentLedgerEntry {
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

/** completeForm refusals; the admin endpoint and the form page map `httpStatus` to their answer. */
class FormError extends Error {
  constructor(
    readonly httpStatus: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

export async function startPayneteasySimulator(options: PayneteasySimulatorOptions): Promise<PayneteasySimulator> {
  const processingMs = options.processingMs ?? 1000;
  const formTtlMs = options.formTtlMs ?? 60_000;
  const callbackRetryMs = options.callbackRetryMs ?? 500;
  for (const [name, v] of Object.entries({ processingMs, formTtlMs, callbackRetryMs })) {
    if (!Number.isFinite(v) || v < 0) throw new Error(`${name} must be a non-negative number, got ${v}`);
  }

  // Fail at start-up on a bad configuration rather than on the first request.
  const merchants = new Map<string, { merchant: SimulatedMerchant; publicKey: KeyObject }>();
  if (options.merchants.length === 0) throw new Error('at least one merchant is required');
  for (const m of options.merchants) {
    if (!m.endpointId || !m.login || !m.controlKey) throw new Error(`merchant ${m.endpointId}: endpointId, login and controlKey must not be empty`);
    if (merchants.has(m.endpointId)) throw new Error(`merchant endpointId ${m.endpointId} is configured twice`);
    let publicKey: KeyObject;
    try {
      publicKey = createPublicKey(m.publicKeyPem);
    } catch (err) {
      throw new Error(`merchant ${m.endpointId}: publicKeyPem is not a usable public key (${(err as Error).message})`);
    }
    if (publicKey.asymmetricKeyType !== 'rsa') throw new Error(`merchant ${m.endpointId}: publicKeyPem must be an RSA key`);
    merchants.set(m.endpointId, { merchant: { ...m }, publicKey });
  }

  const orders = new Map<string, SimulatedOrder>(); // by paynet-order-id, in creation order
  const orderByClientKey = new Map<string, string>(); // JSON [endpointId, client_orderid] -> paynet-order-id
  const formTimers = new Map<string, NodeJS.Timeout>();
  const attempts: CallbackAttempt[] = [];
  const faults: { fault: PayneteasyFault; remaining: number }[] = []; // per HTTP command, in order
  const declineNext: { type: DeclinableTransactionType; remaining: number }[] = []; // per created transaction
  const forcedOutcomes = new WeakMap<SimulatedTransaction, Outcome>(); // decline-next verdicts, applied when final
  const nonces = new Map<string, number>(); // JSON [consumer key, nonce, timestamp] -> timestamp (s)
  const timers = new Set<NodeJS.Timeout>();
  const deliveries = new Set<Promise<void>>();
  const closing = new AbortController();
  let callbackMode: CallbackMode = 'deliver';
  let lastOrderNumber = 0;
  let baseUrl = ''; // set once listening; orders are only created after that

  const nowIso = () => new Date().toISOString();

  function later(ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!closing.signal.aborted) fn();
    }, ms);
    timers.add(t);
    return t;
  }
  function cancel(t: NodeJS.Timeout | undefined) {
    if (!t) return;
    clearTimeout(t);
    timers.delete(t);
  }

  function takeFault(): PayneteasyFault | undefined {
    const head = faults[0];
    if (!head) return undefined;
    if (--head.remaining <= 0) faults.shift();
    return head.fault;
  }

  function merchantFor(endpointId: string) {
    const entry = merchants.get(endpointId);
    if (!entry) throw new ProtocolError('validation-error', 'ENDPOINT_NOT_FOUND', `endpoint ${endpointId} is not known`);
    return entry;
  }

  function formParams(request: FastifyRequest): URLSearchParams {
    const body = request.body;
    if (body === undefined || body === null || body === '') return new URLSearchParams();
    const isForm = /^application\/x-www-form-urlencoded\b/i.test(request.headers['content-type'] ?? '');
    if (typeof body !== 'string' || !isForm) {
      throw new ProtocolError('validation-error', 'INVALID_REQUEST', 'request body must be application/x-www-form-urlencoded');
    }
    return new URLSearchParams(body);
  }

  function verifyOAuth(request: FastifyRequest, entry: { merchant: SimulatedMerchant; publicKey: KeyObject }, body: URLSearchParams) {
    const header = request.headers.authorization;
    if (!header) throw oauthFailure('missing Authorization header');
    const oauth = parseOAuthHeader(header);
    if (typeof oauth === 'string') throw oauthFailure(oauth);
    for (const name of ['oauth_consumer_key', 'oauth_signature_method', 'oauth_signature', 'oauth_timestamp', 'oauth_nonce']) {
      if (!oauth.get(name)) throw oauthFailure(`missing ${name}`);
    }
    const method = oauth.get('oauth_signature_method')!;
    if (method !== 'RSA-SHA256') throw oauthFailure(`unsupported oauth_signature_method ${method} (expected RSA-SHA256)`);
    const version = oauth.get('oauth_version');
    if (version !== undefined && version !== '1.0') throw oauthFailure(`unsupported oauth_version ${version}`);
    const consumerKey = oauth.get('oauth_consumer_key')!;
    if (!sameSecret(consumerKey, entry.merchant.login)) throw oauthFailure('wrong oauth_consumer_key for this endpoint');
    const timestamp = oauth.get('oauth_timestamp')!;
    const nowS = Math.floor(Date.now() / 1000);
    if (!/^\d{1,12}$/.test(timestamp)) throw oauthFailure('oauth_timestamp must be seconds since the epoch');
    if (Math.abs(Number(timestamp) - nowS) > OAUTH_TOLERANCE_S) {
      throw oauthFailure(`stale oauth_timestamp: more than ${OAUTH_TOLERANCE_S} s away from the server clock`);
    }
    const signatureB64 = oauth.get('oauth_signature')!;
    let valid = false;
    if (/^[A-Za-z0-9+/]+={0,2}$/.test(signatureB64)) {
      try {
        const base = oauthBaseString(request, oauth, body);
        valid = verify('sha256', Buffer.from(base, 'utf8'), entry.publicKey, Buffer.from(signatureB64, 'base64'));
      } catch {
        valid = false;
      }
    }
    if (!valid) throw oauthFailure('bad oauth_signature (RSA-SHA256 over the RFC 5849 signature base string)');
    // Only a correctly signed request may occupy a nonce; older entries can no longer pass the timestamp check.
    for (const [key, ts] of nonces) if (ts < nowS - OAUTH_TOLERANCE_S) nonces.delete(key);
    const nonceKey = JSON.stringify([consumerKey, oauth.get('oauth_nonce'), timestamp]);
    if (nonces.has(nonceKey)) throw oauthFailure('replayed request: this oauth_nonce and oauth_timestamp were already used');
    nonces.set(nonceKey, Number(timestamp));
  }

  function newTransaction(type: TransactionType, amountMinor: bigint, currency: string): SimulatedTransaction {
    const tx: SimulatedTransaction = { serialNumber: randomUUID(), type, status: 'processing', amountMinor: amountMinor.toString(), currency, createdAt: nowIso() };
    const i = declineNext.findIndex((d) => d.type === type);
    if (i >= 0) {
      if (--declineNext[i].remaining <= 0) declineNext.splice(i, 1);
      forcedOutcomes.set(tx, { status: 'declined', errorCode: `${type.toUpperCase()}_DECLINED`, errorMessage: `The ${type} was declined (simulated)` });
    }
    return tx;
  }
  /** The final outcome of a transaction: a decline-next verdict wins over the normal one. */
  const outcomeOf = (tx: SimulatedTransaction, normal: Outcome) => forcedOutcomes.get(tx) ?? normal;

  const asyncResponse = (order: SimulatedOrder, tx: SimulatedTransaction): Answer => ({
    status: 200,
    body: encodePaynetResponse({
      type: 'async-response',
      'serial-number': tx.serialNumber,
      'merchant-order-id': order.clientOrderId,
      'paynet-order-id': order.orderId,
    }),
  });
  const asyncFormResponse = (order: SimulatedOrder, tx: SimulatedTransaction): Answer => ({
    status: 200,
    body: encodePaynetResponse({
      type: 'async-form-response',
      'serial-number': tx.serialNumber,
      'merchant-order-id': order.clientOrderId,
      'paynet-order-id': order.orderId,
      'redirect-url': order.formUrl,
    }),
  });

  /** Finds the order named by a v2 command; `orderid` may be absent (the docs: "send it when known"). */
  function findOrder(endpointId: string, clientOrderId: string, orderId: string | undefined): SimulatedOrder {
    const id = orderId ?? orderByClientKey.get(JSON.stringify([endpointId, clientOrderId]));
    const order = id === undefined ? undefined : orders.get(id);
    if (!order || order.endpointId !== endpointId || order.clientOrderId !== clientOrderId) {
      throw new ProtocolError('error', 'ORDER_NOT_FOUND', `no order with client_orderid ${clientOrderId}${orderId ? ` and orderid ${orderId}` : ''} on endpoint ${endpointId}`);
    }
    return order;
  }

  /** `login` undefined: a command without login (sale-form, preauth-form), only the control is checked. */
  function checkControl(entry: { merchant: SimulatedMerchant }, login: string | undefined, control: string, signed: string) {
    const expected = sha1Hex(signed + entry.merchant.controlKey);
    const loginOk = login === undefined || sameSecret(login, entry.merchant.login);
    if (!sameSecret(control.toLowerCase(), expected) || !loginOk) {
      throw new ProtocolError('validation-error', 'CONTROL_INVALID', 'login or control is wrong (control = SHA-1 over the listed fields and the merchant control key)');
    }
  }

  // --- transaction life cycle ---------------------------------------------------------------

  function finalize(order: SimulatedOrder, tx: SimulatedTransaction, outcome: Outcome) {
    if (tx.status !== 'processing') return;
    tx.status = outcome.status;
    if (outcome.errorCode) tx.errorCode = outcome.errorCode;
    if (outcome.errorMessage) tx.errorMessage = outcome.errorMessage;
    tx.finalAt = nowIso();
    sendCallback(order, tx);
  }

  /** The transaction a form belongs to: the order's first one (payout, sale or preauth). */
  const formTransaction = (order: SimulatedOrder) => order.transactions[0];

  function expireForm(order: SimulatedOrder) {
    formTimers.delete(order.orderId);
    if (order.formCompleted) return;
    const who = isPayment(order) ? 'customer' : 'receiver';
    const what = isPayment(order) ? 'payment' : 'payout';
    finalize(order, formTransaction(order), { status: 'declined', errorCode: 'FORM_EXPIRED', errorMessage: `The ${who} did not complete the ${what} form in time` });
  }

  function completeForm(orderId: string, options: CompleteFormOptions = {}) {
    const order = orders.get(orderId);
    if (!order) throw new FormError(404, `unknown order ${orderId}`);
    if (!order.formUrl) throw new FormError(409, `order ${orderId} does not wait for a receiver form`);
    const payment = isPayment(order);
    if (!payment && (options.outcome !== undefined || options.amountMinor !== undefined)) {
      throw new FormError(409, `order ${orderId} is a payout: outcome and amountMinor apply to payment forms only`);
    }
    if (options.outcome !== undefined && !(FORM_OUTCOMES as readonly string[]).includes(options.outcome)) {
      throw new FormError(400, `unknown outcome ${String(options.outcome)}`);
    }
    let amountMinor: bigint | undefined;
    if (options.amountMinor !== undefined) {
      if (typeof options.amountMinor !== 'string' || !/^\d{1,30}$/.test(options.amountMinor) || BigInt(options.amountMinor) <= 0n) {
        throw new FormError(400, `amountMinor must be a positive decimal integer string, got ${String(options.amountMinor)}`);
      }
      amountMinor = BigInt(options.amountMinor);
    }
    if (order.formCompleted) return; // a second submit changes nothing
    const tx = formTransaction(order);
    if (tx.status !== 'processing') {
      throw new FormError(409, `the ${payment ? 'payment' : 'payout'} form of order ${orderId} is closed (${tx.type} ${tx.status}${tx.errorCode ? `, ${tx.errorCode}` : ''})`);
    }
    order.formCompleted = true;
    cancel(formTimers.get(orderId));
    formTimers.delete(orderId);
    if (amountMinor !== undefined) tx.amountMinor = amountMinor.toString(); // what the customer submitted is what gets authorized
    const outcome = payment ? outcomeOf(tx, formOutcome(options.outcome ?? 'approve')) : APPROVED;
    later(processingMs, () => finalize(order, tx, outcome));
  }

  // --- callbacks -------------------------------------------------------------------------------

  function sendCallback(order: SimulatedOrder, tx: SimulatedTransaction) {
    if (!order.serverCallbackUrl || callbackMode === 'drop') return;
    const { controlKey } = merchants.get(order.endpointId)!.merchant;
    const query: Record<string, string> = {
      status: tx.status,
      orderid: order.orderId,
      merchant_order: order.clientOrderId,
      client_orderid: order.clientOrderId,
      amount: formatMinor(BigInt(tx.amountMinor), tx.currency),
      type: tx.type,
      control: sha1Hex(tx.status + order.orderId + order.clientOrderId + controlKey),
      ...(tx.errorMessage ? { error_message: tx.errorMessage } : {}),
      ...(tx.errorCode ? { error_code: tx.errorCode } : {}),
    };
    const times = callbackMode === 'duplicate' ? 2 : 1;
    const url = order.serverCallbackUrl;
    const run = (async () => {
      for (let i = 0; i < times; i++) await deliver(url, query); // the duplicate follows the first delivery
    })();
    deliveries.add(run);
    void run.finally(() => deliveries.delete(run));
  }

  async function deliver(url: string, query: Record<string, string>): Promise<void> {
    for (let attempt = 1; attempt <= MAX_CALLBACK_ATTEMPTS; attempt++) {
      if (closing.signal.aborted) return;
      const target = new URL(url);
      for (const [k, v] of Object.entries(query)) target.searchParams.set(k, v);
      const at = nowIso();
      let httpStatus: number | 'network-error';
      try {
        const res = await fetch(target, {
          method: 'GET',
          redirect: 'manual', // a redirect is not a 200: retried like any other answer
          signal: AbortSignal.any([closing.signal, AbortSignal.timeout(CALLBACK_TIMEOUT_MS)]),
        });
        httpStatus = res.status;
        await res.arrayBuffer().catch(() => undefined);
      } catch {
        if (closing.signal.aborted) return;
        httpStatus = 'network-error';
      }
      attempts.push({ url, query: { ...query }, httpStatus, at });
      if (httpStatus === 200) return;
      if (attempt < MAX_CALLBACK_ATTEMPTS) {
        try {
          await sleep(callbackRetryMs, undefined, { signal: closing.signal });
        } catch {
          return; // closed
        }
      }
    }
  }

  // --- commands ----------------------------------------------------------------------------------

  function handlePayout(request: FastifyRequest, endpointId: string): Answer {
    const entry = merchantFor(endpointId);
    const body = formParams(request);
    verifyOAuth(request, entry, body);
    const f = new Fields(body);
    const clientOrderId = f.req('client_orderid');
    if (clientOrderId.length > 128) throw invalid('client_orderid', 'must be at most 128 characters');
    f.req('amount');
    const currency = currencyField(f);
    const amountMinor = amountField(f, 'amount', currency);
    f.opt('order_desc');
    const callbackUrl = httpUrlField(f, 'server_callback_url');
    const destination = f.opt('destination-card-ref-id');

    const key = JSON.stringify([endpointId, clientOrderId]);
    const existingId = orderByClientKey.get(key);
    if (existingId !== undefined) {
      const order = orders.get(existingId)!;
      const changed = [
        order.kind !== 'payout' ? 'command' : undefined,
        order.amountMinor !== amountMinor.toString() ? 'amount' : undefined,
        order.currency !== currency ? 'currency' : undefined,
        order.destination !== destination ? 'destination-card-ref-id' : undefined,
      ].filter((c) => c !== undefined);
      if (changed.length > 0) {
        throw new ProtocolError('validation-error', 'DUPLICATE_ORDER', `client_orderid ${clientOrderId} was already used with a different ${changed.join(', ')}`);
      }
      return asyncResponse(order, order.transactions.find((t) => t.type === 'payout')!);
    }

    const orderId = String(8_000_000 + ++lastOrderNumber);
    const payout = newTransaction('payout', amountMinor, currency);
    const order: SimulatedOrder = {
      orderId,
      clientOrderId,
      endpointId,
      kind: 'payout',
      amountMinor: amountMinor.toString(),
      currency,
      ...(destination !== undefined ? { destination } : { formUrl: `${baseUrl}${FORM_PATH}/${orderId}` }),
      formCompleted: false,
      ...(callbackUrl !== undefined ? { serverCallbackUrl: callbackUrl } : {}),
      transactions: [payout],
    };
    orders.set(orderId, order);
    orderByClientKey.set(key, orderId);
    if (destination !== undefined) later(processingMs, () => finalize(order, payout, payoutOutcome(destination)));
    else formTimers.set(orderId, later(formTtlMs, () => expireForm(order)));
    return asyncResponse(order, payout);
  }

  function handleStatus(request: FastifyRequest, endpointId: string): Answer {
    const entry = merchantFor(endpointId);
    const f = new Fields(formParams(request));
    const login = f.req('login');
    const clientOrderId = f.req('client_orderid');
    const orderId = f.opt('orderid');
    const control = f.req('control');
    const serial = f.opt('by-request-sn');
    checkControl(entry, login, control, login + clientOrderId + (orderId ?? ''));
    const order = findOrder(endpointId, clientOrderId, orderId);
    const tx = serial === undefined ? order.transactions.at(-1)! : order.transactions.find((t) => t.serialNumber === serial);
    if (!tx) throw new ProtocolError('error', 'TRANSACTION_NOT_FOUND', `order ${order.orderId} has no transaction with serial number ${serial}`);
    const waitingForForm = tx === formTransaction(order) && tx.status === 'processing' && !!order.formUrl && !order.formCompleted;
    return {
      status: 200,
      body: encodePaynetResponse({
        type: 'status-response',
        status: tx.status,
        'transaction-type': tx.type,
        amount: formatMinor(BigInt(tx.amountMinor), tx.currency),
        currency: tx.currency,
        'paynet-order-id': order.orderId,
        'merchant-order-id': order.clientOrderId,
        'serial-number': tx.serialNumber,
        'order-stage': `${tx.type}_${tx.status}`,
        'redirect-to': waitingForForm ? order.formUrl : undefined,
        'error-message': tx.errorMessage,
        'error-code': tx.errorCode,
      }),
    };
  }

  function handleReturn(request: FastifyRequest, endpointId: string): Answer {
    const entry = merchantFor(endpointId);
    const f = new Fields(formParams(request));
    const login = f.req('login');
    const clientOrderId = f.req('client_orderid');
    const orderId = f.req('orderid');
    const control = f.req('control');
    f.opt('comment');
    const amountSent = f.opt('amount') !== undefined;
    if (amountSent !== (f.opt('currency') !== undefined)) throw missing(amountSent ? 'currency' : 'amount');
    let amount: { minor: bigint; currency: string } | undefined;
    if (amountSent) {
      const currency = currencyField(f);
      amount = { minor: amountField(f, 'amount', currency), currency };
    }
    checkControl(entry, login, control, login + clientOrderId + orderId + (amount ? `${amount.minor}${amount.currency}` : ''));
    const order = findOrder(endpointId, clientOrderId, orderId);

    const existing = order.transactions.find((t) => t.type === 'return');
    if (existing) return asyncResponse(order, existing); // one return per order: a repeat gets the same transaction
    if (isPayment(order)) return paymentReturn(order, amount);

    const payout = order.transactions.find((t) => t.type === 'payout')!;
    if (!entry.merchant.payoutReversal) {
      throw new ProtocolError('error', 'OPERATION_NOT_ALLOWED', `payout reversal is not enabled for endpoint ${endpointId}`);
    }
    if (payout.status !== 'approved') {
      throw new ProtocolError('error', 'OPERATION_NOT_ALLOWED', `only an approved payout can be reversed; this one is ${payout.status}`);
    }
    if (amount && amount.currency !== payout.currency) throw invalid('currency', `must be the order currency ${payout.currency}`);
    if (amount && amount.minor > BigInt(payout.amountMinor)) throw invalid('amount', 'exceeds the paid-out amount');
    const tx = newTransaction('return', amount?.minor ?? BigInt(payout.amountMinor), payout.currency);
    order.transactions.push(tx);
    later(processingMs, () => finalize(order, tx, outcomeOf(tx, APPROVED)));
    return asyncResponse(order, tx);
  }

  // --- payments ------------------------------------------------------------------------------------

  /** sale-form / preauth-form: the customer enters card data on the simulator's form. */
  function handlePaymentForm(kind: 'sale' | 'preauth', request: FastifyRequest, endpointId: string): Answer {
    const entry = merchantFor(endpointId);
    const f = new Fields(formParams(request));
    const clientOrderId = f.req('client_orderid');
    if (clientOrderId.length > 128) throw invalid('client_orderid', 'must be at most 128 characters');
    f.req('amount');
    const currency = currencyField(f);
    const amountMinor = amountField(f, 'amount', currency);
    f.opt('order_desc');
    const email = f.opt('email');
    f.opt('ipaddress');
    const redirectUrl = httpUrlField(f, 'redirect_url');
    const callbackUrl = httpUrlField(f, 'server_callback_url');
    const control = f.req('control');
    checkControl(entry, undefined, control, endpointId + clientOrderId + amountMinor.toString() + (email ?? ''));

    const key = JSON.stringify([endpointId, clientOrderId]);
    const existingId = orderByClientKey.get(key);
    if (existingId !== undefined) {
      const order = orders.get(existingId)!;
      const changed = [
        order.kind !== kind ? 'command' : undefined,
        order.amountMinor !== amountMinor.toString() ? 'amount' : undefined,
        order.currency !== currency ? 'currency' : undefined,
      ].filter((c) => c !== undefined);
      if (changed.length > 0) {
        throw new ProtocolError('validation-error', 'DUPLICATE_ORDER', `client_orderid ${clientOrderId} was already used with a different ${changed.join(', ')}`);
      }
      return asyncFormResponse(order, formTransaction(order));
    }

    const orderId = String(8_000_000 + ++lastOrderNumber);
    const tx = newTransaction(kind, amountMinor, currency);
    const order: SimulatedOrder = {
      orderId,
      clientOrderId,
      endpointId,
      kind,
      amountMinor: amountMinor.toString(),
      currency,
      ...(email !== undefined ? { email } : {}),
      ...(redirectUrl !== undefined ? { redirectUrl } : {}),
      formUrl: `${baseUrl}${FORM_PATH}/${orderId}`,
      formCompleted: false,
      ...(callbackUrl !== undefined ? { serverCallbackUrl: callbackUrl } : {}),
      transactions: [tx],
    };
    orders.set(orderId, order);
    orderByClientKey.set(key, orderId);
    formTimers.set(orderId, later(formTtlMs, () => expireForm(order)));
    return asyncFormResponse(order, tx);
  }

  /** login, client_orderid, orderid and the optional amount + currency of capture and return. */
  function readFollowUp(f: Fields) {
    const login = f.req('login');
    const clientOrderId = f.req('client_orderid');
    const orderId = f.req('orderid');
    const control = f.req('control');
    f.opt('comment');
    const amountSent = f.opt('amount') !== undefined;
    if (amountSent !== (f.opt('currency') !== undefined)) throw missing(amountSent ? 'currency' : 'amount');
    let amount: { minor: bigint; currency: string } | undefined;
    if (amountSent) {
      const currency = currencyField(f);
      amount = { minor: amountField(f, 'amount', currency), currency };
    }
    return { login, clientOrderId, orderId, control, amount, signedAmount: amount ? `${amount.minor}${amount.currency}` : '' };
  }

  const notAllowed = (why: string) => new ProtocolError('error', 'OPERATION_NOT_ALLOWED', why);

  /**
   * What a return or void of a payment order would reverse: the approved sale, the approved capture
   * (refund), or the approved preauth nothing was captured from (release).
   */
  function reversalTarget(order: SimulatedOrder): { tx: SimulatedTransaction; effect: 'refund' | 'release' } {
    const first = formTransaction(order);
    if (first.status !== 'approved') throw notAllowed(`nothing to reverse: the ${first.type} of order ${order.orderId} is ${first.status}`);
    if (first.type === 'sale') return { tx: first, effect: 'refund' };
    const capture = order.transactions.find((t) => t.type === 'capture');
    if (capture?.status === 'processing') throw notAllowed(`the capture of order ${order.orderId} is still processing`);
    if (capture?.status === 'approved') return { tx: capture, effect: 'refund' };
    return { tx: first, effect: 'release' };
  }

  function scheduleFinal(order: SimulatedOrder, tx: SimulatedTransaction) {
    order.transactions.push(tx);
    later(processingMs, () => finalize(order, tx, outcomeOf(tx, APPROVED)));
    return asyncResponse(order, tx);
  }

  function paymentReturn(order: SimulatedOrder, amount: { minor: bigint; currency: string } | undefined): Answer {
    if (order.transactions.some((t) => t.type === 'void' && isLive(t))) throw notAllowed(`order ${order.orderId} is voided`);
    const target = reversalTarget(order);
    if (amount && amount.currency !== target.tx.currency) throw invalid('currency', `must be the order currency ${target.tx.currency}`);
    if (amount && amount.minor > BigInt(target.tx.amountMinor)) {
      throw invalid('amount', `exceeds the ${target.effect === 'refund' ? 'captured' : 'authorized'} amount`);
    }
    const tx = newTransaction('return', amount?.minor ?? BigInt(target.tx.amountMinor), target.tx.currency);
    tx.effect = target.effect;
    return scheduleFinal(order, tx);
  }

  function handleCapture(request: FastifyRequest, endpointId: string): Answer {
    const entry = merchantFor(endpointId);
    const r = readFollowUp(new Fields(formParams(request)));
    checkControl(entry, r.login, r.control, r.login + r.clientOrderId + r.orderId + r.signedAmount);
    const order = findOrder(endpointId, r.clientOrderId, r.orderId);
    const existing = order.transactions.find((t) => t.type === 'capture');
    if (existing) return asyncResponse(order, existing); // one capture per order: a repeat gets the same transaction
    if (order.kind !== 'preauth') throw notAllowed(`order ${order.orderId} is a ${order.kind}, only a preauth can be captured`);
    const preauth = formTransaction(order);
    if (preauth.status !== 'approved') throw notAllowed(`only an approved preauth can be captured; this one is ${preauth.status}`);
    if (order.transactions.some((t) => (t.type === 'return' || t.type === 'void') && isLive(t))) {
      throw notAllowed(`the authorization of order ${order.orderId} is released`);
    }
    if (r.amount && r.amount.currency !== preauth.currency) throw invalid('currency', `must be the order currency ${preauth.currency}`);
    if (r.amount && r.amount.minor > BigInt(preauth.amountMinor)) throw invalid('amount', 'exceeds the authorized amount');
    return scheduleFinal(order, newTransaction('capture', r.amount?.minor ?? BigInt(preauth.amountMinor), preauth.currency));
  }

  function handleVoid(request: FastifyRequest, endpointId: string): Answer {
    const entry = merchantFor(endpointId);
    const f = new Fields(formParams(request));
    const login = f.req('login');
    const clientOrderId = f.req('client_orderid');
    const orderId = f.req('orderid');
    f.opt('comment');
    const control = f.req('control');
    checkControl(entry, login, control, login + clientOrderId + orderId);
    const order = findOrder(endpointId, clientOrderId, orderId);
    const existing = order.transactions.find((t) => t.type === 'void');
    if (existing) return asyncResponse(order, existing); // one void per order: a repeat gets the same transaction
    if (!isPayment(order)) throw notAllowed(`order ${order.orderId} is a payout: nothing to void`);
    if (order.transactions.some((t) => t.type === 'return' && isLive(t))) throw notAllowed(`order ${order.orderId} is already returned`);
    const target = reversalTarget(order);
    const tx = newTransaction('void', BigInt(target.tx.amountMinor), target.tx.currency);
    tx.effect = target.effect;
    return scheduleFinal(order, tx);
  }

  // --- HTTP ----------------------------------------------------------------------------------------

  // forceCloseConnections: close() must not wait for idle keep-alive sockets.
  const app = Fastify({ logger: false, forceCloseConnections: true });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) =>
    done(null, body),
  );

  const isApi = (request: FastifyRequest) => request.url.startsWith(`${API}/`);

  // Framework errors (body too large, unsupported content type) still get the protocol's answer shape.
  app.setErrorHandler((err, request, reply) => {
    const { statusCode, message } = (typeof err === 'object' && err !== null ? err : {}) as { statusCode?: unknown; message?: unknown };
    const clientError = typeof statusCode === 'number' && statusCode < 500;
    if (isApi(request)) {
      const fields = clientError
        ? { type: 'validation-error', 'error-message': `request: ${String(message)}`, 'error-code': 'INVALID_REQUEST' }
        : { type: 'error', 'error-message': 'internal simulator error', 'error-code': 'INTERNAL_ERROR' };
      return reply
        .code(clientError ? 200 : 500)
        .type(RESPONSE_TYPE)
        .send(encodePaynetResponse(fields));
    }
    return reply.code(clientError ? (statusCode as number) : 500).send({ error: clientError ? String(message) : 'internal simulator error' });
  });
  app.setNotFoundHandler((request, reply) => {
    if (!isApi(request)) return reply.code(404).send({ error: `no route ${request.method} ${request.url}` });
    return reply
      .code(404)
      .type(RESPONSE_TYPE)
      .send(encodePaynetResponse({ type: 'error', 'error-message': `no command at ${request.method} ${request.url}`, 'error-code': 'NOT_FOUND' }));
  });

  // Admin endpoints carry no auth, so refuse them to anything that is not on this host.
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/_sim/') && !isLoopback(request.socket.remoteAddress)) {
      return reply.code(403).send({ error: 'simulator admin endpoints are loopback only' });
    }
  });

  const drop = (request: FastifyRequest, reply: FastifyReply) => {
    reply.hijack(); // fastify must not try to answer on the destroyed socket
    request.raw.socket.destroy();
  };

  const command = (path: string, handle: (request: FastifyRequest, endpointId: string) => Answer) =>
    app.post<{ Params: { endpointId: string } }>(`${API}${path}/:endpointId`, async (request, reply) => {
      const fault = takeFault();
      if (fault?.kind === 'drop-before-processing') return drop(request, reply);
      if (fault?.kind === 'unavailable') {
        const body = { type: 'error', 'error-message': 'simulated outage: request was not processed', 'error-code': 'SERVICE_UNAVAILABLE' };
        return reply.code(503).type(RESPONSE_TYPE).send(encodePaynetResponse(body));
      }
      let out: Answer;
      try {
        out = handle(request, request.params.endpointId); // synchronous: no interleaving between requests
      } catch (err) {
        if (!(err instanceof ProtocolError)) throw err;
        out = err.answer();
      }
      if (fault?.kind === 'drop-after-processing') return drop(request, reply);
      if (fault?.kind === 'latency') await sleep(fault.ms, undefined, { ref: false });
      return reply.code(out.status).type(RESPONSE_TYPE).send(out.body);
    });
  command('/v4/payout', handlePayout);
  command('/v2/status', handleStatus);
  command('/v2/return', handleReturn);
  command('/v2/sale-form', (request, endpointId) => handlePaymentForm('sale', request, endpointId));
  command('/v2/preauth-form', (request, endpointId) => handlePaymentForm('preauth', request, endpointId));
  command('/v2/capture', handleCapture);
  command('/v2/void', handleVoid);

  // The receiver's form (seed 003 steps 5-8): a page with a submit button, and its submission.
  // For a payment the customer's card form: card data (never stored, never seen by the merchant), an
  // editable amount (tip, partial payment) and, this being a simulator, the outcome to simulate.
  const page = (title: string, content: string) =>
    `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${content}</body></html>`;
  app.get<{ Params: { orderId: string } }>(`${FORM_PATH}/:orderId`, async (request, reply) => {
    const order = orders.get(request.params.orderId);
    reply.type('text/html; charset=utf-8');
    if (!order?.formUrl) return reply.code(404).send(page('Payout form not found', ''));
    if (isPayment(order)) {
      const tx = formTransaction(order);
      if (order.formCompleted || tx.status !== 'processing') {
        return reply.code(order.formCompleted ? 200 : 410).send(page('Payment form closed', `<p>Payment ${escapeHtml(tx.status)}.</p>`));
      }
      const action = `${FORM_PATH}/${encodeURIComponent(order.orderId)}`;
      const options = FORM_OUTCOMES.map((o) => `<option value="${o}">${o}</option>`).join('');
      return reply.send(
        page(
          'Card payment',
          `<p>Order ${escapeHtml(order.clientOrderId)}</p>` +
            `<form method="post" action="${action}">` +
            `<label>Amount (${escapeHtml(order.currency)}) <input name="amount" value="${escapeHtml(formatMinor(BigInt(order.amountMinor), order.currency))}"></label>` +
            '<label>Card number <input name="card_number" autocomplete="cc-number"></label>' +
            '<label>Expiry <input name="card_expiry" placeholder="MM/YY"></label>' +
            '<label>CVV <input name="cvv2"></label>' +
            `<label>Simulated outcome <select name="outcome">${options}</select></label>` +
            '<button type="submit">Pay</button></form>',
        ),
      );
    }
    const payout = order.transactions.find((t) => t.type === 'payout')!;
    if (order.formCompleted || payout.status !== 'processing') {
      return reply.code(order.formCompleted ? 200 : 410).send(page('Payout form closed', `<p>Payout ${escapeHtml(payout.status)}.</p>`));
    }
    const amount = `${formatMinor(BigInt(order.amountMinor), order.currency)} ${order.currency}`;
    return reply.send(
      page(
        'Confirm payout',
        `<p>Order ${escapeHtml(order.clientOrderId)}: ${escapeHtml(amount)}</p>` +
          `<form method="post" action="${FORM_PATH}/${encodeURIComponent(order.orderId)}"><button type="submit">Confirm</button></form>`,
      ),
    );
  });
  app.post<{ Params: { orderId: string } }>(`${FORM_PATH}/:orderId`, async (request, reply) => {
    reply.type('text/html; charset=utf-8');
    const order = orders.get(request.params.orderId);
    if (order && isPayment(order)) {
      try {
        const submitted = new URLSearchParams(typeof request.body === 'string' ? request.body : '');
        const options: CompleteFormOptions = {};
        const amount = submitted.get('amount') || undefined;
        if (amount !== undefined) {
          const minor = parseMajor(amount.trim(), order.currency);
          if (minor === undefined) throw new FormError(400, `amount "${amount}" is not a positive ${order.currency} amount`);
          options.amountMinor = minor.toString();
        }
        const outcome = submitted.get('outcome') || undefined;
        if (outcome !== undefined) options.outcome = outcome as PaymentFormOutcome; // checked by completeForm
        completeForm(order.orderId, options);
      } catch (err) {
        if (!(err instanceof FormError)) throw err;
        return reply.code(err.httpStatus).send(page('Payment form not accepted', `<p>${escapeHtml(err.message)}</p>`));
      }
      const back = order.redirectUrl ? `<p><a href="${escapeHtml(order.redirectUrl)}">Back to the shop</a></p>` : '';
      return reply.send(page('Payment submitted', `<p>Your payment is being processed.</p>${back}`));
    }
    try {
      completeForm(request.params.orderId);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return reply.code(err.httpStatus).send(page('Payout form not accepted', `<p>${escapeHtml(err.message)}</p>`));
    }
    return reply.send(page('Payout confirmed', '<p>Your payout is being processed.</p>'));
  });

  app.get('/_sim/orders', async () => ({ orders: sim.orders() }));
  app.get('/_sim/ledger', async () => ({ ledger: sim.ledger() }));
  app.get('/_sim/payment-ledger', async () => ({ ledger: sim.paymentLedger() }));
  app.get('/_sim/callbacks', async () => ({ callbacks: sim.callbacks() }));
  app.post('/_sim/faults', async (request, reply) => {
    const parsed = FaultSchema.safeParse(request.body);
    if (!parsed.success) return reply.code(400).send({ error: z.prettifyError(parsed.error) });
    sim.injectFault(parsed.data);
    return reply.code(204).send();
  });
  app.put('/_sim/callback-mode', async (request, reply) => {
    const parsed = CallbackModeSchema.safeParse(request.body);
    if (!parsed.success) return reply.code(400).send({ error: z.prettifyError(parsed.error) });
    sim.setCallbackMode(parsed.data.mode);
    return reply.code(204).send();
  });
  // Optional JSON body { outcome?, amountMinor? } (payment forms only).
  app.post<{ Params: { orderId: string } }>('/_sim/orders/:orderId/complete-form', async (request, reply) => {
    const parsed = CompleteFormSchema.optional().safeParse(request.body ?? undefined);
    if (!parsed.success) return reply.code(400).send({ error: z.prettifyError(parsed.error) });
    try {
      completeForm(request.params.orderId, parsed.data);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return reply.code(err.httpStatus).send({ error: err.message });
    }
    return reply.code(204).send();
  });

  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `http://${host}:${address.port}`;

  const sim: PayneteasySimulator = {
    url: baseUrl,
    orders: () => [...orders.values()].map((o) => structuredClone(o)),
    ledger: () =>
      [...orders.values()].flatMap((o) => {
        if (o.kind !== 'payout') return []; // payments: see paymentLedger
        const sum = (type: SimulatedTransaction['type']) =>
          o.transactions.filter((t) => t.type === type && t.status === 'approved').reduce((acc, t) => acc + BigInt(t.amountMinor), 0n);
        const paid = sum('payout');
        const reversed = sum('return');
        if (paid === 0n && reversed === 0n) return [];
        return [{ orderId: o.orderId, clientOrderId: o.clientOrderId, paidMinor: paid.toString(), reversedMinor: reversed.toString(), currency: o.currency }];
      }),
    paymentLedger: () => [...orders.values()].filter(isPayment).map(paymentLedgerEntry),
    callbacks: () => attempts.map((a) => ({ ...a, query: { ...a.query } })),
    injectFault: (fault) => {
      const parsed = FaultSchema.parse(fault);
      if (parsed.kind === 'decline-next') declineNext.push({ type: parsed.transactionType, remaining: parsed.count ?? 1 });
      else faults.push({ fault: parsed, remaining: parsed.count ?? 1 });
    },
    setCallbackMode: (mode) => {
      if (!(CALLBACK_MODES as readonly string[]).includes(mode)) throw new Error(`unknown callback mode ${String(mode)}`);
      callbackMode = mode;
    },
    completeForm: (orderId, formOptions) => completeForm(orderId, formOptions),
    close: async () => {
      closing.abort();
      for (const t of timers) clearTimeout(t);
      timers.clear();
      formTimers.clear();
      await Promise.allSettled([...deliveries]);
      await app.close();
    },
  };
  return sim;
}

/**
 * Standalone: `npx tsx src/simulators/payneteasy.ts --port 8082 [--host 127.0.0.1]`, one merchant from
 * PAYNETEASY_ENDPOINT_ID, PAYNETEASY_LOGIN, PAYNETEASY_CONTROL_KEY, PAYNETEASY_PUBLIC_KEY_FILE (required),
 * PAYNETEASY_PAYOUT_REVERSAL.
 */
export async function main(argv: string[] = process.argv.slice(2)): Promise<PayneteasySimulator> {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const port = Number(arg('--port') ?? 8082);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port ${arg('--port')}`);
  const keyFile = process.env.PAYNETEASY_PUBLIC_KEY_FILE;
  if (!keyFile) {
    throw new Error('PAYNETEASY_PUBLIC_KEY_FILE is required: the path of the PEM RSA public key that verifies the merchant OAuth signatures');
  }
  let publicKeyPem: string;
  try {
    publicKeyPem = readFileSync(keyFile, 'utf8');
  } catch (err) {
    throw new Error(`PAYNETEASY_PUBLIC_KEY_FILE ${keyFile} cannot be read: ${(err as Error).message}`);
  }
  const reversal = process.env.PAYNETEASY_PAYOUT_REVERSAL ?? 'false';
  if (reversal !== 'true' && reversal !== 'false') throw new Error(`PAYNETEASY_PAYOUT_REVERSAL must be "true" or "false", got "${reversal}"`);
  const endpointId = process.env.PAYNETEASY_ENDPOINT_ID || '1001';
  const sim = await startPayneteasySimulator({
    host: arg('--host') ?? '127.0.0.1',
    port,
    merchants: [
      {
        endpointId,
        login: process.env.PAYNETEASY_LOGIN || 'demo-merchant',
        controlKey: process.env.PAYNETEASY_CONTROL_KEY || 'dev-control-key',
        publicKeyPem,
        payoutReversal: reversal === 'true',
      },
    ],
  });
  console.log(`Payneteasy simulator listening on ${sim.url} (API ${sim.url}${API}/, endpoint ${endpointId})`);
  const stop = () => void sim.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return sim;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
