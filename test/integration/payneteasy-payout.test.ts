/**
 * GrantPayout / CancelPayout through Payneteasy on the real Temporal dev server, a real HTTP
 * simulator and the real callback receiver: polling, callbacks (first, lost, duplicate, forged),
 * the receiver's form, declines, CancelPayout in each state, and a worker killed while polling.
 */
import { cuwoStateQuery, providerCallbackUpdate } from '../../src/contracts';
import { cuwoOutcome, cuwoState, startCuwo } from '../../src/client';
import { workflowIds } from '../../src/contracts/ids';
import { CancelPayoutTypes, GrantPayoutTypes } from '../../src/contracts/payout';
import { control } from '../../src/activities/providers/payneteasy/protocol';
import { spawnWorkerProcess, type WorkerProcess } from '../../src/dev/worker-process';
import { grantPayoutParams } from '../support/fixtures';
import { testEnv, uniqueId } from '../support/harness';
import {
  PNE_ACCOUNT,
  PNE_CONTROL_KEY,
  PNE_REVERSIBLE_ACCOUNT,
  startPayneteasyStack,
  type PayneteasyStack,
} from '../support/payneteasy-stack';
import { waitFor } from '../support/payout-stack';
import { testSeal } from '../support/provider-context';
import { recordHistory } from '../support/record';

let stack: PayneteasyStack;
beforeAll(async () => {
  stack = await startPayneteasyStack();
});
afterAll(() => stack?.close());
afterEach(() => stack.sim.setCallbackMode('deliver'));

const params = (id: string, options: { card?: string | null; account?: string; amount?: string } = {}) =>
  grantPayoutParams(id, {
    requestedAmount: { amount: options.amount ?? '25.00', currency: 'EUR' },
    customerIdentifiers: options.card === null ? [] : [{ identifierType: 'CARD_REFERENCE', identifier: options.card ?? `approve-${id}` }],
    paymentMethodConfiguration: { paymentMethodID: 'pm-pne', accountName: options.account ?? PNE_ACCOUNT },
  });

async function start(p: ReturnType<typeof params>) {
  const { handle } = await startCuwo(stack.harness.client, 'GrantPayout', p, { taskQueue: stack.harness.taskQueue });
  return handle;
}

type HistoryEvent = Record<string, unknown> & { eventType?: unknown };
async function events(workflowId: string): Promise<HistoryEvent[]> {
  const history = await stack.harness.client.workflow.getHandle(workflowId).fetchHistory();
  return history.events as unknown as HistoryEvent[];
}
const count = (list: HistoryEvent[], attribute: string, predicate: (attrs: Record<string, unknown>) => boolean = () => true) =>
  list.filter((e) => e[attribute] && predicate(e[attribute] as Record<string, unknown>)).length;
/** Callbacks the CUWO accepted: delivered by update (providerCallbackUpdate); refused ones leave no event. */
const callbacksAccepted = (list: HistoryEvent[]) =>
  count(
    list,
    'workflowExecutionUpdateAcceptedEventAttributes',
    (a) => (a as { acceptedRequest?: { input?: { name?: string } } }).acceptedRequest?.input?.name === providerCallbackUpdate.name,
  );

test('approved, learned by polling while callbacks are lost', async () => {
  stack.sim.setCallbackMode('drop');
  const id = uniqueId('pne-poll');
  const handle = await start(params(id));
  const outcome = await cuwoOutcome(handle);
  const order = stack.orderFor(id)!;
  expect(outcome).toEqual({
    outcome: 'SUCCESS',
    workflowId: expect.any(String),
    result: {
      '@type': GrantPayoutTypes.result,
      processedAmount: { amount: '25.00', currency: 'EUR' },
      payoutReference: order.orderId,
      payoutProcessingData: expect.any(String),
    },
  });
  expect(JSON.parse((outcome as { result: { payoutProcessingData: string } }).result.payoutProcessingData).record).toMatchObject({
    provider: 'payneteasy',
    clientOrderId: `payout:${id}`,
    orderId: order.orderId,
    stage: 'APPROVED',
  });
  const history = await events(handle.workflowId);
  expect(count(history, 'timerFiredEventAttributes')).toBeGreaterThanOrEqual(1);
  expect(callbacksAccepted(history)).toBe(0);
  expect(stack.sim.ledger().filter((l) => l.clientOrderId === `payout:${id}`)).toEqual([
    expect.objectContaining({ paidMinor: '2500', reversedMinor: '0' }),
  ]);
  await recordHistory('payneteasy-grant-payout-approved-by-polling', handle);
});

