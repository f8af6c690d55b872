/**
 * How a disburseFunds request body travels, chosen per account (`transport` in account.ts):
 *   plain  JSON + bearer token through ../http.ts (loopback simulators; account.ts refuses anything else)
 *   pgp    PGP sign + encrypt, web-safe base64, HTTPS without a client certificate (transport-pgp.ts)
 *   jwe    JWE compact (RSA1_5, AES-CBC-HMAC), JWS inside when configured, over mutual TLS (transport-jwe.ts)
 * A transport first resolves and parses its keys (`prepare`, before anything may leave: a broken key
 * is a configuration error that proves nothing was sent), then sends a JSON body and opens the answer.
 * What the money rule needs from it: an answer it cannot open (not decryptable, signature not by a
 * configured provider key) is `unreadable`, which classifies as UNKNOWN, never as a decline.
 */
import { request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { exchange, type Exchange } from '../http';
import { KeyReferenceError } from '../key-references';
import type { DisburseFundsAccount } from './account';

/** What one send proved: the shared transport facts, or an answer whose body could not be opened. */
export type TransportExchange = Exchange | { kind: 'unreadable'; httpStatus: number; error: string };

/** A transport with its keys in hand, for one send. */
export interface PreparedTransport {
  send(url: string, json: string, timeoutMs: number): Promise<TransportExchange>;
}

export interface DisburseFundsTransport {
  readonly mode: 'plain' | 'pgp' | 'jwe';
  /** Resolves and parses keys and certificates now; throws TransportConfigError, before anything is sent. */
  prepare(): Promise<PreparedTransport>;
}

/** A key, certificate or passphrase that cannot be read or used. Names the reference, never its content. */
export class TransportConfigError extends Error {
  override name = 'TransportConfigError';
}

/** Runs a key-reading step; any failure becomes a TransportConfigError that says `what` failed. */
export async function configStep<T>(what: string, step: () => Promise<T> | T): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof KeyReferenceError || err instanceof TransportConfigError) throw new TransportConfigError(err.message);
    // Library messages about a key never quote the key; keep only the first line anyway.
    throw new TransportConfigError(`${what}: ${String((err as Error).message ?? err).split('\n')[0]}`);
  }
}

export function plainTransport(account: DisburseFundsAccount): DisburseFundsTransport {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (account.bearerToken) headers.authorization = `Bearer ${account.bearerToken}`;
  return {
    mode: 'plain',
    prepare: async () => ({ send: (url, json, timeoutMs) => exchange(url, { method: 'POST', headers, body: json }, timeoutMs) }),
  };
}

export interface TlsOptions {
  /** PEM CA bundle for the server certificate; undefined: the system CAs. */
  ca?: string;
  /** Client certificate and key (mutual TLS). */
  cert?: string;
  key?: string;
}

/** The largest answer read; a bigger one is not an answer we can judge. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/**
 * One HTTPS POST with explicit TLS options (TLS 1.2+, the server's name checked against its
 * certificate). Until the TLS handshake completes no byte of the request can leave (TLS holds
 * application data until then), so any failure before it, a refused connection, a certificate we do
 * not trust, a handshake timeout, proves "not sent"; everything after it may have reached the provider.
 */
export function tlsExchange(
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  tls: TlsOptions,
): Promise<Exchange> {
  return new Promise((resolve) => {
    let handshakeDone = false;
    let settled = false;
    const finish = (result: Exchange) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const failed = (error: string) => finish(handshakeDone ? { kind: 'no-answer', error } : { kind: 'not-sent', error });
    const req = httpsRequest(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      ca: tls.ca,
      cert: tls.cert,
      key: tls.key,
      minVersion: 'TLSv1.2',
      agent: false,
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('socket', (socket) => (socket as TLSSocket).once('secureConnect', () => (handshakeDone = true)));
    req.on('error', (err) => {
      const code = (err as { code?: unknown }).code;
      failed(`${err.message}${typeof code === 'string' && !err.message.includes(code) ? ` (${code})` : ''}`);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) res.destroy(new Error(`answer larger than ${MAX_ANSWER_BYTES} bytes`));
        else chunks.push(chunk);
      });
      res.on('error', (err) => finish({ kind: 'no-answer', error: `answer broke off after HTTP ${res.statusCode}: ${err.message}` }));
      res.on('close', () => {
        if (!res.complete) finish({ kind: 'no-answer', error: `answer broke off after HTTP ${res.statusCode}` });
      });
      res.on('end', () =>
        finish({
          kind: 'answer',
          httpStatus: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          contentType: res.headers['content-type'],
        }),
      );
    });
    req.end(body);
  });
}

/**
 * Opens the body of an answer. A 200 must open (it is the only answer that can say DONE or declined);
 * an error status whose body does not open is passed on as it came, for the outcome table: only an
 * ErrorResponse with a documented code at its own status counts, and TLS has authenticated the server.
 */
export async function openAnswer(answer: Exchange, open: (body: string) => Promise<string>): Promise<TransportExchange> {
  if (answer.kind !== 'answer') return answer;
  try {
    return { ...answer, body: await open(answer.body) };
  } catch (err) {
    if (answer.httpStatus !== 200) return answer;
    return { kind: 'unreadable', httpStatus: answer.httpStatus, error: String((err as Error).message ?? err).split('\n')[0] };
  }
}
