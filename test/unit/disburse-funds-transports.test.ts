/**
 * The disburseFunds transports against the simulator over HTTPS (a test CA made here): PGP, JWE over
 * mutual TLS, what the simulator answers to a request not protected as configured and how the adapter
 * classifies it, an answer that cannot be opened (UNKNOWN, never a decline), and the account schema's
 * refusal of plain JSON to a non-loopback URL.
 */
import { parseAccounts } from '../../src/config';
import { disburseFundsAccountSchema, type DisburseFundsAccount } from '../../src/activities/providers/disburse-funds/account';
import { transportFor } from '../../src/activities/providers/disburse-funds/payouts';
import { classifyDisburseFunds } from '../../src/activities/providers/disburse-funds/transformers';
import { TransportConfigError, tlsExchange } from '../../src/activities/providers/disburse-funds/transport';
import { resolveKeyReference } from '../../src/activities/providers/key-references';
import { startDisburseFundsSimulator, type DisburseFundsSimulator } from '../../src/simulators/disburse-funds';
import { keyDir, pgpPair, rsaPair, tlsMaterial, type PgpPair, type RsaPair, type TlsMaterial } from '../support/transport-keys';

const PGP_ACCOUNT = 'integrator-pgp';
const JWE_ACCOUNT = 'integrator-jwe';
/** Signs its answers with a key the adapter may not list yet (the provider rotated). */
const ROTATING_ACCOUNT = 'integrator-pgp-rotating';
let sim: DisburseFundsSimulator;
let tls: TlsMaterial;
let files: ReturnType<typeof keyDir>;
let pgp: { us: PgpPair; provider: PgpPair; providerNew: PgpPair; stranger: PgpPair };
let jose: { us: RsaPair; provider: RsaPair; stranger: RsaPair };
let seq = 0;

beforeAll(async () => {
  tls = tlsMaterial();
  files = keyDir();
  const [us, provider, providerNew, stranger] = await Promise.all(['us', 'provider', 'provider-new', 'stranger'].map(pgpPair));
  pgp = { us, provider, providerNew, stranger };
  jose = { us: rsaPair(), provider: rsaPair(), stranger: rsaPair() };
  sim = await startDisburseFundsSimulator({
    accounts: {
      [PGP_ACCOUNT]: {
        transport: { mode: 'pgp', providerPrivateKeys: [provider.privateKey], integratorPublicKeys: [us.publicKey] },
        maxMicros: '1000000000',
      },
      [ROTATING_ACCOUNT]: {
        transport: {
          mode: 'pgp',
          providerPrivateKeys: [providerNew.privateKey, provider.privateKey],
          integratorPublicKeys: [us.publicKey],
        },
      },
      [JWE_ACCOUNT]: {
        transport: { mode: 'jwe', providerPrivateKeys: [jose.provider.privateKey], integratorPublicKeys: [jose.us.publicKey] },
      },
    },
    tls: { cert: tls.server.cert, key: tls.server.key, clientCa: tls.ca.cert },
  });
});
afterAll(async () => {
  await sim?.close();
  files?.remove();
});

function pgpAccount(overrides: { us?: PgpPair; provider?: PgpPair[]; ca?: boolean } = {}): DisburseFundsAccount {
  return disburseFundsAccountSchema.parse({
    provider: 'disburse-funds',
    baseUrl: sim.url,
    paymentIntegratorAccountId: PGP_ACCOUNT,
    transport: {
      mode: 'pgp',
      privateKeys: [files.ref(`us-${++seq}.asc`, (overrides.us ?? pgp.us).privateKey)],
      providerPublicKeys: (overrides.provider ?? [pgp.provider]).map((k, i) => files.ref(`provider-${++seq}-${i}.asc`, k.publicKey)),
      ...(overrides.ca === false ? {} : { ca: files.ref(`ca-${++seq}.pem`, tls.ca.cert) }),
    },
  });
}

function jweAccount(overrides: { client?: 'none' | 'stranger'; us?: RsaPair; provider?: RsaPair } = {}): DisburseFundsAccount {
  const client = overrides.client === 'stranger' ? tls.strangerClient : tls.client;
  return disburseFundsAccountSchema.parse({
    provider: 'disburse-funds',
    baseUrl: sim.url,
    paymentIntegratorAccountId: JWE_ACCOUNT,
    transport: {
      mode: 'jwe',
      privateKeys: [files.ref(`jwe-us-${++seq}.pem`, (overrides.us ?? jose.us).privateKey)],
      providerPublicKeys: [files.ref(`jwe-provider-${++seq}.pem`, (overrides.provider ?? jose.provider).publicKey)],
      clientCertificate: files.ref(`client-${++seq}.pem`, client.cert),
      clientKey: files.ref(`client-key-${++seq}.pem`, client.key),
      ca: files.ref(`ca-${++seq}.pem`, tls.ca.cert),
    },
  });
}

