/**
 * The codec server the Temporal Web UI (and `temporal` CLI) call to show encrypted payloads to people
 * allowed to see them: POST /encode and POST /decode with `{ payloads: [{ metadata, data }] }` in
 * proto3 JSON (base64 bytes). Access needs the token, as `Authorization: Bearer <token>` or in the
 * path (`/t/<token>/decode`), which is how a UI without its own login passes it (--ui-codec-endpoint).
 */
import { timingSafeEqual } from 'node:crypto';
import cors from '@fastify/cors';
import type { Payload, PayloadCodec } from '@temporalio/common';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** The shared secret callers must present. */
  token: string;
  /** Browser origins allowed to call (the Web UI's), e.g. http://127.0.0.1:8233. */
  allowedOrigins: string[];
  host?: string;
  port?: number;
}

export interface CodecServer {
  readonly url: string;
  /** What to pass to `temporal server start-dev --ui-codec-endpoint` (carries the token). */
  readonly uiEndpoint: string;
  close(): Promise<void>;
}

const bodySchema = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), z.string()).optional(), data: z.string().optional() })),
});
type JsonPayload = z.infer<typeof bodySchema>['payloads'][number];

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')])),
  data: Buffer.from(p.data ?? []).toString('base64'),
});

export async function startCodecServer(options: CodecServerOptions): Promise<CodecServer> {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  await app.register(cors, {
    origin: options.allowedOrigins,
    methods: ['POST'],
    allowedHeaders: ['content-type', 'x-namespace', 'authorization'],
    credentials: true,
  });
  const expected = Buffer.from(options.token);
  const authorized = (presented: string | undefined) => {
    const given = Buffer.from(presented ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  const handle =
    (direction: 'encode' | 'decode') => async (request: FastifyRequest<{ Params: { token?: string } }>, reply: FastifyReply) => {
      const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      if (!authorized(request.params.token ?? bearer)) return reply.code(401).send({ message: 'a valid codec token is required' });
      const body = bodySchema.safeParse(request.body);
      if (!body.success) return reply.code(400).send({ message: 'expected { payloads: [{ metadata, data }] } with base64 values' });
      try {
        const payloads = await options.codec[direction](body.data.payloads.map(fromJson));
        return { payloads: payloads.map(toJson) };
      } catch (err) {
        return reply.code(422).send({ message: (err as Error).message });
      }
    };
  for (const direction of ['encode', 'decode'] as const) {
    app.post(`/${direction}`, handle(direction));
    app.post(`/t/:token/${direction}`, handle(direction));
  }
  app.get('/healthz', async () => ({ ok: true }));

  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  const { port } = app.server.address() as { port: number };
  const url = `http://${options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1'}:${port}`;
  return { url, uiEndpoint: `${url}/t/${encodeURIComponent(options.token)}`, close: () => app.close() };
}
