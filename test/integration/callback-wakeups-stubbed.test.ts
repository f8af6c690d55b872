/**
 * When a provider callback arrives relative to the CUWO's provider calls, on the real dev server with
 * stub activities that deliver the callback themselves (the exact race, scripted): a callback accepted
 * while a call was in flight is news the next wait must not sleep through; a callback the CUWO
 * already asked about after is not news, and must not make it ask in a loop (src/workflows/polling.ts).
 */
import { Context } from '@temporalio/activity';
import type { WorkflowHandle } from '@temporalio/client';
import { cuwoOutcome } from '../../src/client';
import {
  processingDataUpdate,
  providerCallbackUpdate,
  workflowIds,
  type GrantPayoutActivityInput,
  type PayoutStatusActivityInput,
  type PayoutStep,
  type PendingStep,
} from '../../src/contracts';
import { grantPayoutParams } from '../support/fixtures';
import { createHarness, uniqueId, type Harness } from '../support/harness';
import { waitFor } from '../support/payout-stack';
import { recordHistory } from '../support/record';
import { startStubWorker, type StubWorker } from '../support/stub-worker';

/** Longer than any test may wait: a CUWO that sleeps through its callback shows a started timer instead. */
const AN_HOUR = 3_600_000;

type Answer = { deliverCallback: boolean; step: PayoutStep };
const scripts = new Map<string, Answer[]>();
const statusCalls = new Map<string, number>();

const orderOf = (id: string) => ({ clientOrderId: `client-${id}`, orderId: `order-${id}` });
const pending = (id: string): PendingStep => ({
  status: 'PENDING',
  provider: 'stub',
  processingData: `pd-${id}`,
  pollAfterMs: AN_HOUR,
  order: orderOf(id),
});
const paid = (id: string): PayoutStep => ({
  status: 'PAID',
  provider: 'stub',
  reference: `order-${id}`,
  processedAmount: { amount: '25.00', currency: 'EUR' },
  processingData: `pd-paid-${id}`,
});

let harness: Harness;
let worker: StubWorker;

/** What a provider activity does: report its order to its CUWO, maybe hear the provider's callback first, answer. */
async function answer(id: string): Promise<PayoutStep> {
  const next = scripts.get(id)?.shift();
  if (!next) throw new Error(`no scripted answer left for ${id}`);
  const handle = harness.client.workflow.getHandle(Context.current().info.workflowExecution!.workflowId);
  await handle.executeUpdate(processingDataUpdate, {
    args: [{ provider: 'stub', processingData: `pd-${id}`, moneyMayHaveMoved: true, stage: 'PROCESSING', order: orderOf(id) }],
  });
  if (next.deliverCallback) {
    const order = orderOf(id);
    await handle.executeUpdate(providerCallbackUpdate, { args: [{ provider: 'stub', status: 'approved', type: 'payout', ...order }] });
  }
  return next.step;
}

const activities = {
  grantPayout: (input: GrantPayoutActivityInput) => answer(input.payoutRequestID),
  payoutStatus: (input: PayoutStatusActivityInput) => {
    statusCalls.set(input.payoutRequestID, (statusCalls.get(input.payoutRequestID) ?? 0) + 1);
    return answer(input.payoutRequestID);
  },
};

beforeAll(async () => {
  harness = await createHarness();
  worker = await startStubWorker(harness.taskQueue, activities);
});
afterAll(async () => {
  await worker?.stop();
  await harness?.close();
});

type HistoryEvent = Record<string, unknown>;
const events = async (handle: WorkflowHandle) => (await handle.fetchHistory()).events as unknown as HistoryEvent[];
const has = (list: HistoryEvent[], attribute: string) => list.some((e) => e[attribute] !== undefined && e[attribute] !== null);

async function start(id: string): Promise<WorkflowHandle> {
  const params = grantPayoutParams(id, { paymentMethodConfiguration: { paymentMethodID: 'pm-stub', accountName: 'stub' } });
  return harness.client.workflow.start('GrantPayout', {
    workflowId: workflowIds.grantPayout(id),
    taskQueue: harness.taskQueue,
    args: [params],
  });
}

/** Until the CUWO either ended or started a timer (the second means it sleeps: an hour here). */
async function endOrSleep(handle: WorkflowHandle): Promise<HistoryEvent[]> {
  let list: HistoryEvent[] = [];
  await waitFor(async () => {
    list = await events(handle);
    return has(list, 'workflowExecutionCompletedEventAttributes') || has(list, 'timerStartedEventAttributes');
  }, 'the CUWO to end or to start a timer');
  return list;
}

test('a callback accepted while the payout request was in flight wakes the first wait at once', async () => {
  const id = uniqueId('wake-first');
  scripts.set(id, [
    { deliverCallback: true, step: pending(id) },
    { deliverCallback: false, step: paid(id) },
  ]);
  const handle = await start(id);
  const history = await endOrSleep(handle);
  expect(has(history, 'timerStartedEventAttributes')).toBe(false);
  expect(await cuwoOutcome(handle)).toMatchObject({ outcome: 'SUCCESS', result: { payoutReference: `order-${id}` } });
  expect(statusCalls.get(id)).toBe(1);
  await recordHistory('grant-payout-callback-during-payout-request-asks-at-once', handle);
});

test('a callback accepted while a status call was in flight makes the CUWO ask again at once', async () => {
  const id = uniqueId('wake-later');
  scripts.set(id, [
    { deliverCallback: false, step: pending(id) },
    { deliverCallback: true, step: pending(id) },
    { deliverCallback: false, step: paid(id) },
  ]);
  const handle = await start(id);
  // The payout request heard no callback, so the first wait sleeps; the test's callback wakes it, and the
  // provider's next callback arrives while the status call that follows is in flight.
  await waitFor(async () => has(await events(handle), 'timerStartedEventAttributes'), 'the first poll timer');
  await handle.executeUpdate(providerCallbackUpdate, {
    args: [{ provider: 'stub', status: 'processing', type: 'payout', ...orderOf(id) }],
  });
  let history: HistoryEvent[] = [];
  await waitFor(async () => {
    history = await events(handle);
    return has(history, 'workflowExecutionCompletedEventAttributes') || history.filter((e) => e.timerStartedEventAttributes).length > 1;
  }, 'the CUWO to end or to start a second timer');
  // One timer (the first wait, woken by the test's callback); the status call's callback needed none.
  expect(history.filter((e) => e.timerStartedEventAttributes).length).toBe(1);
  expect(await cuwoOutcome(handle)).toMatchObject({ outcome: 'SUCCESS' });
  expect(statusCalls.get(id)).toBe(2);
  await recordHistory('grant-payout-callback-during-status-call-asks-again-at-once', handle);
});

test('a callback the CUWO already asked about after is no news: the next wait sleeps, it does not ask in a loop', async () => {
  const id = uniqueId('no-loop');
  scripts.set(id, [
    { deliverCallback: true, step: pending(id) },
    { deliverCallback: false, step: pending(id) },
    { deliverCallback: false, step: paid(id) },
  ]);
  const handle = await start(id);
  await waitFor(async () => has(await events(handle), 'timerStartedEventAttributes'), 'a poll timer after the status answer');
  expect(statusCalls.get(id)).toBe(1);
  await handle.terminate('test done');
});
