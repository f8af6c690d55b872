/**
 * The Payneteasy account schema (src/activities/providers/payneteasy/account.ts): one route (an endpoint
 * or an endpoint group, never both or neither), redirect_url, the customer fields the endpoint
 * requires, the provider's time zone; and the polling cadence's defaults against the provider's advice
 * (docs/payneteasy.md, "Polling cadence"), through gateway.ts pollAfter.
 */
import { payneteasyAccountSchema, routeOf } from '../../src/activities/providers/payneteasy/account';
import { PayneteasyGateway } from '../../src/activities/providers/payneteasy/gateway';

const base = {
  provider: 'payneteasy',
  baseUrl: 'https://gate.example/paynet/',
  login: 'merchant',
  controlKey: 'k',
  privateKeyPem: '-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----',
};
const problems = (input: object) => {
  const parsed = payneteasyAccountSchema.safeParse({ ...base, ...input });
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('route: exactly one of endpointId and endpointGroupId', () => {
  test('an endpoint or a group is a route', () => {
    expect(routeOf(payneteasyAccountSchema.parse({ ...base, endpointId: '1001' }))).toEqual({ kind: 'endpoint', id: '1001' });
    expect(routeOf(payneteasyAccountSchema.parse({ ...base, endpointGroupId: '77' }))).toEqual({ kind: 'group', id: '77' });
  });

  test.each([
    ['neither', {}],
    ['both', { endpointId: '1001', endpointGroupId: '77' }],
  ])('%s: a clear error naming both settings', (_name, ids) => {
    expect(problems(ids)).toEqual([
      'endpointId: configure exactly one of endpointId and endpointGroupId (commands go to one endpoint or to one endpoint group)',
    ]);
  });

  test('an empty id is refused', () => {
    expect(problems({ endpointGroupId: '' }).join()).toMatch(/endpointGroupId/);
  });
});

describe('redirect_url, customer fields, time zone', () => {
  test('valid values are kept; nothing is defaulted into the account', () => {
    const account = payneteasyAccountSchema.parse({
      ...base,
      endpointId: '1001',
      redirectUrl: 'https://shop.example/back',
      customerFields: { ipaddress: '203.0.113.7', purpose: 'salary', country: 'DE' },
      requiredFields: ['ipaddress', 'purpose'],
      providerTimeZone: 'Europe/Berlin',
      notVoidableCodes: ['TOO_LATE'],
    });
    expect(account).toMatchObject({ redirectUrl: 'https://shop.example/back', providerTimeZone: 'Europe/Berlin' });
    expect(payneteasyAccountSchema.parse({ ...base, endpointId: '1' }).providerTimeZone).toBeUndefined();
  });

  test.each([
    [{ redirectUrl: 'ftp://shop.example/back' }, 'redirectUrl: must be an absolute http(s) URL'],
    [{ redirectUrl: 'not a url' }, 'redirectUrl: must be an absolute http(s) URL'],
    [{ customerFields: { ipaddress: '999.1.1.1' } }, 'customerFields.ipaddress: must be an IPv4 or IPv6 address'],
    [{ customerFields: { country: 'Germany' } }, 'customerFields.country: must be an ISO 3166-1 alpha-2 code (2 capital letters)'],
    [{ customerFields: { secret: 'x' } }, 'customerFields: Unrecognized key: "secret"'],
    [{ requiredFields: ['purpose'] }, 'customerFields.purpose: is required by the endpoint (requiredFields) but has no value'],
    [{ requiredFields: ['password'] }, 'requiredFields.0: Invalid option'],
    [{ providerTimeZone: 'Mars/Olympus' }, 'providerTimeZone: must be an IANA time zone such as UTC or Europe/Berlin'],
  ])('%j is refused: %s', (input, message) => {
    expect(problems({ endpointId: '1001', ...input }).join('\n')).toContain(message);
  });
});

describe('polling cadence (defaults per account)', () => {
  const account = payneteasyAccountSchema.parse({ ...base, endpointId: '1001' });
  const S = 1_000;
  const MIN = 60 * S;

  test("the defaults sit inside the provider's advice: 3-5 s for 5 min, then 5-10 min up to an hour, then hourly beside the callback", () => {
    expect(account.polling).toEqual({
      fastIntervalMs: 4 * S,
      fastPhaseMs: 5 * MIN,
      slowIntervalMs: 5 * MIN,
      slowPhaseMs: 60 * MIN,
      lateIntervalMs: 60 * MIN,
    });
    expect(account.polling.fastIntervalMs).toBeGreaterThanOrEqual(3 * S);
    expect(account.polling.fastIntervalMs).toBeLessThanOrEqual(5 * S);
    expect(account.polling.slowIntervalMs).toBeGreaterThanOrEqual(5 * MIN);
    expect(account.polling.slowIntervalMs).toBeLessThanOrEqual(10 * MIN);
    expect(account.timeoutMs).toBe(15 * S);
  });

  test('pollAfter counts from the order creation: 4 s, then 5 min after 5 min, then 1 h after an hour', () => {
    const gateway = new PayneteasyGateway(account);
    const created = Date.parse('2026-03-01T10:00:00Z');
    const at = (elapsedMs: number) => {
      const now = jest.spyOn(Date, 'now').mockReturnValue(created + elapsedMs);
      try {
        return gateway.pollAfter(new Date(created).toISOString());
      } finally {
        now.mockRestore();
      }
    };
    expect(at(0)).toBe(4 * S);
    expect(at(5 * MIN - 1)).toBe(4 * S);
    expect(at(5 * MIN)).toBe(5 * MIN);
    expect(at(60 * MIN - 1)).toBe(5 * MIN);
    expect(at(60 * MIN)).toBe(60 * MIN);
    expect(at(48 * 60 * MIN)).toBe(60 * MIN);
    expect(gateway.pollAfter(undefined)).toBe(4 * S); // no creation time known: the fast interval
  });
});