test('approved, learned from the callback before the first poll', async () => {
  const slow = await startPayneteasyStack({ processingMs: 100, fastIntervalMs: 60_000 });
  try {
    const id = uniqueId('pne-callback');
    const { handle } = await startCuwo(slow.harness.client, 'GrantPayout', params(id), { taskQueue: slow.harness.taskQueue });
    expect(await cuwoOutcome(handle)).toMatchObject({ outcome: 'SUCCESS' });
    const history = (await handle.fetchHistory()).events as unknown as HistoryEvent[];
    // The 60 s poll timer never fired: the callback woke the CUWO, which then asked the provider once.
    expect(count(history, 'timerFiredEventAttributes')).toBe(0);
    expect(callbacksAccepted(history)).toBe(1);
    expect(
      count(
        history,
        'activityTaskScheduledEventAttributes',
        (a) => (a as { activityType?: { name?: string } }).activityType?.name === 'payoutStatus',
      ),
    ).toBe(1);
    expect(
      slow.sim
        .callbacks()
        .filter((c) => c.query.client_orderid === `payout:${id}`)
        .map((c) => c.httpStatus),
    ).toEqual([200]);
    await recordHistory('payneteasy-grant-payout-approved-by-callback', handle);
  } finally {
    await slow.close();
  }
});

test('duplicate callbacks: both answered 200, one payout, the duplicate changes nothing', async () => {
  stack.sim.setCallbackMode('duplicate');
  const id = uniqueId('pne-dup');
  const handle = await start(params(id));
  expect(await cuwoOutcome(handle)).toMatchObject({ outcome: 'SUCCESS' });
  await waitFor(() => stack.sim.callbacks().filter((c) => c.query.client_orderid === `payout:${id}`).length === 2, 'both callbacks');
  expect(
    stack.sim
      .callbacks()
      .filter((c) => c.query.client_orderid === `payout:${id}`)
      .map((c) => c.httpStatus),
  ).toEqual([200, 200]);
  expect(stack.sim.ledger().filter((l) => l.clientOrderId === `payout:${id}`)).toHaveLength(1);
});

describe('the callback receiver', () => {
  const callbackUrl = (workflowId: string, query: Record<string, string>) =>
    `${stack.receiver.callbackUrlFor(PNE_ACCOUNT)}/${encodeURIComponent(workflowId)}?${new URLSearchParams(query)}`;

  test('rejects forged (403) and malformed (400) callbacks and hands nothing to the workflow', async () => {
    const id = uniqueId('pne-forged');
    stack.sim.setCallbackMode('drop');
    const handle = await start(params(id, { card: null })); // waits for the receiver's form: stays open
    await waitFor(async () => Boolean((await cuwoState(handle))?.redirectUrl), 'the form URL');
    const order = stack.orderFor(id)!;
    const genuine = {
      status: 'approved',
      orderid: order.orderId,
      client_orderid: order.clientOrderId,
      merchant_order: order.clientOrderId,
      type: 'payout',
    };
    const forged = await fetch(
      callbackUrl(handle.workflowId, { ...genuine, control: control('approved', order.orderId, order.clientOrderId, 'wrong-key') }),
    );
    expect(forged.status).toBe(403);
    const malformed = await fetch(callbackUrl(handle.workflowId, { status: 'approved', control: 'abc' }));
    expect(malformed.status).toBe(400);
    expect(await malformed.text()).toContain('orderid, client_orderid');
    const unknownAccount = await fetch(`${stack.receiver.url}/callbacks/payneteasy/nope/${encodeURIComponent(handle.workflowId)}`);
    expect(unknownAccount.status).toBe(404);
    expect(callbacksAccepted(await events(handle.workflowId))).toBe(0);
    await handle.terminate('test cleanup');
  });

  test('answers 200 to a valid callback about a payout that already finished', async () => {
    const id = uniqueId('pne-late');
    const handle = await start(params(id));
    await cuwoOutcome(handle);
    const order = stack.orderFor(id)!;
    const query = {
      status: 'approved',
      orderid: order.orderId,
      client_orderid: order.clientOrderId,
      type: 'payout',
      control: control('approved', order.orderId, order.clientOrderId, PNE_CONTROL_KEY),
    };
    const late = await fetch(callbackUrl(handle.workflowId, query));
    expect(late.status).toBe(200);
  });
});

