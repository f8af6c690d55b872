/**
 * The simulator's admin API under `/_sim/` (loopback only, no auth): orders, ledgers, callbacks,
 * faults, the callback mode, and completing a form as the receiver or customer would.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { addInjectFaultRoute } from '../kit/faults';
import { CALLBACK_MODES, FormError, type CallbackAttempt, type CallbackMode } from './engine';
import { FaultSchema, type PayneteasyFault } from './faults';
import { FORM_OUTCOMES, type CompleteFormOptions, type PaymentLedgerEntry, type PayoutLedgerEntry, type SimulatedOrder } from './model';

const CompleteFormSchema = z.strictObject({
  outcome: z.enum(FORM_OUTCOMES).optional(),
  amountMinor: z
    .string()
    .regex(/^\d{1,30}$/, 'must be a decimal integer string')
    .optional(),
});
export const CallbackModeSchema = z.object({
  mode: z.enum(CALLBACK_MODES),
  delayMs: z.number().int().nonnegative().max(600_000).optional(),
});

/** What the admin API reads and changes (the simulator object itself). */
export interface Admin {
  orders(): SimulatedOrder[];
  ledger(): PayoutLedgerEntry[];
  paymentLedger(): PaymentLedgerEntry[];
  callbacks(): CallbackAttempt[];
  injectFault(fault: PayneteasyFault): void;
  setCallbackMode(mode: CallbackMode, delayMs?: number): void;
  completeForm(orderId: string, options?: CompleteFormOptions): void;
}

export function addAdminRoutes(app: FastifyInstance, sim: Admin): void {
  app.get('/_sim/orders', async () => ({ orders: sim.orders() }));
  app.get('/_sim/ledger', async () => ({ ledger: sim.ledger() }));
  app.get('/_sim/payment-ledger', async () => ({ ledger: sim.paymentLedger() }));
  app.get('/_sim/callbacks', async () => ({ callbacks: sim.callbacks() }));
  addInjectFaultRoute(app, FaultSchema, sim.injectFault, (why) => ({ error: why }));
  // { mode: 'deliver' | 'drop' | 'duplicate' | 'delay', delayMs? }
  app.put('/_sim/callback-mode', async (request, reply) => {
    const parsed = CallbackModeSchema.safeParse(request.body);
    if (!parsed.success) return reply.code(400).send({ error: z.prettifyError(parsed.error) });
    sim.setCallbackMode(parsed.data.mode, parsed.data.delayMs);
    return reply.code(204).send();
  });
  // Optional JSON body { outcome?, amountMinor? } (payment forms only).
  app.post<{ Params: { orderId: string } }>('/_sim/orders/:orderId/complete-form', async (request, reply) => {
    const parsed = CompleteFormSchema.optional().safeParse(request.body ?? undefined);
    if (!parsed.success) return reply.code(400).send({ error: z.prettifyError(parsed.error) });
    try {
      sim.completeForm(request.params.orderId, parsed.data);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return reply.code(err.httpStatus).send({ error: err.message });
    }
    return reply.code(204).send();
  });
}
