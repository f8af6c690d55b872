import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError, loadAccounts, parseAccounts, taskQueue } from '../../src/config';

function accountsJson(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    main: {
      provider: 'disburse-funds',
      baseUrl: 'https://disburse.example.com/v1',
      paymentIntegratorAccountId: 'pia-1',
      bearerToken: 'token-1',
      transport: { mode: 'plain', allowNonLoopback: true },
      ...overrides,
    },
  });
}

/** Runs `fn`, expects a ConfigurationError and returns its message. */
function configurationErrorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigurationError);
    expect((err as Error).name).toBe('ConfigurationError');
    return (err as Error).message;
  }
  throw new Error('expected a ConfigurationError, but nothing was thrown');
}

describe('parseAccounts', () => {
  test('a disburse-funds account, timeoutMs defaults to 15000', () => {
    expect(parseAccounts(accountsJson(), 'TEST', {})).toEqual({
      main: {
        provider: 'disburse-funds',
        baseUrl: 'https://disburse.example.com/v1',
        paymentIntegratorAccountId: 'pia-1',
        bearerToken: 'token-1',
        transport: { mode: 'plain', allowNonLoopback: true },
        timeoutMs: 15000,
      },
    });
  });

  test('an explicit timeoutMs is kept', () => {
    expect(parseAccounts(accountsJson({ timeoutMs: 2500 }), 'TEST', {}).main.timeoutMs).toBe(2500);
  });

  test('"env:VAR" is read from the env argument', () => {
    const accounts = parseAccounts(accountsJson({ bearerToken: 'env:DISBURSE_TOKEN' }), 'TEST', { DISBURSE_TOKEN: 's3cret' });
    expect(accounts.main).toMatchObject({ bearerToken: 's3cret' });
  });

  test('"file:/path" is read from that file (e.g. a PEM key), and a missing file is named', () => {
    const keyDir = mkdtempSync(join(tmpdir(), 'cuwo-config-key-'));
    const pem = join(keyDir, 'key.pem');
    writeFileSync(pem, '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n');
    const json = JSON.stringify({
      pne: {
        provider: 'payneteasy',
        baseUrl: 'https://gate.example/paynet/',
        endpointId: '1001',
        login: 'm',
        controlKey: 'k',
        privateKeyPem: `file:${pem}`,
      },
    });
    expect(parseAccounts(json, 'TEST', {}).pne).toMatchObject({
      privateKeyPem: expect.stringContaining('BEGIN PRIVATE KEY'),
      payoutReversal: false,
    });
    const missing = json.replace(pem, join(keyDir, 'nope.pem'));
    expect(configurationErrorOf(() => parseAccounts(missing, 'TEST', {}))).toMatch(
      /^TEST\.pne\.privateKeyPem refers to file .*nope\.pem, which cannot be read/,
    );
    rmSync(keyDir, { recursive: true, force: true });
  });

  test('"env:VAR" naming an unset variable is an error that names the variable and the field', () => {
    const message = configurationErrorOf(() => parseAccounts(accountsJson({ bearerToken: 'env:UNSET_TOKEN' }), 'TEST', {}));
    expect(message).toBe('TEST.main.bearerToken refers to environment variable UNSET_TOKEN, which is not set');
  });

  test('invalid JSON names the source', () => {
    const message = configurationErrorOf(() => parseAccounts('{"main": ', 'CUWO_ACCOUNTS', {}));
    expect(message).toMatch(/^CUWO_ACCOUNTS is not valid JSON: /);
  });

  test('unknown provider names the field', () => {
    const message = configurationErrorOf(() => parseAccounts(accountsJson({ provider: 'stripe' }), 'TEST', {}));
    expect(message).toMatch(/^TEST: main\.provider: /);
  });

  test('missing bearerToken names the field', () => {
    const message = configurationErrorOf(() => parseAccounts(accountsJson({ bearerToken: undefined }), 'TEST', {}));
    expect(message).toMatch(/^TEST: main\.bearerToken: /);
  });

  test('empty bearerToken names the field', () => {
    const message = configurationErrorOf(() => parseAccounts(accountsJson({ bearerToken: '' }), 'TEST', {}));
    expect(message).toMatch(/^TEST: main\.bearerToken: /);
  });

  test('bad baseUrl names the field', () => {
    const message = configurationErrorOf(() => parseAccounts(accountsJson({ baseUrl: 'not a url' }), 'TEST', {}));
    expect(message).toMatch(/^TEST: main\.baseUrl: /);
  });

  test('non-positive timeoutMs names the field', () => {
    const message = configurationErrorOf(() => parseAccounts(accountsJson({ timeoutMs: 0 }), 'TEST', {}));
    expect(message).toMatch(/^TEST: main\.timeoutMs: /);
  });

  test('an empty object has no accounts', () => {
    expect(parseAccounts('{}', 'TEST', {})).toEqual({});
  });
});