describe("the receiver's form (docs/spec/payneteasy-server-to-server-payout.txt, steps 5-9)", () => {
  test('filled: the CUWO exposes the redirect URL at once, keeps waiting, then succeeds', async () => {
    const id = uniqueId('pne-form');
    const handle = await start(params(id, { card: null }));
    await waitFor(async () => (await cuwoState(handle))?.stage === 'WAITING_FOR_RECEIVER', 'the form to be exposed');
    const state = await cuwoState(handle);
    const order = stack.orderFor(id)!;
    expect(state?.redirectUrl).toBe(`${stack.sim.url}/paynet/form/${order.orderId}`);
    expect(await handle.query(cuwoStateQuery)).toMatchObject({ redirectUrl: state!.redirectUrl });
    stack.sim.completeForm(order.orderId);
    expect(await cuwoOutcome(handle)).toMatchObject({ outcome: 'SUCCESS', result: { payoutReference: order.orderId } });
    expect(await cuwoState(handle)).toMatchObject({ stage: 'SUCCESS' });
    expect((await cuwoState(handle))?.redirectUrl).toBeUndefined(); // no form waits any more
    await recordHistory('payneteasy-grant-payout-form-filled', handle);
  });

  test('never filled: the provider confirms nothing was paid, so the CUWO ends canceled', async () => {
    const quick = await startPayneteasyStack({ formTtlMs: 1_500 });
    try {
      const id = uniqueId('pne-noform');
      const { handle } = await startCuwo(quick.harness.client, 'GrantPayout', params(id, { card: null }), {
        taskQueue: quick.harness.taskQueue,
      });
      expect(await cuwoOutcome(handle)).toEqual({
        outcome: 'CANCELED',
        workflowId: expect.any(String),
        cancelation: { '@type': GrantPayoutTypes.cancelation, cancelationReason: 'RECEIVER_DID_NOT_CONFIRM' },
      });
      expect((await handle.describe()).searchAttributes).toMatchObject({ CuwoOutcome: ['CANCELED'] });
      expect(quick.sim.ledger().filter((l) => l.clientOrderId === `payout:${id}` && l.paidMinor !== '0')).toHaveLength(0);
      await recordHistory('payneteasy-grant-payout-form-never-filled', handle);
    } finally {
      await quick.close();
    }
  });
});

test.each([
  ['decline', 'DECLINED', 'DECLINED'],
  ['error', 'PROVIDER_ERROR', 'PROCESSING_ERROR'],
  ['filtered', 'FILTERED', 'FRAUD_FILTER'],
])('%s -> Failure %s with the provider code, nothing paid, no compensation', async (scenario, reason, code) => {
  const id = uniqueId(`pne-${scenario}`);
  const handle = await start(params(id, { card: `${scenario}-${id}` }));
  const outcome = await cuwoOutcome(handle);
  expect(outcome).toMatchObject({
    outcome: 'FAILURE',
    failure: { '@type': GrantPayoutTypes.failure, failureReason: reason, failureCode: code },
  });
  const status = await stack.harness.client.workflow
    .getHandle(workflowIds.cancelPayout(id))
    .describe()
    .then(
      () => 'exists',
      () => 'absent',
    );
  expect(status).toBe('absent');
  await recordHistory(`payneteasy-grant-payout-${scenario}`, handle);
});

