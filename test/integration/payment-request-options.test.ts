/**
 * PaymentRequest's second argument (PaymentRequestOptions, src/contracts/payment-options.ts) started
 * without our client, which would have refused it: invalid options end the orchestrator like an
 * invalid request id, a non-retryable InvalidParameters failure naming the field, before any command
 * (no patch marker, no memo, no child). No activity runs, so the worker has none.
 */
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { paymentParams } from '../support/fixtures';
import { createHarness, uniqueId, type Harness } from '../support/harness';
import { startStubWorker, type StubWorker } from '../support/stub-worker';

let harness: Harness;
let worker: StubWorker;
beforeAll(async () => {
  harness = await createHarness();
  worker = await startStubWorker(harness.taskQueue, {});
});
afterAll(async () => {
  await worker?.stop();
  await harness?.close();
});

/** The kinds of events in the execution's history, in order. */
async function eventKinds(handle: WorkflowHandle): Promise<string[]> {
  const { events } = await handle.fetchHistory();
  return (events ?? []).flatMap((event) =>
    Object.entries(event)
      .filter(([key, value]) => key.endsWith('EventAttributes') && value != null)
      .map(([key]) => key.replace(/EventAttributes$/, '')),
  );
}

test.each([
  ['a completion timeout below one second', { completionTimeoutMs: 5 }, 'PaymentRequest options.completionTimeoutMs'],
  ['a capture flag that is not a boolean', { capture: 'yes' }, 'PaymentRequest options.capture'],
  ['an option PaymentRequest does not know', { captureLater: true }, 'PaymentRequest options'],
  ['a blank request id (for comparison)', undefined, 'paymentRequestID'],
])('%s: InvalidParameters naming the field, before any command', async (_name, options, field) => {
  const id = uniqueId('pr-options');
  const input = options === undefined ? paymentParams('   ') : paymentParams(id);
  const handle = await harness.client.workflow.start('PaymentRequest', {
    taskQueue: harness.taskQueue,
    workflowId: `payment-request-options:${id}`,
    args: options === undefined ? [input] : [input, options],
  });

  const failure = await handle.result().then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(failure).toBeInstanceOf(WorkflowFailedError);
  const cause = (failure as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  expect(cause).toMatchObject({ type: 'InvalidParameters', nonRetryable: true, message: expect.stringContaining(field) });
  expect(await eventKinds(handle)).toEqual([
    'workflowExecutionStarted',
    'workflowTaskScheduled',
    'workflowTaskStarted',
    'workflowTaskCompleted',
    'workflowExecutionFailed',
  ]);
});
