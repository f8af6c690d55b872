/**
 * Keys and certificates by reference: `env:NAME` (an environment variable of the worker) or
 * `file:/absolute/path` (a mounted secret, a PEM or armored key). The account configuration keeps the
 * reference only; the activity resolves it when it sends, so key material never enters workflow
 * input, history, logs or errors (an error names the reference, never the value), and a rotated file
 * is picked up without a restart.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

export const KEY_REFERENCE = /^(env:[A-Za-z_][A-Za-z0-9_]*|file:\/.+)$/;

/** A reference, never the key itself: inline key material is a configuration error. */
export const keyReferenceSchema = z
  .string()
  .regex(KEY_REFERENCE, 'must be a key reference, "env:NAME" or "file:/absolute/path" (never the key itself)');
export type KeyReference = z.infer<typeof keyReferenceSchema>;

/** A key or certificate that could not be read: its message names the reference and what it is for. */
export class KeyReferenceError extends Error {
  override name = 'KeyReferenceError';
}

/** The value behind a reference, read now. `what` says what it is for ("PGP private key 2 of account x"). */
export async function resolveKeyReference(reference: string, what: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (reference.startsWith('env:')) {
    const name = reference.slice(4);
    const value = env[name];
    if (value === undefined || value === '') throw new KeyReferenceError(`${what}: environment variable ${name} is not set`);
    return value;
  }
  if (reference.startsWith('file:')) {
    const path = reference.slice(5);
    try {
      return await readFile(path, 'utf8');
    } catch (err) {
      // The code only (ENOENT, EACCES): the message of a read error never carries file content, but stay terse.
      const code = (err as { code?: unknown }).code;
      throw new KeyReferenceError(`${what}: file ${path} cannot be read${typeof code === 'string' ? ` (${code})` : ''}`);
    }
  }
  throw new KeyReferenceError(`${what}: not a key reference (expected "env:NAME" or "file:/path")`);
}

/** Every reference of a list, in order (rotation: old and new side by side). */
export function resolveKeyReferences(references: readonly string[], what: string, env?: NodeJS.ProcessEnv): Promise<string[]> {
  return Promise.all(references.map((ref, i) => resolveKeyReference(ref, `${what} ${i + 1} of ${references.length}`, env)));
}
