/**
 * A mutating HTTP proxy in front of the Payneteasy simulator, for adapter tests: it plays a provider
 * (or the network in front of it) that misbehaves. Mutations may lose or reformat information, never
 * assert another fact than the simulator's (the simulator's ledgers stay the truth tests check).
 *
 * Each API request takes the next planned mutation (optionally only for one command); unplanned
 * requests pass through. `settled()` waits for every forwarded request, including held ones.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Command = 'payout' | 'status' | 'return' | 'sale-form' | 'preauth-form' | 'capture' | 'void';

export type Mutation =
  | { kind: 'pass' }
  /** Destroy the connection unanswered, before forwarding (nothing processed) or after (processed). */
  | { kind: 'reset'; forward: boolean }
  /** Answer this HTTP status with this body, after forwarding (processed) or without (not processed). */
  | { kind: 'http'; status: number; body: 'keep' | 'html' | 'empty' | 'garbage'; forward: boolean }
  /** Forward, then answer 200 with the first `keep` (0..1) of the body (never the whole of it). */
  | { kind: 'truncate'; keep: number }
  /** Forward, then answer 200 with a body that is not a protocol answer. */
  | { kind: 'garbage'; forward: boolean; body?: string }
  /** Forward, then leave out a field of the answer. */
  | { kind: 'drop-field'; field: string }
  /** Forward, then show an undocumented status instead of the simulator's (status answers only). */
  | { kind: 'undocumented-status'; status: string }
  /** Forward, then write the answer's amount with more trailing zeros ("10.15" -> "10.150"). */
  | { kind: 'pad-amount'; zeros: number }
  /** Forward, then write an amount nobody can read exactly ("ten", "10,15", "10.155" EUR). */
  | { kind: 'unreadable-amount'; amount: string }
  /** Forward, then replace the answer body (tests only: plays a provider answering differently). */
  | { kind: 'replace-body'; body: string }
  /** Forward at once, hold the answer `ms` (the client may time out). */
  | { kind: 'delay-answer'; ms: number }
  /** Hold the request `ms`, then forward it (the order may appear after the client gave up). */
  | { kind: 'delay-request'; ms: number };

export interface PlannedMutation {
  mutation: Mutation;
  /** Only a request of this command takes it; others pass it by. */
  command?: Command;
}

export interface SeenRequest {
  /** `payout` for both v4 payouts (`payout` and `payout-by-ref`; `path` tells them apart). */
  command: Command | 'other';
  /** The request path, e.g. `/paynet/api/v4/payout-by-ref/group/77`. */
  path: string;
  form: Record<string, string>;
  mutation: Mutation['kind'];
}

export interface PayneteasyProxy {
  readonly url: string;
  plan(...mutations: Array<Mutation | PlannedMutation>): void;
  clear(): void;
  /** Every API request seen, in order. */
  seen: SeenRequest[];
  settled(): Promise<void>;
  close(): Promise<void>;
}

const HTML = '<!doctype html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>';

