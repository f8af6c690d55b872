/**
 * A worker process is SIGKILLed while its activity waits for the provider's answer. A new worker
 * takes over after the heartbeat timeout, re-sends the same idempotent request and finishes the
 * payout: one disbursement, and the CUWO had the processing data before the crash.
 */
import { cuwoOutcome, cuwoState, startCuwo } from '../../src/client';
import { grantPayoutParams } from '../support/fixtures';
import { testEnv, uniqueId } from '../support/harness';
import { recordHistory } from '../support/record';
import { startPayoutStack, waitFor, type PayoutStack } from '../support/payout-stack';
import { spawnWorkerProcess, type WorkerProcess } from '../../src/dev/worker-process';

let stack: PayoutStack;
let doomed: WorkerProcess | undefined;
beforeAll(async () => {
  stack = await startPayoutStack({ startWorker: false });
});
afterAll(async () => {
  await doomed?.kill();
  await stack?.close();
});

test('worker SIGKILLed in the middle of the provider call: the payout completes on a new worker, once', async () => {
  const id = uniqueId('crash');
  const { address, bundlePath } = testEnv();
  doomed = await spawnWorkerProcess({
    address,
    taskQueue: stack.harness.taskQueue,
    accounts: stack.accounts,
    workflowBundlePath: bundlePath,
  });
  stack.sim.injectFault({ kind: 'latency', ms: 5_000 }); // the provider pays at once but answers late

  const { handle } = await startCuwo(stack.harness.client, 'GrantPayout', grantPayoutParams(id), { taskQueue: stack.harness.taskQueue });
  await waitFor(() => stack.ledgerFor(id).length === 1, 'the provider to disburse');
  const before = await cuwoState(handle);
  expect(before).toMatchObject({
    stage: 'SENDING',
    moneyMayHaveMoved: true,
    processingData: expect.stringContaining(`"requestId":"payout:${id}"`),
  });

  await doomed.kill();
  await stack.harness.startWorker(stack.accounts);

  const outcome = await cuwoOutcome(handle);
  const [disbursement] = stack.ledgerFor(id);
  expect(outcome).toMatchObject({ outcome: 'SUCCESS', result: { payoutReference: disbursement.paymentIntegratorTransactionId } });
  expect(stack.ledgerFor(id)).toHaveLength(1);
  expect(stack.requestsFor(id).length).toBe(2); // the lost attempt and the idempotent re-send
  const history = await handle.fetchHistory();
  const started = history.events!.find((e) => e.activityTaskStartedEventAttributes)!.activityTaskStartedEventAttributes!;
  expect(started.attempt).toBe(2);
  await recordHistory('grant-payout-worker-crash-resumed', handle);
});

test(
  'worker SIGKILLed after the payout was handed over, then a cancel request: ' +
    'the attempt is not retried, GrantPayout fails OUTCOME_UNKNOWN (not a defect) and CancelPayout flags it',
  async () => {
    const id = uniqueId('crash-cancel');
    const { address, bundlePath } = testEnv();
    const queue = `${stack.harness.taskQueue}-crash-cancel`; // only the victim polls it at first
    const victim = await spawnWorkerProcess({ address, taskQueue: queue, accounts: stack.accounts, workflowBundlePath: bundlePath });
    stack.sim.injectFault({ kind: 'latency', ms: 5_000 });
    const { handle } = await startCuwo(stack.harness.client, 'GrantPayout', grantPayoutParams(id), { taskQueue: queue });
    await waitFor(() => stack.ledgerFor(id).length === 1, 'the provider to disburse');
    await victim.kill();
    await handle.cancel(); // Temporal retries nothing after this: the lost attempt's outcome stays unknown
    await stack.harness.startWorker(stack.accounts, queue);
    const outcome = await cuwoOutcome(handle);
    expect(outcome).toMatchObject({ outcome: 'FAILURE', failure: { failureReason: 'OUTCOME_UNKNOWN' } });
    const compensation = stack.harness.client.workflow.getHandle(`cancel-payout:${id}`);
    expect(await cuwoOutcome(compensation)).toMatchObject({ outcome: 'FAILURE', failure: { failureReason: 'OUTCOME_UNKNOWN' } });
    expect((await compensation.describe()).searchAttributes).toMatchObject({ CuwoNeedsReconciliation: [true] });
    expect(stack.ledgerFor(id)).toHaveLength(1);
    expect(stack.requestsFor(id)).toHaveLength(1); // nothing re-sent under the cancel request
    await recordHistory('grant-payout-crashed-then-canceled-outcome-unknown', handle);
  },
);
