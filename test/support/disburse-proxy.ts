/**
 * A small HTTP proxy in front of the disburseFunds simulator for adapter tests. Each request takes
 * the next queued action: forward it to the simulator (or not), optionally hold it first, then
 * answer the real answer, a mutated or made-up one, or reset the connection. The simulator's ledger
 * stays the only truth of money moved: the proxy never pays, it only changes what the caller sees.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** What the simulator answered to a forwarded request ('dropped': it closed the connection). */
export type RealAnswer = { status: number; body: string; contentType?: string } | 'dropped';
export type ProxyAnswer = { status: number; body: string; contentType?: string } | 'reset';

export interface ProxyAction {
  /** Hand the request to the simulator (which may pay) before answering. */
  forward: boolean;
  /** Hold the request this long before forwarding/answering (the caller may time out meanwhile). */
  holdMs?: number;
  /** The answer the caller gets; `real` is undefined when the request was not forwarded. */
  respond(real: RealAnswer | undefined): ProxyAnswer;
}

/** Forward and pass the simulator's answer through unchanged. */
export const passThrough: ProxyAction = { forward: true, respond: (real) => (real === undefined || real === 'dropped' ? 'reset' : real) };

/** Do not forward; answer this. */
export const fixedAnswer = (status: number, body: string, contentType = 'application/json'): ProxyAction => ({
  forward: false,
  respond: () => ({ status, body, contentType }),
});

export interface DisburseProxy {
  readonly url: string;
  /** Queue the action for the next request (FIFO); without one, requests pass through. */
  next(action: ProxyAction): void;
  /** Requests the proxy has received so far. */
  received(): number;
  /** Requests received for this disburseFunds requestId. */
  receivedFor(requestId: string): number;
  /** Resolves once no request is being held or forwarded. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export async function startDisburseProxy(targetUrl: string): Promise<DisburseProxy> {
  const queue: ProxyAction[] = [];
  const inFlight = new Set<Promise<void>>();
  const requestIds: string[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse, action: ProxyAction): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    requestIds.push(requestIdOf(Buffer.concat(chunks).toString()));
    if (action.holdMs) await sleep(action.holdMs);
    let real: RealAnswer | undefined;
    if (action.forward) {
      try {
        const answer = await fetch(`${targetUrl}${req.url}`, {
          method: 'POST',
          headers: { 'content-type': req.headers['content-type'] ?? 'application/json', authorization: req.headers.authorization ?? '' },
          body: Buffer.concat(chunks),
        });
        real = { status: answer.status, body: await answer.text(), contentType: answer.headers.get('content-type') ?? undefined };
      } catch {
        real = 'dropped';
      }
    }
    const out = action.respond(real);
    if (res.destroyed) return; // the caller gave up: nobody reads the answer
    if (out === 'reset') {
      req.socket.destroy();
      return;
    }
    res.writeHead(out.status, out.contentType ? { 'content-type': out.contentType } : {});
    res.end(out.body);
  }

  const server: Server = createServer((req, res) => {
    // The action is taken on arrival, in arrival order.
    const done = handle(req, res, queue.shift() ?? passThrough).catch(() => {
      req.socket.destroy();
    });
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    next: (action) => void queue.push(action),
    received: () => requestIds.length,
    receivedFor: (requestId) => requestIds.filter((id) => id === requestId).length,
    settled: async () => {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function requestIdOf(body: string): string {
  try {
    return String(JSON.parse(body)?.requestHeader?.requestId ?? '');
  } catch {
    return '';
  }
}

/** A loopback port nothing listens on: connecting to it is refused (the request provably never left). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
