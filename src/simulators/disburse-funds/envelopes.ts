/**
 * The protocol's application-layer security as the provider side speaks it, per integrator account
 * (`transport` in model.ts): plain JSON (bearer token), PGP (sign + encrypt, web-safe base64) or JWE
 * compact (RSA1_5 + AES-CBC-HMAC, JWS RS256 inside when `sign`) over mutual TLS. A request that is
 * not protected as its account is configured gets the ErrorResponse a processor gives:
 *   no configured key decrypts it, or a plain body for a protected account   400 INVALID_PAYLOAD_ENCRYPTION
 *   decrypted, but not signed by one of the account's integrator keys        401 INVALID_PAYLOAD_SIGNATURE
 *   JWE without a verified TLS client certificate, or a body naming another   403 FORBIDDEN
 *   account than the one whose keys it used
 * These go out as plain JSON (TLS authenticates the provider; a caller whose keys are wrong could not
 * open a sealed one); every answer to an authenticated request is sealed for its account.
 * Key rotation: several provider private keys (any decrypts) and integrator public keys (any verifies;
 * the first is encrypted to). Own code (a simulator shares none with the adapter), with openpgp and jose.
 */
import { constants, createCipheriv, createDecipheriv, createHmac, createPrivateKey, createPublicKey, privateDecrypt } from 'node:crypto';
import { publicEncrypt, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { CompactSign, compactVerify } from 'jose';
import * as openpgp from 'openpgp';
import type { SimulatedIntegratorAccount, SimulatedTransport } from './model';
import { ProtocolError } from './protocol';

export const PGP_CONTENT_TYPE = 'application/octet-stream';
export const JOSE_CONTENT_TYPE = 'application/jose';

type Keys =
  | { mode: 'pgp'; privateKeys: openpgp.PrivateKey[]; peerKeys: openpgp.PublicKey[] }
  | { mode: 'jwe'; privateKeys: KeyObject[]; peerKeys: KeyObject[]; sign: boolean; compress: boolean; enc: Enc };

/** A request opened: its JSON body, the account its keys proved (undefined for plain), and how to seal the answer. */
export interface Opened {
  body: unknown;
  authenticatedAccount?: string;
  seal?: (json: string) => Promise<{ body: string; contentType: string }>;
}

export interface Envelopes {
  open(contentType: string | undefined, raw: unknown, clientCertificateVerified: boolean): Promise<Opened>;
}

/** Parses every account's keys once, at start-up (a bad key fails the start, naming the account). */
export async function createEnvelopes(accounts: Record<string, SimulatedIntegratorAccount>): Promise<Envelopes> {
  const keyed = new Map<string, Keys>();
  for (const [id, account] of Object.entries(accounts)) {
    if (account.transport && account.transport.mode !== 'plain') keyed.set(id, await parseKeys(id, account.transport));
  }
  const ofMode = (mode: Keys['mode']) => [...keyed].filter(([, k]) => k.mode === mode);

  return {
    async open(contentType, raw, clientCertificateVerified) {
      const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
      if (type === 'application/json') {
        const claimed = isObject(raw) && typeof raw.paymentIntegratorAccountId === 'string' ? raw.paymentIntegratorAccountId : undefined;
        const keys = claimed && keyed.get(claimed);
        if (keys)
          throw new ProtocolError(400, 'INVALID_PAYLOAD_ENCRYPTION', `this account requires a ${keys.mode.toUpperCase()} protected body`);
        return { body: raw };
      }
      const text = typeof raw === 'string' ? raw.trim() : '';
      const mode = type === PGP_CONTENT_TYPE ? 'pgp' : type === JOSE_CONTENT_TYPE ? 'jwe' : undefined;
      if (!mode) throw new ProtocolError(400, 'INVALID_PAYLOAD_ENCRYPTION', `content type ${type || '(none)'} is not a protected body`);
      // Accounts may share the provider's keys: the account is the one whose keys decrypt, whose
      // integrator signed, and that the body names. Otherwise the most specific refusal is answered.
      let refusal = new ProtocolError(400, 'INVALID_PAYLOAD_ENCRYPTION', 'no configured key decrypts this request');
      for (const [id, keys] of ofMode(mode)) {
        const inner = await decrypt(text, keys);
        if (inner === undefined) continue; // not for this account's keys
        if (keys.mode === 'jwe' && !clientCertificateVerified)
          throw new ProtocolError(403, 'FORBIDDEN', 'a JWE request needs a verified TLS client certificate');
        const json = await verify(inner, keys);
        if (json === undefined) {
          refusal = new ProtocolError(401, 'INVALID_PAYLOAD_SIGNATURE', 'not signed by a key of this integrator');
          continue;
        }
        const body = parseJson(json);
        if (isObject(body) && body.paymentIntegratorAccountId === id)
          return { body, authenticatedAccount: id, seal: (out) => sealFor(out, keys) };
        if (refusal.httpStatus === 400) refusal = new ProtocolError(403, 'FORBIDDEN', 'the body names another account than its keys');
      }
      throw refusal;
    },
  };
}

async function parseKeys(id: string, t: Exclude<SimulatedTransport, { mode: 'plain' }>): Promise<Keys> {
  try {
    if (t.mode === 'pgp') {
      const privateKeys = await Promise.all(t.providerPrivateKeys.map((armoredKey) => openpgp.readPrivateKey({ armoredKey })));
      const peerKeys = await Promise.all(t.integratorPublicKeys.map((armoredKey) => openpgp.readKey({ armoredKey })));
      return { mode: 'pgp', privateKeys, peerKeys };
    }
    return {
      mode: 'jwe',
      privateKeys: t.providerPrivateKeys.map((pem) => createPrivateKey(pem)),
      peerKeys: t.integratorPublicKeys.map((pem) => createPublicKey(pem)),
      sign: t.sign ?? true,
      compress: t.compress ?? false,
      enc: t.enc ?? 'A256CBC-HS512',
    };
  } catch (err) {
    throw new Error(`account ${id}: ${t.mode} keys cannot be read: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
}

/** Decrypted with this account's keys (a PGP message with what its signatures proved), or undefined. */
type Decrypted = { text: string; pgpSignedByPeer?: boolean };

async function decrypt(text: string, keys: Keys): Promise<Decrypted | undefined> {
  try {
    if (keys.mode === 'jwe') return { text: jweDecrypt(text, keys.privateKeys) };
    const message = await openpgp.readMessage({ binaryMessage: Buffer.from(text, 'base64url') });
    // Not expectSigned: a bad signature must be told apart from a key that does not fit.
    const { data, signatures } = await openpgp.decrypt({
      message,
      decryptionKeys: keys.privateKeys,
      verificationKeys: keys.peerKeys,
      format: 'utf8',
    });
    const checks = await Promise.all(
      signatures.map((sig) =>
        sig.verified.then(
          () => true,
          () => false,
        ),
      ),
    );
    return { text: data, pgpSignedByPeer: checks.includes(true) };
  } catch {
    return undefined;
  }
}

async function verify(inner: Decrypted, keys: Keys): Promise<string | undefined> {
  if (keys.mode === 'pgp') return inner.pgpSignedByPeer ? inner.text : undefined;
  if (!keys.sign) return inner.text;
  for (const key of keys.peerKeys) {
    const verified = await compactVerify(inner.text, key, { algorithms: ['RS256'] }).catch(() => undefined);
    if (verified) return Buffer.from(verified.payload).toString('utf8');
  }
  return undefined;
}

async function sealFor(json: string, keys: Keys): Promise<{ body: string; contentType: string }> {
  if (keys.mode === 'pgp') {
    const message = await openpgp.createMessage({ text: json });
    const binary = await openpgp.encrypt({ message, encryptionKeys: keys.peerKeys[0], signingKeys: keys.privateKeys[0], format: 'binary' });
    return { body: Buffer.from(binary).toString('base64url'), contentType: PGP_CONTENT_TYPE };
  }
  const inner = keys.sign ? await new CompactSign(Buffer.from(json)).setProtectedHeader({ alg: 'RS256' }).sign(keys.privateKeys[0]) : json;
  return { body: jweEncrypt(inner, keys.peerKeys[0], keys.enc, keys.compress), contentType: JOSE_CONTENT_TYPE };
}

// ---- JWE compact, RSA1_5 + AES-CBC-HMAC-SHA2 (RFC 7516, RFC 7518 5.2) ----

type Enc = 'A128CBC-HS256' | 'A256CBC-HS512';
const SIZES: Record<Enc, [number, string, string]> = {
  'A128CBC-HS256': [32, 'aes-128-cbc', 'sha256'],
  'A256CBC-HS512': [64, 'aes-256-cbc', 'sha512'],
};

function tagOf(hash: string, macKey: Buffer, header: string, iv: Buffer, ct: Buffer): Buffer {
  const bits = Buffer.alloc(8);
  bits.writeBigUInt64BE(BigInt(header.length) * 8n);
  const mac = createHmac(hash, macKey).update(header, 'ascii').update(iv).update(ct).update(bits).digest();
  return mac.subarray(0, mac.length / 2);
}

function jweEncrypt(plaintext: string, key: KeyObject, enc: Enc, compress: boolean): string {
  const [size, cipher, hash] = SIZES[enc];
  const header = Buffer.from(JSON.stringify({ alg: 'RSA1_5', enc, ...(compress ? { zip: 'DEF' } : {}) })).toString('base64url');
  const cek = randomBytes(size);
  const iv = randomBytes(16);
  const data = compress ? deflateRawSync(Buffer.from(plaintext)) : Buffer.from(plaintext);
  const c = createCipheriv(cipher, cek.subarray(size / 2), iv);
  const ct = Buffer.concat([c.update(data), c.final()]);
  const wrapped = publicEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, cek);
  return [header, ...[wrapped, iv, ct, tagOf(hash, cek.subarray(0, size / 2), header, iv, ct)].map((b) => b.toString('base64url'))].join(
    '.',
  );
}

/** Throws unless one of the keys decrypts the token and its tag is right. */
function jweDecrypt(token: string, keys: KeyObject[]): string {
  const [header, ...rest] = token.split('.');
  if (rest.length !== 4) throw new Error('not a JWE');
  const [wrapped, iv, ct, tag] = rest.map((p) => Buffer.from(p, 'base64url'));
  const h = JSON.parse(Buffer.from(header, 'base64url').toString()) as { alg?: string; enc?: Enc; zip?: string };
  if (h.alg !== 'RSA1_5' || !h.enc || !Object.hasOwn(SIZES, h.enc)) throw new Error('unsupported JWE algorithms');
  const [size, cipher, hash] = SIZES[h.enc];
  for (const key of keys) {
    let em: Buffer;
    try {
      em = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, wrapped);
    } catch {
      continue;
    }
    const cek = em.subarray(em.length - size);
    if (em[0] !== 0 || em[1] !== 2 || em[em.length - size - 1] !== 0) continue;
    const expected = tagOf(hash, cek.subarray(0, size / 2), header, iv, ct);
    if (expected.length !== tag.length || !timingSafeEqual(expected, tag)) continue;
    const d = createDecipheriv(cipher, cek.subarray(size / 2), iv);
    const plain = Buffer.concat([d.update(ct), d.final()]);
    return (h.zip === 'DEF' ? inflateRawSync(plain, { maxOutputLength: 4 << 20 }) : plain).toString('utf8');
  }
  throw new Error('no key decrypts this JWE');
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ProtocolError(400, 'INVALID_DECRYPTED_REQUEST', 'the decrypted request is not JSON');
  }
}