test('a wrong private key: the provider refuses the signature -> CONFIGURATION_ERROR, no order', async () => {
  const { generateKeyPairSync } = await import('node:crypto');
  const wrongKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const queue = `${stack.harness.taskQueue}-wrongkey`;
  const worker = await stack.harness.startWorker(
    { [PNE_ACCOUNT]: { ...(stack.accounts[PNE_ACCOUNT] as object), privateKeyPem: wrongKey } as never },
    queue,
  );
  try {
    const id = uniqueId('pne-wrongkey');
    const { handle } = await startCuwo(stack.harness.client, 'GrantPayout', params(id), { taskQueue: queue });
    expect(await cuwoOutcome(handle)).toMatchObject({
      outcome: 'FAILURE',
      failure: { failureReason: 'CONFIGURATION_ERROR', failureCode: 'OAUTH_INVALID' },
    });
    expect(stack.orderFor(id)).toBeUndefined();
  } finally {
    await worker.stop();
  }
});

describe('CancelPayout through Payneteasy', () => {
  const cancel = async (branch: string, id: string, payoutProcessingData?: string) => {
    const { handle } = await startCuwo(
      stack.harness.client,
      'CancelPayout',
      { '@type': CancelPayoutTypes.parameters, payoutRequestID: id, payoutProcessingData },
      { taskQueue: stack.harness.taskQueue },
    );
    const outcome = await cuwoOutcome(handle);
    await recordHistory(branch, handle);
    return outcome;
  };
  const grantOutcome = async (p: ReturnType<typeof params>) =>
    cuwoOutcome<{ payoutProcessingData: string }, { payoutProcessingData: string }>(await start(p));

  test('approved on an endpoint without reversal: Failure NOT_REVERSIBLE, reconciliation data', async () => {
    const id = uniqueId('pne-cp-paid');
    const grant = await grantOutcome(params(id));
    if (grant.outcome !== 'SUCCESS') throw new Error('setup failed');
    const outcome = await cancel('payneteasy-cancel-payout-not-reversible', id, grant.result.payoutProcessingData);
    expect(outcome).toMatchObject({ outcome: 'FAILURE', failure: { failureReason: 'NOT_REVERSIBLE' } });
    expect((outcome as { message: string }).message).toMatch(/25\.00 EUR.*reconcile by hand/);
  });

  test('approved on an endpoint with reversal: reversed through `return`, success', async () => {
    const id = uniqueId('pne-cp-return');
    const grant = await grantOutcome(params(id, { account: PNE_REVERSIBLE_ACCOUNT }));
    if (grant.outcome !== 'SUCCESS') throw new Error('setup failed');
    const outcome = await cancel('payneteasy-cancel-payout-reversed', id, grant.result.payoutProcessingData);
    expect(outcome).toMatchObject({ outcome: 'SUCCESS', result: { '@type': CancelPayoutTypes.result } });
    expect(JSON.parse((outcome as { result: { payoutProcessingData: string } }).result.payoutProcessingData).record).toMatchObject({
      stage: 'RETURNED',
    });
    expect(stack.sim.ledger().find((l) => l.clientOrderId === `payout:${id}`)).toMatchObject({ paidMinor: '2500', reversedMinor: '2500' });
  });

  test('declined payout: nothing to revert, success without calling return', async () => {
    const id = uniqueId('pne-cp-declined');
    const grant = await grantOutcome(params(id, { card: `decline-${id}` }));
    if (grant.outcome !== 'FAILURE') throw new Error('setup failed');
    expect(await cancel('payneteasy-cancel-payout-declined', id, grant.failure.payoutProcessingData)).toMatchObject({ outcome: 'SUCCESS' });
  });

  test('still processing: it resolves the final status first (here: approved via the form, then not reversible)', async () => {
    const id = uniqueId('pne-cp-processing');
    const handle = await start(params(id, { card: null }));
    await waitFor(async () => (await cuwoState(handle))?.stage === 'WAITING_FOR_RECEIVER', 'the form');
    const processing = (await cuwoState(handle))!.processingData!;
    const { handle: cancelHandle } = await startCuwo(
      stack.harness.client,
      'CancelPayout',
      { '@type': CancelPayoutTypes.parameters, payoutRequestID: id, payoutProcessingData: processing },
      { taskQueue: `${stack.harness.taskQueue}` },
    );
    await waitFor(async () => (await cuwoState(cancelHandle))?.stage === 'RESOLVING', 'CancelPayout to wait for the final status');
    stack.sim.completeForm(stack.orderFor(id)!.orderId);
    expect(await cuwoOutcome(cancelHandle)).toMatchObject({ outcome: 'FAILURE', failure: { failureReason: 'NOT_REVERSIBLE' } });
    await cuwoOutcome(handle);
  });

  const payoutRecord = (id: string, stage: string) => ({
    v: 1,
    provider: 'payneteasy',
    account: PNE_ACCOUNT,
    clientOrderId: `payout:${id}`,
    amount: { amount: '25.00', currency: 'EUR' },
    destination: `approve-${id}`,
    stage,
    sentAt: new Date().toISOString(),
  });

  test('the payout request provably never left (NOT_SENT: connection refused): success, and no payout is sent', async () => {
    const id = uniqueId('pne-cp-notsent');
    expect(
      await cancel('payneteasy-cancel-payout-not-sent', id, testSeal().seal(`payout:${id}`, payoutRecord(id, 'NOT_SENT'))),
    ).toMatchObject({ outcome: 'SUCCESS' });
    expect(stack.orderFor(id)).toBeUndefined();
  });

  test(
    'the payout request may still be on its way (SENDING, no order yet): ' +
      'CancelPayout keeps asking, then fails OUTCOME_UNKNOWN flagged; no payout is sent',
    async () => {
      const id = uniqueId('pne-cp-sending');
      const queue = `${stack.harness.taskQueue}-window`;
      const worker = await stack.harness.startWorker(
        { [PNE_ACCOUNT]: { ...(stack.accounts[PNE_ACCOUNT] as object), unknownOutcomeWindowMs: 2_000 } as never },
        queue,
      );
      try {
        const { handle } = await startCuwo(
          stack.harness.client,
          'CancelPayout',
          {
            '@type': CancelPayoutTypes.parameters,
            payoutRequestID: id,
            payoutProcessingData: testSeal().seal(`payout:${id}`, payoutRecord(id, 'SENDING')),
          },
          { taskQueue: queue },
        );
        await waitFor(
          async () => (await cuwoState(handle))?.stage === 'OUTCOME_UNKNOWN',
          'CancelPayout to keep asking while the outcome is unknown',
        );
        const outcome = await cuwoOutcome(handle);
        expect(outcome).toMatchObject({ outcome: 'FAILURE', failure: { failureReason: 'OUTCOME_UNKNOWN' } });
        expect((outcome as { message: string }).message).toContain(`payout:${id}`);
        expect((await handle.describe()).searchAttributes).toMatchObject({ CuwoNeedsReconciliation: [true] });
        expect(stack.orderFor(id)).toBeUndefined();
        await recordHistory('payneteasy-cancel-payout-sending-outcome-unknown', handle);
      } finally {
        await worker.stop();
      }
    },
  );
});