describe('loadAccounts', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cuwo-config-test-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('reads CUWO_ACCOUNTS_FILE, resolving env: secrets from the same env', () => {
    const file = join(dir, 'accounts.json');
    writeFileSync(file, accountsJson({ bearerToken: 'env:TOKEN_FROM_ENV' }));
    const accounts = loadAccounts({ CUWO_ACCOUNTS_FILE: file, TOKEN_FROM_ENV: 'file-secret' });
    expect(accounts.main).toMatchObject({ provider: 'disburse-funds', bearerToken: 'file-secret', timeoutMs: 15000 });
  });

  test('CUWO_ACCOUNTS_FILE wins over CUWO_ACCOUNTS', () => {
    const file = join(dir, 'preferred.json');
    writeFileSync(file, accountsJson({ paymentIntegratorAccountId: 'from-file' }));
    const accounts = loadAccounts({ CUWO_ACCOUNTS_FILE: file, CUWO_ACCOUNTS: accountsJson({ paymentIntegratorAccountId: 'from-var' }) });
    expect(accounts.main).toMatchObject({ paymentIntegratorAccountId: 'from-file' });
  });

  test('an invalid file names the file path as source', () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, accountsJson({ baseUrl: 'nope' }));
    const message = configurationErrorOf(() => loadAccounts({ CUWO_ACCOUNTS_FILE: file }));
    expect(message.startsWith(`${file}: main.baseUrl: `)).toBe(true);
  });

  test('a missing file: the message names the path', () => {
    const missing = join(dir, 'does-not-exist.json');
    const message = configurationErrorOf(() => loadAccounts({ CUWO_ACCOUNTS_FILE: missing }));
    expect(message).toContain(`cannot read CUWO_ACCOUNTS_FILE ${missing}`);
  });

  test('reads CUWO_ACCOUNTS', () => {
    const accounts = loadAccounts({ CUWO_ACCOUNTS: accountsJson() });
    expect(Object.keys(accounts)).toEqual(['main']);
    expect(accounts.main.baseUrl).toBe('https://disburse.example.com/v1');
  });

  test('invalid CUWO_ACCOUNTS names the variable', () => {
    const message = configurationErrorOf(() => loadAccounts({ CUWO_ACCOUNTS: 'not json' }));
    expect(message).toMatch(/^CUWO_ACCOUNTS is not valid JSON: /);
  });

  test('neither variable: no accounts', () => {
    expect(loadAccounts({})).toEqual({});
  });
});

describe('taskQueue', () => {
  test("defaults to 'cuwo'", () => {
    expect(taskQueue({})).toBe('cuwo');
    expect(taskQueue({ CUWO_TASK_QUEUE: '' })).toBe('cuwo');
  });

  test('CUWO_TASK_QUEUE overrides', () => {
    expect(taskQueue({ CUWO_TASK_QUEUE: 'payments-eu' })).toBe('payments-eu');
  });
});
