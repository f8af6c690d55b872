/**
 * The disburseFunds application-layer envelopes, without HTTP: PGP (transport-pgp.ts) and JWE/JWS
 * (jwe.ts, transport-jwe.ts). Each: round trip, tampered body, wrong key, rotation (old + new keys).
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { CompactEncrypt } from 'jose';
import * as openpgp from 'openpgp';
import { jweDecrypt, jweEncrypt } from '../../src/activities/providers/disburse-funds/jwe';
import { joseOpen, joseSeal, rsaKey, type JoseKeys } from '../../src/activities/providers/disburse-funds/transport-jwe';
import { pgpOpen, pgpSeal, readPgpPrivateKeys, type PgpKeys } from '../../src/activities/providers/disburse-funds/transport-pgp';
import { pgpPair, rsaPair, type PgpPair, type RsaPair } from '../support/transport-keys';

const BODY = JSON.stringify({
  requestHeader: { requestId: 'payout:env-1' },
  amount: '25500000',
  transactionDescription: 'Auszahlung für CM-1 €',
});

/** Flips one character in the middle of a base64url segment. */
function tamper(text: string, at = Math.floor(text.length / 2)): string {
  const c = text[at] === 'A' ? 'B' : 'A';
  return `${text.slice(0, at)}${c}${text.slice(at + 1)}`;
}

describe('PGP: sign + encrypt, web-safe base64', () => {
  let us: PgpPair, providerOld: PgpPair, providerNew: PgpPair, stranger: PgpPair;
  const priv = (...pairs: PgpPair[]) =>
    readPgpPrivateKeys(
      pairs.map((p) => p.privateKey),
      undefined,
    );
  const pub = (...pairs: PgpPair[]) => Promise.all(pairs.map((p) => openpgp.readKey({ armoredKey: p.publicKey })));
  const keys = async (own: PgpPair[], peer: PgpPair[]): Promise<PgpKeys> => ({
    privateKeys: await priv(...own),
    peerPublicKeys: await pub(...peer),
  });

  beforeAll(async () => {
    [us, providerOld, providerNew, stranger] = await Promise.all(['us', 'provider-old', 'provider-new', 'stranger'].map(pgpPair));
  });

  test('round trip: what we seal only the provider opens, and its answer only we open', async () => {
    const sealed = await pgpSeal(BODY, await keys([us], [providerNew]));
    expect(sealed).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('25500000');
    expect(await pgpOpen(sealed, await keys([providerNew], [us]))).toBe(BODY);
  });

  test('a tampered body does not open', async () => {
    const sealed = await pgpSeal(BODY, await keys([us], [providerNew]));
    await expect(pgpOpen(tamper(sealed), await keys([providerNew], [us]))).rejects.toThrow();
  });

  test('encrypted to another key: does not open; signed by a key we do not list: refused', async () => {
    const toStranger = await pgpSeal(BODY, await keys([providerNew], [stranger]));
    await expect(pgpOpen(toStranger, await keys([us], [providerNew]))).rejects.toThrow();
    const signedByStranger = await pgpSeal(BODY, await keys([stranger], [us]));
    await expect(pgpOpen(signedByStranger, await keys([us], [providerNew]))).rejects.toThrow(/sign/i);
  });

  test('an unsigned message is refused, and so is a body that is not web-safe base64', async () => {
    const unsigned = await openpgp.encrypt({
      message: await openpgp.createMessage({ text: BODY }),
      encryptionKeys: (await pub(us))[0],
      format: 'binary',
    });
    await expect(pgpOpen(Buffer.from(unsigned).toString('base64url'), await keys([us], [providerNew]))).rejects.toThrow();
    await expect(pgpOpen('{"responseHeader":{}}', await keys([us], [providerNew]))).rejects.toThrow(/web-safe base64/);
  });

  test('rotation: old and new keys side by side on both sides', async () => {
    // The provider still signs with its old key and encrypts to it: we list [new, old] and open it.
    const fromOld = await pgpSeal(BODY, await keys([providerOld], [us]));
    expect(await pgpOpen(fromOld, await keys([us], [providerNew, providerOld]))).toBe(BODY);
    // We sign with every key we list, so a provider that knows only one of them verifies.
    const usNew = await pgpPair('us-new');
    const sealed = await pgpSeal(BODY, await keys([usNew, us], [providerNew]));
    expect(await pgpOpen(sealed, await keys([providerNew], [us]))).toBe(BODY);
    expect(await pgpOpen(sealed, await keys([providerNew], [usNew]))).toBe(BODY);
    // We decrypt with any of our keys: an answer encrypted to our old key still opens.
    const toOld = await pgpSeal(BODY, await keys([providerNew], [us]));
    expect(await pgpOpen(toOld, await keys([usNew, us], [providerNew]))).toBe(BODY);
  });
});

