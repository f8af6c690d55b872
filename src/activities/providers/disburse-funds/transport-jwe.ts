/**
 * The JWE transport: the JSON body is signed (JWS RS256 with our current key, when `sign`), then
 * encrypted (JWE compact, RSA1_5 + AES-CBC-HMAC, jwe.ts) to the provider's current key, and sent as
 * `application/jose` over mutual TLS (our client certificate). The answer must decrypt with one of our
 * keys and, when `sign`, carry a JWS by one of the provider's keys. Rotation: list old and new keys;
 * we decrypt with any private key and sign with the first, encrypt to the first provider key and
 * accept a signature by any. RSA keys of at least 2048 bits only.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { resolveKeyReference, resolveKeyReferences } from '../key-references';
import type { JweTransportConfig } from './account';
import { jweDecrypt, jweEncrypt, jwsSign, jwsVerify, type JweEnc } from './jwe';
import { configStep, openAnswer, tlsExchange, type DisburseFundsTransport, type PreparedTransport } from './transport';

export const JOSE_CONTENT_TYPE = 'application/jose';

/** One side's JOSE keys, parsed. */
export interface JoseKeys {
  /** Ours: the first signs, any decrypts. */
  privateKeys: KeyObject[];
  /** The other side's: the first is encrypted to, any may sign. */
  peerPublicKeys: KeyObject[];
}

export interface JoseOptions {
  enc: JweEnc;
  compress: boolean;
  sign: boolean;
}

export async function joseSeal(json: string, keys: JoseKeys, options: JoseOptions): Promise<string> {
  const inner = options.sign ? await jwsSign(json, keys.privateKeys[0]) : json;
  return jweEncrypt(inner, keys.peerPublicKeys[0], options);
}

export async function joseOpen(body: string, keys: JoseKeys, options: Pick<JoseOptions, 'sign'>): Promise<string> {
  const inner = jweDecrypt(body, keys.privateKeys);
  return options.sign ? jwsVerify(inner, keys.peerPublicKeys) : inner;
}

/** An RSA key of at least 2048 bits, or an error naming it. */
export function rsaKey(pem: string, kind: 'private' | 'public', what: string): KeyObject {
  let key: KeyObject;
  try {
    key = kind === 'private' ? createPrivateKey(pem) : createPublicKey(pem);
  } catch {
    throw new Error(`${what} is not a PEM ${kind === 'private' ? 'private key' : 'public key or certificate'}`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (key.asymmetricKeyType !== 'rsa' || bits < 2048) throw new Error(`${what} must be an RSA key of at least 2048 bits`);
  return key;
}

export function jweTransport(accountName: string, config: JweTransportConfig): DisburseFundsTransport {
  const of = `account ${accountName}`;
  const options: JoseOptions = { enc: config.enc, compress: config.compress, sign: config.sign };
  return {
    mode: 'jwe',
    prepare: async (): Promise<PreparedTransport> => {
      const keys = await configStep(`JOSE keys of ${of}`, async () => ({
        privateKeys: (await resolveKeyReferences(config.privateKeys, `JOSE private key of ${of}`)).map((pem, i) =>
          rsaKey(pem, 'private', `JOSE private key ${i + 1} of ${of}`),
        ),
        peerPublicKeys: (await resolveKeyReferences(config.providerPublicKeys, `provider JOSE public key of ${of}`)).map((pem, i) =>
          rsaKey(pem, 'public', `provider JOSE public key ${i + 1} of ${of}`),
        ),
      }));
      const tls = await configStep(`mutual TLS of ${of}`, async () => ({
        cert: await resolveKeyReference(config.clientCertificate, `TLS client certificate of ${of}`),
        key: await resolveKeyReference(config.clientKey, `TLS client key of ${of}`),
        ca: config.ca ? await resolveKeyReference(config.ca, `TLS CA bundle of ${of}`) : undefined,
      }));
      return {
        send: async (url, json, timeoutMs) => {
          let body: string;
          try {
            body = await joseSeal(json, keys, options);
          } catch (err) {
            return { kind: 'not-sent', error: `the request could not be signed and encrypted: ${(err as Error).message}` };
          }
          const answer = await tlsExchange(url, { 'content-type': JOSE_CONTENT_TYPE }, body, timeoutMs, tls);
          return openAnswer(answer, (text) => joseOpen(text, keys, options));
        },
      };
    },
  };
}
