/**
 * CancelPayout and CancelPayment with stub activities, on the real dev server: the provider steps are
 * scripted exactly (PENDING, then an answer or a defect), so the test pins what the compensation makes
 * of them: the spec's Result or Failure structure, the processing data it carries, and the
 * CuwoNeedsReconciliation flag (docs/enfore-cuwo.md; docs/spec/cancel-payment.txt).
 */
import { ApplicationFailure } from '@temporalio/common';
import type { WorkflowHandle } from '@temporalio/client';
import { cuwoOutcome, cuwoState } from '../../src/client';
import {
  CancelPaymentTypes,
  CancelPayoutTypes,
  workflowIds,
  type CancelPaymentStep,
  type CancelPayoutActivityInput,
  type CancelPayoutStep,
  type FollowUpPaymentActivityInput,
  type PendingStep,
} from '../../src/contracts';
import { createHarness, uniqueId, type Harness } from '../support/harness';
import { startStubWorker, type StubWorker } from '../support/stub-worker';

/** What the stub answers, call by call, per request id: a step, or an error it throws. */
type Step = CancelPayoutStep | CancelPaymentStep;
const scripts = new Map<string, Array<Step | Error>>();
const calls = new Map<string, Array<{ reference?: string; processingData?: string }>>();

async function answer(requestId: string, call: { reference?: string; processingData?: string }): Promise<Step> {
  calls.set(requestId, [...(calls.get(requestId) ?? []), call]);
  const next = scripts.get(requestId)?.shift();
  if (next === undefined) throw ApplicationFailure.nonRetryable(`no scripted answer left for ${requestId}`, 'TestScriptExhausted');
  if (next instanceof Error) throw next;
  return next;
}

/** The two activities CancelPayout and CancelPayment call; nothing else runs on this worker. */
const activities = {
  cancelPayout: (input: CancelPayoutActivityInput) =>
    answer(input.payoutRequestID, { reference: input.payoutReference, processingData: input.processingData }),
  cancelPayment: (input: FollowUpPaymentActivityInput) =>
    answer(input.paymentRequestID, { reference: input.paymentReference, processingData: input.processingData }),
};

const pending = (processingData: string): PendingStep => ({ status: 'PENDING', provider: 'stub', processingData, pollAfterMs: 50 });

let harness: Harness;
let worker: StubWorker;
beforeAll(async () => {
  harness = await createHarness();
  worker = await startStubWorker(harness.taskQueue, activities);
});
afterAll(async () => {
  await worker?.stop();
  await harness?.close();
});

async function run(workflowType: 'CancelPayout' | 'CancelPayment', workflowId: string, parameters: unknown) {
  const handle = await harness.client.workflow.start(workflowType, { workflowId, taskQueue: harness.taskQueue, args: [parameters] });
  return { handle, outcome: await cuwoOutcome(handle) };
}

const searchAttributes = async (handle: WorkflowHandle) => (await handle.describe()).searchAttributes;

