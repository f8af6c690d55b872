/**
 * Fault handling both simulators share: the queue of injected faults (in the order injected, each
 * for `count` requests, default 1), the schema of `count`, the pause of a held request or a late
 * answer, and the admin routes that inject (`POST /_sim/faults`) and clear (`DELETE`) faults.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

/** How many requests a fault applies to (default 1). */
export const faultCount = z.number().int().positive().optional();

export class FaultQueue<F extends { count?: number }> {
  private readonly queue: { fault: F; remaining: number }[] = [];

  push(fault: F): void {
    this.queue.push({ fault, remaining: fault.count ?? 1 });
  }

  /** Forgets every queued fault. */
  clear(): void {
    this.queue.length = 0;
  }

  /** The first queued fault that `applies` (by default the first of all), consumed once. */
  take(applies: (fault: F) => boolean = () => true): F | undefined {
    const i = this.queue.findIndex(({ fault }) => applies(fault));
    if (i < 0) return undefined;
    const entry = this.queue[i];
    if (--entry.remaining <= 0) this.queue.splice(i, 1);
    return entry.fault;
  }
}

/** Holds a request or its answer `ms`; unref'd, so a held request never keeps the process alive. */
export const pause = (ms: number) => sleep(ms, undefined, { ref: false });

/** `POST /_sim/faults`: a fault as JSON, validated by `schema`; 400 with `invalidBody(why)` when it is not one. */
export function addInjectFaultRoute<S extends z.ZodType>(
  app: FastifyInstance,
  schema: S,
  inject: (fault: z.output<S>) => void,
  invalidBody: (why: string) => unknown,
): void {
  app.post('/_sim/faults', async (request, reply) => {
    const parsed = schema.safeParse(request.body);
    if (!parsed.success) return reply.code(400).send(invalidBody(z.prettifyError(parsed.error)));
    inject(parsed.data);
    return reply.code(204).send();
  });
}

/** `DELETE /_sim/faults`: forgets every queued fault. */
export function addClearFaultsRoute(app: FastifyInstance, clear: () => void): void {
  app.delete('/_sim/faults', async (_request, reply) => {
    clear();
    return reply.code(204).send();
  });
}
