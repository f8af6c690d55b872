/**
 * Payneteasy wire primitives (docs/payneteasy.md, "Common rules"): SHA-1 `control` strings with
 * amounts in minor units, amounts as the `amount` field wants them and as the provider writes them,
 * and OAuth 1.0a RSA-SHA256 signatures for the v4 payout. Pure functions, known-vector tested.
 * Requests are built in requests.ts, answers decoded in answers.ts.
 */
import { createHash, sign } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import { currencyExponent, fromMinorUnits, toMinorUnits, type Money } from '../../../contracts/money';

/** Lowercase hex SHA-1 of the concatenated parts (the merchant control key is always the last part). */
export function control(...parts: string[]): string {
  return createHash('sha1').update(parts.join(''), 'utf8').digest('hex');
}

/** "25.00" style amount in major units with a dot, as the `amount` field wants it. */
export function majorAmount(money: Money): string {
  return fromMinorUnits(toMinorUnits(money), money.currency).amount;
}

/**
 * An amount the provider wrote, in minor units of `currency`, or undefined when it cannot be read
 * exactly. Tolerant of the provider's formatting: trailing zeros beyond the currency's exponent are
 * fine ("10.150" EUR = 1015, "1500.00" ISK = 1500); anything else (a sign, a comma, an exponent, a
 * non-zero digit beyond the exponent, an unknown currency) is unreadable. Never throws.
 */
export function providerMinorUnits(amount: string | undefined, currency: string | undefined): bigint | undefined {
  if (amount === undefined || currency === undefined) return undefined;
  const exponent = currencyExponent(currency);
  const match = /^([0-9]{1,30})(?:\.([0-9]{1,30}))?$/.exec(amount);
  if (exponent === undefined || !match) return undefined;
  const fraction = match[2] ?? '';
  if (/[^0]/.test(fraction.slice(exponent))) return undefined; // finer than the minor unit: not exact
  return BigInt(match[1] + fraction.slice(0, exponent).padEnd(exponent, '0'));
}

/** Minor units as a control string wants them: 10.15 -> "1015". */
export function minorAmount(money: Money): string {
  return toMinorUnits(money).toString();
}

/**
 * The OAuth 1.0a `Authorization` header for a form POST, signed RSA-SHA256 with the merchant's
 * private key; the consumer key is the merchant login. Body parameters are part of the signature.
 */
export function oauthHeader(options: {
  url: string;
  form: Record<string, string>;
  login: string;
  privateKeyPem: string;
  nonce?: string;
  timestamp?: number;
}): string {
  const oauth = new OAuth({
    consumer: { key: options.login, secret: '' },
    signature_method: 'RSA-SHA256',
    hash_function: (baseString: string) => sign('sha256', Buffer.from(baseString, 'utf8'), options.privateKeyPem).toString('base64'),
  });
  if (options.nonce !== undefined) oauth.getNonce = () => options.nonce!;
  if (options.timestamp !== undefined) oauth.getTimeStamp = () => options.timestamp!;
  const authorization = oauth.authorize({ url: options.url, method: 'POST', data: options.form });
  return oauth.toHeader(authorization).Authorization;
}
