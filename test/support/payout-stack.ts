/** The payout test stack: a disburseFunds simulator, a worker whose account points at it, and ledger helpers. */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Accounts } from '../../src/config';
import { startDisburseFundsSimulator, type DisburseFundsSimulator } from '../../src/simulators/disburse-funds';
import { BEARER_TOKEN, INTEGRATOR_ACCOUNT_ID, UPI_ACCOUNT } from './fixtures';
import { createHarness, type Harness } from './harness';

export interface PayoutStack {
  sim: DisburseFundsSimulator;
  harness: Harness;
  accounts: Accounts;
  ledgerFor(payoutRequestID: string): ReturnType<DisburseFundsSimulator['ledger']>;
  requestsFor(payoutRequestID: string): ReturnType<DisburseFundsSimulator['requests']>;
  exists(workflowId: string): Promise<boolean>;
  close(): Promise<void>;
}

export async function startPayoutStack(options: { startWorker?: boolean } = {}): Promise<PayoutStack> {
  const sim = await startDisburseFundsSimulator({
    accounts: { [INTEGRATOR_ACCOUNT_ID]: { bearerToken: BEARER_TOKEN, minMicros: '1000000', maxMicros: '1000000000' } },
    receivers: {
      'closed@okbank': 'ACCOUNT_CLOSED',
      'takenover@okbank': 'ACCOUNT_CLOSED_ACCOUNT_TAKEN_OVER',
      'fraud@okbank': 'ACCOUNT_CLOSED_FRAUD',
      'hold@okbank': 'ACCOUNT_ON_HOLD',
    },
  });
  const harness = await createHarness();
  const accounts: Accounts = {
    [UPI_ACCOUNT]: {
      provider: 'disburse-funds',
      baseUrl: sim.url,
      paymentIntegratorAccountId: INTEGRATOR_ACCOUNT_ID,
      bearerToken: BEARER_TOKEN,
      timeoutMs: 10_000,
    },
  };
  if (options.startWorker !== false) await harness.startWorker(accounts);
  const requestId = (id: string) => `payout:${id}`;
  return {
    sim,
    harness,
    accounts,
    ledgerFor: (id) => sim.ledger().filter((d) => d.requestId === requestId(id)),
    requestsFor: (id) => sim.requests().filter((r) => r.requestId === requestId(id)),
    exists: async (workflowId) => {
      try {
        await harness.client.workflow.getHandle(workflowId).describe();
        return true;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return false;
        throw err;
      }
    },
    close: async () => {
      await harness.close();
      await sim.close();
    },
  };
}

export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
