import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import OAuth from 'oauth-1.0a';
import {
  encodePaynetResponse,
  parsePaynetResponse,
  sha1Hex,
  startPayneteasySimulator,
  type PayneteasySimulator,
} from '../../src/simulators/payneteasy';

// Merchant A may reverse payouts, merchant B may not.
const EP_A = '1001';
const LOGIN_A = 'merchant-a';
const CONTROL_A = 'control-key-a';
const EP_B = '2002';
const LOGIN_B = 'merchant-b';
const CONTROL_B = 'control-key-b';

const PROCESSING_MS = 150;
const FORM_TTL_MS = 500;
const RETRY_MS = 80;

let sim: PayneteasySimulator;
let keyA: { privateKey: KeyObject; publicKey: KeyObject };
let keyB: { privateKey: KeyObject; publicKey: KeyObject };
let strangerKey: KeyObject;

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));
let seq = 0;
const newOrderId = (tag = 'ord') => `${tag}-${Date.now()}-${++seq}`;
const sha1 = (s: string) => createHash('sha1').update(s, 'utf8').digest('hex'); // independent of the simulator's sha1Hex

async function waitFor<T>(probe: () => T | Promise<T>, ok: (v: T) => boolean, timeoutMs = 2_000): Promise<T> {
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
function signatureBaseString(method: string, url: string, oauthParams: Record<string, string>, body: Array<[string, string]>): string {
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

interface PaynetAnswer {
  status: number;
  text: string;
  fields: Record<string, string>;
}

async function toAnswer(res: Response): Promise<PaynetAnswer> {
  const text = await res.text();
  return { status: res.status, text, fields: parsePaynetResponse(text) };
}

function oauthHeader(url: string, fields: Record<string, string>, o: SignOptions, signer: KeyObject): string {
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

async function payout(fields: Record<string, string>, o: SignOptions & { endpoint?: string } = {}): Promise<PaynetAnswer> {
  const endpoint = o.endpoint ?? EP_A;
  const url = `${sim.url}/paynet/api/v4/payout/${endpoint}`;
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (!o.omitAuthorization) headers.authorization = oauthHeader(url, fields, o, o.key ?? (endpoint === EP_B ? keyB : keyA).privateKey);
  const res = await fetch(url, { method: 'POST', headers, body: new URLSearchParams(o.sendFields ?? fields).toString() });
  return toAnswer(res);
}

const payoutFields = (overrides: Record<string, string> = {}) => ({
  client_orderid: newOrderId(),
  amount: '25.00',
  currency: 'EUR',
  order_desc: 'enfore payout',
  'destination-card-ref-id': 'card-ok-1',
  ...overrides,
});

async function v2(
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

interface OrderRef {
  clientOrderId: string;
  orderId: string;
}
const refOf = (clientOrderId: string, a: PaynetAnswer): OrderRef => ({ clientOrderId, orderId: a.fields['paynet-order-id'] });

function status(ref: OrderRef, extra: Record<string, string> = {}, endpoint = EP_A, login = LOGIN_A, control = CONTROL_A) {
  return v2('status', endpoint, {
    login,
    client_orderid: ref.clientOrderId,
    orderid: ref.orderId,
    control: sha1(login + ref.clientOrderId + ref.orderId + control),
    ...extra,
  });
}

function reverse(
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

async function createPayout(overrides: Record<string, string> = {}, o: SignOptions & { endpoint?: string } = {}): Promise<OrderRef> {
  const fields = payoutFields(overrides);
  const a = await payout(fields, o);
  expect(a.fields).toMatchObject({ type: 'async-response' });
  return refOf(fields.client_orderid, a);
}

const ordersFor = (clientOrderId: string) => sim.orders().filter((o) => o.clientOrderId === clientOrderId);
const ledgerFor = (clientOrderId: string) => sim.ledger().filter((l) => l.clientOrderId === clientOrderId);
const finalStatus = (ref: OrderRef, extra?: Record<string, string>, endpoint?: string, login?: string, control?: string) =>
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
const failFirst = new Map<string, number>(); // client_orderid -> how many more times to answer 500
let receiver: http.Server;
let callbackUrl: string;
const callbacksFor = (clientOrderId: string) => received.filter((r) => r.query.client_orderid === clientOrderId);

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

// ---------------------------------------------------------------------------------------------

describe('protocol helpers', () => {
  test('responses are newline-terminated, form-encoded values joined by &, and parse back trimmed', () => {
    const body = encodePaynetResponse({
      type: 'error',
      'error-message': "Receiver's issuer declined & more",
      'error-code': 'X',
      skipped: undefined,
    });
    expect(body).toBe("type=error\n&error-message=Receiver's+issuer+declined+%26+more\n&error-code=X\n");
    expect(parsePaynetResponse(body)).toEqual({ type: 'error', 'error-message': "Receiver's issuer declined & more", 'error-code': 'X' });
    expect(parsePaynetResponse('a=1%2B1\n&b=\n&c=x%20y\n')).toEqual({ a: '1+1', b: '', c: 'x y' });
  });

  test('sha1Hex is lowercase hex SHA-1', () => {
    expect(sha1Hex('abc')).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
  });

  test("the test's signer reproduces the RFC 5849 §3.4.1.1 signature base string example", () => {
    const base = signatureBaseString(
      'POST',
      'http://EXAMPLE.COM:80/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b',
      {
        realm: 'Example',
        oauth_consumer_key: '9djdj82h48djs9d2',
        oauth_token: 'kkk9d7dh3k39sjv7',
        oauth_signature_method: 'HMAC-SHA1',
        oauth_timestamp: '137131201',
        oauth_nonce: '7d8f3e4a',
        oauth_signature: 'bYT5CMsGcbgUdFHObYMEfcx6bsw=',
      },
      [...new URLSearchParams('c2&a3=2+q')],
    );
    expect(base).toBe(
      'POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7',
    );
  });
});

describe('payout', () => {
  test('approved after processingMs: async-response, status processing then approved, ledger paid', async () => {
    const fields = payoutFields();
    const a = await payout(fields);
    expect(a.status).toBe(200);
    // Payneteasy's shape: a "\n" after every value, i.e. before every '&'.
    expect(a.text).toMatch(/^type=async-response\n&serial-number=[0-9a-f-]+\n&merchant-order-id=[^&\n]+\n&paynet-order-id=\d+\n$/);
    expect(a.text.split('&').every((part) => part.endsWith('\n'))).toBe(true);
    expect(a.fields['merchant-order-id']).toBe(fields.client_orderid);
    const ref = refOf(fields.client_orderid, a);

    const first = await status(ref);
    expect(first.text.split('&').every((part) => part.endsWith('\n'))).toBe(true);
    expect(first.fields).toMatchObject({
      type: 'status-response',
      status: 'processing',
      'transaction-type': 'payout',
      'order-stage': 'payout_processing',
      amount: '25.00',
      currency: 'EUR',
      'paynet-order-id': ref.orderId,
      'merchant-order-id': fields.client_orderid,
      'serial-number': a.fields['serial-number'],
    });
    expect(first.fields['redirect-to']).toBeUndefined();
    expect(ledgerFor(fields.client_orderid)).toEqual([]);

    const done = await finalStatus(ref);
    expect(done.fields).toMatchObject({ status: 'approved', 'order-stage': 'payout_approved', 'serial-number': a.fields['serial-number'] });
    expect(done.fields['error-code']).toBeUndefined();
    expect(ledgerFor(fields.client_orderid)).toEqual([
      { orderId: ref.orderId, clientOrderId: fields.client_orderid, paidMinor: '2500', reversedMinor: '0', currency: 'EUR' },
    ]);
    const [order] = ordersFor(fields.client_orderid);
    expect(order).toMatchObject({ endpointId: EP_A, amountMinor: '2500', currency: 'EUR', destination: 'card-ok-1', formCompleted: false });
    expect(order.transactions).toEqual([
      expect.objectContaining({ type: 'payout', status: 'approved', amountMinor: '2500', finalAt: expect.any(String) }),
    ]);
  });

  test('paynet-order-ids are numeric and increasing', async () => {
    const a = await createPayout();
    const b = await createPayout();
    expect(BigInt(b.orderId)).toBeGreaterThan(BigInt(a.orderId));
  });

  test.each([
    ['decline-', 'declined', 'DECLINED', "Receiver's issuer declined"],
    ['error-', 'error', 'PROCESSING_ERROR', undefined],
    ['filtered-', 'filtered', 'FRAUD_FILTER', undefined],
  ])('destination %s -> %s with %s, nothing paid', async (prefix, finalState, code, message) => {
    const ref = await createPayout({ 'destination-card-ref-id': `${prefix}card-7` });
    const done = await finalStatus(ref);
    expect(done.fields).toMatchObject({ status: finalState, 'error-code': code, 'order-stage': `payout_${finalState}` });
    expect(done.fields['error-message']).toEqual(message ?? expect.any(String));
    expect(ledgerFor(ref.clientOrderId)).toEqual([]);
  });

  test('amounts are converted exactly with the currency exponent; invalid fields are validation errors', async () => {
    const big = await createPayout({ amount: '123456789012345.67' }); // beyond float precision
    expect(ordersFor(big.clientOrderId)[0].amountMinor).toBe('12345678901234567');
    expect((await status(big)).fields.amount).toBe('123456789012345.67');
    const jpy = await createPayout({ amount: '1500', currency: 'JPY' });
    expect(ordersFor(jpy.clientOrderId)[0].amountMinor).toBe('1500');
    const kwd = await createPayout({ amount: '12.345', currency: 'KWD' });
    expect(ordersFor(kwd.clientOrderId)[0].amountMinor).toBe('12345');
    expect((await status(kwd)).fields.amount).toBe('12.345');
    const short = await createPayout({ amount: '7.5' });
    expect(ordersFor(short.clientOrderId)[0].amountMinor).toBe('750');

    const cases: Array<[Record<string, string>, string, string]> = [
      [{ amount: '25.001' }, 'INVALID_FIELD', 'amount'],
      [{ amount: '1.5', currency: 'JPY' }, 'INVALID_FIELD', 'amount'],
      [{ amount: '25,00' }, 'INVALID_FIELD', 'amount'],
      [{ amount: '0.00' }, 'INVALID_FIELD', 'amount'],
      [{ amount: '-5.00' }, 'INVALID_FIELD', 'amount'],
      [{ amount: '' }, 'MISSING_FIELD', 'amount'],
      [{ currency: 'eur' }, 'INVALID_FIELD', 'currency'],
      [{ currency: '' }, 'MISSING_FIELD', 'currency'],
      [{ client_orderid: '' }, 'MISSING_FIELD', 'client_orderid'],
      [{ client_orderid: 'x'.repeat(129) }, 'INVALID_FIELD', 'client_orderid'],
      [{ server_callback_url: 'ftp://merchant.example/cb' }, 'INVALID_FIELD', 'server_callback_url'],
      [{ server_callback_url: '/relative/cb' }, 'INVALID_FIELD', 'server_callback_url'],
    ];
    const before = sim.orders().length;
    for (const [overrides, code, field] of cases) {
      const a = await payout(payoutFields(overrides));
      expect({ overrides, status: a.status, ...a.fields }).toMatchObject({
        overrides,
        status: 200,
        type: 'validation-error',
        'error-code': code,
        'error-message': expect.stringContaining(field),
      });
    }
    expect(sim.orders().length).toBe(before);
  });

  test('a repeat with identical fields returns the same answer; a changed amount or destination is DUPLICATE_ORDER', async () => {
    const fields = payoutFields();
    const first = await payout(fields);
    const again = await payout({ ...fields, order_desc: 'retry' }); // new nonce, same order data
    expect(again.fields).toEqual(first.fields);
    const sameAmountOtherSpelling = await payout({ ...fields, amount: '25' });
    expect(sameAmountOtherSpelling.fields['paynet-order-id']).toBe(first.fields['paynet-order-id']);

    for (const changed of [{ amount: '26.00' }, { currency: 'USD' }, { 'destination-card-ref-id': 'card-other' }]) {
      const dup = await payout({ ...fields, ...changed });
      expect(dup.fields).toMatchObject({ type: 'validation-error', 'error-code': 'DUPLICATE_ORDER' });
    }
    expect(ordersFor(fields.client_orderid)).toHaveLength(1);
    expect(ordersFor(fields.client_orderid)[0].transactions).toHaveLength(1);
    await finalStatus(refOf(fields.client_orderid, first));
    expect(ledgerFor(fields.client_orderid)).toEqual([expect.objectContaining({ paidMinor: '2500' })]);
    // the same client_orderid on another endpoint is another order
    const other = await payout(fields, { endpoint: EP_B, consumerKey: LOGIN_B });
    expect(other.fields.type).toBe('async-response');
    expect(other.fields['paynet-order-id']).not.toBe(first.fields['paynet-order-id']);
  });

  test('the signature covers characters that need percent-encoding', async () => {
    const ref = await createPayout({ order_desc: "Auszahlung für Ωmega & co: 100% *fair* ~ (1+1=2) 'quoted'" });
    expect(ordersFor(ref.clientOrderId)).toHaveLength(1);
  });

  test('a request signed by the oauth-1.0a library is accepted too', async () => {
    const client = new OAuth({
      consumer: { key: LOGIN_A, secret: '' },
      signature_method: 'RSA-SHA256',
      hash_function: (base) => sign('sha256', Buffer.from(base, 'utf8'), keyA.privateKey).toString('base64'),
    });
    const fields = payoutFields({ order_desc: 'signed by a library: ä + ~' });
    const url = `${sim.url}/paynet/api/v4/payout/${EP_A}`;
    const header = client.toHeader(client.authorize({ url, method: 'POST', data: fields }));
    const res = await fetch(url, {
      method: 'POST',
      headers: { ...header, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    expect((await toAnswer(res)).fields.type).toBe('async-response');
  });
});

describe('OAuth failures are HTTP 401 OAUTH_INVALID and create nothing', () => {
  const rejected = async (a: PaynetAnswer, clientOrderId: string, why: RegExp) => {
    expect(a.status).toBe(401);
    expect(a.text).toMatch(/^type=error\n&error-message=[^&]+\n&error-code=OAUTH_INVALID\n$/);
    expect(a.fields['error-message']).toMatch(why);
    expect(ordersFor(clientOrderId)).toHaveLength(0);
  };

  test('body changed after signing', async () => {
    const fields = payoutFields();
    await rejected(await payout(fields, { sendFields: { ...fields, amount: '2500.00' } }), fields.client_orderid, /signature/);
  });
  test('signed with another key', async () => {
    const fields = payoutFields();
    await rejected(await payout(fields, { key: strangerKey }), fields.client_orderid, /signature/);
  });
  test("the other merchant's key and login on this endpoint", async () => {
    const fields = payoutFields();
    await rejected(await payout(fields, { consumerKey: LOGIN_B, key: keyB.privateKey }), fields.client_orderid, /consumer_key/);
  });
  test('wrong consumer key', async () => {
    const fields = payoutFields();
    await rejected(await payout(fields, { consumerKey: 'someone-else' }), fields.client_orderid, /consumer_key/);
  });
  test('stale and future timestamps', async () => {
    const fields = payoutFields();
    const now = Math.floor(Date.now() / 1000);
    await rejected(await payout(fields, { timestamp: now - 301 - 5 }), fields.client_orderid, /timestamp/);
    await rejected(await payout(fields, { timestamp: now + 400 }), fields.client_orderid, /timestamp/);
    expect((await payout(fields, { timestamp: now - 200 })).fields.type).toBe('async-response'); // within 300 s
  });
  test('replayed nonce and timestamp', async () => {
    const fields = payoutFields();
    const signing = { nonce: 'fixed-nonce-' + randomBytes(4).toString('hex'), timestamp: Math.floor(Date.now() / 1000) };
    const first = await payout(fields, signing);
    expect(first.fields.type).toBe('async-response');
    const replay = await payout(fields, signing);
    expect(replay.status).toBe(401);
    expect(replay.fields).toMatchObject({ 'error-code': 'OAUTH_INVALID', 'error-message': expect.stringMatching(/replay/) });
    expect(ordersFor(fields.client_orderid)).toHaveLength(1);
  });
  test('missing header and unsupported signature method', async () => {
    const fields = payoutFields();
    await rejected(await payout(fields, { omitAuthorization: true }), fields.client_orderid, /Authorization/);
    await rejected(await payout(fields, { signatureMethod: 'HMAC-SHA1' }), fields.client_orderid, /signature_method/);
  });
});

describe('status', () => {
  test('wrong control or login is CONTROL_INVALID; unknown order is ORDER_NOT_FOUND', async () => {
    const ref = await createPayout();
    const bad = await v2('status', EP_A, {
      login: LOGIN_A,
      client_orderid: ref.clientOrderId,
      orderid: ref.orderId,
      control: sha1('nonsense'),
    });
    expect(bad.status).toBe(200);
    expect(bad.fields).toMatchObject({ type: 'validation-error', 'error-code': 'CONTROL_INVALID' });
    const otherKey = await status(ref, {}, EP_A, LOGIN_A, CONTROL_B);
    expect(otherKey.fields['error-code']).toBe('CONTROL_INVALID');
    const otherLogin = await status(ref, {}, EP_A, LOGIN_B, CONTROL_A);
    expect(otherLogin.fields['error-code']).toBe('CONTROL_INVALID');
    const unknown = await status({ clientOrderId: ref.clientOrderId, orderId: '999999999' });
    expect(unknown.fields).toMatchObject({ type: 'error', 'error-code': 'ORDER_NOT_FOUND' });
    const otherEndpoint = await status(ref, {}, EP_B, LOGIN_B, CONTROL_B);
    expect(otherEndpoint.fields['error-code']).toBe('ORDER_NOT_FOUND');
    const missing = await v2('status', EP_A, { login: LOGIN_A, client_orderid: ref.clientOrderId });
    expect(missing.fields).toMatchObject({ type: 'validation-error', 'error-code': 'MISSING_FIELD' });
  });

  test('without orderid the order is found by client_orderid (control over an empty orderid)', async () => {
    const ref = await createPayout();
    const a = await v2('status', EP_A, {
      login: LOGIN_A,
      client_orderid: ref.clientOrderId,
      control: sha1(LOGIN_A + ref.clientOrderId + CONTROL_A),
    });
    expect(a.fields).toMatchObject({ type: 'status-response', 'paynet-order-id': ref.orderId });
  });
});

describe('receiver form', () => {
  test('redirect-to while waiting; completeForm -> approved after processingMs', async () => {
    const ref = await createPayout({ 'destination-card-ref-id': '' });
    const waiting = await status(ref);
    expect(waiting.fields).toMatchObject({ status: 'processing', 'redirect-to': `${sim.url}/paynet/form/${ref.orderId}` });
    const page = await fetch(waiting.fields['redirect-to']);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`<form method="post" action="/paynet/form/${ref.orderId}"`);
    await delay(PROCESSING_MS + 50);
    expect((await status(ref)).fields.status).toBe('processing'); // nothing happens until the receiver acts

    sim.completeForm(ref.orderId);
    const submitted = await status(ref);
    expect(submitted.fields.status).toBe('processing');
    expect(submitted.fields['redirect-to']).toBeUndefined();
    expect((await finalStatus(ref)).fields.status).toBe('approved');
    expect(ordersFor(ref.clientOrderId)[0]).toMatchObject({ formCompleted: true, formUrl: `${sim.url}/paynet/form/${ref.orderId}` });
    expect(ledgerFor(ref.clientOrderId)).toEqual([expect.objectContaining({ paidMinor: '2500' })]);
    await delay(FORM_TTL_MS); // the expiry timer was cancelled
    expect((await status(ref)).fields.status).toBe('approved');
  });

  test('submitting the HTML form (POST /paynet/form/:orderId) completes it', async () => {
    const ref = await createPayout({ 'destination-card-ref-id': '' });
    const res = await fetch(`${sim.url}/paynet/form/${ref.orderId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(res.status).toBe(200);
    expect((await finalStatus(ref)).fields.status).toBe('approved');
  });

  test('a form not completed within formTtlMs declines the payout with FORM_EXPIRED', async () => {
    const ref = await createPayout({ 'destination-card-ref-id': '' });
    const done = await waitFor(
      () => status(ref),
      (a) => a.fields.status !== 'processing',
      FORM_TTL_MS + 1_000,
    );
    expect(done.fields).toMatchObject({ status: 'declined', 'error-code': 'FORM_EXPIRED' });
    expect(done.fields['redirect-to']).toBeUndefined();
    expect(ledgerFor(ref.clientOrderId)).toEqual([]);
    expect(() => sim.completeForm(ref.orderId)).toThrow(/closed/);
    const late = await fetch(`${sim.url}/paynet/form/${ref.orderId}`, { method: 'POST' });
    expect(late.status).toBe(409);
    expect((await status(ref)).fields.status).toBe('declined');
  });
});

describe('callbacks', () => {
  const checkControl = (q: Record<string, string>, key = CONTROL_A) =>
    expect(q.control).toBe(sha1(q.status + q.orderid + q.client_orderid + key));

  test('a final status is delivered with a correct control, and recorded', async () => {
    const ref = await createPayout({ server_callback_url: callbackUrl });
    const got = await waitFor(
      () => callbacksFor(ref.clientOrderId),
      (c) => c.length > 0,
    );
    expect(got).toHaveLength(1);
    const q = got[0].query;
    expect(q).toEqual({
      shop: 'enfore', // the merchant's own query parameters are kept
      status: 'approved',
      orderid: ref.orderId,
      merchant_order: ref.clientOrderId,
      client_orderid: ref.clientOrderId,
      amount: '25.00',
      type: 'payout',
      control: expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    checkControl(q);
    const recorded = await waitFor(
      () => sim.callbacks().filter((c) => c.query.client_orderid === ref.clientOrderId),
      (c) => c.length > 0,
    );
    expect(recorded).toEqual([
      { url: callbackUrl, query: expect.objectContaining({ status: 'approved' }), httpStatus: 200, at: expect.any(String) },
    ]);
  });

  test('a decline carries error_code and error_message', async () => {
    const ref = await createPayout({ server_callback_url: callbackUrl, 'destination-card-ref-id': 'decline-card' });
    const [cb] = await waitFor(
      () => callbacksFor(ref.clientOrderId),
      (c) => c.length > 0,
    );
    expect(cb.query).toMatchObject({ status: 'declined', error_code: 'DECLINED', error_message: "Receiver's issuer declined" });
    checkControl(cb.query);
  });

  test('duplicate mode sends it twice', async () => {
    sim.setCallbackMode('duplicate');
    const ref = await createPayout({ server_callback_url: callbackUrl });
    const got = await waitFor(
      () => callbacksFor(ref.clientOrderId),
      (c) => c.length >= 2,
    );
    await delay(100);
    expect(callbacksFor(ref.clientOrderId)).toHaveLength(2);
    expect(got[0].query).toEqual(got[1].query);
  });

  test('drop mode sends none', async () => {
    sim.setCallbackMode('drop');
    const ref = await createPayout({ server_callback_url: callbackUrl });
    expect((await finalStatus(ref)).fields.status).toBe('approved');
    await delay(150);
    expect(callbacksFor(ref.clientOrderId)).toHaveLength(0);
    expect(sim.callbacks().filter((c) => c.query.client_orderid === ref.clientOrderId)).toHaveLength(0);
  });

  test('a non-200 answer is retried every callbackRetryMs until 200', async () => {
    const clientOrderId = newOrderId('retry');
    failFirst.set(clientOrderId, 2);
    await createPayout({ client_orderid: clientOrderId, server_callback_url: callbackUrl });
    // The simulator records an attempt once it has read the answer: wait for its record, not the receiver's.
    const recorded = await waitFor(
      () => sim.callbacks().filter((c) => c.query.client_orderid === clientOrderId),
      (c) => c.some((r) => r.httpStatus === 200),
    );
    expect(callbacksFor(clientOrderId).map((r) => r.answered)).toEqual([500, 500, 200]);
    expect(recorded.map((c) => c.httpStatus)).toEqual([500, 500, 200]);
    expect(Date.parse(recorded[1].at) - Date.parse(recorded[0].at)).toBeGreaterThanOrEqual(RETRY_MS - 5);
  });

  test('an unreachable callback URL is tried 5 times and recorded as network errors', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/cb`;
    await new Promise((r) => closed.close(r));
    const ref = await createPayout({ server_callback_url: deadUrl });
    const recorded = await waitFor(
      () => sim.callbacks().filter((c) => c.query.client_orderid === ref.clientOrderId),
      (c) => c.length >= 5,
      PROCESSING_MS + 6 * RETRY_MS + 2_000,
    );
    await delay(2 * RETRY_MS);
    expect(sim.callbacks().filter((c) => c.query.client_orderid === ref.clientOrderId)).toHaveLength(5);
    expect(recorded.every((c) => c.httpStatus === 'network-error' && c.url === deadUrl)).toBe(true);
  });
});

describe('return (payout reversal)', () => {
  test('reverses an approved payout when the endpoint allows it; idempotent', async () => {
    const ref = await createPayout({ server_callback_url: callbackUrl });
    const payoutStatus = await finalStatus(ref);
    expect(payoutStatus.fields.status).toBe('approved');

    const r = await reverse(ref);
    expect(r.text).toMatch(/^type=async-response\n&serial-number=[0-9a-f-]+\n&merchant-order-id=[^&\n]+\n&paynet-order-id=\d+\n$/);
    expect(r.fields['paynet-order-id']).toBe(ref.orderId);
    expect(r.fields['serial-number']).not.toBe(payoutStatus.fields['serial-number']);
    expect((await status(ref)).fields).toMatchObject({
      status: 'processing',
      'transaction-type': 'return',
      'order-stage': 'return_processing',
    });

    const done = await finalStatus(ref);
    expect(done.fields).toMatchObject({
      status: 'approved',
      'transaction-type': 'return',
      'order-stage': 'return_approved',
      'serial-number': r.fields['serial-number'],
      amount: '25.00',
    });
    const byPayoutSn = await status(ref, { 'by-request-sn': payoutStatus.fields['serial-number'] });
    expect(byPayoutSn.fields).toMatchObject({
      status: 'approved',
      'transaction-type': 'payout',
      'serial-number': payoutStatus.fields['serial-number'],
    });
    expect(ledgerFor(ref.clientOrderId)).toEqual([
      { orderId: ref.orderId, clientOrderId: ref.clientOrderId, paidMinor: '2500', reversedMinor: '2500', currency: 'EUR' },
    ]);

    const again = await reverse(ref);
    expect(again.fields).toEqual(r.fields);
    expect(ordersFor(ref.clientOrderId)[0].transactions.map((t) => t.type)).toEqual(['payout', 'return']);

    const returnCb = await waitFor(
      () => callbacksFor(ref.clientOrderId).filter((c) => c.query.type === 'return'),
      (c) => c.length > 0,
    );
    expect(returnCb[0].query).toMatchObject({ status: 'approved', type: 'return', amount: '25.00' });
    checkReturnControl(returnCb[0].query);
  });

  function checkReturnControl(q: Record<string, string>) {
    expect(q.control).toBe(sha1(q.status + q.orderid + q.client_orderid + CONTROL_A));
  }

  test('a partial amount is part of the control; a wrong control is refused', async () => {
    const ref = await createPayout();
    await finalStatus(ref);
    const wrong = await reverse(ref, { amount: '10.00', currency: 'EUR', amountMinor: '10.00' }); // major units in the control: wrong
    expect(wrong.fields).toMatchObject({ type: 'validation-error', 'error-code': 'CONTROL_INVALID' });
    const tooMuch = await reverse(ref, { amount: '30.00', currency: 'EUR', amountMinor: '3000' });
    expect(tooMuch.fields).toMatchObject({ type: 'validation-error', 'error-code': 'INVALID_FIELD' });
    const ok = await reverse(ref, { amount: '10.00', currency: 'EUR', amountMinor: '1000' });
    expect(ok.fields.type).toBe('async-response');
    await finalStatus(ref);
    expect(ledgerFor(ref.clientOrderId)).toEqual([expect.objectContaining({ paidMinor: '2500', reversedMinor: '1000' })]);
  });

  test('refused with OPERATION_NOT_ALLOWED without payoutReversal or when the payout is not approved', async () => {
    const onB = await createPayout({}, { endpoint: EP_B, consumerKey: LOGIN_B });
    await finalStatus(onB, {}, EP_B, LOGIN_B, CONTROL_B);
    const refusedB = await reverse(onB, { endpoint: EP_B, login: LOGIN_B, control: CONTROL_B });
    expect(refusedB.fields).toMatchObject({ type: 'error', 'error-code': 'OPERATION_NOT_ALLOWED' });

    const processing = await createPayout();
    expect((await reverse(processing)).fields['error-code']).toBe('OPERATION_NOT_ALLOWED');
    const declined = await createPayout({ 'destination-card-ref-id': 'decline-x' });
    await finalStatus(declined);
    expect((await reverse(declined)).fields['error-code']).toBe('OPERATION_NOT_ALLOWED');
    for (const ref of [onB, processing, declined]) {
      expect(ordersFor(ref.clientOrderId)[0].transactions.map((t) => t.type)).toEqual(['payout']);
    }
    expect(ledgerFor(onB.clientOrderId)).toEqual([expect.objectContaining({ paidMinor: '2500', reversedMinor: '0' })]);
  });
});

describe('faults', () => {
  test('unavailable: 503 and nothing processed; the retry is processed normally', async () => {
    sim.injectFault({ kind: 'unavailable' });
    const fields = payoutFields();
    const down = await payout(fields);
    expect(down.status).toBe(503);
    expect(ordersFor(fields.client_orderid)).toHaveLength(0);
    const up = await payout(fields);
    expect(up.status).toBe(200);
    expect(up.fields.type).toBe('async-response');
    expect(ordersFor(fields.client_orderid)).toHaveLength(1);
  });

  test('clearFaults forgets every queued fault: the next request is served normally', async () => {
    sim.injectFault({ kind: 'unavailable', count: 5 });
    sim.injectFault({ kind: 'decline-next', transactionType: 'capture' });
    sim.clearFaults();
    const fields = payoutFields();
    const up = await payout(fields);
    expect(up.status).toBe(200);
    expect(ordersFor(fields.client_orderid)).toHaveLength(1);
  });

  test('drop-after-processing: no answer, but the order exists and the repeat returns it', async () => {
    sim.injectFault({ kind: 'drop-after-processing' });
    const fields = payoutFields();
    await expect(payout(fields)).rejects.toThrow();
    const [order] = ordersFor(fields.client_orderid);
    expect(order).toBeDefined();
    const repeat = await payout(fields);
    expect(repeat.fields).toMatchObject({
      type: 'async-response',
      'paynet-order-id': order.orderId,
      'serial-number': order.transactions[0].serialNumber,
    });
    expect(ordersFor(fields.client_orderid)).toHaveLength(1);
    await finalStatus(refOf(fields.client_orderid, repeat));
    expect(ledgerFor(fields.client_orderid)).toEqual([expect.objectContaining({ paidMinor: '2500' })]);
  });

  test('drop-before-processing: no answer and no order; faults queue in order (via the admin endpoint)', async () => {
    for (const fault of [{ kind: 'drop-before-processing' }, { kind: 'unavailable', count: 2 }]) {
      const res = await fetch(`${sim.url}/_sim/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(fault),
      });
      expect(res.status).toBe(204);
    }
    const fields = payoutFields();
    await expect(payout(fields)).rejects.toThrow();
    expect(ordersFor(fields.client_orderid)).toHaveLength(0);
    expect((await payout(fields)).status).toBe(503);
    expect((await status({ clientOrderId: 'x', orderId: '1' })).status).toBe(503); // faults apply to every API command
    expect((await payout(fields)).fields.type).toBe('async-response');
  });

  test('latency delays the answer', async () => {
    sim.injectFault({ kind: 'latency', ms: 300 });
    const started = Date.now();
    const a = await payout(payoutFields());
    expect(a.fields.type).toBe('async-response');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  test('invalid faults are refused', async () => {
    expect(() => sim.injectFault({ kind: 'latency', ms: -1 })).toThrow();
    const res = await fetch(`${sim.url}/_sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"kind":"explode"}',
    });
    expect(res.status).toBe(400);
  });
});

describe('faults of a misbehaving gateway', () => {
  const postFault = (fault: unknown) =>
    fetch(`${sim.url}/_sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fault) });

  test('http-error: the status with an HTML page, a protocol error or nothing; processed or not', async () => {
    sim.injectFault({ kind: 'http-error', status: 429 });
    const notProcessed = payoutFields();
    const a = await payout(notProcessed);
    expect(a.status).toBe(429);
    expect(a.text).toMatch(/<html/);
    expect(ordersFor(notProcessed.client_orderid)).toHaveLength(0);

    sim.injectFault({ kind: 'http-error', status: 408, processed: true, body: 'empty' });
    const processed = payoutFields();
    const b = await payout(processed);
    expect(b).toMatchObject({ status: 408, text: '' });
    expect(ordersFor(processed.client_orderid)).toHaveLength(1); // carried out although the answer says otherwise

    expect((await postFault({ kind: 'http-error', status: 502, processed: true, body: 'protocol' })).status).toBe(204);
    const c = await payout(payoutFields());
    expect(c.status).toBe(502);
    expect(c.fields).toMatchObject({ type: 'error', 'error-code': 'SIMULATED_HTTP_ERROR' });
  });

  test('bad-body: truncated, garbage, empty or HTML at HTTP 200, processed by default', async () => {
    for (const body of ['truncated', 'garbage', 'empty', 'html'] as const) {
      sim.injectFault({ kind: 'bad-body', body });
      const fields = payoutFields();
      const a = await payout(fields);
      expect(a.status).toBe(200);
      expect(a.text.endsWith('\n')).toBe(false); // no complete answer
      if (body === 'truncated') expect(a.text.length).toBeGreaterThan(0);
      expect(ordersFor(fields.client_orderid)).toHaveLength(1);
    }
    sim.injectFault({ kind: 'bad-body', body: 'garbage', processed: false });
    const fields = payoutFields();
    await payout(fields);
    expect(ordersFor(fields.client_orderid)).toHaveLength(0);
  });

  test('status-override and amount-format change status answers only, and only how they read', async () => {
    sim.injectFault({ kind: 'status-override', status: 'pending' });
    sim.injectFault({ kind: 'amount-format', extraZeros: 2 });
    const ref = await createPayout({ amount: '10.15' }); // the payout request is not a status answer: untouched
    expect((await status(ref)).fields).toMatchObject({ status: 'pending', amount: '10.15' });
    expect((await status(ref)).fields).toMatchObject({ status: expect.stringMatching(/^(processing|approved)$/), amount: '10.1500' });
    expect((await status(ref)).fields).toMatchObject({ status: expect.stringMatching(/^(processing|approved)$/), amount: '10.15' });
    expect((await postFault({ kind: 'status-override', status: '' })).status).toBe(204);
    expect((await status(ref)).fields.status).toBe('');
  });

  test('a fault for one command waits for that command', async () => {
    sim.injectFault({ kind: 'unavailable', command: 'status' });
    const ref = await createPayout();
    expect((await status(ref)).status).toBe(503);
    expect((await status(ref)).status).toBe(200);
  });

  test('delay-before-processing: the client gives up, the order appears later', async () => {
    sim.injectFault({ kind: 'delay-before-processing', ms: 300 });
    const fields = payoutFields();
    const url = `${sim.url}/paynet/api/v4/payout/${EP_A}`;
    const authorization = oauthHeader(url, fields, {}, keyA.privateKey);
    await expect(
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
        body: new URLSearchParams(fields).toString(),
        signal: AbortSignal.timeout(100),
      }),
    ).rejects.toThrow();
    expect(ordersFor(fields.client_orderid)).toHaveLength(0);
    await delay(400);
    expect(ordersFor(fields.client_orderid)).toHaveLength(1);
  });

  test('amounts in answers: at least two decimals, exact per ISO 4217 (ISK 1500 -> "1500.00"); the destination is named', async () => {
    const ref = await createPayout({ amount: '1500', currency: 'ISK', 'destination-card-ref-id': 'card-isk' });
    expect(ordersFor(ref.clientOrderId)[0].amountMinor).toBe('1500');
    expect((await status(ref)).fields).toMatchObject({ amount: '1500.00', currency: 'ISK', 'destination-card-ref-id': 'card-isk' });
    expect((await payout(payoutFields({ amount: '1500.5', currency: 'ISK' }))).fields['error-code']).toBe('INVALID_FIELD');
  });

  test('delayed callbacks arrive after the delay', async () => {
    sim.setCallbackMode('delay', 300);
    const ref = await createPayout({ server_callback_url: callbackUrl });
    await delay(PROCESSING_MS + 100);
    expect(callbacksFor(ref.clientOrderId)).toHaveLength(0);
    await waitFor(
      () => callbacksFor(ref.clientOrderId).length,
      (n) => n === 1,
      2_000,
    );
    expect(callbacksFor(ref.clientOrderId)).toHaveLength(1);
  });

  test('invalid faults and callback modes are refused', async () => {
    expect(() => sim.injectFault({ kind: 'http-error', status: 200 })).toThrow();
    expect(() => sim.injectFault({ kind: 'bad-body', body: 'nice' } as never)).toThrow();
    expect(() => sim.injectFault({ kind: 'unavailable', command: 'refund' } as never)).toThrow();
    expect((await postFault({ kind: 'amount-format', extraZeros: 0 })).status).toBe(400);
    const put = (body: unknown) =>
      fetch(`${sim.url}/_sim/callback-mode`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await put({ mode: 'delay', delayMs: 50 })).status).toBe(204);
    expect((await put({ mode: 'delay', delayMs: -1 })).status).toBe(400);
  });
});

describe('admin endpoints', () => {
  test('orders, ledger, callbacks, callback mode and complete-form over HTTP', async () => {
    const ref = await createPayout({ 'destination-card-ref-id': '' });
    const orders = (await (await fetch(`${sim.url}/_sim/orders`)).json()) as { orders: Array<{ orderId: string }> };
    expect(orders.orders.some((o) => o.orderId === ref.orderId)).toBe(true);
    expect((await fetch(`${sim.url}/_sim/orders/${ref.orderId}/complete-form`, { method: 'POST' })).status).toBe(204);
    expect((await fetch(`${sim.url}/_sim/orders/999999999/complete-form`, { method: 'POST' })).status).toBe(404);
    await finalStatus(ref);
    const ledger = (await (await fetch(`${sim.url}/_sim/ledger`)).json()) as { ledger: Array<{ orderId: string }> };
    expect(ledger.ledger.some((l) => l.orderId === ref.orderId)).toBe(true);
    expect(Array.isArray(((await (await fetch(`${sim.url}/_sim/callbacks`)).json()) as { callbacks: unknown[] }).callbacks)).toBe(true);
    const put = (body: string) =>
      fetch(`${sim.url}/_sim/callback-mode`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body });
    expect((await put('{"mode":"drop"}')).status).toBe(204);
    expect((await put('{"mode":"sometimes"}')).status).toBe(400);
    expect(() => sim.setCallbackMode('sometimes' as never)).toThrow();
  });

  test('admin endpoints answer 403 to a non-loopback address', async () => {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    if (!external) return; // no non-loopback interface in this environment
    const open = await startPayneteasySimulator({
      host: '0.0.0.0',
      merchants: [
        {
          endpointId: EP_A,
          login: LOGIN_A,
          controlKey: CONTROL_A,
          publicKeyPem: keyA.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        },
      ],
    });
    try {
      const port = new URL(open.url).port;
      expect((await fetch(`http://${external}:${port}/_sim/orders`)).status).toBe(403);
      expect((await fetch(`http://127.0.0.1:${port}/_sim/orders`)).status).toBe(200);
    } finally {
      await open.close();
    }
  });

  test('start-up refuses a bad configuration', async () => {
    await expect(startPayneteasySimulator({ merchants: [] })).rejects.toThrow(/merchant/);
    await expect(
      startPayneteasySimulator({ merchants: [{ endpointId: '1', login: 'l', controlKey: 'k', publicKeyPem: 'not a key' }] }),
    ).rejects.toThrow(/publicKeyPem/);
  });
});

// ---------------------------------------------------------------------------------------------
// Payments: sale-form / preauth-form, capture, return (refund / release), void, payments ledger
// ---------------------------------------------------------------------------------------------

describe('payments', () => {
  /** "25.00" -> "2500" for a two-decimal currency, exactly (independent of the simulator). */
  const minorOf = (major: string) => {
    const [int, frac = ''] = major.split('.');
    return (BigInt(int) * 100n + BigInt((frac + '00').slice(0, 2))).toString();
  };

  const saleFields = (overrides: Record<string, string> = {}): Record<string, string> => ({
    client_orderid: newOrderId('pay'),
    order_desc: 'enfore sale',
    amount: '25.00',
    currency: 'EUR',
    email: 'buyer@example.com',
    ipaddress: '203.0.113.7',
    redirect_url: 'https://shop.example/back',
    ...overrides,
  });
  const formControl = (endpoint: string, f: Record<string, string>, key = CONTROL_A, amountMinor = minorOf(f.amount)) =>
    sha1(endpoint + f.client_orderid + amountMinor + (f.email ?? '') + key);

  /** Sends sale-form / preauth-form; `fields.control` set by the caller wins over the correct one. */
  function paymentForm(kind: 'sale' | 'preauth', fields: Record<string, string>, endpoint = EP_A, key = CONTROL_A) {
    return v2(`${kind}-form`, endpoint, { control: formControl(endpoint, fields, key), ...fields });
  }
  async function startPayment(
    kind: 'sale' | 'preauth',
    overrides: Record<string, string> = {},
  ): Promise<OrderRef & { answer: PaynetAnswer }> {
    const fields = saleFields(overrides);
    const answer = await paymentForm(kind, fields);
    expect(answer.fields).toMatchObject({ type: 'async-form-response' });
    return { ...refOf(fields.client_orderid, answer), answer };
  }
  /** A payment whose form the customer completed and that reached its final status. */
  async function approvedPayment(
    kind: 'sale' | 'preauth',
    overrides: Record<string, string> = {},
    form?: Parameters<PayneteasySimulator['completeForm']>[1],
  ) {
    const p = await startPayment(kind, overrides);
    sim.completeForm(p.orderId, form);
    const done = await finalStatus(p);
    expect(done.fields).toMatchObject({ 'transaction-type': kind, status: 'approved' });
    return p;
  }

  type AmountOpts = { amount?: string; currency?: string; amountMinor?: string; login?: string; control?: string };
  function followUp(command: 'capture' | 'return', ref: OrderRef, o: AmountOpts = {}) {
    const login = o.login ?? LOGIN_A;
    const signedAmount = o.amount ? `${o.amountMinor ?? minorOf(o.amount)}${o.currency ?? 'EUR'}` : '';
    return v2(command, EP_A, {
      login,
      client_orderid: ref.clientOrderId,
      orderid: ref.orderId,
      ...(o.amount ? { amount: o.amount, currency: o.currency ?? 'EUR' } : {}),
      ...(command === 'return' ? { comment: 'customer returned the goods' } : {}),
      control: sha1(login + ref.clientOrderId + ref.orderId + signedAmount + (o.control ?? CONTROL_A)),
    });
  }
  const capture = (ref: OrderRef, o?: AmountOpts) => followUp('capture', ref, o);
  const refund = (ref: OrderRef, o?: AmountOpts) => followUp('return', ref, o);
  const voidTx = (ref: OrderRef, o: { login?: string; control?: string } = {}) => {
    const login = o.login ?? LOGIN_A;
    return v2('void', EP_A, {
      login,
      client_orderid: ref.clientOrderId,
      orderid: ref.orderId,
      comment: 'cancelled at the till',
      control: sha1(login + ref.clientOrderId + ref.orderId + (o.control ?? CONTROL_A)),
    });
  };

  const paymentLedgerFor = (clientOrderId: string) => sim.paymentLedger().filter((l) => l.clientOrderId === clientOrderId);
  const money = (
    ref: OrderRef,
    m: Partial<Record<'authorized' | 'captured' | 'refunded' | 'released' | 'voided' | 'held' | 'taken', string>>,
  ) => {
    const all = { authorized: '0', captured: '0', refunded: '0', released: '0', voided: '0', held: '0', taken: '0', ...m };
    expect(paymentLedgerFor(ref.clientOrderId)).toEqual([
      {
        orderId: ref.orderId,
        clientOrderId: ref.clientOrderId,
        currency: 'EUR',
        authorizedMinor: all.authorized,
        capturedMinor: all.captured,
        refundedMinor: all.refunded,
        releasedMinor: all.released,
        voidedMinor: all.voided,
        heldMinor: all.held,
        takenMinor: all.taken,
      },
    ]);
  };
  const asyncShape = /^type=async-response\n&serial-number=[0-9a-f-]+\n&merchant-order-id=[^&\n]+\n&paynet-order-id=\d+\n$/;
  const typesOf = (ref: OrderRef) => ordersFor(ref.clientOrderId)[0].transactions.map((t) => `${t.type}:${t.status}`);

  describe('sale-form / preauth-form', () => {
    test('sale-form: async-form-response with the form URL; the customer pays there; approved, taken = amount', async () => {
      const fields = saleFields();
      const a = await paymentForm('sale', fields);
      expect(a.status).toBe(200);
      expect(a.text).toMatch(
        /^type=async-form-response\n&serial-number=[0-9a-f-]+\n&merchant-order-id=[^&\n]+\n&paynet-order-id=\d+\n&redirect-url=[^&\n]+\n$/,
      );
      const ref = refOf(fields.client_orderid, a);
      const formUrl = `${sim.url}/paynet/form/${ref.orderId}`;
      expect(a.fields).toMatchObject({ 'merchant-order-id': fields.client_orderid, 'redirect-url': formUrl });

      const waiting = await status(ref);
      expect(waiting.fields).toMatchObject({
        type: 'status-response',
        status: 'processing',
        'transaction-type': 'sale',
        'order-stage': 'sale_processing',
        amount: '25.00',
        currency: 'EUR',
        'serial-number': a.fields['serial-number'],
        'redirect-to': formUrl,
      });
      const page = await fetch(formUrl);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain(`<form method="post" action="/paynet/form/${ref.orderId}"`);
      expect(html).toContain('name="amount" value="25.00"');
      money(ref, {});

      sim.completeForm(ref.orderId);
      expect((await status(ref)).fields['redirect-to']).toBeUndefined();
      const done = await finalStatus(ref);
      expect(done.fields).toMatchObject({
        status: 'approved',
        'transaction-type': 'sale',
        'order-stage': 'sale_approved',
        amount: '25.00',
      });
      expect(done.fields['error-code']).toBeUndefined();
      money(ref, { captured: '2500', taken: '2500' });
      expect(ledgerFor(ref.clientOrderId)).toEqual([]); // the payout ledger is for payouts only
      expect(ordersFor(ref.clientOrderId)[0]).toMatchObject({
        kind: 'sale',
        amountMinor: '2500',
        email: 'buyer@example.com',
        redirectUrl: 'https://shop.example/back',
        formUrl,
        formCompleted: true,
      });
    });

    test('preauth-form approved holds the amount; a full capture takes it', async () => {
      const ref = await approvedPayment('preauth');
      const preauthStatus = await status(ref);
      expect(preauthStatus.fields).toMatchObject({ status: 'approved', 'order-stage': 'preauth_approved' });
      money(ref, { authorized: '2500', held: '2500' });

      const c = await capture(ref);
      expect(c.text).toMatch(asyncShape);
      expect(c.fields['serial-number']).not.toBe(preauthStatus.fields['serial-number']);
      expect((await status(ref)).fields).toMatchObject({
        status: 'processing',
        'transaction-type': 'capture',
        'order-stage': 'capture_processing',
      });
      money(ref, { authorized: '2500', held: '2500' }); // nothing captured before it is approved
      const done = await finalStatus(ref);
      expect(done.fields).toMatchObject({
        status: 'approved',
        'transaction-type': 'capture',
        'order-stage': 'capture_approved',
        amount: '25.00',
        'serial-number': c.fields['serial-number'],
      });
      money(ref, { authorized: '2500', captured: '2500', taken: '2500' });
      const byPreauthSn = await status(ref, { 'by-request-sn': preauthStatus.fields['serial-number'] });
      expect(byPreauthSn.fields).toMatchObject({ 'transaction-type': 'preauth', status: 'approved' });

      const again = await capture(ref); // idempotent
      expect(again.fields).toEqual(c.fields);
      expect(typesOf(ref)).toEqual(['preauth:approved', 'capture:approved']);
    });

    test('a partial capture keeps the rest held; more than authorized or another currency is refused', async () => {
      const ref = await approvedPayment('preauth');
      expect((await capture(ref, { amount: '30.00' })).fields).toMatchObject({ type: 'validation-error', 'error-code': 'INVALID_FIELD' });
      expect((await capture(ref, { amount: '10.00', currency: 'USD' })).fields).toMatchObject({
        type: 'validation-error',
        'error-code': 'INVALID_FIELD',
      });
      const c = await capture(ref, { amount: '10.00' });
      expect(c.fields.type).toBe('async-response');
      expect((await finalStatus(ref)).fields).toMatchObject({ status: 'approved', 'transaction-type': 'capture', amount: '10.00' });
      money(ref, { authorized: '2500', captured: '1000', held: '1500', taken: '1000' });
    });

    test('the customer changes the amount on the form: what they submit is what gets authorized / captured', async () => {
      // a tip on a sale (completeForm option)
      const sale = await approvedPayment('sale', {}, { amountMinor: '2750' });
      expect((await status(sale)).fields).toMatchObject({ status: 'approved', amount: '27.50' });
      money(sale, { captured: '2750', taken: '2750' });
      expect(ordersFor(sale.clientOrderId)[0]).toMatchObject({
        amountMinor: '2500',
        transactions: [expect.objectContaining({ amountMinor: '2750' })],
      });

      // a partial payment on a preauth: the default capture takes the submitted amount, no more
      const pre = await approvedPayment('preauth', {}, { amountMinor: '2000' });
      money(pre, { authorized: '2000', held: '2000' });
      expect((await capture(pre, { amount: '25.00' })).fields['error-code']).toBe('INVALID_FIELD');
      await capture(pre);
      expect((await finalStatus(pre)).fields).toMatchObject({ 'transaction-type': 'capture', status: 'approved', amount: '20.00' });
      money(pre, { authorized: '2000', captured: '2000', taken: '2000' });

      // the HTML form itself: the amount field (major units) and the outcome
      const html = await startPayment('sale');
      const post = (body: string) =>
        fetch(`${sim.url}/paynet/form/${html.orderId}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body,
        });
      expect((await post('amount=30.001&card_number=4111111111111111')).status).toBe(400);
      const ok = await post('amount=30.00&card_number=4111111111111111&card_expiry=12%2F30&cvv2=123&outcome=approve');
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('href="https://shop.example/back"');
      expect((await finalStatus(html)).fields).toMatchObject({ status: 'approved', amount: '30.00' });
      money(html, { captured: '3000', taken: '3000' });

      // the admin endpoint takes the same options as JSON
      const admin = await startPayment('sale');
      const complete = (body?: string) =>
        fetch(`${sim.url}/_sim/orders/${admin.orderId}/complete-form`, {
          method: 'POST',
          ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body } : {}),
        });
      expect((await complete('{"amountMinor":"12.50"}')).status).toBe(400);
      expect((await complete('{"outcome":"maybe"}')).status).toBe(400);
      expect((await complete('{"amountMinor":"1250","outcome":"approve"}')).status).toBe(204);
      expect((await finalStatus(admin)).fields).toMatchObject({ status: 'approved', amount: '12.50' });
      expect(() => sim.completeForm(admin.orderId, { amountMinor: '0' })).toThrow(/amountMinor/);
    });

    test.each([
      ['decline', 'declined', 'DECLINED', 'Card declined'],
      ['error', 'error', 'PROCESSING_ERROR', undefined],
      ['filtered', 'filtered', 'FRAUD_FILTER', undefined],
    ] as const)(
      'outcome %s on the form -> %s %s: nothing held or taken, nothing to capture, return or void',
      async (outcome, state, code, message) => {
        const ref = await startPayment('preauth');
        sim.completeForm(ref.orderId, { outcome });
        const done = await finalStatus(ref);
        expect(done.fields).toMatchObject({ status: state, 'error-code': code, 'order-stage': `preauth_${state}` });
        expect(done.fields['error-message']).toEqual(message ?? expect.any(String));
        money(ref, {});
        for (const a of [await capture(ref), await refund(ref), await voidTx(ref)]) {
          expect(a.fields).toMatchObject({ type: 'error', 'error-code': 'OPERATION_NOT_ALLOWED' });
        }
        expect(typesOf(ref)).toEqual([`preauth:${state}`]);
      },
    );

    test('a form not completed within formTtlMs declines with FORM_EXPIRED; nothing authorized', async () => {
      const ref = await startPayment('preauth');
      const done = await waitFor(
        () => status(ref),
        (a) => a.fields.status !== 'processing',
        FORM_TTL_MS + 1_000,
      );
      expect(done.fields).toMatchObject({ status: 'declined', 'error-code': 'FORM_EXPIRED', 'transaction-type': 'preauth' });
      expect(done.fields['redirect-to']).toBeUndefined();
      money(ref, {});
      expect(() => sim.completeForm(ref.orderId)).toThrow(/closed/);
      expect((await fetch(`${sim.url}/paynet/form/${ref.orderId}`)).status).toBe(410);
      expect((await capture(ref)).fields['error-code']).toBe('OPERATION_NOT_ALLOWED');
    });

    test('idempotent on (endpoint, client_orderid): the same fields get the same answer; a change is DUPLICATE_ORDER', async () => {
      const fields = saleFields();
      const first = await paymentForm('sale', fields);
      const again = await paymentForm('sale', { ...fields, order_desc: 'retry' });
      expect(again.fields).toEqual(first.fields);
      expect(again.fields['redirect-url']).toBe(`${sim.url}/paynet/form/${first.fields['paynet-order-id']}`);

      const changes: Array<[string, Record<string, string>]> = [
        ['amount', { amount: '26.00' }],
        ['currency', { currency: 'USD' }],
      ];
      for (const [what, change] of changes) {
        const dup = await paymentForm('sale', { ...fields, ...change });
        expect(dup.fields).toMatchObject({
          type: 'validation-error',
          'error-code': 'DUPLICATE_ORDER',
          'error-message': expect.stringContaining(what),
        });
      }
      const asPreauth = await paymentForm('preauth', fields);
      expect(asPreauth.fields).toMatchObject({ 'error-code': 'DUPLICATE_ORDER', 'error-message': expect.stringContaining('command') });
      const asPayout = await payout(payoutFields({ client_orderid: fields.client_orderid, amount: '25.00' }));
      expect(asPayout.fields).toMatchObject({ 'error-code': 'DUPLICATE_ORDER', 'error-message': expect.stringContaining('command') });
      expect(ordersFor(fields.client_orderid)).toHaveLength(1);
      expect(typesOf(refOf(fields.client_orderid, first))).toEqual(['sale:processing']);
      // the same client_orderid on another endpoint is another order
      const other = await paymentForm('sale', fields, EP_B, CONTROL_B);
      expect(other.fields.type).toBe('async-form-response');
      expect(other.fields['paynet-order-id']).not.toBe(first.fields['paynet-order-id']);
    });

    test('email is optional (an empty email in the control); fields are validated', async () => {
      const fields = saleFields();
      delete fields.email;
      const a = await v2('sale-form', EP_A, { ...fields, control: sha1(EP_A + fields.client_orderid + '2500' + CONTROL_A) });
      expect(a.fields.type).toBe('async-form-response');
      const cases: Array<[Record<string, string>, string, string]> = [
        [{ amount: '25.001' }, 'INVALID_FIELD', 'amount'],
        [{ amount: '' }, 'MISSING_FIELD', 'amount'],
        [{ currency: 'eur' }, 'INVALID_FIELD', 'currency'],
        [{ client_orderid: '' }, 'MISSING_FIELD', 'client_orderid'],
        [{ redirect_url: 'javascript:alert(1)' }, 'INVALID_FIELD', 'redirect_url'],
        [{ server_callback_url: '/cb' }, 'INVALID_FIELD', 'server_callback_url'],
      ];
      for (const [overrides, code, field] of cases) {
        const bad = await v2('sale-form', EP_A, { ...saleFields(overrides), control: 'x' });
        expect({ overrides, ...bad.fields }).toMatchObject({
          overrides,
          type: 'validation-error',
          'error-code': code,
          'error-message': expect.stringContaining(field),
        });
      }
    });
  });

  describe('return and void', () => {
    test('return after a sale refunds it: refunded = amount, taken 0; idempotent', async () => {
      const ref = await approvedPayment('sale');
      const r = await refund(ref);
      expect(r.text).toMatch(asyncShape);
      expect((await status(ref)).fields).toMatchObject({
        status: 'processing',
        'transaction-type': 'return',
        'order-stage': 'return_processing',
      });
      const done = await finalStatus(ref);
      expect(done.fields).toMatchObject({
        status: 'approved',
        'transaction-type': 'return',
        amount: '25.00',
        'serial-number': r.fields['serial-number'],
      });
      money(ref, { captured: '2500', refunded: '2500', taken: '0' });
      expect(ordersFor(ref.clientOrderId)[0].transactions[1]).toMatchObject({ type: 'return', effect: 'refund' });
      expect((await refund(ref)).fields).toEqual(r.fields);
      expect((await refund(ref, { amount: '5.00' })).fields).toEqual(r.fields); // one return per order
      expect(typesOf(ref)).toEqual(['sale:approved', 'return:approved']);
      expect((await voidTx(ref)).fields['error-code']).toBe('OPERATION_NOT_ALLOWED'); // already returned
      expect(ledgerFor(ref.clientOrderId)).toEqual([]);
    });

    test('a partial refund after a capture', async () => {
      const ref = await approvedPayment('preauth');
      expect((await refund(ref, { amount: '1.00' })).fields.type).toBe('async-response'); // not captured: a partial release
      await finalStatus(ref);
      money(ref, { authorized: '2500', released: '100', held: '2400' });
      expect((await capture(ref)).fields['error-code']).toBe('OPERATION_NOT_ALLOWED');

      const sold = await approvedPayment('preauth');
      await capture(sold, { amount: '20.00' });
      await finalStatus(sold);
      expect((await refund(sold, { amount: '20.01' })).fields['error-code']).toBe('INVALID_FIELD'); // more than captured
      expect((await refund(sold, { amount: '7.50' })).fields.type).toBe('async-response');
      await finalStatus(sold);
      money(sold, { authorized: '2500', captured: '2000', refunded: '750', held: '500', taken: '1250' });
    });

    test('return on an uncaptured preauth releases the authorization: released = amount, held 0', async () => {
      const ref = await approvedPayment('preauth');
      const r = await refund(ref);
      expect(r.fields.type).toBe('async-response');
      expect((await capture(ref)).fields['error-code']).toBe('OPERATION_NOT_ALLOWED'); // released (even while processing)
      expect((await finalStatus(ref)).fields).toMatchObject({ status: 'approved', 'transaction-type': 'return', amount: '25.00' });
      money(ref, { authorized: '2500', released: '2500' });
      expect(ordersFor(ref.clientOrderId)[0].transactions[1]).toMatchObject({ type: 'return', effect: 'release' });
      expect((await refund(ref)).fields).toEqual(r.fields);
    });

    test('void reverses the latest approved sale / capture / preauth, whole amount; idempotent; nothing to void is refused', async () => {
      // a sale: refunded
      const sale = await approvedPayment('sale');
      const v = await voidTx(sale);
      expect(v.text).toMatch(asyncShape);
      expect((await finalStatus(sale)).fields).toMatchObject({
        status: 'approved',
        'transaction-type': 'void',
        'order-stage': 'void_approved',
        amount: '25.00',
      });
      money(sale, { captured: '2500', refunded: '2500', voided: '2500', taken: '0' });
      expect((await voidTx(sale)).fields).toEqual(v.fields);
      expect((await refund(sale)).fields['error-code']).toBe('OPERATION_NOT_ALLOWED'); // already voided
      expect(typesOf(sale)).toEqual(['sale:approved', 'void:approved']);

      // an uncaptured preauth: released
      const pre = await approvedPayment('preauth');
      await voidTx(pre);
      await finalStatus(pre);
      money(pre, { authorized: '2500', released: '2500', voided: '2500' });
      expect((await capture(pre)).fields['error-code']).toBe('OPERATION_NOT_ALLOWED');

      // a partial capture: the capture is voided (refunded), the rest of the authorization stays held
      const captured = await approvedPayment('preauth');
      await capture(captured, { amount: '15.00' });
      await finalStatus(captured);
      await voidTx(captured);
      expect((await finalStatus(captured)).fields).toMatchObject({ 'transaction-type': 'void', amount: '15.00' });
      money(captured, { authorized: '2500', captured: '1500', refunded: '1500', voided: '1500', held: '1000', taken: '0' });

      // nothing approved yet, or a payout: refused, nothing created
      const waiting = await startPayment('sale');
      expect((await voidTx(waiting)).fields).toMatchObject({ type: 'error', 'error-code': 'OPERATION_NOT_ALLOWED' });
      const paidOut = await createPayout();
      await finalStatus(paidOut);
      expect((await voidTx(paidOut)).fields['error-code']).toBe('OPERATION_NOT_ALLOWED');
      expect(typesOf(waiting)).toEqual(['sale:processing']);
      expect(typesOf(paidOut)).toEqual(['payout:approved']);
    });

    test('a capture cannot be reversed while it is processing; capture on a sale is refused', async () => {
      const ref = await approvedPayment('preauth');
      await capture(ref);
      expect((await refund(ref)).fields['error-code']).toBe('OPERATION_NOT_ALLOWED');
      expect((await voidTx(ref)).fields['error-code']).toBe('OPERATION_NOT_ALLOWED');
      await finalStatus(ref);
      expect(typesOf(ref)).toEqual(['preauth:approved', 'capture:approved']);
      const sale = await approvedPayment('sale');
      expect((await capture(sale)).fields['error-code']).toBe('OPERATION_NOT_ALLOWED');
    });
  });

  describe('decline-next fault', () => {
    test('the next capture is declined with CAPTURE_DECLINED; the hold stays; a repeat returns the same capture', async () => {
      const ref = await approvedPayment('preauth');
      sim.injectFault({ kind: 'decline-next', transactionType: 'capture' });
      expect((await status(ref)).fields.status).toBe('approved'); // a request creating no capture does not consume it
      const c = await capture(ref);
      const done = await finalStatus(ref);
      expect(done.fields).toMatchObject({
        status: 'declined',
        'transaction-type': 'capture',
        'order-stage': 'capture_declined',
        'error-code': 'CAPTURE_DECLINED',
      });
      money(ref, { authorized: '2500', held: '2500' });
      expect((await capture(ref)).fields).toEqual(c.fields);
      // the uncaptured authorization can still be released
      await refund(ref);
      await finalStatus(ref);
      money(ref, { authorized: '2500', released: '2500' });

      const next = await approvedPayment('preauth'); // consumed: the next capture is approved
      await capture(next);
      expect((await finalStatus(next)).fields).toMatchObject({ status: 'approved', 'transaction-type': 'capture' });
    });

    test('consumed on creation only, counted, for every type (also via the admin endpoint)', async () => {
      const existing = await startPayment('sale');
      sim.injectFault({ kind: 'decline-next', transactionType: 'sale', count: 2 });
      // an idempotent repeat creates no transaction and consumes nothing
      const repeat = await paymentForm('sale', { ...saleFields(), client_orderid: existing.clientOrderId });
      expect(repeat.fields['paynet-order-id']).toBe(existing.orderId);
      sim.completeForm(existing.orderId);
      expect((await finalStatus(existing)).fields.status).toBe('approved');

      for (let i = 0; i < 2; i++) {
        const declined = await startPayment('sale');
        sim.completeForm(declined.orderId);
        expect((await finalStatus(declined)).fields).toMatchObject({ status: 'declined', 'error-code': 'SALE_DECLINED' });
        money(declined, {});
      }
      await approvedPayment('sale'); // count exhausted

      const res = await fetch(`${sim.url}/_sim/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'decline-next', transactionType: 'void' }),
      });
      expect(res.status).toBe(204);
      const sale = await approvedPayment('sale');
      await voidTx(sale);
      expect((await finalStatus(sale)).fields).toMatchObject({
        status: 'declined',
        'transaction-type': 'void',
        'error-code': 'VOID_DECLINED',
      });
      money(sale, { captured: '2500', taken: '2500' });
      await refund(sale); // the declined void blocks nothing
      expect((await finalStatus(sale)).fields).toMatchObject({ status: 'approved', 'transaction-type': 'return' });
      money(sale, { captured: '2500', refunded: '2500', taken: '0' });

      sim.injectFault({ kind: 'decline-next', transactionType: 'return' });
      sim.injectFault({ kind: 'decline-next', transactionType: 'preauth' });
      const pre = await startPayment('preauth');
      sim.completeForm(pre.orderId, { outcome: 'approve' });
      expect((await finalStatus(pre)).fields).toMatchObject({ status: 'declined', 'error-code': 'PREAUTH_DECLINED' });
      const sold = await approvedPayment('sale');
      await refund(sold);
      expect((await finalStatus(sold)).fields).toMatchObject({ status: 'declined', 'error-code': 'RETURN_DECLINED' });
      money(sold, { captured: '2500', taken: '2500' });

      const bad = await fetch(`${sim.url}/_sim/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"kind":"decline-next","transactionType":"payout"}',
      });
      expect(bad.status).toBe(400);
    });
  });

  test('a wrong control is CONTROL_INVALID for every payment command, and changes nothing', async () => {
    const invalid = { type: 'validation-error', 'error-code': 'CONTROL_INVALID' };
    for (const kind of ['sale', 'preauth'] as const) {
      const fields = saleFields();
      const wrongs = [
        formControl(EP_A, fields, CONTROL_B), // another merchant's key
        formControl(EP_A, fields, CONTROL_A, '25.00'), // amount in major units
        sha1(EP_A + fields.client_orderid + '2500' + CONTROL_A), // email left out
        formControl(EP_B, fields), // another endpoint id
      ];
      for (const control of wrongs) expect((await v2(`${kind}-form`, EP_A, { ...fields, control })).fields).toMatchObject(invalid);
      expect(ordersFor(fields.client_orderid)).toHaveLength(0);
    }

    const pre = await approvedPayment('preauth');
    expect((await capture(pre, { control: CONTROL_B })).fields).toMatchObject(invalid);
    expect((await capture(pre, { login: LOGIN_B })).fields).toMatchObject(invalid);
    expect((await capture(pre, { amount: '10.00', amountMinor: '10.00' })).fields).toMatchObject(invalid);
    expect((await refund(pre, { control: CONTROL_B })).fields).toMatchObject(invalid);
    expect((await refund(pre, { amount: '10.00', amountMinor: '10.00' })).fields).toMatchObject(invalid);
    expect((await voidTx(pre, { control: CONTROL_B })).fields).toMatchObject(invalid);
    expect((await voidTx(pre, { login: LOGIN_B })).fields).toMatchObject(invalid);
    const voidSignedLikeCapture = await v2('void', EP_A, {
      login: LOGIN_A,
      client_orderid: pre.clientOrderId,
      orderid: pre.orderId,
      control: sha1(LOGIN_A + pre.clientOrderId + pre.orderId + '2500EUR' + CONTROL_A),
    });
    expect(voidSignedLikeCapture.fields).toMatchObject(invalid);
    expect(typesOf(pre)).toEqual(['preauth:approved']);
    money(pre, { authorized: '2500', held: '2500' });
  });

  test('callbacks for every final payment transaction carry its type, amount and a correct control', async () => {
    const ref = await startPayment('preauth', { server_callback_url: callbackUrl });
    sim.completeForm(ref.orderId, { amountMinor: '3000' });
    await finalStatus(ref);
    await capture(ref, { amount: '20.00' });
    await finalStatus(ref);
    await refund(ref, { amount: '5.00' });
    await finalStatus(ref);
    const got = await waitFor(
      () => callbacksFor(ref.clientOrderId),
      (c) => c.length >= 3,
    );
    expect(got.map((c) => c.query)).toEqual([
      expect.objectContaining({ status: 'approved', type: 'preauth', amount: '30.00' }),
      expect.objectContaining({ status: 'approved', type: 'capture', amount: '20.00' }),
      expect.objectContaining({ status: 'approved', type: 'return', amount: '5.00' }),
    ]);
    for (const { query: q } of got) {
      expect(q).toMatchObject({
        shop: 'enfore',
        orderid: ref.orderId,
        client_orderid: ref.clientOrderId,
        merchant_order: ref.clientOrderId,
      });
      expect(q.control).toBe(sha1(q.status + q.orderid + q.client_orderid + CONTROL_A));
    }
    money(ref, { authorized: '3000', captured: '2000', refunded: '500', held: '1000', taken: '1500' });

    const declined = await startPayment('sale', { server_callback_url: callbackUrl });
    sim.completeForm(declined.orderId, { outcome: 'decline' });
    const [cb] = await waitFor(
      () => callbacksFor(declined.clientOrderId),
      (c) => c.length > 0,
    );
    expect(cb.query).toMatchObject({ status: 'declined', type: 'sale', error_code: 'DECLINED', error_message: 'Card declined' });
    expect(cb.query.control).toBe(sha1('declined' + declined.orderId + declined.clientOrderId + CONTROL_A));
  });

  test('the payments ledger over HTTP; payout forms refuse payment options', async () => {
    const ref = await approvedPayment('sale');
    const body = (await (await fetch(`${sim.url}/_sim/payment-ledger`)).json()) as {
      ledger: Array<{ orderId: string; takenMinor: string }>;
    };
    expect(body.ledger.find((l) => l.orderId === ref.orderId)).toMatchObject({ takenMinor: '2500' });
    expect(sim.paymentLedger().every((l) => ordersFor(l.clientOrderId).some((o) => o.kind !== 'payout'))).toBe(true);

    const formPayout = await createPayout({ 'destination-card-ref-id': '' });
    expect(() => sim.completeForm(formPayout.orderId, { amountMinor: '100' })).toThrow(/payment forms only/);
    const viaAdmin = await fetch(`${sim.url}/_sim/orders/${formPayout.orderId}/complete-form`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"outcome":"decline"}',
    });
    expect(viaAdmin.status).toBe(409);
    sim.completeForm(formPayout.orderId);
    expect((await finalStatus(formPayout)).fields.status).toBe('approved');
  });
});
