/**
 * Drives one request the way the platform and the people around it would: starts the orchestrator,
 * lets the receiver or customer use the provider's form (after a delay, or never), and has the POS
 * side complete or abort a payment that went through. Returns once nothing more can be done for it.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { startCuwo, validateCuwoParams } from '../client';
import { CUWO_MEMO_KEY, abortSignal, completeSignal, type CuwoState } from '../contracts';
import { bump, elapsed, idsOf, requestEvent, sleep, type ChaosContext } from './context';
import { isPayout, paymentParameters, payoutParameters, type RequestPlan } from './mix';

const POLL_MS = 700;
/** Safety net: a PaymentRequest whose POS side never answers books after this (the driver normally answers in seconds). */
const POS_TIMEOUT_MS = 45_000;

interface Observed {
  status: string;
  state?: CuwoState;
}

/** The execution's status and memo; NOT_FOUND when it does not exist (yet, or ever: its orchestrator ended first). */
async function observe(ctx: ChaosContext, workflowId: string): Promise<Observed | undefined> {
  try {
    const description = await ctx.client.workflow.getHandle(workflowId).describe();
    return { status: description.status.name, state: description.memo?.[CUWO_MEMO_KEY] as CuwoState | undefined };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { status: 'NOT_FOUND' };
    return undefined; // the server is busy: ask again
  }
}

export async function driveRequest(ctx: ChaosContext, plan: RequestPlan): Promise<void> {
  const tracked = ctx.requests.get(plan.requestId)!;
  const wait = plan.notBeforeMs - elapsed(ctx);
  if (wait > 0) await sleep(wait, ctx.signal);
  if (ctx.signal.aborted) return;
  tracked.phase = 'running';
  tracked.startedAtMs = elapsed(ctx);
  const ids = idsOf(plan);
  try {
    if (isPayout(plan)) {
      await startCuwo(ctx.client, 'PayoutRequest', payoutParameters(plan), { taskQueue: ctx.taskQueue });
    } else {
      const params = paymentParameters(plan);
      const { workflowId } = validateCuwoParams('PaymentRequest', params);
      await ctx.client.workflow.start('PaymentRequest', {
        workflowId,
        taskQueue: ctx.taskQueue,
        args: [params, { completionTimeoutMs: POS_TIMEOUT_MS }],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      });
    }
    bump(ctx.stats.requestsByKind, plan.kind);
    requestEvent(ctx, plan.requestId, `started ${ids.orchestrator} (${plan.kind}, ${plan.note})`);
  } catch (err) {
    tracked.startError = (err as Error).message;
    tracked.phase = 'done';
    requestEvent(ctx, plan.requestId, `start failed: ${tracked.startError}`);
    ctx.log(`${plan.requestId}: start failed: ${tracked.startError}`);
    return;
  }

  const form = plan.form;
  let formDone = !form || form.action === 'never';
  let formUrl: string | undefined;
  let formSeenAt: number | undefined;
  let posDone = isPayout(plan);
  let posSeenAt: number | undefined;

  while (!ctx.signal.aborted) {
    const orchestrator = await observe(ctx, ids.orchestrator);
    const orchestratorOpen = !orchestrator || orchestrator.status === 'RUNNING' || orchestrator.status === 'NOT_FOUND';

    if (!formDone && form?.action === 'complete') {
      // The receiver or customer has the form's URL from the CUWO (memo) and may use it whatever became
      // of the CUWO since: a form filled after its CUWO was terminated must be undone by the compensation.
      const cuwo = await observe(ctx, ids.cuwo);
      if (cuwo?.state?.redirectUrl && !formUrl) {
        formUrl = cuwo.state.redirectUrl;
        formSeenAt = Date.now();
      }
      if (formUrl && Date.now() - formSeenAt! >= form.afterMs) {
        const orderId = formUrl.split('/').pop()!;
        try {
          ctx.stack.payneteasy.completeForm(
            orderId,
            isPayout(plan)
              ? {}
              : { ...(form.outcome ? { outcome: form.outcome } : {}), ...(form.amountMinor ? { amountMinor: form.amountMinor } : {}) },
          );
          requestEvent(
            ctx,
            plan.requestId,
            `form of order ${orderId} completed${form.outcome ? ` (${form.outcome})` : ''}` +
              `${form.amountMinor ? ` with ${form.amountMinor} cents` : ''}` +
              `${cuwo && cuwo.status !== 'RUNNING' ? ` after its CUWO ended ${cuwo.status}` : ''}`,
          );
        } catch (err) {
          requestEvent(ctx, plan.requestId, `form of order ${orderId} could not be completed: ${(err as Error).message}`);
        }
        formDone = true;
      } else if (!formUrl && cuwo && cuwo.status !== 'RUNNING' && (cuwo.status !== 'NOT_FOUND' || !orchestratorOpen)) {
        formDone = true; // the CUWO ended before it showed a form, or its orchestrator ended before it started one
      }
    }

    if (!posDone && !isPayout(plan) && orchestrator?.state?.stage === 'AWAITING_POS') {
      posSeenAt ??= Date.now();
      if (Date.now() - posSeenAt >= plan.pos.afterMs) {
        try {
          const handle = ctx.client.workflow.getHandle(ids.orchestrator);
          if (plan.pos.action === 'abort') await handle.signal(abortSignal, { reason: 'chaos: the customer walked away' });
          else await handle.signal(completeSignal);
          requestEvent(ctx, plan.requestId, `POS ${plan.pos.action}`);
        } catch (err) {
          requestEvent(ctx, plan.requestId, `POS ${plan.pos.action} not delivered: ${(err as Error).message}`);
        }
        posDone = true;
      }
    }

    // Done when the orchestrator closed and the form is used (or there is none to use).
    if (!orchestratorOpen && formDone) break;
    await sleep(POLL_MS, ctx.signal);
  }
  tracked.phase = 'done';
  tracked.doneAtMs = elapsed(ctx);
}
