/**
 * A disburseFunds account as the worker configures it, read through the descriptor by the config and
 * the registry. What each field is for: docs/disburse-funds.md, "What the code relies on" and
 * "Transport". Keys and certificates are references (`env:` / `file:`, ../key-references.ts) that the
 * adapter resolves when it sends; they are never resolved into the configuration.
 */
import { z } from 'zod';
import { keyReferenceSchema as keyRef } from '../key-references';

export const PROVIDER = 'disburse-funds';

/** Plain JSON with a bearer token: this project's dev transport, for a loopback simulator. */
const plainTransportSchema = z.object({
  mode: z.literal('plain'),
  /** Plain JSON to anything but loopback must be asked for explicitly (a demo network, never a real provider). */
  allowNonLoopback: z.boolean().default(false),
});

/** PGP sign + encrypt, web-safe base64 body, over HTTPS without a client certificate (the protocol's preferred option). */
const pgpTransportSchema = z.object({
  mode: z.literal('pgp'),
  /** Our armored private keys: every one signs (so a provider that knows any of them verifies), any one decrypts an answer. */
  privateKeys: z.array(keyRef).min(1),
  /** The passphrase of our private keys, when they are protected. */
  passphrase: keyRef.optional(),
  /** The provider's armored public keys: the first (current) is encrypted to, any one may sign an answer. */
  providerPublicKeys: z.array(keyRef).min(1),
  /** PEM CA bundle for the provider's server certificate; absent: the system CAs. */
  ca: keyRef.optional(),
});

/** JWE compact serialization (RSA1_5 + AES-CBC-HMAC), optionally JWS-signed inside, over mutual TLS. */
const jweTransportSchema = z.object({
  mode: z.literal('jwe'),
  /** Our PEM (PKCS#8) RSA private keys: any one decrypts an answer; the first signs a request. */
  privateKeys: z.array(keyRef).min(1),
  /** The provider's PEM public keys or certificates: the first (current) is encrypted to, any one may sign an answer. */
  providerPublicKeys: z.array(keyRef).min(1),
  enc: z.enum(['A128CBC-HS256', 'A256CBC-HS512']).default('A256CBC-HS512'),
  /** Compress before encrypting (`zip: DEF`); answers with `zip: DEF` are always accepted. */
  compress: z.boolean().default(false),
  /** Sign then encrypt (JWS RS256 inside the JWE); answers must then be signed as well. */
  sign: z.boolean().default(true),
  /** Our TLS client certificate (PEM, chain allowed) and its private key, for mutual TLS. */
  clientCertificate: keyRef,
  clientKey: keyRef,
  ca: keyRef.optional(),
});

export const disburseFundsTransportSchema = z.discriminatedUnion('mode', [plainTransportSchema, pgpTransportSchema, jweTransportSchema]);
export type DisburseFundsTransportConfig = z.infer<typeof disburseFundsTransportSchema>;
export type PgpTransportConfig = z.infer<typeof pgpTransportSchema>;
export type JweTransportConfig = z.infer<typeof jweTransportSchema>;

export const disburseFundsAccountSchema = z
  .object({
    provider: z.literal(PROVIDER),
    /** The request goes to `<baseUrl>v1/disburseFunds`. */
    baseUrl: z.url(),
    /** Half of the idempotency key (with the requestId); a retry keeps the one its first send used. */
    paymentIntegratorAccountId: z.string().min(1),
    /** The plain transport's credential (the PGP and JWE transports authenticate with keys and do not send it). */
    bearerToken: z.string().min(1).optional(),
    /** How the body is protected; absent: plain. */
    transport: disburseFundsTransportSchema.optional(),
    timeoutMs: z.number().int().positive().default(15_000),
  })
  .superRefine((account, ctx) => {
    const mode = account.transport?.mode ?? 'plain';
    if (!URL.canParse(account.baseUrl)) return; // z.url() has said so already
    const url = new URL(account.baseUrl);
    if (mode === 'plain') {
      if (!account.bearerToken) ctx.addIssue({ code: 'custom', path: ['bearerToken'], message: 'the plain transport needs a bearerToken' });
      const allowed = account.transport?.mode === 'plain' && account.transport.allowNonLoopback;
      if (!isLoopbackHost(url.hostname) && !allowed) {
        ctx.addIssue({
          code: 'custom',
          path: ['baseUrl'],
          message:
            `plain JSON to ${url.host}, which is not loopback: a real provider needs transport "pgp" or "jwe" ` +
            '(or set transport {"mode": "plain", "allowNonLoopback": true} for a simulator on a private network)',
        });
      }
    } else if (url.protocol !== 'https:') {
      ctx.addIssue({ code: 'custom', path: ['baseUrl'], message: `transport "${mode}" needs an https:// baseUrl (TLS 1.2 or newer)` });
    }
  });
export type DisburseFundsAccount = z.infer<typeof disburseFundsAccountSchema>;

/** localhost, 127.0.0.0/8 and ::1 (URL hostnames keep IPv6 in brackets). */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}
