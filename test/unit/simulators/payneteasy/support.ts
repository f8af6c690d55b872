/**
 * What the Payneteasy simulator tests share: two merchants (A may reverse payouts, B may not), an
 * OAuth 1.0a RSA-SHA256 signer written independently of the simulator, request helpers for every
 * command, a merchant callback receiver, and useSimulator() (one simulator per test file).
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parsePaynetResponse, startPayneteasySimulator, type PayneteasySimulator } from '../../../../src/simulators/payneteasy';

// Merchant A may reverse payouts, merchant B may not.
export const EP_A = '1001';
export const LOGIN_A = 'merchant-a';
export const CONTROL_A = 'control-key-a';
export const EP_B = '2002';
export const LOGIN_B = 'merchant-b';
export const CONTROL_B = 'control-key-b';

export const PROCESSING_MS = 150;
export const FORM_TTL_MS = 500;
export const RETRY_MS = 80;

export let sim: PayneteasySimulator;
export let keyA: { privateKey: KeyObject; publicKey: KeyObject };
export let keyB: { privateKey: KeyObject; publicKey: KeyObject };
export let strangerKey: KeyObject;

export const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));
let seq = 0;
export const newOrderId = (tag = 'ord') => `${tag}-${Date.now()}-${++seq}`;
export const sha1 = (s: string) => createHash('sha1').update(s, 'utf8').digest('hex'); // independent of the simulator's sha1Hex

export async function waitFor<T>(probe: () => T | Promise<T>, ok: (v: T) => boolean, timeoutMs = 2_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v) || Date.now() > until) return v;
    await delay(20);
  }
}

// ---------------------------------------------------------------------------------------------
// A small OAuth 1.0a RSA-SHA256 signer (RFC 5849), written here independently of the simulator.
// ---------------------------------------------------------------------------------------------

const pct = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

/** RFC 5849 §3.4.1: method & base string URI & normalized parameters (oauth + query + form body). */
export function signatureBaseString(
  method: string,
  url: string,
  oauthParams: Record<string, string>,
  body: Array<[string, string]>,
): string {
  const u = new URL(url); // WHATWG URL lowercases scheme and host and drops default ports
  const params: Array<[string, string]> = [...Object.entries(oauthParams), ...u.searchParams, ...body]
    .filter(([k]) => k !== 'oauth_signature' && k !== 'realm')
    .map(([k, v]) => [pct(k), pct(v)]);
  params.sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) : a[0] < b[0] ? -1 : 1));
  const normalized = params.map(([k, v]) => `${k}=${v}`).join('&');
  return [method.toUpperCase(), pct(`${u.protocol}//${u.host}${u.pathname}`), pct(normalized)].join('&');
}

interface SignOptions {
  consumerKey?: string;
  key?: KeyObject;
  nonce?: string;
  timestamp?: number;
  signatureMethod?: string;
  /** Body actually sent, if it should differ from the signed one. */
  sendFields?: Record<string, string>;
  omitAuthorization?: boolean;
}

export interface PaynetAnswer {
  status: number;
  text: string;
  fields: Record<string, string>;
}

export async function toAnswer(res: Response): Promise<PaynetAnswer> {
  const text = await res.text();
  return { status: res.status, text, fields: parsePaynetResponse(text) };
}

export function oauthHeader(url: string, fields: Record<string, string>, o: SignOptions, signer: KeyObject): string {
  const oauth: Record<string, string> = {
    oauth_consumer_key: o.consumerKey ?? LOGIN_A,
    oauth_nonce: o.nonce ?? randomBytes(12).toString('hex'),
    oauth_signature_method: o.signatureMethod ?? 'RSA-SHA256',
    oauth_timestamp: String(o.timestamp ?? Math.floor(Date.now() / 1000)),
    oauth_version: '1.0',
  };
  const base = signatureBaseString('POST', url, oauth, Object.entries(fields));
  oauth.oauth_signature = sign('sha256', Buffer.from(base, 'utf8'), signer).toString('base64');
  return (
    'OAuth realm="", ' +
    Object.entries(oauth)
      .map(([k, v]) => `${pct(k)}="${pct(v)}"`)
      .join(', ')
  );
}

/**
 * A v4 payout: to `v4/payout-by-ref` when it names a stored card, else `v4/payout` (or `o.command`);
 * per endpoint, or per endpoint group with `o.group` (signed with the key of `o.endpoint`).
 */
export async function payout(
  fields: Record<string, string>,
  o: SignOptions & { endpoint?: string; group?: string; command?: 'payout' | 'payout-by-ref' } = {},
): Promise<PaynetAnswer> {
  const endpoint = o.endpoint ?? EP_A;
  const command = o.command ?? (fields['destination-card-ref-id'] ? 'payout-by-ref' : 'payout');
  const url = `${sim.url}/paynet/api/v4/${command}/${o.group !== undefined ? `group/${o.group}` : endpoint}`;
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (!o.omitAuthorization) headers.authorization = oauthHeader(url, fields, o, o.key ?? (endpoint === EP_B ? keyB : keyA).privateKey);
  const res = await fetch(url, { method: 'POST', headers, body: new URLSearchParams(o.sendFields ?? fields).toString() });
  return toAnswer(res);
}

