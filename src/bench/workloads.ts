/**
 * The four things the bench runs, each started the way a client starts it and awaited to its outcome:
 *   bare            BenchBare (./workflows.ts): one no-op activity, the engine's floor
 *   gp-disburse     GrantPayout over disburseFunds (the simulator answers at once)
 *   gp-payneteasy   GrantPayout over Payneteasy to a stored card (CARD_REFERENCE: no receiver form),
 *                   the simulator's transaction final at once (processingMs 0) and its callback sent
 *   pr-capture      PaymentRequest with captureMode CAPTURE over Payneteasy: the customer's form is
 *                   completed by ./form-proxy.ts the moment it is handed out; the POS completion is
 *                   signalled right after the start, so the orchestrator books as soon as it captured
 * Parameters come from the chaos run's request mix (src/chaos/mix.ts), so they are the real shapes.
 */
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import { cuwoOutcome, startCuwo } from '../client';
import { completeSignal } from '../contracts';
import { paymentParameters, payoutParameters } from '../chaos/mix';
import type { PaymentRequestResult } from '../workflows/payment-request';
import type { WorkloadId } from './measure';

export interface BenchContext {
  client: Client;
  /** The CUWO worker's task queue, and BenchBare's. */
  taskQueue: string;
  bareTaskQueue: string;
  /** Prefix of every request id of this bench run (ids never repeat across levels and phases). */
  runId: string;
  /** The disburseFunds and Payneteasy payout accounts, and the payment account (behind the form proxy). */
  accounts: { disburse: string; payneteasy: string; payments: string };
}

export interface RunSample {
  requestId: string;
  workflowId: string;
  /** The start call (ms). */
  startMs: number;
  /** Start call to outcome (ms). */
  totalMs: number;
}

export interface Workload {
  id: WorkloadId;
  label: string;
  /** Runs one; throws when it did not end with the expected outcome. */
  run(ctx: BenchContext, requestId: string, index: number): Promise<RunSample>;
}

const AMOUNT_MINOR = 1_000n; // 10.00 EUR: inside every simulated limit

async function timed(requestId: string, start: () => Promise<{ workflowId: string }>, outcome: () => Promise<void>): Promise<RunSample> {
  const t0 = performance.now();
  const { workflowId } = await start();
  const t1 = performance.now();
  await outcome();
  return { requestId, workflowId, startMs: t1 - t0, totalMs: performance.now() - t0 };
}

const bare: Workload = {
  id: 'bare',
  label: 'bare workflow (1 no-op activity)',
  run: async (ctx, requestId, index) => {
    const workflowId = `bench-bare-${requestId}`;
    let result: Promise<unknown> = Promise.resolve();
    return timed(
      requestId,
      async () => {
        const handle = await ctx.client.workflow.start('BenchBare', { workflowId, taskQueue: ctx.bareTaskQueue, args: [index] });
        result = handle.result();
        return { workflowId };
      },
      async () => {
        if ((await result) !== index) throw new Error(`${workflowId}: unexpected result`);
      },
    );
  },
};

function grantPayout(id: 'gp-disburse' | 'gp-payneteasy', label: string): Workload {
  return {
    id,
    label,
    run: async (ctx, requestId, index) => {
      const params = payoutParameters({
        index,
        requestId,
        kind: id === 'gp-disburse' ? 'payout-disburse' : 'payout-pne-card',
        amountMinor: AMOUNT_MINOR,
        notBeforeMs: 0,
        destination: id === 'gp-disburse' ? `r${index}@okbank` : `approve-card-${index}`,
        note: 'paid',
      });
      params.paymentMethodConfiguration.accountName = id === 'gp-disburse' ? ctx.accounts.disburse : ctx.accounts.payneteasy;
      let started: Awaited<ReturnType<typeof startCuwo>> | undefined;
      return timed(
        requestId,
        async () => (started = await startCuwo(ctx.client, 'GrantPayout', params, { taskQueue: ctx.taskQueue })),
        async () => {
          const end = await cuwoOutcome(started!.handle);
          if (end.outcome !== 'SUCCESS')
            throw new Error(`${started!.workflowId} ended ${end.outcome}: ${JSON.stringify(end).slice(0, 300)}`);
        },
      );
    },
  };
}

const paymentCapture: Workload = {
  id: 'pr-capture',
  label: 'PaymentRequest (capture)',
  run: async (ctx, requestId, index) => {
    const params = paymentParameters({
      index,
      requestId,
      kind: 'payment-capture',
      amountMinor: AMOUNT_MINOR,
      notBeforeMs: 0,
      amountPolicy: 'EXACT',
      form: { action: 'complete', afterMs: 0 },
      pos: { action: 'complete', afterMs: 0 },
      note: 'booked',
    });
    params.paymentMethodConfiguration.accountName = ctx.accounts.payments;
    let started: Awaited<ReturnType<typeof startCuwo>> | undefined;
    let signalled: Promise<unknown> = Promise.resolve();
    return timed(
      requestId,
      async () => {
        started = await startCuwo(ctx.client, 'PaymentRequest', params, { taskQueue: ctx.taskQueue });
        // The POS side has completed the sale already: the orchestrator books right after the capture.
        signalled = started.handle.signal(completeSignal);
        return started;
      },
      async () => {
        await signalled;
        const result = (await started!.handle.result()) as PaymentRequestResult;
        if (result.outcome !== 'BOOKED') throw new Error(`${started!.workflowId} ended ${result.outcome}`);
      },
    );
  },
};

export const WORKLOADS: Record<WorkloadId, Workload> = {
  bare,
  'gp-disburse': grantPayout('gp-disburse', 'GrantPayout (disburseFunds)'),
  'gp-payneteasy': grantPayout('gp-payneteasy', 'GrantPayout (Payneteasy, final at once)'),
  'pr-capture': paymentCapture,
};
