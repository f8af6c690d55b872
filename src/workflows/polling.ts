/**
 * Following an asynchronous provider: while its step is PENDING, publish it, wait for the provider's
 * cadence (a durable timer) or a verified callback (whichever comes first), and ask again. Also which
 * callbacks may wake a CUWO early (CallbackWakeups).
 */
import { ApplicationFailure, CancellationScope, condition, log, metricMeter, patched } from '@temporalio/workflow';
import {
  CALLBACK_REFUSALS,
  METRICS,
  count,
  type CuwoStage,
  type PendingStep,
  type ProviderCallback,
  type ProviderOrder,
} from '../contracts';
import type { CuwoRecord } from './cuwo-state';

/** At most this many distinct callbacks wake a CUWO early; beyond, the polling cadence alone decides. */
export const MAX_CALLBACK_WAKEUPS = 20;

/**
 * A callback accepted while a provider call was in flight is news for the wait that follows it: the
 * CUWO asks again at once instead of sleeping through it (a provider that is final at once sends its
 * callback before the first wait starts). Executions recorded before this patch slept (a timer).
 */
export const EARLY_CALLBACK_PATCH = 'early-callback-2026-11';

const isPending = (step: { status: string }): step is PendingStep => step.status === 'PENDING';

/**
 * Asks again while the step is PENDING; returns the settled step. Provider calls stay non-cancellable:
 * a cancel request is decided on once the outcome is known.
 */
export async function followPending<Done extends { status: string }>(
  run: CuwoRecord,
  first: Done | PendingStep,
  next: (processingData: string, pending: PendingStep) => Promise<Done | PendingStep>,
  stageOf: (step: PendingStep) => CuwoStage,
  moneyMayHaveMoved?: boolean,
): Promise<Done> {
  let step = first;
  while (isPending(step)) {
    const pending = step;
    // An outcome the provider has not settled in a way we can read: keep asking, and show it.
    if (pending.unknown && run.state.unknown === undefined) {
      count(metricMeter, METRICS.outcomeUnknown, { cuwo: run.state.cuwo, provider: pending.provider });
      log.warn('provider outcome unknown; asking again', { requestId: run.state.requestId, why: pending.unknown });
    }
    if (pending.unknown) run.state.unknown = pending.unknown;
    else delete run.state.unknown;
    run.record({
      stage: pending.unknown ? 'OUTCOME_UNKNOWN' : stageOf(pending),
      provider: pending.provider,
      processingData: pending.processingData,
      reference: pending.reference,
      redirectUrl: pending.redirectUrl,
      order: pending.order,
      moneyMayHaveMoved,
    });
    await run.wakeups.waitForNews(pending.pollAfterMs);
    run.wakeups.asking();
    step = await CancellationScope.nonCancellable(() => next(pending.processingData, pending));
  }
  run.wakeups.asking(); // settled: what came so far is answered
  // Settled: no form waits any more. Cleared in state only; the caller's next record() publishes it.
  delete run.state.redirectUrl;
  delete run.state.unknown;
  return step;
}

/** The provider callbacks a CUWO accepted: each new one wakes its polling loop at once. */
export class CallbackWakeups {
  /** Distinct verified provider callbacks (Payneteasy repeats them; duplicates must not count twice). */
  private readonly keys = new Set<string>();
  /** How many of them the CUWO's latest provider call could already have seen. */
  private answered = 0;

  /** A callback delivered by update (checked first by `check`). */
  add(callback: ProviderCallback): void {
    this.keys.add(signedCallbackKey(callback));
  }

  /** Older histories: a callback delivered by signal, unchecked, with the key it was counted by then. */
  addSignaled(callback: ProviderCallback): void {
    this.keys.add([callback.status, callback.type, callback.orderId, callback.clientOrderId].join('|'));
  }

  /**
   * A callback counts only for the CUWO whose provider order it names (the signed fields, checked
   * against the order the activities reported), once, and at most MAX_CALLBACK_WAKEUPS times in all.
   * Throwing rejects the update: nothing enters the history.
   */
  check(callback: ProviderCallback, order: ProviderOrder | undefined): void {
    const refuse = (type: string, message: string): never => {
      throw ApplicationFailure.create({ type, message, nonRetryable: true });
    };
    if (!order) return refuse(CALLBACK_REFUSALS.orderNotYetKnown, 'this CUWO has no provider order yet');
    if (callback.clientOrderId !== order.clientOrderId || (order.orderId !== undefined && callback.orderId !== order.orderId)) {
      refuse(CALLBACK_REFUSALS.notThisOrder, 'the callback names another provider order than this CUWO follows');
    }
    if (this.keys.has(signedCallbackKey(callback))) refuse(CALLBACK_REFUSALS.duplicate, 'this callback was already delivered');
    if (this.keys.size >= MAX_CALLBACK_WAKEUPS) {
      refuse(CALLBACK_REFUSALS.limit, 'enough callbacks were delivered; the polling cadence goes on');
    }
  }

  /** A provider call is about to ask: the callbacks accepted so far are answered by it. */
  asking(): void {
    this.answered = this.keys.size;
  }

  /**
   * Waits until a callback arrives that the latest provider call could not have seen, or `ms` pass
   * (a durable timer), whichever is first. One accepted while that call was in flight ends it at once.
   */
  async waitForNews(ms: number): Promise<void> {
    if (this.keys.size > this.answered && patched(EARLY_CALLBACK_PATCH)) return;
    const seen = this.keys.size;
    await CancellationScope.nonCancellable(() => condition(() => this.keys.size > seen, ms));
  }
}

/** Duplicates are recognised by the fields the provider signs (status, orderid, client_orderid) alone. */
function signedCallbackKey(callback: ProviderCallback): string {
  return JSON.stringify([callback.status, callback.orderId, callback.clientOrderId]);
}
