/**
 * Provider events after the CUWO ended, and the reconciler (docs/reconciliation.md), on the real
 * Temporal dev server with the Payneteasy and disburseFunds simulators. Every Reconcile run here is
 * scoped to its stack's task queue, so other test files' flagged requests are never touched.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { startCuwo, cuwoOutcome, cuwoState } from '../../src/client';
import { PROVIDER_EVENTS_MEMO_KEY, providerEventsQuery, workflowIds, type ProviderEventsState } from '../../src/contracts';
import { ensureReconcilerSchedule } from '../../src/reconciler';
import type { ReconcileSummary } from '../../src/workflows/reconcile';
import { BEARER_TOKEN, INTEGRATOR_ACCOUNT_ID, grantPayoutParams } from '../support/fixtures';
import { uniqueId } from '../support/harness';
import { PNE_ACCOUNT, PNE_REVERSIBLE_ACCOUNT, startPayneteasyStack, type PayneteasyStack } from '../support/payneteasy-stack';
import { startPayoutStack, waitFor, type PayoutStack } from '../support/payout-stack';
import { recordHistory } from '../support/record';

let stack: PayneteasyStack;
beforeAll(async () => {
  stack = await startPayneteasyStack();
});
afterAll(() => stack?.close());

const params = (id: string, options: { card?: string | null; account?: string }) =>
  grantPayoutParams(id, {
    requestedAmount: { amount: '25.00', currency: 'EUR' },
    customerIdentifiers: options.card === null ? [] : [{ identifierType: 'CARD_REFERENCE', identifier: options.card ?? `approve-${id}` }],
    paymentMethodConfiguration: { paymentMethodID: 'pm-pne', accountName: options.account ?? PNE_ACCOUNT },
  });

async function caseState(handle: WorkflowHandle): Promise<{ status: string; flagged?: boolean; state?: ProviderEventsState }> {
  const d = await handle.describe().catch(() => undefined);
  if (!d) return { status: 'NOT_FOUND' };
  const flagged = (d.searchAttributes as Record<string, unknown[] | undefined>).CuwoNeedsReconciliation?.[0] as boolean | undefined;
  return { status: d.status.name, flagged, state: d.memo?.[PROVIDER_EVENTS_MEMO_KEY] as ProviderEventsState | undefined };
}

async function reconcile(
  client: PayneteasyStack['harness']['client'],
  taskQueue: string,
): Promise<{ summary: ReconcileSummary; handle: WorkflowHandle }> {
  const handle = await client.workflow.start('Reconcile', { workflowId: uniqueId('reconcile'), taskQueue, args: [{ taskQueue }] });
  return { summary: (await handle.result()) as ReconcileSummary, handle };
}

test('late reversal after success: the chargeback sent to notify_url is recorded, flagged, and shown by cuwo reconcile', async () => {
  const id = uniqueId('late-chargeback');
  const { handle } = await startCuwo(stack.harness.client, 'GrantPayout', params(id, {}), { taskQueue: stack.harness.taskQueue });
  expect(await cuwoOutcome(handle)).toMatchObject({ outcome: 'SUCCESS' });
  const order = stack.orderFor(id)!;
  const response = await fetch(`${stack.sim.url}/_sim/orders/${order.orderId}/late-event`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'chargeback' }),
  });
  expect(await response.json()).toMatchObject({ notified: true });

  const events = stack.harness.client.workflow.getHandle(workflowIds.providerEvents(handle.workflowId));
  await waitFor(async () => (await caseState(events)).flagged === true, 'the chargeback to flag the request');
  const { state } = await caseState(events);
  expect(state).toMatchObject({
    cuwoWorkflowId: handle.workflowId,
    needsReconciliation: true,
    recorded: { status: 'COMPLETED', outcome: 'SUCCESS' },
    events: [expect.objectContaining({ type: 'chargeback', status: 'approved', verdict: 'CONTRADICTS', orderId: order.orderId })],
  });
  expect(state!.reason).toMatch(/chargeback approved after GrantPayout ended SUCCESS/);
  const notifyCallback = stack.sim.callbacks().find((c) => c.query.type === 'chargeback' && c.query.orderid === order.orderId);
  expect(notifyCallback).toMatchObject({ httpStatus: 200 });

  // The reconciler asks the provider: approved, then reversed; SUCCESS was recorded, so a person must look.
  const { summary } = await reconcile(stack.harness.client, stack.harness.taskQueue);
  expect(summary.items.find((i) => i.cuwoWorkflowId === handle.workflowId)).toMatchObject({
    action: 'LEFT_TO_PERSON',
    answer: expect.stringMatching(/^REVERSED/),
    changed: true,
  });
  await waitFor(async () => (await events.query(providerEventsQuery)).findings.length === 1, 'the finding on the case');

  // What `cuwo reconcile` prints: the case with its age, reason, events and the provider's last answer.
  const { reconciliationEntries } = await import('../../src/cli');
  type Entries = Awaited<ReturnType<typeof reconciliationEntries>>;
  let entry: Entries[number] | undefined;
  await waitFor(async () => {
    entry = (await reconciliationEntries(stack.harness.client)).find((e) => e.workflowId === events.workflowId);
    return Boolean(entry?.case?.lastAnswer);
  }, 'the case in cuwo reconcile');
  expect(entry).toMatchObject({
    type: 'ProviderEvents',
    requestId: id,
    case: { age: expect.stringMatching(/^\d+/), events: [expect.stringContaining('chargeback approved (CONTRADICTS)')] },
  });
  expect(entry!.case!.lastAnswer).toMatch(/REVERSED: .* -> LEFT_TO_PERSON/);

  await events.terminate('test done: a person would reconcile it');
  await recordHistory('provider-events-late-chargeback-flagged', events);
});

test('late approval after a terminated GrantPayout: recorded, flagged, resolved by the reconciler with exactly one CancelPayout', async () => {
  const id = uniqueId('late-approval');
  const client = stack.harness.client;
  const { handle } = await startCuwo(client, 'GrantPayout', params(id, { card: null, account: PNE_REVERSIBLE_ACCOUNT }), {
    taskQueue: stack.harness.taskQueue,
  });
  await waitFor(async () => (await cuwoState(handle))?.stage === 'WAITING_FOR_RECEIVER', 'the receiver form');
  await handle.terminate('operator terminated the payout mid-way');
  const order = stack.orderFor(id)!;
  stack.sim.completeForm(order.orderId); // the receiver fills the form anyway: the provider pays out later

  const events = client.workflow.getHandle(workflowIds.providerEvents(handle.workflowId));
  await waitFor(async () => (await caseState(events)).flagged === true, 'the late approval to flag the request');
  expect((await caseState(events)).state).toMatchObject({
    recorded: { status: 'TERMINATED' },
    events: [expect.objectContaining({ type: 'payout', status: 'approved', verdict: 'CONTRADICTS' })],
  });
  expect(stack.sim.ledger(`payout:${id}`)).toEqual([expect.objectContaining({ paidMinor: '2500', reversedMinor: '0' })]);

  const first = await reconcile(client, stack.harness.taskQueue);
  expect(first.summary.items).toEqual([
    expect.objectContaining({
      cuwoWorkflowId: handle.workflowId,
      action: 'COMPENSATE',
      compensationWorkflowId: workflowIds.cancelPayout(id),
      compensationStarted: true,
    }),
  ]);
  const compensation = client.workflow.getHandle(workflowIds.cancelPayout(id));
  expect(await cuwoOutcome(compensation)).toMatchObject({ outcome: 'SUCCESS' });
  await waitFor(async () => (await caseState(events)).status === 'COMPLETED', 'the case to settle and close');
  const settled = await caseState(events);
  expect(settled).toMatchObject({ flagged: false, state: { needsReconciliation: false, resolvedAt: expect.any(String) } });
  expect(settled.state!.findings.map((f) => f.action)).toEqual(['COMPENSATE', 'CLEAR']);
  expect(stack.sim.ledger(`payout:${id}`)).toEqual([expect.objectContaining({ paidMinor: '2500', reversedMinor: '2500' })]);

  // A second run finds nothing to do for this request: no second CancelPayout, the case stays closed.
  const second = await reconcile(client, stack.harness.taskQueue);
  expect(second.summary.items.filter((i) => i.cuwoWorkflowId === handle.workflowId)).toEqual([]);
  const compensations = [];
  for await (const info of client.workflow.list({ query: `WorkflowId = '${workflowIds.cancelPayout(id)}'` })) compensations.push(info);
  expect(compensations).toHaveLength(1);
  expect((await caseState(events)).status).toBe('COMPLETED');
  await recordHistory('provider-events-late-approval-compensated-cleared', events);
  await recordHistory('reconcile-started-cancel-payout', first.handle);
});

describe('disburseFunds', () => {
  let payouts: PayoutStack;
  beforeAll(async () => {
    payouts = await startPayoutStack();
  });
  afterAll(() => payouts?.close());

  test('a flagged request is left to a person with the reason, and a second Reconcile run changes nothing', async () => {
    const id = uniqueId('reconcile-upi');
    // Another execution used this request's key: the CUWO fails DUPLICATE_REQUEST, flagged.
    await fetch(`${payouts.sim.url}/v1/disburseFunds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${BEARER_TOKEN}` },
      body: JSON.stringify({
        requestHeader: {
          protocolVersion: { major: 1, minor: 0, revision: 0 },
          requestId: `payout:${id}`,
          requestTimestamp: String(Date.now()),
        },
        paymentIntegratorAccountId: INTEGRATOR_ACCOUNT_ID,
        transactionDescription: 'another execution',
        currencyCode: 'EUR',
        amount: '7770000',
        upiDetails: { vpa: 'asha@okbank' },
      }),
    }).then((r) => r.text());
    const { handle } = await startCuwo(payouts.harness.client, 'GrantPayout', grantPayoutParams(id), {
      taskQueue: payouts.harness.taskQueue,
    });
    expect(await cuwoOutcome(handle)).toMatchObject({ outcome: 'FAILURE', failure: { failureReason: 'DUPLICATE_REQUEST' } });

    const client = payouts.harness.client;
    let first: Awaited<ReturnType<typeof reconcile>> | undefined;
    await waitFor(async () => {
      first = await reconcile(client, payouts.harness.taskQueue); // visibility is eventually consistent
      return first.summary.items.length > 0;
    }, 'the flagged request in a Reconcile run');
    expect(first!.summary.items).toEqual([
      expect.objectContaining({ cuwoWorkflowId: handle.workflowId, action: 'LEFT_TO_PERSON', changed: true }),
    ]);
    expect(first!.summary.items[0].reason).toMatch(/disburse-funds offers no status query|no payout processing data/);
    const events = client.workflow.getHandle(workflowIds.providerEvents(handle.workflowId));
    await waitFor(async () => (await caseState(events)).state?.findings.length === 1, 'the finding on the case');
    expect(await caseState(events)).toMatchObject({
      status: 'RUNNING',
      flagged: true,
      state: { reason: expect.stringContaining('cannot be asked') },
    });
    const historyBefore = (await events.fetchHistory()).events?.length;

    let second: Awaited<ReturnType<typeof reconcile>> | undefined;
    await waitFor(async () => {
      second = await reconcile(client, payouts.harness.taskQueue);
      return second.summary.items.some((i) => i.caseWorkflowId === events.workflowId);
    }, 'the open case in the second run');
    expect(second!.summary.items).toEqual([
      expect.objectContaining({ cuwoWorkflowId: handle.workflowId, action: 'LEFT_TO_PERSON', changed: false }),
    ]);
    expect((await events.fetchHistory()).events?.length).toBe(historyBefore);

    await recordHistory('reconcile-disburse-funds-left-to-person', first!.handle);
    await recordHistory('reconcile-second-run-changes-nothing', second!.handle);
    await events.terminate('test done');
  });

  test('cuwo reconciler: the schedule is created once, updated on a second call, and its run reconciles', async () => {
    const scheduleId = uniqueId('reconciler');
    const options = { taskQueue: payouts.harness.taskQueue, scopeTaskQueue: payouts.harness.taskQueue, scheduleId };
    expect(await ensureReconcilerSchedule(payouts.harness.client, { ...options, every: '1h' })).toBe('created');
    expect(await ensureReconcilerSchedule(payouts.harness.client, { ...options, every: '2h' })).toBe('updated');
    const schedule = payouts.harness.client.schedule.getHandle(scheduleId);
    try {
      const description = await schedule.describe();
      expect(description.spec.intervals).toEqual([expect.objectContaining({ every: 2 * 3600_000 })]);
      await schedule.trigger();
      await waitFor(async () => (await schedule.describe()).info.recentActions.length > 0, 'the triggered Reconcile run');
      const run = (await schedule.describe()).info.recentActions[0].action.workflow;
      const result = (await payouts.harness.client.workflow
        .getHandle(run.workflowId, run.firstExecutionRunId)
        .result()) as ReconcileSummary;
      expect(result.runAt).toEqual(expect.any(String));
    } finally {
      await schedule.delete();
    }
  });
});