export async function startPayneteasyProxy(targetUrl: string): Promise<PayneteasyProxy> {
  const target = new URL(targetUrl);
  const queue: PlannedMutation[] = [];
  const seen: SeenRequest[] = [];
  const inFlight = new Set<Promise<unknown>>();
  const sockets = new Set<import('node:net').Socket>();

  const track = <T>(p: Promise<T>): Promise<T> => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p)).catch(() => undefined);
    return p;
  };

  const take = (command: Command | 'other'): Mutation => {
    const i = queue.findIndex((m) => m.command === undefined || m.command === command);
    if (i < 0) return { kind: 'pass' };
    return queue.splice(i, 1)[0].mutation;
  };

  /** Forwards as received (same Host header, so the OAuth base string still verifies). */
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const forward = (req: http.IncomingMessage, body: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> =>
    new Promise((resolve, reject) => {
      const out = http.request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          agent,
          headers: { ...req.headers, 'content-length': String(body.length), connection: 'keep-alive' },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      out.on('error', reject);
      out.end(body);
    });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const match = /\/paynet\/api\/v\d\/([a-z-]+)\//.exec(req.url ?? '');
      // A plan for `payout` aims at both v4 payouts, as the simulator's faults do.
      const named = match?.[1] === 'payout-by-ref' ? 'payout' : match?.[1];
      const command = (named as Command | undefined) ?? 'other';
      const mutation = command === 'other' ? ({ kind: 'pass' } as Mutation) : take(command);
      seen.push({
        command,
        path: (req.url ?? '').split('?')[0],
        form: Object.fromEntries(new URLSearchParams(body.toString('utf8'))),
        mutation: mutation.kind,
      });
      void track(handle(mutation, req, res, body)).catch(() => res.destroy());
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  const send = (
    res: http.ServerResponse,
    status: number,
    body: string,
    contentType = 'application/x-www-form-urlencoded; charset=utf-8',
  ) => {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  async function handle(m: Mutation, req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> {
    if (m.kind === 'reset' && !m.forward) return void req.socket.destroy();
    if (m.kind === 'http' && !m.forward) return send(res, m.status, replacement(m.body, ''), m.body === 'html' ? 'text/html' : undefined);
    if (m.kind === 'garbage' && !m.forward) return send(res, 200, m.body ?? '\u0000\u00ff<<garbage>>');
    if (m.kind === 'delay-request') await new Promise((r) => setTimeout(r, m.ms));
    const answer = await forward(req, body);
    switch (m.kind) {
      case 'reset':
        return void req.socket.destroy();
      case 'http':
        return send(res, m.status, replacement(m.body, answer.body), m.body === 'html' ? 'text/html' : undefined);
      case 'truncate':
        return send(res, 200, answer.body.slice(0, Math.min(answer.body.length - 1, Math.floor(answer.body.length * m.keep))));
      case 'garbage':
        return send(res, 200, m.body ?? 'not=a\n&payneteasy answer');
      case 'drop-field':
        return send(
          res,
          answer.status,
          withFields(answer.body, (f) => f.delete(m.field)),
        );
      case 'undocumented-status':
        return send(
          res,
          answer.status,
          withFields(answer.body, (f) => f.has('status') && f.get('type') === 'status-response' && f.set('status', m.status)),
        );
      case 'pad-amount':
        return send(
          res,
          answer.status,
          withFields(answer.body, (f) => {
            const amount = f.get('amount');
            if (amount) f.set('amount', `${amount}${amount.includes('.') ? '' : '.'}${'0'.repeat(m.zeros)}`);
          }),
        );
      case 'unreadable-amount':
        return send(
          res,
          answer.status,
          withFields(answer.body, (f) => f.has('amount') && f.set('amount', m.amount)),
        );
      case 'replace-body':
        return send(res, 200, m.body);
      case 'delay-answer':
        await new Promise((r) => setTimeout(r, m.ms));
        return send(res, answer.status, answer.body);
      default:
        return send(res, answer.status, answer.body, answer.headers['content-type']);
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    plan: (...mutations) => queue.push(...mutations.map((m) => ('mutation' in m ? m : { mutation: m }))),
    clear: () => void queue.splice(0),
    seen,
    settled: async () => {
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
    close: async () => {
      agent.destroy();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function replacement(kind: 'keep' | 'html' | 'empty' | 'garbage', original: string): string {
  return kind === 'keep' ? original : kind === 'html' ? HTML : kind === 'empty' ? '' : '\u0000garbage\u00ff';
}

/** Edits an answer as pairs (order kept), writing it back newline-terminated as Payneteasy does. */
function withFields(body: string, edit: (fields: Map<string, string>) => unknown): string {
  const fields = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(body)) fields.set(k.trim(), v.trim());
  edit(fields);
  return [...fields].map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}\n`).join('&');
}

/** A loopback URL nothing listens on: connections to it are refused (provably never sent). */
export async function refusedUrl(): Promise<string> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
