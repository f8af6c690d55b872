/**
 * The PGP transport (the protocol's preferred option): the JSON body is signed with our keys and
 * encrypted to the provider's current key, sent as web-safe base64 (`application/octet-stream`) over
 * HTTPS without a client certificate; the answer must decrypt with one of our keys and carry a valid
 * signature by one of the provider's keys. Rotation: list old and new keys side by side; we sign with
 * every private key listed, decrypt with any, encrypt to the first provider key and accept a signature
 * by any. SHA-384 and AES-256 are preferred; SHA-1, MD5 and the like are refused by openpgp's defaults.
 */
import * as openpgp from 'openpgp';
import { resolveKeyReference, resolveKeyReferences } from '../key-references';
import type { PgpTransportConfig } from './account';
import { configStep, openAnswer, tlsExchange, type DisburseFundsTransport, type PreparedTransport } from './transport';

export const PGP_CONFIG = {
  preferredHashAlgorithm: openpgp.enums.hash.sha384,
  preferredSymmetricAlgorithm: openpgp.enums.symmetric.aes256,
} as const;

/** The keys of one side of a PGP exchange, parsed. */
export interface PgpKeys {
  /** Ours: sign outgoing, decrypt incoming. */
  privateKeys: openpgp.PrivateKey[];
  /** The other side's: the first is encrypted to, any may sign. */
  peerPublicKeys: openpgp.PublicKey[];
}

/** Signs with every own key and encrypts to the peer's current key: web-safe base64, no padding. */
export async function pgpSeal(json: string, keys: PgpKeys): Promise<string> {
  const binary = await openpgp.encrypt({
    message: await openpgp.createMessage({ text: json }),
    encryptionKeys: keys.peerPublicKeys[0],
    signingKeys: keys.privateKeys,
    format: 'binary',
    config: PGP_CONFIG,
  });
  return Buffer.from(binary).toString('base64url');
}

/** Decrypts with any own key and requires a valid signature by one of the peer's keys; throws otherwise. */
export async function pgpOpen(body: string, keys: PgpKeys): Promise<string> {
  const text = body.trim();
  // Web-safe base64; tolerate padding, refuse anything else before parsing.
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(text)) throw new Error('the body is not web-safe base64 of a PGP message');
  const message = await openpgp.readMessage({ binaryMessage: Buffer.from(text, 'base64url') });
  const { data, signatures } = await openpgp.decrypt({
    message,
    decryptionKeys: keys.privateKeys,
    verificationKeys: keys.peerPublicKeys,
    expectSigned: true,
    format: 'utf8',
  });
  // expectSigned already rejects a message without a valid signature by a verification key; be explicit.
  if (signatures.length === 0) throw new Error('the PGP message is not signed');
  return data;
}

/** Armored private keys, unlocked with the passphrase when protected. */
export async function readPgpPrivateKeys(armored: string[], passphrase: string | undefined): Promise<openpgp.PrivateKey[]> {
  return Promise.all(
    armored.map(async (armoredKey, i) => {
      const key = await configStep(`PGP private key ${i + 1}`, () => openpgp.readPrivateKey({ armoredKey }));
      if (key.isDecrypted()) return key;
      if (passphrase === undefined) throw new Error(`PGP private key ${i + 1} is passphrase-protected and no passphrase is configured`);
      return configStep(`PGP private key ${i + 1}`, () => openpgp.decryptKey({ privateKey: key, passphrase }));
    }),
  );
}

export function pgpTransport(accountName: string, config: PgpTransportConfig): DisburseFundsTransport {
  const of = `account ${accountName}`;
  return {
    mode: 'pgp',
    prepare: async (): Promise<PreparedTransport> => {
      const keys = await configStep(`PGP keys of ${of}`, async () => {
        const passphrase = config.passphrase ? await resolveKeyReference(config.passphrase, `PGP passphrase of ${of}`) : undefined;
        const privateKeys = await readPgpPrivateKeys(
          await resolveKeyReferences(config.privateKeys, `PGP private key of ${of}`),
          passphrase,
        );
        const peerPublicKeys = await Promise.all(
          (await resolveKeyReferences(config.providerPublicKeys, `provider PGP public key of ${of}`)).map((armoredKey) =>
            openpgp.readKey({ armoredKey }),
          ),
        );
        return { privateKeys, peerPublicKeys };
      });
      const ca = config.ca ? await configStep(`CA of ${of}`, () => resolveKeyReference(config.ca!, `TLS CA bundle of ${of}`)) : undefined;
      return {
        send: async (url, json, timeoutMs) => {
          let body: string;
          try {
            body = await pgpSeal(json, keys);
          } catch (err) {
            // Nothing left: an expired or unusable provider key is a configuration problem.
            return { kind: 'not-sent', error: `the request could not be signed and encrypted: ${(err as Error).message}` };
          }
          const answer = await tlsExchange(url, { 'content-type': 'application/octet-stream' }, body, timeoutMs, { ca });
          return openAnswer(answer, (text) => pgpOpen(text, keys));
        },
      };
    },
  };
}
