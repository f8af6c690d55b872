/** Processing data sealing: what a worker wrote verifies; anything changed, foreign or unsealed does not. */
import fc from 'fast-check';
import { parseCodecKeys } from '../../src/codec/codec';
import { ProcessingDataSeal, sealFromEnv } from '../../src/activities/sealing';

const OLD = 'old:' + Buffer.alloc(32, 1).toString('base64');
const NEW = 'new:' + Buffer.alloc(32, 2).toString('base64');
const seal = (spec: string, acceptUnsealed = false) => new ProcessingDataSeal(parseCodecKeys(spec, 'CUWO_SEAL_KEYS'), acceptUnsealed);
const record = { v: 1, provider: 'disburse-funds', account: 'upi', amountMicros: '25000000', vpa: 'asha@okbank', stage: 'PAID' };

test(
  'a sealed record opens for its own request, stays readable, and rotates: ' +
    'sealed with the old key, opened after the new one came first',
  () => {
    const sealed = seal(OLD).seal('payout:PR-1', record);
    expect(JSON.parse(sealed).record).toEqual(record);
    expect(seal(`${NEW},${OLD}`).open(sealed, 'payout:PR-1')).toEqual({ ok: true, record, sealed: true });
    expect(JSON.parse(seal(`${NEW},${OLD}`).seal('payout:PR-1', record)).seal.kid).toBe('new');
  },
);

test.each([
  ['another request', (s: string) => s, 'payout:PR-2', 'belongs to payout:PR-1'],
  ['a changed amount', (s: string) => s.replace('25000000', '999000000'), 'payout:PR-1', 'does not verify'],
  ['a changed request binding', (s: string) => s.replace('"payout:PR-1"', '"payout:PR-2"'), 'payout:PR-2', 'does not verify'],
  ['an unknown key', (s: string) => s.replace('"kid":"old"', '"kid":"gone"'), 'payout:PR-1', 'key this worker does not have'],
  ['hand-written JSON', () => JSON.stringify(record), 'payout:PR-1', 'carries no seal'],
  ['"null"', () => 'null', 'payout:PR-1', 'not a JSON object'],
  ['not JSON', () => 'PR-1', 'payout:PR-1', 'not JSON'],
])('refused: %s', (_name, change, request, problem) => {
  const sealed = change(seal(OLD).seal('payout:PR-1', record));
  const opened = seal(OLD).open(sealed, request as 'payout:PR-1');
  expect(opened.ok).toBe(false);
  expect((opened as { problem: string }).problem).toContain(problem);
});

test('unsealed records of older runs open only when explicitly allowed', () => {
  expect(seal(OLD, true).open(JSON.stringify(record), 'payout:PR-1')).toEqual({ ok: true, record, sealed: false });
});

test('any change to a sealed record is detected (property)', () => {
  const s = seal(OLD);
  fc.assert(
    fc.property(
      fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 12 }), fc.integer())),
      fc.string({ minLength: 1, maxLength: 12 }),
      (fields, extra) => {
        const sealed = JSON.parse(s.seal('payment:P', fields));
        sealed.record = { ...sealed.record, ['x' + extra]: extra };
        expect(s.open(JSON.stringify(sealed), 'payment:P').ok).toBe(false);
      },
    ),
    { numRuns: 1000 },
  );
});

test('the worker refuses to run without seal keys, naming the variable', () => {
  expect(() => sealFromEnv({})).toThrow('CUWO_SEAL_KEYS is not set');
  expect(() => sealFromEnv({ CUWO_SEAL_KEYS: 'k1:short' })).toThrow('CUWO_SEAL_KEYS key "k1" must be 32 bytes');
});
