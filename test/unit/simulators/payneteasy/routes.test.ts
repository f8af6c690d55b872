/**
 * The simulator as the gateway really is (issue 11 part 2): payouts to a stored card only on
 * `v4/payout-by-ref`, every command per endpoint and per endpoint group (the form control over the
 * group id), the merchant's required fields, `void` only on the day of its transaction (the clock
 * moved by the test), and status answers that say `unknown` with a seeded probability.
 */
import { generateKeyPairSync } from 'node:crypto';
import { startPayneteasySimulator, type PayneteasySimulator } from '../../../../src/simulators/payneteasy';
import { oauthHeader, sha1, toAnswer, waitFor, type PaynetAnswer } from './support';

const EP = '3001';
const GROUP = '901';
const LOGIN = 'merchant-g';
const CONTROL = 'control-key-g';
const EP_STRICT = '3002';
const DAY = 24 * 60 * 60_000;
const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
let sim: PayneteasySimulator;
let seq = 0;
const id = (tag: string) => `${tag}-${Date.now()}-${++seq}`;

beforeAll(async () => {
  const publicKeyPem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  sim = await startPayneteasySimulator({
    merchants: [
      { endpointId: EP, endpointGroupId: GROUP, login: LOGIN, controlKey: CONTROL, publicKeyPem },
      { endpointId: EP_STRICT, login: LOGIN, controlKey: CONTROL, publicKeyPem, requiredFields: ['ipaddress', 'purpose'] },
    ],
    processingMs: 20,
    formTtlMs: 60_000,
    callbackRetryMs: 50,
  });
});
afterAll(() => sim?.close());
afterEach(() => {
  sim.setClockOffset(0);
  sim.setStatusNoise(undefined);
});

