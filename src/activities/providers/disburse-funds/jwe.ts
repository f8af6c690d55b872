/**
 * JWE compact serialization as the protocol asks for it (RFC 7516 / RFC 7518): key management
 * RSAES-PKCS1-v1_5 (`RSA1_5`), content encryption `A128CBC-HS256` or `A256CBC-HS512`, `zip: DEF`
 * accepted; and the JWS (RS256, through `jose`) signed inside it.
 * Why not jose for the JWE itself: jose 6 dropped RSA1_5 and compression, and Node 20's OpenSSL 3.0
 * refuses PKCS#1 v1.5 private decryption (the Marvin timing attack), which jose 5 relies on. So the
 * key is unwrapped with raw RSA and checked here without branching on the padding, and a bad padding
 * yields a random key (RFC 7516 section 11.5): the failure then shows only as a wrong tag, no oracle.
 */
import { createCipheriv, createDecipheriv, createHmac, privateDecrypt, publicEncrypt, randomBytes, timingSafeEqual } from 'node:crypto';
import { constants, type KeyObject } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { CompactSign, compactVerify } from 'jose';

export type JweEnc = 'A128CBC-HS256' | 'A256CBC-HS512';

const ENC: Record<JweEnc, { keyBytes: number; cipher: string; hmac: string }> = {
  'A128CBC-HS256': { keyBytes: 32, cipher: 'aes-128-cbc', hmac: 'sha256' },
  'A256CBC-HS512': { keyBytes: 64, cipher: 'aes-256-cbc', hmac: 'sha512' },
};

/** The largest plaintext a compressed JWE may inflate to (a decompression bomb is refused). */
const MAX_PLAINTEXT_BYTES = 4 * 1024 * 1024;

export function jweEncrypt(plaintext: string, recipient: KeyObject, options: { enc: JweEnc; compress: boolean }): string {
  const { keyBytes, cipher, hmac } = ENC[options.enc];
  const header = { alg: 'RSA1_5', enc: options.enc, ...(options.compress ? { zip: 'DEF' } : {}) };
  const protectedHeader = Buffer.from(JSON.stringify(header)).toString('base64url');
  const cek = randomBytes(keyBytes);
  const encryptedKey = publicEncrypt({ key: recipient, padding: constants.RSA_PKCS1_PADDING }, cek);
  const iv = randomBytes(16);
  const data = Buffer.from(plaintext, 'utf8');
  const c = createCipheriv(cipher, cek.subarray(keyBytes / 2), iv);
  const ciphertext = Buffer.concat([c.update(options.compress ? deflateRawSync(data) : data), c.final()]);
  const tag = authTag(hmac, cek.subarray(0, keyBytes / 2), protectedHeader, iv, ciphertext);
  return [protectedHeader, encryptedKey, iv, ciphertext, tag].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}

/** The plaintext of a JWE that one of `keys` decrypts and whose tag is right; throws otherwise. */
export function jweDecrypt(token: string, keys: readonly KeyObject[]): string {
  const parts = token.trim().split('.');
  if (parts.length !== 5 || parts.some((p, i) => i !== 1 && !/^[A-Za-z0-9_-]*$/.test(p)))
    throw new Error('not a JWE compact serialization');
  const [encryptedKey, iv, ciphertext, tag] = parts.slice(1).map((p) => Buffer.from(p, 'base64url'));
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new Error('the JWE protected header is not JSON');
  }
  if (header.alg !== 'RSA1_5') throw new Error(`JWE alg ${JSON.stringify(header.alg)} is not RSA1_5`);
  if (header.enc !== 'A128CBC-HS256' && header.enc !== 'A256CBC-HS512')
    throw new Error(`JWE enc ${JSON.stringify(header.enc)} is not supported`);
  if (header.zip !== undefined && header.zip !== 'DEF') throw new Error(`JWE zip ${JSON.stringify(header.zip)} is not supported`);
  if (header.crit !== undefined) throw new Error('JWE crit header parameters are not supported');
  if (iv.length !== 16) throw new Error('JWE initialization vector is not 16 bytes');
  const { keyBytes, cipher, hmac } = ENC[header.enc];
  for (const key of keys) {
    const cek = unwrapKey(key, encryptedKey, keyBytes);
    const expected = authTag(hmac, cek.subarray(0, keyBytes / 2), parts[0], iv, ciphertext);
    if (tag.length !== expected.length || !timingSafeEqual(tag, expected)) continue;
    const d = createDecipheriv(cipher, cek.subarray(keyBytes / 2), iv);
    const plain = Buffer.concat([d.update(ciphertext), d.final()]);
    return (header.zip === 'DEF' ? inflateRawSync(plain, { maxOutputLength: MAX_PLAINTEXT_BYTES }) : plain).toString('utf8');
  }
  throw new Error('no configured private key decrypts this JWE, or it was altered');
}

/** Sign (JWS compact, RS256) with our current key. */
export function jwsSign(payload: string, key: KeyObject): Promise<string> {
  return new CompactSign(Buffer.from(payload, 'utf8')).setProtectedHeader({ alg: 'RS256' }).sign(key);
}

/** The payload of a JWS signed by any of `keys`; throws when none verifies. */
export async function jwsVerify(jws: string, keys: readonly KeyObject[]): Promise<string> {
  for (const key of keys) {
    try {
      const { payload } = await compactVerify(jws.trim(), key, { algorithms: ['RS256'] });
      return Buffer.from(payload).toString('utf8');
    } catch {
      // try the next key (rotation)
    }
  }
  throw new Error('the JWS is not signed by any configured key');
}

/** Tag of AES-CBC-HMAC (RFC 7518 5.2.2.1): HMAC over AAD || IV || ciphertext || AAD length in bits, first half. */
function authTag(hmac: string, macKey: Buffer, protectedHeader: string, iv: Buffer, ciphertext: Buffer): Buffer {
  const aad = Buffer.from(protectedHeader, 'ascii');
  const al = Buffer.alloc(8);
  al.writeBigUInt64BE(BigInt(aad.length) * 8n);
  const full = createHmac(hmac, macKey).update(aad).update(iv).update(ciphertext).update(al).digest();
  return full.subarray(0, full.length / 2);
}

/** The content key in `encryptedKey`, or a random one when the PKCS#1 v1.5 padding is wrong (no oracle). */
function unwrapKey(key: KeyObject, encryptedKey: Buffer, keyBytes: number): Buffer {
  const fallback = randomBytes(keyBytes);
  let em: Buffer;
  try {
    em = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, encryptedKey);
  } catch {
    return fallback; // wrong length for this key's modulus
  }
  // EM = 0x00 || 0x02 || PS (>= 8 non-zero bytes) || 0x00 || CEK; scanned whole, without early exit.
  const start = em.length - keyBytes;
  let bad = em[0] | (em[1] ^ 2) | (start < 11 ? 1 : 0) | (start >= 1 ? em[start - 1] : 1);
  for (let i = 2; i < start - 1; i++) bad |= em[i] === 0 ? 1 : 0;
  const out = Buffer.alloc(keyBytes);
  for (let i = 0; i < keyBytes; i++) out[i] = bad ? fallback[i] : em[start + i];
  return out;
}