function body(account: string, amount = '25500000'): string {
  return JSON.stringify({
    requestHeader: {
      protocolVersion: { major: 1, minor: 0, revision: 0 },
      requestId: `payout:t-${Date.now()}-${++seq}`,
      requestTimestamp: String(Date.now()),
    },
    paymentIntegratorAccountId: account,
    transactionDescription: 'Payout for CM-1',
    currencyCode: 'EUR',
    amount,
    upiDetails: { vpa: 'asha@okbank' },
  });
}

async function send(account: DisburseFundsAccount, json: string) {
  const prepared = await transportFor('acct', account).prepare();
  return prepared.send(`${sim.url}/v1/disburseFunds`, json, 10_000);
}

describe('PGP over HTTPS', () => {
  test('pays: the answer is decrypted and verified, and the simulator booked it', async () => {
    const json = body(PGP_ACCOUNT);
    const exchange = await send(pgpAccount(), json);
    expect(exchange).toMatchObject({ kind: 'answer', httpStatus: 200 });
    expect(classifyDisburseFunds(exchange)).toMatchObject({ outcome: 'DONE' });
    expect(sim.ledger().filter((d) => d.requestId === JSON.parse(json).requestHeader.requestId)).toHaveLength(1);
  });

  test('a decline comes back sealed, with rawResult and the matching limit', async () => {
    const outcome = classifyDisburseFunds(await send(pgpAccount(), body(PGP_ACCOUNT, '2000000000')));
    expect(outcome).toMatchObject({
      outcome: 'NOT_DONE',
      notDone: {
        kind: 'declined',
        resultCode: 'DISBURSEMENT_EXCEEDS_TRANSACTION_LIMIT',
        rawResult: { rawCode: 'LIMIT_MAX' },
        limit: { kind: 'max' },
      },
    });
  });

  test('signed by a key the provider does not know: 401 INVALID_PAYLOAD_SIGNATURE, refused (configuration), nothing paid', async () => {
    const outcome = classifyDisburseFunds(await send(pgpAccount({ us: pgp.stranger }), body(PGP_ACCOUNT)));
    expect(outcome).toMatchObject({
      outcome: 'NOT_DONE',
      notDone: { kind: 'refused', httpStatus: 401, code: 'INVALID_PAYLOAD_SIGNATURE', configuration: true },
    });
  });

  test('encrypted to a key the provider does not have: 400 INVALID_PAYLOAD_ENCRYPTION', async () => {
    const outcome = classifyDisburseFunds(await send(pgpAccount({ provider: [pgp.stranger] }), body(PGP_ACCOUNT)));
    expect(outcome).toMatchObject({
      outcome: 'NOT_DONE',
      notDone: { kind: 'refused', httpStatus: 400, code: 'INVALID_PAYLOAD_ENCRYPTION' },
    });
  });

  test('plain JSON to a PGP account: 400 INVALID_PAYLOAD_ENCRYPTION, refused, nothing booked', async () => {
    const json = body(PGP_ACCOUNT);
    const exchange = await tlsExchange(`${sim.url}/v1/disburseFunds`, { 'content-type': 'application/json' }, json, 10_000, {
      ca: tls.ca.cert,
    });
    expect(classifyDisburseFunds(exchange)).toMatchObject({
      outcome: 'NOT_DONE',
      notDone: { kind: 'refused', httpStatus: 400, code: 'INVALID_PAYLOAD_ENCRYPTION', configuration: true },
    });
    expect(sim.ledger().filter((d) => d.requestId === JSON.parse(json).requestHeader.requestId)).toHaveLength(0);
  });

  test('an answer signed by a key we do not list is UNKNOWN (the payout did happen), never a decline', async () => {
    const json = body(ROTATING_ACCOUNT);
    const account = { ...pgpAccount(), paymentIntegratorAccountId: ROTATING_ACCOUNT };
    const outcome = classifyDisburseFunds(await send(account, json));
    expect(outcome).toMatchObject({ outcome: 'UNKNOWN', why: expect.stringMatching(/^HTTP 200 answer that cannot be opened/) });
    expect(sim.ledger().filter((d) => d.requestId === JSON.parse(json).requestHeader.requestId)).toHaveLength(1);
    // Rotation: once we list the provider's new signing key as well, the identical re-send reads the stored reply.
    const rotated = { ...pgpAccount({ provider: [pgp.provider, pgp.providerNew] }), paymentIntegratorAccountId: ROTATING_ACCOUNT };
    expect(classifyDisburseFunds(await send(rotated, json))).toMatchObject({ outcome: 'DONE' });
    expect(sim.ledger().filter((d) => d.requestId === JSON.parse(json).requestHeader.requestId)).toHaveLength(1);
  });

  test('a server certificate we do not trust: not sent', async () => {
    const exchange = await send(pgpAccount({ ca: false }), body(PGP_ACCOUNT));
    expect(exchange).toMatchObject({ kind: 'not-sent' });
  });
});