const route = (target: string) => (target.startsWith('group:') ? `group/${target.slice(6)}` : target);
async function payout(command: 'payout' | 'payout-by-ref', target: string, fields: Record<string, string>): Promise<PaynetAnswer> {
  const url = `${sim.url}/paynet/api/v4/${command}/${route(target)}`;
  const authorization = oauthHeader(url, fields, { consumerKey: LOGIN }, keys.privateKey);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
    body: new URLSearchParams(fields).toString(),
  });
  return toAnswer(res);
}
async function v2(command: string, target: string, fields: Record<string, string>): Promise<PaynetAnswer> {
  const res = await fetch(`${sim.url}/paynet/api/v2/${command}/${route(target)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  return toAnswer(res);
}
const payoutFields = (extra: Record<string, string> = {}) => ({
  client_orderid: id('po'),
  amount: '25.00',
  currency: 'EUR',
  order_desc: 'payout',
  ...extra,
});
const onOrder = (clientOrderId: string, orderId: string) => ({
  login: LOGIN,
  client_orderid: clientOrderId,
  orderid: orderId,
  control: sha1(LOGIN + clientOrderId + orderId + CONTROL),
});
const statusOf = (target: string, clientOrderId: string, orderId: string, extra: Record<string, string> = {}) =>
  v2('status', target, { ...onOrder(clientOrderId, orderId), ...extra });
const finalStatus = (target: string, clientOrderId: string, orderId: string, extra: Record<string, string> = {}) =>
  waitFor(
    () => statusOf(target, clientOrderId, orderId, extra),
    (a) => a.fields.status !== 'processing',
  );
/** A preauth through the form, approved. */
async function approvedPreauth(target = EP): Promise<{ clientOrderId: string; orderId: string }> {
  const clientOrderId = id('pa');
  const signedId = target.startsWith('group:') ? target.slice(6) : target;
  const answer = await v2('preauth-form', target, {
    client_orderid: clientOrderId,
    order_desc: 'o',
    amount: '10.00',
    currency: 'EUR',
    control: sha1(signedId + clientOrderId + '1000' + CONTROL),
  });
  expect(answer.fields.type).toBe('async-form-response');
  const orderId = answer.fields['paynet-order-id'];
  sim.completeForm(orderId);
  expect((await finalStatus(target, clientOrderId, orderId)).fields.status).toBe('approved');
  return { clientOrderId, orderId };
}

describe('v4/payout-by-ref and v4/payout', () => {
  test('a stored card goes to payout-by-ref: approved, the order says how it was created', async () => {
    const fields = payoutFields({ 'destination-card-ref-id': 'card-1' });
    const answer = await payout('payout-by-ref', EP, fields);
    expect(answer.fields.type).toBe('async-response');
    const done = await finalStatus(EP, fields.client_orderid, answer.fields['paynet-order-id']);
    expect(done.fields).toMatchObject({ status: 'approved', 'transaction-type': 'payout', 'destination-card-ref-id': 'card-1' });
    expect(sim.orders(fields.client_orderid)[0]).toMatchObject({ createdVia: 'payout-by-ref', route: { kind: 'endpoint', id: EP } });
  });

  test('a card reference on v4/payout is an unknown field combination: validation-error, no order', async () => {
    const fields = payoutFields({ 'destination-card-ref-id': 'card-1' });
    const answer = await payout('payout', EP, fields);
    expect(answer.fields).toMatchObject({ type: 'validation-error', 'error-code': 'INVALID_FIELD' });
    expect(answer.fields['error-message']).toMatch(/payout-by-ref/);
    expect(sim.orders(fields.client_orderid)).toEqual([]);
  });

  test('payout-by-ref without a card reference: MISSING_FIELD, no order', async () => {
    const fields = payoutFields();
    expect((await payout('payout-by-ref', EP, fields)).fields).toMatchObject({ type: 'validation-error', 'error-code': 'MISSING_FIELD' });
    expect(sim.orders(fields.client_orderid)).toEqual([]);
  });
});

describe('endpoint-group routes', () => {
  test('payout-by-ref and status through the group reach the endpoint serving it', async () => {
    const fields = payoutFields({ 'destination-card-ref-id': 'card-g' });
    const answer = await payout('payout-by-ref', `group:${GROUP}`, fields);
    expect(answer.fields.type).toBe('async-response');
    const orderId = answer.fields['paynet-order-id'];
    expect(sim.orders(fields.client_orderid)[0]).toMatchObject({ endpointId: EP, route: { kind: 'group', id: GROUP } });
    expect((await finalStatus(`group:${GROUP}`, fields.client_orderid, orderId)).fields.status).toBe('approved');
    expect((await statusOf(EP, fields.client_orderid, orderId)).fields.status).toBe('approved'); // the same order per endpoint
  });

  test('sale-form on a group: the control is over the group id; the endpoint id is refused there', async () => {
    const clientOrderId = id('sale');
    const form = { client_orderid: clientOrderId, order_desc: 'o', amount: '10.00', currency: 'EUR' };
    const withEndpointControl = await v2('sale-form', `group:${GROUP}`, { ...form, control: sha1(EP + clientOrderId + '1000' + CONTROL) });
    expect(withEndpointControl.fields).toMatchObject({ type: 'validation-error', 'error-code': 'CONTROL_INVALID' });
    const ok = await v2('sale-form', `group:${GROUP}`, { ...form, control: sha1(GROUP + clientOrderId + '1000' + CONTROL) });
    expect(ok.fields.type).toBe('async-form-response');
  });

  test('an unknown group: validation-error ENDPOINT_GROUP_NOT_FOUND', async () => {
    const answer = await statusOf('group:999999', 'x', '1');
    expect(answer.fields).toMatchObject({ type: 'validation-error', 'error-code': 'ENDPOINT_GROUP_NOT_FOUND' });
  });
});

describe("the merchant's required fields and redirect_url", () => {
  test('missing ipaddress or purpose: MISSING_FIELD naming it; present: kept on the order with redirect_url', async () => {
    const ref = { 'destination-card-ref-id': 'card-s' };
    const noPurpose = await payout('payout-by-ref', EP_STRICT, payoutFields({ ...ref, ipaddress: '203.0.113.1' }));
    expect(noPurpose.fields).toMatchObject({
      type: 'validation-error',
      'error-code': 'MISSING_FIELD',
      'error-message': 'purpose is required',
    });
    const badIp = await payout('payout-by-ref', EP_STRICT, payoutFields({ ...ref, ipaddress: 'localhost', purpose: 'p' }));
    expect(badIp.fields).toMatchObject({ type: 'validation-error', 'error-code': 'INVALID_FIELD' });
    const fields = payoutFields({ ...ref, ipaddress: '203.0.113.1', purpose: 'salary', redirect_url: 'https://shop.example/done' });
    expect((await payout('payout-by-ref', EP_STRICT, fields)).fields.type).toBe('async-response');
    expect(sim.orders(fields.client_orderid)[0]).toMatchObject({
      customerFields: { ipaddress: '203.0.113.1', purpose: 'salary' },
      redirectUrl: 'https://shop.example/done',
    });
  });

  test('a redirect_url that is no http(s) URL is refused', async () => {
    const fields = payoutFields({ redirect_url: 'javascript:alert(1)' });
    expect((await payout('payout', EP, fields)).fields).toMatchObject({ type: 'validation-error', 'error-code': 'INVALID_FIELD' });
  });
});

describe('void: only on the day of the transaction it voids', () => {
  test('the same day: approved, the authorization released', async () => {
    const p = await approvedPreauth();
    const answer = await v2('void', EP, { ...onOrder(p.clientOrderId, p.orderId), comment: 'release' });
    expect(answer.fields.type).toBe('async-response');
    const done = await finalStatus(EP, p.clientOrderId, p.orderId, { 'by-request-sn': answer.fields['serial-number'] });
    expect(done.fields).toMatchObject({ 'transaction-type': 'void', status: 'approved' });
    expect(sim.paymentLedger(p.clientOrderId)[0]).toMatchObject({ releasedMinor: '1000', voidedMinor: '1000', heldMinor: '0' });
  });

  test('the next day (the clock moved): NOT_VOIDABLE, nothing created; a return releases it', async () => {
    const p = await approvedPreauth(`group:${GROUP}`);
    sim.setClockOffset(DAY);
    const refused = await v2('void', `group:${GROUP}`, { ...onOrder(p.clientOrderId, p.orderId), comment: 'release' });
    expect(refused.fields).toMatchObject({ type: 'error', 'error-code': 'NOT_VOIDABLE' });
    expect(sim.orders(p.clientOrderId)[0].transactions.map((t) => t.type)).toEqual(['preauth']);
    const returned = await v2('return', `group:${GROUP}`, { ...onOrder(p.clientOrderId, p.orderId), comment: 'release' });
    expect(returned.fields.type).toBe('async-response');
    await finalStatus(`group:${GROUP}`, p.clientOrderId, p.orderId, { 'by-request-sn': returned.fields['serial-number'] });
    expect(sim.paymentLedger(p.clientOrderId)[0]).toMatchObject({ releasedMinor: '1000', voidedMinor: '0', heldMinor: '0' });
  });
});

describe('status noise: non-final statuses sometimes, seeded', () => {
  test('probability 1: every status answer says unknown (the order-stage too); the truth is unchanged', async () => {
    const fields = payoutFields({ 'destination-card-ref-id': 'card-n' });
    const orderId = (await payout('payout-by-ref', EP, fields)).fields['paynet-order-id'];
    await waitFor(
      () => sim.orders(fields.client_orderid)[0].transactions[0].status,
      (s) => s === 'approved',
    );
    sim.setStatusNoise({ probability: 1, seed: 7 });
    const answer = await statusOf(EP, fields.client_orderid, orderId);
    expect(answer.fields).toMatchObject({ type: 'status-response', status: 'unknown', 'order-stage': 'payout_unknown' });
    expect(sim.statusNoiseCount()).toBe(1);
    expect(sim.ledger(fields.client_orderid)[0]).toMatchObject({ paidMinor: '2500' });
  });

  test('the same seed gives the same sequence of answers', async () => {
    const fields = payoutFields({ 'destination-card-ref-id': 'card-s2' });
    const orderId = (await payout('payout-by-ref', EP, fields)).fields['paynet-order-id'];
    await finalStatus(EP, fields.client_orderid, orderId);
    const run = async () => {
      sim.setStatusNoise({ probability: 0.5, seed: 42, statuses: ['unknown', 'processing'] });
      const seen: string[] = [];
      for (let i = 0; i < 12; i++) seen.push((await statusOf(EP, fields.client_orderid, orderId)).fields.status);
      return seen;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(new Set(first).size).toBeGreaterThan(1); // some noise, some truth
    expect(first).toContain('approved');
  });

  test('a bad setting is refused', () => {
    expect(() => sim.setStatusNoise({ probability: 2, seed: 1 })).toThrow();
  });
});