describe('worker killed while polling', () => {
  let doomed: WorkerProcess | undefined;
  afterAll(() => doomed?.kill());

  test('SIGKILL while the CUWO polls: a new worker resumes polling the same order; one payout', async () => {
    const slow = await startPayneteasyStack({ processingMs: 6_000, startWorker: false });
    try {
      slow.sim.setCallbackMode('drop');
      const { address, bundlePath } = testEnv();
      doomed = await spawnWorkerProcess({
        address,
        taskQueue: slow.harness.taskQueue,
        accounts: slow.accounts,
        workflowBundlePath: bundlePath,
      });
      const id = uniqueId('pne-crash');
      const { handle } = await startCuwo(slow.harness.client, 'GrantPayout', params(id), { taskQueue: slow.harness.taskQueue });
      await waitFor(async () => (await cuwoState(handle))?.stage === 'PROCESSING', 'the order to exist');
      await doomed.kill();
      await slow.harness.startWorker(slow.accounts);
      const outcome = await cuwoOutcome(handle);
      expect(outcome).toMatchObject({ outcome: 'SUCCESS' });
      expect(slow.sim.orders().filter((o) => o.clientOrderId === `payout:${id}`)).toHaveLength(1);
      expect(slow.sim.ledger().filter((l) => l.clientOrderId === `payout:${id}`)).toEqual([expect.objectContaining({ paidMinor: '2500' })]);
    } finally {
      await slow.close();
    }
  });
});
