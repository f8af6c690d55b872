/**
 * Known vectors for the Payneteasy signatures. The expected values were computed once with Python's
 * oauthlib 3.3.1 (RFC 5849 base string) and `cryptography` (RSA PKCS#1 v1.5 SHA-256) over the test
 * key in test/fixtures, and with hashlib.sha1 for the controls: an implementation independent of ours.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAnswer } from '../../src/activities/providers/payneteasy/answers';
import { control, majorAmount, minorAmount, oauthHeader } from '../../src/activities/providers/payneteasy/protocol';

const privateKeyPem = readFileSync(join(__dirname, '../fixtures/payneteasy-test-key.pem'), 'utf8');
const url = 'https://sandbox.payneteasy.com/paynet/api/v4/payout/1001';
const form = {
  client_orderid: 'payout:PR-2026-0001',
  amount: '25.00',
  currency: 'EUR',
  order_desc: 'Payout for CM-2026-0042',
  'destination-card-ref-id': 'ref 42/x',
};
/** For reading: the RFC 5849 base string the signature below is over. */
export const EXPECTED_BASE =
  'POST&https%3A%2F%2Fsandbox.payneteasy.com%2Fpaynet%2Fapi%2Fv4%2Fpayout%2F1001&amount%3D25.00%26client_orderid%3Dpayout%253APR-2026-0001%26currency%3DEUR%26destination-card-ref-id%3Dref%252042%252Fx%26oauth_consumer_key%3Ddemo-merchant%26oauth_nonce%3Dn0nce123%26oauth_signature_method%3DRSA-SHA256%26oauth_timestamp%3D1795250000%26oauth_version%3D1.0%26order_desc%3DPayout%2520for%2520CM-2026-0042';
const EXPECTED_SIGNATURE =
  'dlCF3cw7j06TEqlxxx/koc5AO8s3sp7WSvsAIe560paCrLNNOhGKTbzf5zLLa/5xHGoFPlIipkgzAoMY28xoVyzcu6Wa70+JZ2l3XRlq9jJ866Fj0uGlsOWiuBARKkMFJS91inUeIkjsQ/8H+KYnAX9/n84YsjeE22Cydg/iQPKTv5bF28sX5oAZpqjftHmSrGua3gGrsIHt0uXgC6iRrZmQzXVt3OHGdIWLVii0wdWSr4n1qoMVDGC1xjYpAqR1UG6tfJVTHmjy1cIHX3jLEjkKatCuufMfWvoHAwieKi/eKk/E37yKOAhtYIFWWK4g8TGREgpJvaOwe+pkHSPUKw==';

test('the Authorization header carries the known RSA-SHA256 signature (so also the RFC 5849 base string)', () => {
  const header = oauthHeader({ url, form, login: 'demo-merchant', privateKeyPem, nonce: 'n0nce123', timestamp: 1795250000 });
  expect(header).toMatch(/^OAuth /);
  expect(header).toContain('oauth_consumer_key="demo-merchant"');
  expect(header).toContain('oauth_signature_method="RSA-SHA256"');
  const signature = decodeURIComponent(/oauth_signature="([^"]+)"/.exec(header)![1]);
  expect(signature).toBe(EXPECTED_SIGNATURE);
});

test('SHA-1 controls match known vectors (status, callback, return with amount)', () => {
  expect(control('demo-merchant', 'payout:PR-2026-0001', '4711', 'dev-control-key')).toBe('7271f4c10c0bfe24db7abd539794b9b972f0048d');
  expect(control('approved', '4711', 'payout:PR-2026-0001', 'dev-control-key')).toBe('59041324b54464acf7dd0379741d16c246d04ae8');
  expect(
    control(
      'demo-merchant',
      'payout-return:PR-2026-0001',
      '4711',
      minorAmount({ amount: '10.15', currency: 'EUR' }),
      'EUR',
      'dev-control-key',
    ),
  ).toBe('964ce2811c2bc721a89500fd150e2001e86f9f98');
});

test('amounts: major units with a dot in fields, minor units in controls, exact', () => {
  expect(majorAmount({ amount: '25', currency: 'EUR' })).toBe('25.00');
  expect(majorAmount({ amount: '1000', currency: 'JPY' })).toBe('1000');
  expect(minorAmount({ amount: '10.15', currency: 'EUR' })).toBe('1015');
  expect(minorAmount({ amount: '90071992547409.93', currency: 'EUR' })).toBe('9007199254740993');
});

test('answers: newline-terminated values are trimmed', () => {
  expect(parseAnswer('type=async-response\n&serial-number=abc-1\n&paynet-order-id=4711\n&merchant-order-id=payout%3APR-1\n')).toEqual({
    type: 'async-response',
    'serial-number': 'abc-1',
    'paynet-order-id': '4711',
    'merchant-order-id': 'payout:PR-1',
  });
});
