/**
 * Personal and payment data never sits in plaintext in Temporal: every payload (inputs, results,
 * memo, signals, heartbeats, failure messages) is AES-256-GCM encrypted by worker and client.
 * Keys carry an id in the payload metadata, so keys rotate: encrypt with the current (first) key,
 * decrypt with any configured one. Payloads written before encryption pass through unchanged.
 *
 *   CUWO_CODEC_KEYS="k2026b:<base64 32 bytes>,k2026a:<base64 32 bytes>"   (first = current)
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface CodecKey {
  id: string;
  key: Buffer;
}

export class CodecKeyError extends Error {
  override name = 'CodecKeyError';
}

/** "id:base64key,id2:base64key" -> keys, the first being the one that encrypts (or seals). */
export function parseCodecKeys(spec: string, variable = 'CUWO_CODEC_KEYS'): CodecKey[] {
  const keys = spec
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const colon = entry.indexOf(':');
      if (colon <= 0) throw new CodecKeyError(`${variable} entry "${entry.slice(0, 12)}..." must be <keyId>:<base64 key>`);
      const id = entry.slice(0, colon);
      const key = Buffer.from(entry.slice(colon + 1), 'base64');
      if (key.length !== 32) throw new CodecKeyError(`${variable} key "${id}" must be 32 bytes (base64), got ${key.length}`);
      return { id, key };
    });
  if (!keys.length) throw new CodecKeyError(`${variable} names no key`);
  if (new Set(keys.map((k) => k.id)).size !== keys.length) throw new CodecKeyError(`${variable} has a key id twice`);
  return keys;
}

export function newCodecKey(id: string): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}

export class AesGcmCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;

  constructor(private readonly keys: CodecKey[]) {
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { id, key } = this.keys[0];
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const plaintext = temporal.api.common.v1.Payload.encode(payload).finish();
      const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return {
        metadata: { encoding: Buffer.from(ENCRYPTED_ENCODING), [KEY_ID]: Buffer.from(id) },
        data: Buffer.concat([iv, ciphertext, cipher.getAuthTag()]),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (Buffer.from(payload.metadata?.encoding ?? []).toString() !== ENCRYPTED_ENCODING) return payload;
      const id = Buffer.from(payload.metadata?.[KEY_ID] ?? []).toString();
      const key = this.byId.get(id);
      if (!key) throw new CodecKeyError(`payload encrypted with key "${id}", which is not among the configured CUWO_CODEC_KEYS`);
      const data = Buffer.from(payload.data ?? []);
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plaintext = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plaintext);
    });
  }
}
