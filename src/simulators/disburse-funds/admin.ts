/**
 * The disburseFunds simulator's admin API under `/_sim/` (loopback only, no auth): the ledger, the
 * recorded exchanges, injecting and clearing faults, and setting a receiver's account state.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { addClearFaultsRoute, addInjectFaultRoute } from '../kit/faults';
import { FaultSchema, type Fault } from './faults';
import type { RecordedRequest } from './http';
import { RECEIVER_STATES, type Disbursement, type ReceiverState } from './model';
import { errorBody } from './protocol';

const ReceiverBodySchema = z.object({ state: z.enum(RECEIVER_STATES).nullable() });

/** What the admin API reads and changes (the simulator's own methods). */
export interface Admin {
  ledger(): Disbursement[];
  requests(): RecordedRequest[];
  injectFault(fault: Fault): void;
  clearFaults(): void;
  setReceiverState(vpa: string, state: ReceiverState | undefined): void;
}

export function addAdminRoutes(app: FastifyInstance, sim: Admin): void {
  const invalidBody = (why: string) => errorBody('INVALID_FIELD_VALUE', why);
  app.get('/_sim/ledger', async () => ({ disbursements: sim.ledger() }));
  app.get('/_sim/requests', async () => ({ requests: sim.requests() }));
  addInjectFaultRoute(app, FaultSchema, sim.injectFault, invalidBody);
  addClearFaultsRoute(app, sim.clearFaults);
  // { state: ReceiverState | null } (null: the account is open again)
  app.put<{ Params: { vpa: string } }>('/_sim/receivers/:vpa', async (request, reply) => {
    const parsed = ReceiverBodySchema.safeParse(request.body);
    if (!parsed.success) return reply.code(400).send(invalidBody(z.prettifyError(parsed.error)));
    sim.setReceiverState(request.params.vpa, parsed.data.state ?? undefined);
    return reply.code(204).send();
  });
}
