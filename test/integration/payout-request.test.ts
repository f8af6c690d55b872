/**
 * The PayoutRequest orchestrator (the platform's role) and CancelPayout on its own: exactly one
 * compensation whatever triggers it, including a GrantPayout terminated in the middle of a payout.
 */
import { cuwoOutcome, cuwoState, startCuwo } from '../../src/client';
import { workflowIds } from '../../src/contracts/ids';
import { CancelPayoutTypes } from '../../src/contracts/payout';
import type { PayoutRequestResult } from '../../src/workflows/payout-request';
import { grantPayoutParams } from '../support/fixtures';
import { uniqueId } from '../support/harness';
import { openRecord, testSeal } from '../support/provider-context';
import { recordHistory } from '../support/record';
import { startPayoutStack, waitFor, type PayoutStack } from '../support/payout-stack';

let stack: PayoutStack;
beforeAll(async () => {
  stack = await startPayoutStack();
});
afterAll(() => stack?.close());

async function payoutRequest(params: ReturnType<typeof grantPayoutParams>): Promise<PayoutRequestResult> {
  const { handle } = await startCuwo(stack.harness.client, 'PayoutRequest', params, { taskQueue: stack.harness.taskQueue });
  return handle.result();
}

describe('PayoutRequest', () => {
  test('success: GrantPayout pays, no compensation', async () => {
    const id = uniqueId('pr-ok');
    const result = await payoutRequest(grantPayoutParams(id));
    expect(result.grantPayout).toMatchObject({ outcome: 'SUCCESS', workflowId: workflowIds.grantPayout(id) });
    expect(result.compensation).toBeUndefined();
    expect(stack.ledgerFor(id)).toHaveLength(1);
    expect(await stack.exists(workflowIds.cancelPayout(id))).toBe(false);
    const handle = stack.harness.client.workflow.getHandle(workflowIds.payoutRequest(id));
    expect(await cuwoState(handle)).toMatchObject({ stage: 'SUCCESS', processingData: expect.stringContaining('"stage":"PAID"') });
    await recordHistory('payout-request-success', handle);
  });

  test('declined payout: like the platform, it runs CancelPayout once, which finds nothing to revert', async () => {
    const id = uniqueId('pr-decline');
    const result = await payoutRequest(
      grantPayoutParams(id, { customerIdentifiers: [{ identifierType: 'UPI_VPA', identifier: 'closed@okbank' }] }),
    );
    expect(result.grantPayout).toMatchObject({ outcome: 'FAILURE', failure: { failureReason: 'RECEIVER_ACCOUNT_CLOSED' } });
    expect(result.compensation).toMatchObject({
      workflowId: workflowIds.cancelPayout(id),
      startedBy: 'PayoutRequest',
      end: { outcome: 'SUCCESS', result: { '@type': CancelPayoutTypes.result } },
    });
    expect(stack.ledgerFor(id)).toHaveLength(0);
    expect(stack.requestsFor(id)).toHaveLength(1); // CancelPayout did not call the provider
    await recordHistory('payout-request-declined-compensated', stack.harness.client.workflow.getHandle(workflowIds.payoutRequest(id)));
    await recordHistory(
      'cancel-payout-after-decline-nothing-to-revert',
      stack.harness.client.workflow.getHandle(workflowIds.cancelPayout(id)),
    );
  });

  test('GrantPayout terminated while the provider disburses: the orchestrator runs CancelPayout with the processing data', async () => {
    const id = uniqueId('pr-terminated');
    stack.sim.injectFault({ kind: 'latency', ms: 3_000 });
    const { handle } = await startCuwo(stack.harness.client, 'PayoutRequest', grantPayoutParams(id), {
      taskQueue: stack.harness.taskQueue,
    });
    await waitFor(() => stack.requestsFor(id).length > 0, 'the payout request to reach the provider');
    await stack.harness.client.workflow.getHandle(workflowIds.grantPayout(id)).terminate('test: CUWO dies mid-payout');

    const result: PayoutRequestResult = await handle.result();
    expect(result.grantPayout).toMatchObject({ outcome: 'ABNORMAL', message: expect.stringContaining('Terminated') });
    expect(openRecord(result.payoutProcessingData, `payout:${id}`)).toMatchObject({
      requestId: `payout:${id}`,
      amountMicros: '25000000',
      vpa: 'asha@okbank',
      stage: 'SENDING',
    });
    // The provider had paid, but disburseFunds cannot be asked, and a re-send could be a first payout:
    // CancelPayout sends nothing and fails OUTCOME_UNKNOWN with everything a person needs.
    expect(result.compensation).toMatchObject({
      startedBy: 'PayoutRequest',
      end: { outcome: 'FAILURE', failure: { failureReason: 'OUTCOME_UNKNOWN' } },
    });
    expect(stack.ledgerFor(id)).toHaveLength(1);
    expect(stack.requestsFor(id)).toHaveLength(1);
    const compensation = stack.harness.client.workflow.getHandle(workflowIds.cancelPayout(id));
    expect((await compensation.describe()).searchAttributes).toMatchObject({ CuwoNeedsReconciliation: [true] });
    expect((await handle.describe()).searchAttributes).toMatchObject({
      CuwoOutcome: ['FAILURE'],
      CuwoFailureReason: ['ABNORMAL_END'],
      CuwoNeedsReconciliation: [true],
    });
    await recordHistory('payout-request-grant-terminated-compensated', handle);
    await recordHistory('grant-payout-terminated-mid-payout', stack.harness.client.workflow.getHandle(workflowIds.grantPayout(id)));
    await recordHistory('cancel-payout-outcome-unknown-flagged', compensation);
  });

  test('a cancel request after GrantPayout died changes nothing: the orchestrator finishes with the compensation', async () => {
    const id = uniqueId('pr-cancel-compensating');
    stack.sim.injectFault({ kind: 'latency', ms: 2_000 }); // the payout request
    const { handle } = await startCuwo(stack.harness.client, 'PayoutRequest', grantPayoutParams(id), {
      taskQueue: stack.harness.taskQueue,
    });
    await waitFor(() => stack.requestsFor(id).length > 0, 'the payout request to reach the provider');
    await stack.harness.client.workflow.getHandle(workflowIds.grantPayout(id)).terminate('test: CUWO dies mid-payout');
    await handle.cancel();
    const result: PayoutRequestResult = await handle.result();
    expect(result).toMatchObject({
      grantPayout: { outcome: 'ABNORMAL' },
      compensation: { startedBy: 'PayoutRequest', end: { outcome: 'FAILURE', failure: { failureReason: 'OUTCOME_UNKNOWN' } } },
    });
    expect(stack.ledgerFor(id)).toHaveLength(1);
    expect(stack.requestsFor(id)).toHaveLength(1);
    await recordHistory('payout-request-cancel-requested-during-compensation', handle);
  });

  test('cancel after the payout: GrantPayout starts CancelPayout itself, the orchestrator finds it, one compensation', async () => {
    const id = uniqueId('pr-cancel-late');
    stack.sim.injectFault({ kind: 'latency', ms: 2_000 });
    const { handle } = await startCuwo(stack.harness.client, 'PayoutRequest', grantPayoutParams(id), {
      taskQueue: stack.harness.taskQueue,
    });
    await waitFor(() => stack.requestsFor(id).length > 0, 'the payout request to reach the provider');
    await handle.cancel();
    const result: PayoutRequestResult = await handle.result();
    expect(result.grantPayout).toMatchObject({ outcome: 'FAILURE', failure: { failureReason: 'CANCELED_AFTER_PAYOUT' } });
    // The orchestrator follows the compensation it did not start to its end.
    expect(result.compensation).toMatchObject({
      workflowId: workflowIds.cancelPayout(id),
      startedBy: 'GrantPayout',
      end: { outcome: 'FAILURE', failure: { failureReason: 'NOT_REVERSIBLE' } },
    });
    expect((await handle.describe()).searchAttributes).toMatchObject({ CuwoNeedsReconciliation: [true] });
    const compensations = await stack.harness.client.workflow.count(`WorkflowId = '${workflowIds.cancelPayout(id)}'`);
    expect(compensations.count).toBe(1);
    await recordHistory('payout-request-canceled-after-payout', handle);
  });

  test('a duplicate PayoutRequest start finds the first one; one payout', async () => {
    const id = uniqueId('pr-dup');
    const params = grantPayoutParams(id);
    const options = { taskQueue: stack.harness.taskQueue };
    const [a, b] = await Promise.all([
      startCuwo(stack.harness.client, 'PayoutRequest', params, options),
      startCuwo(stack.harness.client, 'PayoutRequest', params, options),
    ]);
    expect([a.alreadyStarted, b.alreadyStarted].sort()).toEqual([false, true]);
    await a.handle.result();
    expect(stack.ledgerFor(id)).toHaveLength(1);
  });
});

