/**
 * Events after the merchant's own transaction: Payneteasy tells an order's `notify_url` about later
 * transactions on the order (a return, a reversal or chargeback the provider initiates), while
 * `server_callback_url` only hears about the transaction it came with (docs/payneteasy.md).
 *
 * - Every transaction after the order's first that turns final is sent to notify_url (type = its type).
 * - `POST /_sim/orders/:orderId/late-event` `{ kind: 'reversal' | 'chargeback' }`: the provider reverses
 *   an approved payout or payment by itself (an approved `return`, refund for a payment, in the
 *   ledgers) and tells notify_url, type = the kind. A late approval needs nothing here: completing a
 *   form after its CUWO ended approves it, and the usual callback follows.
 * Delivery: signed like every callback, retried (at most 5 times) until answered 200, recorded in `callbacks()`.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Engine } from './engine';
import { formTransaction, isPayment, type SimulatedOrder, type SimulatedTransaction } from './model';
import { callbackQuery } from './protocol';

export const LATE_EVENT_KINDS = ['reversal', 'chargeback'] as const;
const LateEventSchema = z.strictObject({ kind: z.enum(LATE_EVENT_KINDS) });
const MAX_ATTEMPTS = 5;

export function addLateEvents(app: FastifyInstance, engine: Engine): void {
  engine.onFinal = (order, tx) => {
    if (tx !== formTransaction(order)) notify(engine, order, tx, tx.type);
  };
  app.post<{ Params: { orderId: string } }>('/_sim/orders/:orderId/late-event', async (request, reply) => {
    const parsed = LateEventSchema.safeParse(request.body);
    if (!parsed.success) return reply.code(400).send({ error: z.prettifyError(parsed.error) });
    const order = engine.orders.get(request.params.orderId);
    if (!order) return reply.code(404).send({ error: `unknown order ${request.params.orderId}` });
    const first = formTransaction(order);
    if (first.status !== 'approved')
      return reply.code(409).send({ error: `the ${first.type} of order ${order.orderId} is ${first.status}` });
    const tx: SimulatedTransaction = {
      serialNumber: randomUUID(),
      type: 'return',
      status: 'approved',
      amountMinor: first.amountMinor,
      currency: first.currency,
      ...(isPayment(order) ? { effect: 'refund' as const } : {}),
      createdAt: engine.now().toISOString(),
      finalAt: engine.now().toISOString(),
    };
    order.transactions.push(tx);
    notify(engine, order, tx, parsed.data.kind);
    return reply.code(200).send({ serialNumber: tx.serialNumber, notified: order.notifyUrl !== undefined });
  });
}

function notify(engine: Engine, order: SimulatedOrder, tx: SimulatedTransaction, type: string): void {
  if (!order.notifyUrl || engine.callbackMode === 'drop') return;
  const { controlKey } = engine.merchantFor(order.endpointId).merchant;
  const query = callbackQuery(order, tx, type, controlKey);
  void deliver(engine, order.notifyUrl, query);
}

async function deliver(engine: Engine, url: string, query: Record<string, string>): Promise<void> {
  const target = new URL(url);
  for (const [k, v] of Object.entries(query)) target.searchParams.set(k, v);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS && !engine.closing.signal.aborted; attempt++) {
    let httpStatus: number | 'network-error';
    try {
      const res = await fetch(target, { redirect: 'manual', signal: AbortSignal.any([engine.closing.signal, AbortSignal.timeout(5_000)]) });
      httpStatus = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch {
      if (engine.closing.signal.aborted) return;
      httpStatus = 'network-error';
    }
    engine.attempts.push({ url, query: { ...query }, httpStatus, at: new Date().toISOString() });
    if (httpStatus === 200) return;
    await sleep(engine.options.callbackRetryMs, undefined, { signal: engine.closing.signal }).catch(() => undefined);
  }
}
