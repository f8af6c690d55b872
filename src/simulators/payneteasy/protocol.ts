/**
 * The Payneteasy wire format as the simulator speaks it: newline-terminated form answers, the SHA-1
 * `control`, refusals (`type=validation-error|error`), request fields, and OAuth 1.0a RSA-SHA256
 * verification. The OAuth verification is written here from RFC 5849 on purpose: the project's client
 * uses a library, and a simulator sharing that library would accept whatever the library gets wrong.
 */
import { createHash, verify, type KeyObject } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { sameSecret } from '../kit/secrets';
import {
  exponentOf,
  formatAnswerAmount,
  parseMajor,
  type SimulatedMerchant,
  type SimulatedOrder,
  type SimulatedTransaction,
} from './model';

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

// ---- errors and request fields ----

/** A refused request: answered with `type=validation-error|error` (HTTP 200 unless said otherwise). */
export class ProtocolError extends Error {
  constructor(
    readonly type: 'validation-error' | 'error',
    readonly code: string,
    message: string,
    readonly httpStatus = 200,
  ) {
    super(message);
  }
  answer(): Answer {
    return {
      status: this.httpStatus,
      body: encodePaynetResponse({ type: this.type, 'error-message': this.message, 'error-code': this.code }),
    };
  }
}
export const missing = (field: string) => new ProtocolError('validation-error', 'MISSING_FIELD', `${field} is required`);
export const invalid = (field: string, why: string) => new ProtocolError('validation-error', 'INVALID_FIELD', `${field} ${why}`);
const oauthFailure = (why: string) => new ProtocolError('error', 'OAUTH_INVALID', `OAuth authentication failed: ${why}`, 401);

export interface Answer {
  status: number;
  body: string;
}

/** Request parameters; "" counts as absent (an empty HTML form field), a repeated field is refused. */
export class Fields {
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

export function amountField(f: Fields, amountName: string, currency: string): bigint {
  const raw = f.req(amountName);
  const minor = parseMajor(raw, currency);
  if (minor === undefined) {
    throw invalid(
      amountName,
      `must be a positive amount in major units with '.' and at most ${exponentOf(currency)} decimals for ${currency}, got "${raw}"`,
    );
  }
  return minor;
}
export function currencyField(f: Fields): string {
  const c = f.req('currency');
  if (!/^[A-Z]{3}$/.test(c)) throw invalid('currency', 'must be 3 uppercase letters (ISO 4217)');
  return c;
}

/** An optional absolute http(s) URL field. */
export function httpUrlField(f: Fields, name: string): string | undefined {
  const v = f.opt(name);
  if (v === undefined) return undefined;
  let ok: boolean;
  try {
    ok = ['http:', 'https:'].includes(new URL(v).protocol);
  } catch {
    ok = false;
  }
  if (!ok) throw invalid(name, 'must be an absolute http(s) URL');
  return v;
}

// ---- answers and checks every command shares ----

export const asyncResponse = (order: SimulatedOrder, tx: SimulatedTransaction): Answer => ({
  status: 200,
  body: encodePaynetResponse({
    type: 'async-response',
    'serial-number': tx.serialNumber,
    'merchant-order-id': order.clientOrderId,
    'paynet-order-id': order.orderId,
  }),
});
export const asyncFormResponse = (order: SimulatedOrder, tx: SimulatedTransaction): Answer => ({
  status: 200,
  body: encodePaynetResponse({
    type: 'async-form-response',
    'serial-number': tx.serialNumber,
    'merchant-order-id': order.clientOrderId,
    'paynet-order-id': order.orderId,
    'redirect-url': order.formUrl,
  }),
});
export const notAllowed = (why: string) => new ProtocolError('error', 'OPERATION_NOT_ALLOWED', why);

/** `login` undefined: a command without login (sale-form, preauth-form), only the control is checked. */
export function checkControl(entry: { merchant: SimulatedMerchant }, login: string | undefined, control: string, signed: string) {
  const expected = sha1Hex(signed + entry.merchant.controlKey);
  const loginOk = login === undefined || sameSecret(login, entry.merchant.login);
  if (!sameSecret(control.toLowerCase(), expected) || !loginOk) {
    throw new ProtocolError(
      'validation-error',
      'CONTROL_INVALID',
      'login or control is wrong (control = SHA-1 over the listed fields and the merchant control key)',
    );
  }
}

export const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

// ---- OAuth 1.0a RSA-SHA256 (RFC 5849), verification side ----

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

const OAUTH_TOLERANCE_S = 300;

/**
 * Verifies the merchant's OAuth signature over the request (RFC 5849 base string, RSA-SHA256).
 * `nonces` remembers signed nonces (JSON [consumer key, nonce, timestamp] -> timestamp s) against replays.
 */
export function verifyOAuth(
  request: FastifyRequest,
  entry: { merchant: SimulatedMerchant; publicKey: KeyObject },
  body: URLSearchParams,
  nonces: Map<string, number>,
): void {
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

/** The request body as form parameters; anything else is refused. */
export function formParams(request: FastifyRequest): URLSearchParams {
  const body = request.body;
  if (body === undefined || body === null || body === '') return new URLSearchParams();
  const isForm = /^application\/x-www-form-urlencoded\b/i.test(request.headers['content-type'] ?? '');
  if (typeof body !== 'string' || !isForm) {
    throw new ProtocolError('validation-error', 'INVALID_REQUEST', 'request body must be application/x-www-form-urlencoded');
  }
  return new URLSearchParams(body);
}

/** The signed query of a Connecting Party callback (server_callback_url and notify_url alike). */
export function callbackQuery(order: SimulatedOrder, tx: SimulatedTransaction, type: string, controlKey: string): Record<string, string> {
  return {
    status: tx.status,
    orderid: order.orderId,
    merchant_order: order.clientOrderId,
    client_orderid: order.clientOrderId,
    amount: formatAnswerAmount(BigInt(tx.amountMinor), tx.currency),
    type,
    control: sha1Hex(tx.status + order.orderId + order.clientOrderId + controlKey),
    ...(tx.errorMessage ? { error_message: tx.errorMessage } : {}),
    ...(tx.errorCode ? { error_code: tx.errorCode } : {}),
  };
}