describe('CancelPayout on its own', () => {
  const cancel = async (branch: string, payoutRequestID: string, payoutProcessingData?: string) => {
    const { handle } = await startCuwo(
      stack.harness.client,
      'CancelPayout',
      { '@type': CancelPayoutTypes.parameters, payoutRequestID, payoutProcessingData },
      { taskQueue: stack.harness.taskQueue },
    );
    const outcome = await cuwoOutcome(handle);
    await recordHistory(branch, handle);
    return outcome;
  };
  const paidProcessingData = async (id: string) => {
    const { handle } = await startCuwo(stack.harness.client, 'GrantPayout', grantPayoutParams(id), { taskQueue: stack.harness.taskQueue });
    const outcome = await cuwoOutcome<{ payoutProcessingData: string }>(handle);
    if (outcome.outcome !== 'SUCCESS') throw new Error('setup payout failed');
    return outcome.result.payoutProcessingData;
  };

  test('without processing data nothing was ever sent: success, no provider call', async () => {
    const id = uniqueId('cp-none');
    expect(await cancel('cancel-payout-without-processing-data', id)).toEqual({
      outcome: 'SUCCESS',
      workflowId: expect.any(String),
      result: { '@type': CancelPayoutTypes.result },
    });
    expect(stack.requestsFor(id)).toHaveLength(0);
  });

  test('a disbursed payout cannot be reverted: Failure NOT_REVERSIBLE with the reconciliation data', async () => {
    const id = uniqueId('cp-paid');
    const data = await paidProcessingData(id);
    const outcome = await cancel('cancel-payout-paid-not-reversible', id, data);
    expect(outcome).toMatchObject({ outcome: 'FAILURE', failure: { failureReason: 'NOT_REVERSIBLE', payoutProcessingData: data } });
    expect((outcome as { message: string }).message).toMatch(/25\.00 EUR to asha@okbank.*reconcile by hand/);
    expect(stack.requestsFor(id)).toHaveLength(1); // no call: the data already said PAID
  });

  test.each([
    ['had paid', 'asha@okbank', 1],
    ['had declined', 'hold@okbank', 0],
  ])(
    'outcome unknown (SENDING) and the provider %s: nothing is sent (a re-send could be a first payout), Failure OUTCOME_UNKNOWN, flagged',
    async (_name, vpa, paid) => {
      const id = uniqueId('cp-unknown');
      const { handle: grant } = await startCuwo(
        stack.harness.client,
        'GrantPayout',
        grantPayoutParams(id, { customerIdentifiers: [{ identifierType: 'UPI_VPA', identifier: vpa }] }),
        { taskQueue: stack.harness.taskQueue },
      );
      const granted = await cuwoOutcome<{ payoutProcessingData: string }, { payoutProcessingData: string }>(grant);
      const data =
        granted.outcome === 'SUCCESS'
          ? granted.result.payoutProcessingData
          : granted.outcome === 'FAILURE'
            ? granted.failure.payoutProcessingData
            : undefined;
      const { stage: _stage, paymentIntegratorTransactionId: _tx, resultCode: _code, ...unsent } = openRecord(data, `payout:${id}`);
      const sending = testSeal().seal(`payout:${id}`, { ...unsent, stage: 'SENDING' });
      const outcome = await cancel(`cancel-payout-outcome-unknown-${paid ? 'paid' : 'declined'}-nothing-sent`, id, sending);
      expect(outcome).toMatchObject({
        outcome: 'FAILURE',
        failure: { failureReason: 'OUTCOME_UNKNOWN', payoutProcessingData: expect.any(String) },
      });
      expect((outcome as { message: string }).message).toMatch(/reconcile/);
      expect(stack.requestsFor(id)).toHaveLength(1); // GrantPayout's own request; none from CancelPayout
      expect(stack.ledgerFor(id)).toHaveLength(paid);
    },
  );

  test('unreadable processing data: Failure that asks for reconciliation, no provider call', async () => {
    const id = uniqueId('cp-garbage');
    const outcome = await cancel('cancel-payout-unreadable-processing-data', id, 'not json');
    expect(outcome).toMatchObject({
      outcome: 'FAILURE',
      failure: { failureReason: 'INVALID_PROCESSING_DATA', failureCode: 'INVALID_PROCESSING_DATA', payoutProcessingData: 'not json' },
    });
    expect(stack.requestsFor(id)).toHaveLength(0);
  });

  test('a cancel request is ignored: CancelPayout has no cancelation (spec) and finishes its work', async () => {
    const id = uniqueId('cp-nocancel');
    const data = await paidProcessingData(id);
    const { handle } = await startCuwo(
      stack.harness.client,
      'CancelPayout',
      { '@type': CancelPayoutTypes.parameters, payoutRequestID: id, payoutProcessingData: data },
      { taskQueue: stack.harness.taskQueue },
    );
    await handle.cancel();
    expect(await cuwoOutcome(handle)).toMatchObject({ outcome: 'FAILURE', failure: { failureReason: 'NOT_REVERSIBLE' } });
    await recordHistory('cancel-payout-cancel-request-ignored', handle);
  });
});