describe('JWE over mutual TLS', () => {
  test('pays: signed, encrypted, client certificate; the answer is decrypted and its JWS verified', async () => {
    const json = body(JWE_ACCOUNT);
    expect(classifyDisburseFunds(await send(jweAccount(), json))).toMatchObject({ outcome: 'DONE' });
    expect(sim.ledger().filter((d) => d.requestId === JSON.parse(json).requestHeader.requestId)).toHaveLength(1);
  });

  test('a client certificate the provider does not trust: 403 FORBIDDEN, refused (configuration), nothing booked', async () => {
    const json = body(JWE_ACCOUNT);
    expect(classifyDisburseFunds(await send(jweAccount({ client: 'stranger' }), json))).toMatchObject({
      outcome: 'NOT_DONE',
      notDone: { kind: 'refused', httpStatus: 403, code: 'FORBIDDEN', configuration: true },
    });
    expect(sim.ledger().filter((d) => d.requestId === JSON.parse(json).requestHeader.requestId)).toHaveLength(0);
  });

  test('signed with a key the provider does not know: 401 INVALID_PAYLOAD_SIGNATURE', async () => {
    expect(classifyDisburseFunds(await send(jweAccount({ us: jose.stranger }), body(JWE_ACCOUNT)))).toMatchObject({
      outcome: 'NOT_DONE',
      notDone: { kind: 'refused', httpStatus: 401, code: 'INVALID_PAYLOAD_SIGNATURE' },
    });
  });

  test('encrypted to a key the provider does not have: 400 INVALID_PAYLOAD_ENCRYPTION', async () => {
    expect(classifyDisburseFunds(await send(jweAccount({ provider: jose.stranger }), body(JWE_ACCOUNT)))).toMatchObject({
      outcome: 'NOT_DONE',
      notDone: { kind: 'refused', httpStatus: 400, code: 'INVALID_PAYLOAD_ENCRYPTION' },
    });
  });
});

describe('keys by reference, resolved when sending', () => {
  test('a key file that is missing is a TransportConfigError naming the reference, before anything is sent', async () => {
    const account = disburseFundsAccountSchema.parse({
      ...pgpAccount(),
      transport: { ...(pgpAccount().transport as object), privateKeys: ['file:/nonexistent/us.asc'] },
    });
    const error = await transportFor('acct-x', account)
      .prepare()
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(TransportConfigError);
    expect((error as Error).message).toBe('PGP private key of account acct-x 1 of 1: file /nonexistent/us.asc cannot be read (ENOENT)');
  });

  test('env: references are read from the environment; a missing one is named, its value never shown', async () => {
    expect(await resolveKeyReference('env:DF_TEST_KEY', 'k', { DF_TEST_KEY: 'secret-value' })).toBe('secret-value');
    await expect(resolveKeyReference('env:DF_MISSING', 'JOSE private key 1 of account a', {})).rejects.toThrow(
      'JOSE private key 1 of account a: environment variable DF_MISSING is not set',
    );
  });
});

describe('the account schema', () => {
  const accounts = (account: object) =>
    JSON.stringify({ 'upi-live': { provider: 'disburse-funds', paymentIntegratorAccountId: 'pia', ...account } });

  test('plain JSON to a non-loopback URL is refused, naming the account', () => {
    expect(() => parseAccounts(accounts({ baseUrl: 'https://payouts.example.com/', bearerToken: 't' }), 'TEST', {})).toThrow(
      /^TEST: upi-live\.baseUrl: plain JSON to payouts\.example\.com, which is not loopback/,
    );
  });

  test('plain JSON to loopback, or with the explicit allow flag, is accepted', () => {
    for (const baseUrl of ['http://127.0.0.1:8081', 'http://localhost:8081/', 'http://[::1]:8081']) {
      expect(parseAccounts(accounts({ baseUrl, bearerToken: 't' }), 'TEST', {})['upi-live']).toMatchObject({ baseUrl });
    }
    const allowed = accounts({
      baseUrl: 'http://disburse-simulator:8081',
      bearerToken: 't',
      transport: { mode: 'plain', allowNonLoopback: true },
    });
    expect(parseAccounts(allowed, 'TEST', {})['upi-live']).toMatchObject({ transport: { mode: 'plain', allowNonLoopback: true } });
  });

  test('PGP and JWE need https; key fields take references only, and keep them unresolved', () => {
    const transport = { mode: 'pgp', privateKeys: ['env:OUR_PGP_KEY'], providerPublicKeys: ['file:/run/secrets/provider.asc'] };
    expect(() => parseAccounts(accounts({ baseUrl: 'http://payouts.example.com/', transport }), 'TEST', {})).toThrow(
      /needs an https:\/\/ baseUrl/,
    );
    const parsed = parseAccounts(accounts({ baseUrl: 'https://payouts.example.com/', transport }), 'TEST', { OUR_PGP_KEY: 'resolved?' });
    expect(parsed['upi-live']).toMatchObject({ transport: { privateKeys: ['env:OUR_PGP_KEY'] } });
    const inline = { ...transport, privateKeys: ['-----BEGIN PGP PRIVATE KEY BLOCK-----'] };
    expect(() => parseAccounts(accounts({ baseUrl: 'https://payouts.example.com/', transport: inline }), 'TEST', {})).toThrow(
      /upi-live\.transport\.privateKeys\.0: must be a key reference/,
    );
  });
});
