import fc from 'fast-check';
import {
  amountProblem,
  currencyExponent,
  fromMinorUnits,
  microsToMoney,
  minorToMicros,
  sameMoney,
  toMinorUnits,
} from '../../src/contracts/money';

describe('currencyExponent', () => {
  test.each([
    ['EUR', 2],
    ['USD', 2],
    ['JPY', 0],
    ['KWD', 3],
    ['BHD', 3],
    ['CLF', 4],
  ])('%s has %i decimals', (currency, exponent) => {
    expect(currencyExponent(currency)).toBe(exponent);
  });

  test.each(['EUX', 'eur', 'XXX', 'XTS', 'XAU', 'XDR', 'EURO', ''])('%j is not a money currency', (currency) => {
    expect(currencyExponent(currency)).toBeUndefined();
  });
});

describe('toMinorUnits', () => {
  test.each([
    ['10.15', 'EUR', 1015n],
    ['0.1', 'EUR', 10n],
    ['10', 'EUR', 1000n],
    ['0', 'EUR', 0n],
    ['0.00', 'EUR', 0n],
    ['1000', 'JPY', 1000n],
    ['1.234', 'KWD', 1234n],
    ['1.2', 'KWD', 1200n],
    ['7', 'KWD', 7000n],
  ])('%s %s -> %p', (amount, currency, minor) => {
    expect(toMinorUnits({ amount, currency })).toBe(minor);
  });

  test('throws a RangeError with the problem for invalid amounts', () => {
    expect(() => toMinorUnits({ amount: '1.234', currency: 'EUR' })).toThrow(RangeError);
    expect(() => toMinorUnits({ amount: '1.234', currency: 'EUR' })).toThrow('has 3 decimal places, EUR allows 2');
    expect(() => toMinorUnits({ amount: '1.5', currency: 'JPY' })).toThrow('has 1 decimal places, JPY allows 0');
    expect(() => toMinorUnits({ amount: '-1', currency: 'EUR' })).toThrow('negative amount "-1"');
    expect(() => toMinorUnits({ amount: '1', currency: 'EUX' })).toThrow('unknown currency "EUX"');
  });
});

describe('fromMinorUnits', () => {
  test.each([
    [1015n, 'EUR', '10.15'],
    [10n, 'EUR', '0.10'],
    [5n, 'EUR', '0.05'],
    [0n, 'EUR', '0.00'],
    [1000n, 'JPY', '1000'],
    [0n, 'JPY', '0'],
    [1234n, 'KWD', '1.234'],
    [1n, 'KWD', '0.001'],
  ])('%p %s -> %s', (minor, currency, amount) => {
    expect(fromMinorUnits(minor, currency)).toEqual({ amount, currency });
  });

  test('rejects negative amounts and unknown currencies', () => {
    expect(() => fromMinorUnits(-1n, 'EUR')).toThrow(RangeError);
    expect(() => fromMinorUnits(1n, 'XXX')).toThrow('unknown currency "XXX"');
  });
});

describe('amountProblem', () => {
  test('accepts valid amounts', () => {
    expect(amountProblem('12.50', 'EUR')).toBeUndefined();
    expect(amountProblem('0', 'EUR')).toBeUndefined();
    expect(amountProblem('1000', 'JPY')).toBeUndefined();
    expect(amountProblem('1.234', 'KWD')).toBeUndefined();
  });

  test('negative amount', () => {
    expect(amountProblem('-1.00', 'EUR')).toBe('negative amount "-1.00"');
  });

  test.each(['12,50', '1e3', ' 1', '1 ', '01.00', '', '1.', '.5', '+1', '0x10'])('malformed amount %j', (amount) => {
    expect(amountProblem(amount, 'EUR')).toBe(`malformed amount "${amount}" (expected a decimal string such as "12.50")`);
  });

  test('too many decimals names the currency and its allowed decimals', () => {
    expect(amountProblem('1.234', 'EUR')).toBe('amount "1.234" has 3 decimal places, EUR allows 2');
    expect(amountProblem('1.0', 'JPY')).toBe('amount "1.0" has 1 decimal places, JPY allows 0');
    expect(amountProblem('1.2345', 'KWD')).toBe('amount "1.2345" has 4 decimal places, KWD allows 3');
  });

  test.each(['EUX', 'eur', 'XXX', 'XAU'])('unknown currency %j', (currency) => {
    expect(amountProblem('1.00', currency)).toBe(`unknown currency "${currency}" (expected an ISO 4217 code such as EUR)`);
  });
});

