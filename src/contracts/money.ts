/**
 * Exact money arithmetic. Amounts travel as decimal strings and are computed as BigInt integers in
 * the currency's minor unit; a float never touches a money value.
 * Pure and deterministic: imported by workflows as well as activities.
 */
import currencyCodes from 'currency-codes';

export interface Money {
  amount: string;
  currency: string;
}

/** ISO 4217 codes that are not money (test code, "no currency", precious metals, bond units, SDR...). */
const NON_MONEY_CODES = new Set(['XXX', 'XTS', 'XAU', 'XAG', 'XPT', 'XPD', 'XBA', 'XBB', 'XBC', 'XBD', 'XDR', 'XSU', 'XUA']);

/** Number of minor-unit digits of a currency (2 for EUR, 0 for JPY, 3 for KWD), or undefined if unknown. */
export function currencyExponent(currency: string): number | undefined {
  if (!/^[A-Z]{3}$/.test(currency) || NON_MONEY_CODES.has(currency)) return undefined;
  const entry = currencyCodes.code(currency);
  return entry ? entry.digits : undefined;
}

const DECIMAL = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;

/** Why `amount` is not a valid non-negative amount of `currency`, or undefined when it is. */
export function amountProblem(amount: string, currency: string): string | undefined {
  const exponent = currencyExponent(currency);
  if (exponent === undefined) return `unknown currency "${currency}" (expected an ISO 4217 code such as EUR)`;
  if (amount.startsWith('-')) return `negative amount "${amount}"`;
  const match = DECIMAL.exec(amount);
  if (!match) return `malformed amount "${amount}" (expected a decimal string such as "12.50")`;
  const fraction = match[2] ?? '';
  if (fraction.length > exponent) {
    return `amount "${amount}" has ${fraction.length} decimal places, ${currency} allows ${exponent}`;
  }
  return undefined;
}

/** Parses a valid amount into integer minor units: toMinorUnits({amount: "10.15", currency: "EUR"}) === 1015n. */
export function toMinorUnits(money: Money): bigint {
  const problem = amountProblem(money.amount, money.currency);
  if (problem) throw new RangeError(problem);
  const exponent = currencyExponent(money.currency)!;
  const [whole, fraction = ''] = money.amount.split('.');
  return BigInt(whole + fraction.padEnd(exponent, '0'));
}

/** Formats integer minor units as a canonical decimal string with exactly the currency's decimals. */
export function fromMinorUnits(minor: bigint, currency: string): Money {
  const exponent = currencyExponent(currency);
  if (exponent === undefined) throw new RangeError(`unknown currency "${currency}"`);
  if (minor < 0n) throw new RangeError(`negative amount ${minor} ${currency}`);
  const digits = minor.toString().padStart(exponent + 1, '0');
  const amount = exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
  return { amount, currency };
}

const MICROS_EXPONENT = 6;

/** The largest micros amount the disburseFunds protocol can carry (its amounts are int64). */
export const MAX_INT64 = 2n ** 63n - 1n;

/** Minor units -> micros of the currency unit (disburseFunds amounts): 1015 EUR cents -> 10150000n; beyond int64 it throws. */
export function minorToMicros(minor: bigint, currency: string): bigint {
  const exponent = currencyExponent(currency);
  if (exponent === undefined) throw new RangeError(`unknown currency "${currency}"`);
  const micros = minor * 10n ** BigInt(MICROS_EXPONENT - exponent);
  if (micros > MAX_INT64) throw new RangeError(`${minor} ${currency} minor units exceed the int64 range of micros`);
  return micros;
}

/** Micros -> Money, exact; throws if the micros are finer than the currency's minor unit. */
export function microsToMoney(micros: bigint, currency: string): Money {
  const exponent = currencyExponent(currency);
  if (exponent === undefined) throw new RangeError(`unknown currency "${currency}"`);
  const factor = 10n ** BigInt(MICROS_EXPONENT - exponent);
  if (micros % factor !== 0n) throw new RangeError(`${micros} micros is not a whole number of ${currency} minor units`);
  return fromMinorUnits(micros / factor, currency);
}

export function sameMoney(a: Money, b: Money): boolean {
  return a.currency === b.currency && toMinorUnits(a) === toMinorUnits(b);
}

/** "12.50 EUR": for messages and references only. */
export function formatMoney(money: Money): string {
  return `${money.amount} ${money.currency}`;
}
