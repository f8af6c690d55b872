/** Payneteasy simulator, protocol: the answer format, OAuth 1.0a verification of payouts, and the status command. */
import { randomBytes } from 'node:crypto';
import { encodePaynetResponse, parsePaynetResponse, sha1Hex } from '../../../../src/simulators/payneteasy';
import {
  CONTROL_A,
  CONTROL_B,
  createPayout,
  EP_A,
  EP_B,
  keyB,
  LOGIN_A,
  LOGIN_B,
  ordersFor,
  type PaynetAnswer,
  payout,
  payoutFields,
  sha1,
  signatureBaseString,
  status,
  strangerKey,
  useSimulator,
  v2,
} from './support';

useSimulator();

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
      'POST&http%3A%2F%2Fexample.com%2Frequest' +
        '&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D' +
        '%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a' +
        '%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7',
    );
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