export const payoutFields = (overrides: Record<string, string> = {}) => ({
  client_orderid: newOrderId(),
  amount: '25.00',
  currency: 'EUR',
  order_desc: 'enfore payout',
  'destination-card-ref-id': 'card-ok-1',
  ...overrides,
});

export async function v2(
  command: 'status' | 'return' | 'sale-form' | 'preauth-form' | 'capture' | 'void',
  endpoint: string,
  fields: Record<string, string>,
): Promise<PaynetAnswer> {
  const res = await fetch(`${sim.url}/paynet/api/v2/${command}/${endpoint}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  return toAnswer(res);
}

export interface OrderRef {
  clientOrderId: string;
  orderId: string;
}
export const refOf = (clientOrderId: string, a: PaynetAnswer): OrderRef => ({ clientOrderId, orderId: a.fields['paynet-order-id'] });

export function status(ref: OrderRef, extra: Record<string, string> = {}, endpoint = EP_A, login = LOGIN_A, control = CONTROL_A) {
  return v2('status', endpoint, {
    login,
    client_orderid: ref.clientOrderId,
    orderid: ref.orderId,
    control: sha1(login + ref.clientOrderId + ref.orderId + control),
    ...extra,
  });
}

export function reverse(
  ref: OrderRef,
  opts: { amount?: string; currency?: string; amountMinor?: string; endpoint?: string; login?: string; control?: string } = {},
) {
  const login = opts.login ?? LOGIN_A;
  const signedAmount = opts.amount ? `${opts.amountMinor}${opts.currency}` : '';
  return v2('return', opts.endpoint ?? EP_A, {
    login,
    client_orderid: ref.clientOrderId,
    orderid: ref.orderId,
    ...(opts.amount ? { amount: opts.amount, currency: opts.currency! } : {}),
    comment: 'receiver asked to cancel',
    control: sha1(login + ref.clientOrderId + ref.orderId + signedAmount + (opts.control ?? CONTROL_A)),
  });
}

export async function createPayout(overrides: Record<string, string> = {}, o: SignOptions & { endpoint?: string } = {}): Promise<OrderRef> {
  const fields = payoutFields(overrides);
  const a = await payout(fields, o);
  expect(a.fields).toMatchObject({ type: 'async-response' });
  return refOf(fields.client_orderid, a);
}

export const ordersFor = (clientOrderId: string) => sim.orders().filter((o) => o.clientOrderId === clientOrderId);
export const ledgerFor = (clientOrderId: string) => sim.ledger().filter((l) => l.clientOrderId === clientOrderId);
export const finalStatus = (ref: OrderRef, extra?: Record<string, string>, endpoint?: string, login?: string, control?: string) =>
  waitFor(
    () => status(ref, extra, endpoint, login, control),
    (a) => a.fields.status !== 'processing',
  );

// ---------------------------------------------------------------------------------------------
// A merchant callback receiver
// ---------------------------------------------------------------------------------------------

interface Received {
  query: Record<string, string>;
  answered: number;
}
const received: Received[] = [];
export const failFirst = new Map<string, number>(); // client_orderid -> how many more times to answer 500
let receiver: http.Server;
export let callbackUrl: string;
export const callbacksFor = (clientOrderId: string) => received.filter((r) => r.query.client_orderid === clientOrderId);

/** Starts the simulator and the callback receiver for this test file, and stops them after it. */
export function useSimulator(): void {
  beforeAll(async () => {
    const gen = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
    keyA = gen();
    keyB = gen();
    strangerKey = gen().privateKey;

    receiver = http.createServer((req, res) => {
      const query = Object.fromEntries(new URL(req.url ?? '/', 'http://x').searchParams);
      const left = failFirst.get(query.client_orderid) ?? 0;
      const answered = left > 0 ? 500 : 200;
      if (left > 0) failFirst.set(query.client_orderid, left - 1);
      received.push({ query, answered });
      res.writeHead(answered).end(answered === 200 ? 'OK' : 'try later');
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    callbackUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/payneteasy/callback?shop=enfore`;

    sim = await startPayneteasySimulator({
      merchants: [
        {
          endpointId: EP_A,
          login: LOGIN_A,
          controlKey: CONTROL_A,
          publicKeyPem: keyA.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
          payoutReversal: true,
        },
        {
          endpointId: EP_B,
          login: LOGIN_B,
          controlKey: CONTROL_B,
          publicKeyPem: keyB.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        },
      ],
      processingMs: PROCESSING_MS,
      formTtlMs: FORM_TTL_MS,
      callbackRetryMs: RETRY_MS,
    });
  });

  afterAll(async () => {
    await sim?.close();
    await new Promise((r) => receiver?.close(r));
  });

  afterEach(() => sim.setCallbackMode('deliver'));
}
