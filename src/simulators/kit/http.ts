/**
 * The HTTP server every simulator runs: a Fastify app that closes promptly, with its admin endpoints
 * (`/_sim/`, no auth) refused to anything not on this host; listening on a loopback port; dropping a
 * connection unanswered (a fault); and reading Fastify's own errors (bad JSON, body too large).
 */
import type { ServerOptions as HttpsOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Server as TlsServer } from 'node:tls';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';

export const isLoopback = (addr: string | undefined) => addr === '::1' || !!addr?.startsWith('127.') || !!addr?.startsWith('::ffff:127.');

/**
 * `adminForbidden` makes the body a non-loopback caller of `/_sim/` gets, in the simulator's own error shape.
 * `https`: serve TLS instead (the disburseFunds simulator's PGP and JWE accounts).
 */
export function createSimulatorApp(adminForbidden: () => unknown, https?: HttpsOptions): FastifyInstance {
  // forceCloseConnections: close() must not wait for idle keep-alive sockets.
  const app = (https
    ? Fastify({ logger: false, forceCloseConnections: true, https })
    : Fastify({ logger: false, forceCloseConnections: true })) as unknown as FastifyInstance;
  // Admin endpoints carry no auth, so refuse them to anything that is not on this host.
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/_sim/') && !isLoopback(request.socket.remoteAddress)) {
      return reply.code(403).send(adminForbidden());
    }
  });
  return app;
}

/** Starts listening (port 0: any free one) and gives the base URL, e.g. `http://127.0.0.1:PORT` (`https://` for TLS). */
export async function listen(app: FastifyInstance, host = '127.0.0.1', port = 0): Promise<string> {
  await app.listen({ host, port });
  const address = app.server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `${app.server instanceof TlsServer ? 'https' : 'http'}://${shownHost}:${address.port}`;
}

/** Closes the connection without an answer, as a crashed provider or a cut network does. */
export function dropConnection(request: FastifyRequest, reply: FastifyReply): void {
  reply.hijack(); // fastify must not try to answer on the destroyed socket
  request.raw.socket.destroy();
}

/** An error Fastify raised (malformed JSON, wrong content type, body too large) is the client's; anything else is ours (500). */
export function frameworkError(err: unknown): { clientError: boolean; statusCode: number; message: string } {
  const { statusCode, message } = (typeof err === 'object' && err !== null ? err : {}) as { statusCode?: unknown; message?: unknown };
  const clientError = typeof statusCode === 'number' && statusCode < 500;
  return { clientError, statusCode: clientError ? (statusCode as number) : 500, message: String(message) };
}