describe('JWE compact (RSA1_5, AES-CBC-HMAC) with JWS inside', () => {
  let us: RsaPair, providerOld: RsaPair, providerNew: RsaPair, stranger: RsaPair;
  const keys = (own: RsaPair[], peer: RsaPair[]): JoseKeys => ({
    privateKeys: own.map((p) => createPrivateKey(p.privateKey)),
    peerPublicKeys: peer.map((p) => createPublicKey(p.publicKey)),
  });
  const options = { enc: 'A256CBC-HS512' as const, compress: false, sign: true };

  beforeAll(() => {
    [us, providerOld, providerNew, stranger] = [rsaPair(), rsaPair(), rsaPair(), rsaPair()];
  });

  test.each([
    ['A128CBC-HS256', false],
    ['A256CBC-HS512', false],
    ['A256CBC-HS512', true],
  ] as const)('round trip with %s, zip %s', async (enc, compress) => {
    const sealed = await joseSeal(BODY, keys([us], [providerNew]), { enc, compress, sign: true });
    expect(sealed.split('.')).toHaveLength(5);
    const header = JSON.parse(Buffer.from(sealed.split('.')[0], 'base64url').toString()) as Record<string, string>;
    expect(header).toEqual({ alg: 'RSA1_5', enc, ...(compress ? { zip: 'DEF' } : {}) });
    expect(await joseOpen(sealed, keys([providerNew], [us]), { sign: true })).toBe(BODY);
  });

  test('a JWE made by another implementation (jose) opens', async () => {
    const token = await new CompactEncrypt(Buffer.from(BODY))
      .setProtectedHeader({ alg: 'RSA1_5', enc: 'A128CBC-HS256' })
      .encrypt(createPublicKey(us.publicKey));
    expect(jweDecrypt(token, [createPrivateKey(us.privateKey)])).toBe(BODY);
  });

  test('tampered ciphertext, tag, wrapped key or header: does not open', async () => {
    const token = jweEncrypt(BODY, createPublicKey(us.publicKey), { enc: 'A128CBC-HS256', compress: false });
    const parts = token.split('.');
    for (const i of [0, 1, 3, 4]) {
      const broken = parts.map((p, j) => (j === i ? tamper(p, Math.min(5, p.length - 2)) : p)).join('.');
      expect(() => jweDecrypt(broken, [createPrivateKey(us.privateKey)])).toThrow();
    }
  });

  test('wrong key: not decryptable; signed by a key we do not list: refused', async () => {
    const toStranger = await joseSeal(BODY, keys([providerNew], [stranger]), options);
    await expect(joseOpen(toStranger, keys([us], [providerNew]), { sign: true })).rejects.toThrow(/no configured private key/);
    const signedByStranger = await joseSeal(BODY, keys([stranger], [us]), options);
    await expect(joseOpen(signedByStranger, keys([us], [providerNew]), { sign: true })).rejects.toThrow(/not signed by any configured key/);
    const unsigned = await joseSeal(BODY, keys([providerNew], [us]), { ...options, sign: false });
    await expect(joseOpen(unsigned, keys([us], [providerNew]), { sign: true })).rejects.toThrow();
  });

  test('rotation: decrypt with any of our keys, accept a signature by any provider key', async () => {
    const usNew = rsaPair();
    const fromOld = await joseSeal(BODY, keys([providerOld], [us]), options);
    expect(await joseOpen(fromOld, keys([usNew, us], [providerNew, providerOld]), { sign: true })).toBe(BODY);
  });

  test('keys below 2048 bits or not RSA are refused by name', () => {
    const small = rsaPair(1024);
    expect(() => rsaKey(small.publicKey, 'public', 'provider JOSE public key 1 of account x')).toThrow(
      'provider JOSE public key 1 of account x must be an RSA key of at least 2048 bits',
    );
    expect(() => rsaKey('not a key', 'private', 'JOSE private key 1 of account x')).toThrow(
      'JOSE private key 1 of account x is not a PEM private key',
    );
  });
});