describe('micros', () => {
  test.each([
    [1015n, 'EUR', 10_150_000n],
    [5n, 'JPY', 5_000_000n],
    [1234n, 'KWD', 1_234_000n],
  ])('minorToMicros(%p, %s) === %p', (minor, currency, micros) => {
    expect(minorToMicros(minor, currency)).toBe(micros);
  });

  test('microsToMoney is exact', () => {
    expect(microsToMoney(10_150_000n, 'EUR')).toEqual({ amount: '10.15', currency: 'EUR' });
    expect(microsToMoney(5_000_000n, 'JPY')).toEqual({ amount: '5', currency: 'JPY' });
    expect(microsToMoney(1_234_000n, 'KWD')).toEqual({ amount: '1.234', currency: 'KWD' });
    expect(microsToMoney(0n, 'EUR')).toEqual({ amount: '0.00', currency: 'EUR' });
  });

  test('microsToMoney throws a RangeError for micros finer than the minor unit', () => {
    expect(() => microsToMoney(10_150_001n, 'EUR')).toThrow(RangeError);
    expect(() => microsToMoney(10_150_001n, 'EUR')).toThrow('not a whole number of EUR minor units');
    expect(() => microsToMoney(1_500_000n, 'JPY')).toThrow(RangeError);
    expect(() => microsToMoney(1_234_500n, 'KWD')).toThrow(RangeError);
  });

  test('unknown currency is rejected', () => {
    expect(() => minorToMicros(1n, 'EUX')).toThrow(RangeError);
    expect(() => microsToMoney(1_000_000n, 'EUX')).toThrow(RangeError);
  });
});

describe('sameMoney', () => {
  test('compares the value, not the spelling', () => {
    expect(sameMoney({ amount: '10.1', currency: 'EUR' }, { amount: '10.10', currency: 'EUR' })).toBe(true);
    expect(sameMoney({ amount: '10', currency: 'EUR' }, { amount: '10.00', currency: 'EUR' })).toBe(true);
  });

  test('different value or currency is not the same', () => {
    expect(sameMoney({ amount: '10.10', currency: 'EUR' }, { amount: '10.01', currency: 'EUR' })).toBe(false);
    expect(sameMoney({ amount: '10.00', currency: 'EUR' }, { amount: '10.00', currency: 'USD' })).toBe(false);
  });
});

describe('no floating point', () => {
  test('an amount beyond 2^53 minor units round-trips exactly', () => {
    const money = { amount: '9007199254740.993', currency: 'KWD' };
    const minor = toMinorUnits(money);
    expect(minor).toBe(9007199254740993n); // 2^53 + 1: not representable as a double
    expect(minor > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(fromMinorUnits(minor, 'KWD')).toEqual(money);
    expect(minorToMicros(minor, 'KWD')).toBe(9007199254740993000n); // still inside int64
    expect(microsToMoney(minorToMicros(minor, 'KWD'), 'KWD')).toEqual(money);
  });

  test('micros beyond int64 are refused, not sent', () => {
    // 90071992547409.93 EUR is 9.0e19 micros: more than disburseFunds' int64 can carry.
    expect(() => minorToMicros(toMinorUnits({ amount: '90071992547409.93', currency: 'EUR' }), 'EUR')).toThrow('exceed the int64 range');
    expect(minorToMicros(toMinorUnits({ amount: '9223372036854.77', currency: 'EUR' }), 'EUR')).toBe(9223372036854770000n);
  });
});

describe('properties', () => {
  const CURRENCIES = ['EUR', 'JPY', 'KWD', 'USD', 'BHD', 'CLF'];
  const MAX_MINOR = 10n ** 15n;

  test('the currencies used are known', () => {
    for (const currency of CURRENCIES) expect(currencyExponent(currency)).not.toBeUndefined();
  });

  const minorArb = fc.bigInt({ min: 0n, max: MAX_MINOR });
  const currencyArb = fc.constantFrom(...CURRENCIES);

  test('fromMinorUnits -> toMinorUnits round-trips exactly', () => {
    fc.assert(
      fc.property(minorArb, currencyArb, (minor, currency) => {
        const money = fromMinorUnits(minor, currency);
        expect(amountProblem(money.amount, currency)).toBeUndefined();
        expect(toMinorUnits(money)).toBe(minor);
      }),
    );
  });

  test('minorToMicros -> microsToMoney round-trips exactly inside int64 and refuses beyond it', () => {
    fc.assert(
      fc.property(minorArb, currencyArb, (minor, currency) => {
        const exact = minor * 10n ** BigInt(6 - currencyExponent(currency)!);
        if (exact > 2n ** 63n - 1n) {
          expect(() => minorToMicros(minor, currency)).toThrow(RangeError);
          return;
        }
        expect(microsToMoney(minorToMicros(minor, currency), currency)).toEqual(fromMinorUnits(minor, currency));
      }),
    );
  });

  test('the formatted amount has exactly the currency exponent decimals', () => {
    fc.assert(
      fc.property(minorArb, currencyArb, (minor, currency) => {
        const exponent = currencyExponent(currency)!;
        const { amount } = fromMinorUnits(minor, currency);
        const [whole, fraction] = amount.split('.');
        if (exponent === 0) expect(fraction).toBeUndefined();
        else expect(fraction).toHaveLength(exponent);
        expect(whole).toMatch(/^(0|[1-9][0-9]*)$/);
      }),
    );
  });

  test('sameMoney holds between an amount and its form without trailing zeros', () => {
    fc.assert(
      fc.property(minorArb, currencyArb, (minor, currency) => {
        const canonical = fromMinorUnits(minor, currency);
        const short = canonical.amount.includes('.') ? canonical.amount.replace(/\.?0+$/, '') : canonical.amount;
        expect(toMinorUnits({ amount: short, currency })).toBe(minor);
        expect(sameMoney(canonical, { amount: short, currency })).toBe(true);
        expect(sameMoney(canonical, fromMinorUnits(minor + 1n, currency))).toBe(false);
      }),
    );
  });
});