describe('CancelPayout', () => {
  const parameters = (id: string, processingData?: string) => ({
    '@type': CancelPayoutTypes.parameters,
    payoutRequestID: id,
    payoutReference: 'ref-1',
    payoutProcessingData: processingData,
  });

  test('PENDING, then FAILED NOT_REVERSIBLE: the Failure with the provider code and latest data, flagged', async () => {
    const id = uniqueId('stub-cp-not-reversible');
    scripts.set(id, [
      pending('pd-reversal-pending'),
      {
        status: 'FAILED',
        provider: 'stub',
        reason: 'NOT_REVERSIBLE',
        failureCode: 'RET-7',
        message: 'the payout was made and cannot be reverted',
        processingData: 'pd-final',
        needsReconciliation: true,
      },
    ]);
    const { handle, outcome } = await run('CancelPayout', workflowIds.cancelPayout(id), parameters(id, 'pd-given'));

    expect(outcome).toEqual({
      outcome: 'FAILURE',
      workflowId: workflowIds.cancelPayout(id),
      failure: {
        '@type': CancelPayoutTypes.failure,
        failureReason: 'NOT_REVERSIBLE',
        failureCode: 'RET-7',
        payoutProcessingData: 'pd-final',
      },
      message: expect.stringContaining('cannot be reverted'),
    });
    // Asked again with the data of its PENDING answer, not the data it started with.
    expect(calls.get(id)).toEqual([
      { reference: 'ref-1', processingData: 'pd-given' },
      { reference: 'ref-1', processingData: 'pd-reversal-pending' },
    ]);
    expect(await searchAttributes(handle)).toMatchObject({
      CuwoOutcome: ['FAILURE'],
      CuwoFailureReason: ['NOT_REVERSIBLE'],
      CuwoNeedsReconciliation: [true],
    });
    expect(await cuwoState(handle)).toMatchObject({ stage: 'FAILURE', provider: 'stub', processingData: 'pd-final' });
  });

  test('PENDING, then CANCELED: the Result with the latest processing data, not flagged', async () => {
    const id = uniqueId('stub-cp-reverted');
    scripts.set(id, [
      pending('pd-reversal-pending'),
      { status: 'CANCELED', provider: 'stub', processingData: 'pd-reverted', message: 'reverted' },
    ]);
    const { handle, outcome } = await run('CancelPayout', workflowIds.cancelPayout(id), parameters(id, 'pd-given'));

    expect(outcome).toEqual({
      outcome: 'SUCCESS',
      workflowId: workflowIds.cancelPayout(id),
      result: { '@type': CancelPayoutTypes.result, payoutProcessingData: 'pd-reverted' },
    });
    const attributes = await searchAttributes(handle);
    expect(attributes).toMatchObject({ CuwoOutcome: ['SUCCESS'] });
    expect(attributes.CuwoNeedsReconciliation).toBeUndefined();
  });

  test('invalid parameters: INVALID_PARAMETERS naming the field, and the provider is never asked', async () => {
    const id = uniqueId('stub-cp-invalid');
    const { outcome } = await run('CancelPayout', workflowIds.cancelPayout(id), { ...parameters(id), payoutReference: 42 });

    expect(outcome).toMatchObject({
      outcome: 'FAILURE',
      failure: { '@type': CancelPayoutTypes.failure, failureReason: 'INVALID_PARAMETERS', failureCode: 'INVALID_PARAMETERS' },
      message: expect.stringMatching(/^invalid CancelPayoutWorkflowParameters: payoutReference/),
    });
    expect(calls.get(id)).toBeUndefined();
  });
});

describe('CancelPayment', () => {
  const parameters = (id: string, processingData?: string) => ({
    '@type': CancelPaymentTypes.parameters,
    paymentRequestID: id,
    paymentReference: 'pay-ref-1',
    paymentProcessingData: processingData,
  });

  test('PENDING, then a non-retryable activity error: INTERNAL_ERROR with the last processing data, flagged', async () => {
    const id = uniqueId('stub-cpay-defect');
    scripts.set(id, [pending('pd-release-pending'), ApplicationFailure.nonRetryable('stub defect: unreadable answer', 'StubDefect')]);
    const { handle, outcome } = await run('CancelPayment', workflowIds.cancelPayment(id), parameters(id, 'pd-given'));

    expect(outcome).toEqual({
      outcome: 'FAILURE',
      workflowId: workflowIds.cancelPayment(id),
      failure: {
        '@type': CancelPaymentTypes.failure,
        failureReason: 'INTERNAL_ERROR',
        failureCode: 'INTERNAL_ERROR',
        paymentProcessingData: 'pd-release-pending',
      },
      message: 'provider activity failed: stub defect: unreadable answer; reconcile by hand',
    });
    // Non-retryable: asked once more after PENDING, never retried.
    expect(calls.get(id)).toHaveLength(2);
    expect(await searchAttributes(handle)).toMatchObject({
      CuwoOutcome: ['FAILURE'],
      CuwoFailureReason: ['INTERNAL_ERROR'],
      CuwoNeedsReconciliation: [true],
    });
  });

  test('FAILED without processing data and without the flag: the Failure keeps the given data, not flagged', async () => {
    const id = uniqueId('stub-cpay-declined');
    scripts.set(id, [
      pending('pd-release-pending'),
      { status: 'FAILED', provider: 'stub', reason: 'REVERSAL_DECLINED', message: 'declined', needsReconciliation: false },
    ]);
    const { handle, outcome } = await run('CancelPayment', workflowIds.cancelPayment(id), parameters(id, 'pd-given'));

    expect(outcome).toMatchObject({
      outcome: 'FAILURE',
      failure: { '@type': CancelPaymentTypes.failure, failureReason: 'REVERSAL_DECLINED', paymentProcessingData: 'pd-given' },
    });
    const attributes = await searchAttributes(handle);
    expect(attributes).toMatchObject({ CuwoOutcome: ['FAILURE'], CuwoFailureReason: ['REVERSAL_DECLINED'] });
    expect(attributes.CuwoNeedsReconciliation).toBeUndefined();
  });
});
