/**
 * Money safety under cancels, crashes, conflicting executions and hostile input (issue 8), on the
 * real Temporal dev server, the real simulators and the callback receiver. Each test names the defect
 * it guards; every one checks the simulators' ledgers, not only the outcome.
 */
import { createServer } from 'node:net';
import type { WorkflowHandle } from '@temporalio/client';
import { ConflictingParametersError, InvalidParametersError, cuwoOutcome, cuwoState, startCuwo } from '../../src/client';
import { BOUNDS } from '../../src/contracts/common';
import { workflowIds } from '../../src/contracts/ids';
import { CancelPaymentTypes } from '../../src/contracts/payment';
import { CancelPayoutTypes } from '../../src/contracts/payout';
import { startDisburseFundsSimulator } from '../../src/simulators/disburse-funds';
import { control } from '../../src/activities/providers/payneteasy/protocol';
import { cuwoStateQuery, processingDataUpdate, providerCallbackUpdate, type ProcessingDataUpdate } from '../../src/contracts';
import type { PaymentRequestResult } from '../../src/workflows/payment-request';
import type { PayoutRequestResult } from '../../src/workflows/payout-request';
import { BEARER_TOKEN, INTEGRATOR_ACCOUNT_ID, UPI_ACCOUNT, grantPayoutParams, paymentParams } from '../support/fixtures';
import { uniqueId } from '../support/harness';
import {
  PNE_ACCOUNT,
  PNE_CONTROL_KEY,
  PNE_REVERSIBLE_ACCOUNT,
  startPayneteasyStack,
  type PayneteasyStack,
} from '../support/payneteasy-stack';
import { startPayoutStack, waitFor, type PayoutStack } from '../support/payout-stack';
import { testSeal } from '../support/provider-context';
import { recordHistory } from '../support/record';

let payouts: PayoutStack;
let pne: PayneteasyStack;
beforeAll(async () => {
  [payouts, pne] = await Promise.all([startPayoutStack(), startPayneteasyStack()]);
});
afterAll(async () => {
  await Promise.all([payouts?.close(), pne?.close()]);
});

const flagged = async (handle: WorkflowHandle) => (await handle.describe()).searchAttributes?.CuwoNeedsReconciliation?.[0] === true;
const paymentOrder = (id: string) => pne.sim.orders().find((o) => o.clientOrderId === `payment:${id}`);
const paymentLedger = (id: string) => pne.sim.paymentLedger().find((l) => l.clientOrderId === `payment:${id}`);

async function customerCompletesForm(id: string): Promise<void> {
  const cuwo = pne.harness.client.workflow.getHandle(workflowIds.authorizeOrCapturePayment(id));
  await waitFor(async () => Boolean((await cuwoState(cuwo).catch(() => undefined))?.redirectUrl), 'the payment form URL');
  pne.sim.completeForm(paymentOrder(id)!.orderId);
}

describe('defect 1: a cancel request after money moved leads to the compensation', () => {
  test.each([
    ['captured (sale)', 'CAPTURE' as const, { takenMinor: '0', refundedMinor: '5000' }, 'refunded'],
    ['authorized, capture left to later', 'AUTHORIZE' as const, { heldMinor: '0', releasedMinor: '5000' }, 'released'],
  ])('%s, waiting for the POS side: PaymentRequest runs CancelPayment and ends CANCELED', async (_name, captureMode, expected, branch) => {
    const id = uniqueId('pr-cancel-after');
    const handle = await pne.harness.client.workflow.start('PaymentRequest', {
      taskQueue: pne.harness.taskQueue,
      workflowId: workflowIds.paymentRequest(id),
      args: [paymentParams(id, { captureMode }), { capture: false, completionTimeoutMs: 10 * 60_000 }],
    });
    await customerCompletesForm(id);
    await waitFor(async () => (await cuwoState(handle))?.stage === 'AWAITING_POS', 'the payment to go through');
    await handle.cancel();
    const result = (await handle.result()) as PaymentRequestResult;
    expect(result.outcome).toBe('CANCELED');
    expect(result.compensation).toMatchObject({ startedBy: 'PaymentRequest', end: { outcome: 'SUCCESS' } });
    expect(paymentLedger(id)).toMatchObject(expected);
    await recordHistory(`payment-request-canceled-after-payment-${branch}`, handle);
  });
});

describe('defect 6: a provider activity that fails for good ends the CUWO with its Failure structure', () => {
  test('the worker can no longer ask about a pending payout: GrantPayout fails flagged and CancelPayout runs', async () => {
    const id = uniqueId('pne-lost-account');
    const stack = await startPayneteasyStack({ processingMs: 60_000 });
    try {
      const params = {
        ...grantPayoutParams(id),
        customerIdentifiers: [{ identifierType: 'CARD_REFERENCE', identifier: `approve-${id}` }],
        paymentMethodConfiguration: { paymentMethodID: 'pm', accountName: PNE_ACCOUNT },
      };
      const { handle } = await startCuwo(stack.harness.client, 'GrantPayout', params, { taskQueue: stack.harness.taskQueue });
      await waitFor(async () => (await cuwoState(handle))?.stage === 'PROCESSING', 'the payout to be pending');
      // The worker restarts without the account: its status activity cannot ask the provider any more.
      await stack.harness.close();
      const harness2 = await (await import('../support/harness')).createHarness();
      await harness2.startWorker({}, stack.harness.taskQueue);
      try {
        const grant = harness2.client.workflow.getHandle(handle.workflowId);
        const outcome = await cuwoOutcome(grant);
        expect(outcome).toMatchObject({ outcome: 'FAILURE', failure: { failureReason: 'CONFIGURATION_ERROR' } });
        expect(await flagged(grant)).toBe(true);
        expect((await cuwoState(grant))?.compensationWorkflowId).toBe(workflowIds.cancelPayout(id));
        await recordHistory('grant-payout-status-unavailable-failed-compensated', grant);
      } finally {
        await harness2.close();
      }
    } finally {
      await stack.sim.close();
      await stack.receiver.close();
    }
  });
});

describe('defect 9: the orchestrator flags every compensation that does not end in success', () => {
  test('CancelPayout terminated while it resolves: PayoutRequest ends flagged for reconciliation', async () => {
    const id = uniqueId('pr-comp-terminated');
    const stack = await startPayneteasyStack({ processingMs: 120_000 });
    try {
      const params = {
        ...grantPayoutParams(id),
        customerIdentifiers: [{ identifierType: 'CARD_REFERENCE', identifier: `approve-${id}` }],
        paymentMethodConfiguration: { paymentMethodID: 'pm', accountName: PNE_ACCOUNT },
      };
      const { handle } = await startCuwo(stack.harness.client, 'PayoutRequest', params, { taskQueue: stack.harness.taskQueue });
      const grant = stack.harness.client.workflow.getHandle(workflowIds.grantPayout(id));
      await waitFor(async () => (await cuwoState(grant).catch(() => undefined))?.stage === 'PROCESSING', 'the payout to be pending');
      await grant.terminate('test: the CUWO dies mid-payout');
      const cancel = stack.harness.client.workflow.getHandle(workflowIds.cancelPayout(id));
      await waitFor(
        async () => (await cuwoState(cancel).catch(() => undefined))?.stage === 'RESOLVING',
        'CancelPayout to ask the provider',
      );
      await cancel.terminate('test: the compensation dies too');
      const result = (await handle.result()) as PayoutRequestResult;
      expect(result.compensation?.end?.outcome).toBe('ABNORMAL');
      expect(await flagged(handle)).toBe(true);
      await recordHistory('payout-request-compensation-terminated-flagged', handle);
    } finally {
      await stack.close();
    }
  });
});

describe('defect 10: provider callbacks count only for their own order, once', () => {
  const callbackUrl = (workflowId: string, query: Record<string, string>) =>
    `${pne.receiver.callbackUrlFor(PNE_ACCOUNT)}/${encodeURIComponent(workflowId)}?${new URLSearchParams(query)}`;
  const signed = (status: string, orderId: string, clientOrderId: string, type: string) => ({
    status,
    orderid: orderId,
    client_orderid: clientOrderId,
    merchant_order: clientOrderId,
    type,
    control: control(status, orderId, clientOrderId, PNE_CONTROL_KEY),
  });

  test('a valid callback replayed with other types, or to another workflow, changes nothing; long workflow ids are served', async () => {
    const [a, b] = [uniqueId('cb-a'), uniqueId('cb-b')];
    const start = (id: string) =>
      startCuwo(
        pne.harness.client,
        'GrantPayout',
        {
          ...grantPayoutParams(id),
          customerIdentifiers: [],
          paymentMethodConfiguration: { paymentMethodID: 'pm', accountName: PNE_ACCOUNT },
        },
        { taskQueue: pne.harness.taskQueue },
      );
    const [{ handle: first }, { handle: second }] = await Promise.all([start(a), start(b)]);
    await waitFor(
      async () => (await cuwoState(first))?.stage === 'WAITING_FOR_RECEIVER' && (await cuwoState(second))?.stage === 'WAITING_FOR_RECEIVER',
      'both payouts to wait for their receivers',
    );
    const order = pne.sim.orders().find((o) => o.clientOrderId === `payout:${a}`)!;
    // Callbacks a CUWO accepted are update events in its history; refused ones leave none.
    const callbacksAccepted = async (h: WorkflowHandle) =>
      ((await h.fetchHistory()).events ?? []).filter(
        (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === providerCallbackUpdate.name,
      ).length;

    const firstDelivery = await fetch(callbackUrl(first.workflowId, signed('processing', order.orderId, order.clientOrderId, 'payout')));
    expect(firstDelivery.status).toBe(200);
    for (const type of ['sale', 'return', 'x', '', 'payout']) {
      const replay = await fetch(callbackUrl(first.workflowId, signed('processing', order.orderId, order.clientOrderId, type)));
      expect(replay.status).toBe(200); // a duplicate: the provider may stop sending it
    }
    const metrics = await (await fetch(`${pne.receiver.url}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`cuwo_callbacks_total\\{account="${PNE_ACCOUNT}",result="duplicate"\\} ([5-9]|\\d\\d+)`));
    const misaddressed = await fetch(callbackUrl(second.workflowId, signed('processing', order.orderId, order.clientOrderId, 'payout')));
    expect(misaddressed.status).toBe(403);
    expect(await callbacksAccepted(first)).toBe(1);
    expect(await callbacksAccepted(second)).toBe(0);

    const longId = `grant-payout:${'x'.repeat(400)}`;
    const long = await fetch(callbackUrl(longId, signed('approved', '1', 'payout:x', 'payout')));
    expect(long.status).toBe(200); // no such workflow: answered, not refused with 414
    await Promise.all([first.terminate('test done'), second.terminate('test done')]);
  });
});

describe('defect 11: one request id names one payout', () => {
  test(
    'our client refuses to start an existing request id with other parameters, naming the fields; ' + 'the same parameters stay idempotent',
    async () => {
      const id = uniqueId('conflict');
      const params = grantPayoutParams(id);
      const { handle } = await startCuwo(payouts.harness.client, 'GrantPayout', params, { taskQueue: payouts.harness.taskQueue });
      const again = await startCuwo(payouts.harness.client, 'GrantPayout', params, { taskQueue: payouts.harness.taskQueue });
      expect(again.alreadyStarted).toBe(true);
      const other = {
        ...params,
        requestedAmount: { amount: '99.00', currency: 'EUR' },
        customerIdentifiers: [{ identifierType: 'UPI_VPA', identifier: 'mallory@okbank' }],
      };
      const conflict = startCuwo(payouts.harness.client, 'GrantPayout', other, { taskQueue: payouts.harness.taskQueue });
      await expect(conflict).rejects.toThrow(ConflictingParametersError);
      await expect(conflict).rejects.toThrow(/customerIdentifiers\[0\]\.identifier, requestedAmount\.amount/);
      expect((await cuwoOutcome(handle)).outcome).toBe('SUCCESS');
      expect(payouts.ledgerFor(id)).toHaveLength(1);
      expect(payouts.ledgerFor(id)[0]).toMatchObject({ amountMicros: '25000000', vpa: 'asha@okbank' });
    },
  );
});

describe("defect 11: a second execution of the same business id never touches the first one's money", () => {
  test(
    'AuthorizeOrCapturePayment started again under another workflow id with another amount: ' +
      'DUPLICATE_REQUEST, flagged, no CancelPayment, the first payment stays',
    async () => {
      const id = uniqueId('second-exec');
      const { handle: first } = await startCuwo(pne.harness.client, 'AuthorizeOrCapturePayment', paymentParams(id), {
        taskQueue: pne.harness.taskQueue,
      });
      await customerCompletesForm(id);
      expect((await cuwoOutcome(first)).outcome).toBe('SUCCESS');
      const second = await pne.harness.client.workflow.start('AuthorizeOrCapturePayment', {
        taskQueue: pne.harness.taskQueue,
        workflowId: `platform-own-id:${id}`,
        args: [paymentParams(id, { amount: '40.00' })],
      });
      expect(await cuwoOutcome(second)).toMatchObject({ outcome: 'FAILURE', failure: { failureReason: 'DUPLICATE_REQUEST' } });
      expect(await flagged(second)).toBe(true);
      expect(await payouts.exists(workflowIds.cancelPayment(id))).toBe(false);
      expect(paymentLedger(id)).toMatchObject({ takenMinor: '5000', refundedMinor: '0' });
      await recordHistory('payment-authorize-or-capture-duplicate-request-not-compensated', second);
    },
  );

  test(
    'GrantPayout over Payneteasy started again under another workflow id with another amount: ' +
      'DUPLICATE_REQUEST, the first payout is not reversed',
    async () => {
      const id = uniqueId('second-payout');
      const params = (amount: string) => ({
        ...grantPayoutParams(id),
        requestedAmount: { amount, currency: 'EUR' },
        customerIdentifiers: [{ identifierType: 'CARD_REFERENCE', identifier: `approve-${id}` }],
        paymentMethodConfiguration: { paymentMethodID: 'pm', accountName: PNE_REVERSIBLE_ACCOUNT },
      });
      const { handle: first } = await startCuwo(pne.harness.client, 'GrantPayout', params('30.00'), { taskQueue: pne.harness.taskQueue });
      expect((await cuwoOutcome(first)).outcome).toBe('SUCCESS');
      const second = await pne.harness.client.workflow.start('GrantPayout', {
        taskQueue: pne.harness.taskQueue,
        workflowId: `platform-own-id:${id}`,
        args: [params('31.00')],
      });
      expect(await cuwoOutcome(second)).toMatchObject({ outcome: 'FAILURE', failure: { failureReason: 'DUPLICATE_REQUEST' } });
      expect(await payouts.exists(workflowIds.cancelPayout(id))).toBe(false);
      expect(pne.sim.ledger().filter((l) => l.clientOrderId === `payout:${id}`)).toEqual([
        expect.objectContaining({ paidMinor: '3000', reversedMinor: '0' }),
      ]);
    },
  );
});

describe('defect 12: processing data is sealed; other data is refused and nothing moves', () => {
  const startCancel = (type: 'CancelPayout' | 'CancelPayment', params: Record<string, unknown>, s: { harness: PayoutStack['harness'] }) =>
    startCuwo(s.harness.client, type, params, { taskQueue: s.harness.taskQueue });

  test('CancelPayout with hand-written disburseFunds processing data (SENDING, 999.00 EUR, another VPA) pays nothing', async () => {
    const id = uniqueId('forged-payout');
    const forged = JSON.stringify({
      v: 1,
      provider: 'disburse-funds',
      account: UPI_ACCOUNT,
      requestId: `payout:${id}`,
      paymentIntegratorAccountId: INTEGRATOR_ACCOUNT_ID,
      amountMicros: '999000000',
      currencyCode: 'EUR',
      vpa: 'mallory@okbank',
      transactionDescription: 'x',
      stage: 'SENDING',
    });
    const { handle } = await startCancel(
      'CancelPayout',
      { '@type': CancelPayoutTypes.parameters, payoutRequestID: id, payoutProcessingData: forged },
      payouts,
    );
    expect(await cuwoOutcome(handle)).toMatchObject({ outcome: 'FAILURE', failure: { failureReason: 'INVALID_PROCESSING_DATA' } });
    expect(await flagged(handle)).toBe(true);
    expect(payouts.requestsFor(id)).toHaveLength(0);
    expect(payouts.sim.ledger().filter((d) => d.vpa === 'mallory@okbank')).toHaveLength(0);
    await recordHistory('cancel-payout-unsealed-processing-data-refused', handle);
  });

  test("CancelPayment with another request's sealed processing data refunds nothing", async () => {
    const victim = uniqueId('victim');
    const { handle: paid } = await startCuwo(pne.harness.client, 'AuthorizeOrCapturePayment', paymentParams(victim), {
      taskQueue: pne.harness.taskQueue,
    });
    await customerCompletesForm(victim);
    const outcome = await cuwoOutcome<{ paymentProcessingData: string }>(paid);
    expect(outcome.outcome).toBe('SUCCESS');
    const data = (outcome as { result: { paymentProcessingData: string } }).result.paymentProcessingData;
    const attacker = uniqueId('attacker');
    const { handle } = await startCancel(
      'CancelPayment',
      { '@type': CancelPaymentTypes.parameters, paymentRequestID: attacker, paymentProcessingData: data },
      pne,
    );
    expect(await cuwoOutcome(handle)).toMatchObject({ outcome: 'FAILURE', failure: { failureReason: 'INVALID_PROCESSING_DATA' } });
    expect(await flagged(handle)).toBe(true);
    expect(paymentLedger(victim)).toMatchObject({ takenMinor: '5000', refundedMinor: '0' });
  });
});

describe('defect 14: a cancel before the first send prevents it', () => {
  test(
    'GrantPayout canceled while its payout waits to be retried (provider unreachable): ' + 'Canceled, and the provider never pays',
    async () => {
      const port = await freePort();
      const id = uniqueId('cancel-before-send');
      const accounts = {
        [UPI_ACCOUNT]: {
          provider: 'disburse-funds' as const,
          baseUrl: `http://127.0.0.1:${port}`,
          paymentIntegratorAccountId: INTEGRATOR_ACCOUNT_ID,
          bearerToken: BEARER_TOKEN,
          timeoutMs: 5_000,
        },
      };
      const harness = await (await import('../support/harness')).createHarness();
      let sim: Awaited<ReturnType<typeof startDisburseFundsSimulator>> | undefined;
      try {
        await harness.startWorker(accounts);
        const { handle } = await startCuwo(harness.client, 'GrantPayout', grantPayoutParams(id), { taskQueue: harness.taskQueue });
        await waitFor(async () => ((await handle.describe()).raw.pendingActivities?.[0]?.attempt ?? 0) >= 2, 'the payout to be retried');
        await handle.cancel();
        // The provider comes back: an old CUWO would now pay out.
        sim = await startDisburseFundsSimulator({ port, accounts: { [INTEGRATOR_ACCOUNT_ID]: { bearerToken: BEARER_TOKEN } } });
        expect(await cuwoOutcome(handle)).toEqual({
          outcome: 'CANCELED',
          workflowId: expect.any(String),
          cancelation: expect.objectContaining({ cancelationReason: 'CANCELED_BY_REQUEST' }),
        });
        expect(sim.ledger()).toHaveLength(0);
        await recordHistory('grant-payout-canceled-while-provider-unreachable', handle);
      } finally {
        await harness.close();
        await sim?.close();
      }
    },
  );
});

describe('defect 14: the gate every money-moving request passes', () => {
  test('once a cancel request reached the CUWO, it answers "do not send" to its activity; other updates are recorded', async () => {
    const id = uniqueId('gate');
    const params = {
      ...grantPayoutParams(id),
      customerIdentifiers: [],
      paymentMethodConfiguration: { paymentMethodID: 'pm', accountName: PNE_ACCOUNT },
    };
    const { handle } = await startCuwo(pne.harness.client, 'GrantPayout', params, { taskQueue: pne.harness.taskQueue });
    await waitFor(async () => (await cuwoState(handle))?.stage === 'WAITING_FOR_RECEIVER', 'the payout to wait for its receiver');
    const update = (sending: boolean): ProcessingDataUpdate => ({
      provider: 'payneteasy',
      processingData: 'x',
      moneyMayHaveMoved: true,
      stage: sending ? 'SENDING' : 'RETURN_SENDING',
      sending,
    });
    expect(await handle.executeUpdate(processingDataUpdate, { args: [update(true)] })).toEqual({ proceed: true });
    await handle.cancel();
    await waitFor(async () => (await handle.query(cuwoStateQuery)).cancelRequested === true, 'the CUWO to see the cancel request');
    expect(await handle.executeUpdate(processingDataUpdate, { args: [update(true)] })).toEqual({ proceed: false });
    expect(await handle.executeUpdate(processingDataUpdate, { args: [update(false)] })).toEqual({ proceed: true });
    await handle.terminate('test done');
    await recordHistory('grant-payout-send-refused-after-cancel-request', handle);
  });
});

describe('defect 15: deterministic errors end the compensation, they are not retried forever', () => {
  test.each([
    ['processing data "null"', () => 'null'],
    [
      'a sealed record in a stage nobody knows',
      (id: string) => testSeal().seal(`payout:${id}`, { v: 1, provider: 'disburse-funds', account: UPI_ACCOUNT, stage: 'TELEPORTING' }),
    ],
  ])('CancelPayout with %s: Failure, flagged, nothing sent', async (_name, data) => {
    const id = uniqueId('cancel-defect');
    const { handle } = await startCuwo(
      payouts.harness.client,
      'CancelPayout',
      { '@type': CancelPayoutTypes.parameters, payoutRequestID: id, payoutProcessingData: data(id) },
      { taskQueue: payouts.harness.taskQueue },
    );
    const outcome = await cuwoOutcome(handle);
    expect(outcome.outcome).toBe('FAILURE');
    expect(await flagged(handle)).toBe(true);
    expect(payouts.requestsFor(id)).toHaveLength(0);
    if (_name.includes('stage')) await recordHistory('cancel-payout-impossible-record-flagged', handle);
  });
});

describe('defect 16: every string has a bound, checked by the client and the workflow', () => {
  test.each([
    [
      'a 1,000,000-character document number',
      (p: ReturnType<typeof grantPayoutParams>) => ({
        ...p,
        invoiceOrCreditMemoInformation: [
          { documentType: 'CREDIT_MEMO' as const, documentID: 'cm-1', documentNumber: 'N'.repeat(1_000_000) },
        ],
      }),
      'invoiceOrCreditMemoInformation.0.documentNumber',
    ],
    [
      'a 26-digit amount',
      (p: ReturnType<typeof grantPayoutParams>) => ({ ...p, requestedAmount: { amount: '12345678901234567890123456', currency: 'EUR' } }),
      'requestedAmount.amount',
    ],
    ['a blank request id', (p: ReturnType<typeof grantPayoutParams>) => ({ ...p, payoutRequestID: '   ' }), 'payoutRequestID'],
  ])(
    '%s: the client refuses it, and the workflow started without our client fails INVALID_PARAMETERS naming the field',
    async (_name, change, field) => {
      const id = uniqueId('bounds');
      const params = change(grantPayoutParams(id));
      await expect(startCuwo(payouts.harness.client, 'GrantPayout', params, { taskQueue: payouts.harness.taskQueue })).rejects.toThrow(
        InvalidParametersError,
      );
      await expect(startCuwo(payouts.harness.client, 'GrantPayout', params, { taskQueue: payouts.harness.taskQueue })).rejects.toThrow(
        field,
      );
      const handle = await payouts.harness.client.workflow.start('GrantPayout', {
        taskQueue: payouts.harness.taskQueue,
        workflowId: `raw-${id}`,
        args: [params],
      });
      const outcome = await cuwoOutcome(handle);
      expect(outcome).toMatchObject({ outcome: 'FAILURE', failure: { failureReason: 'INVALID_PARAMETERS' } });
      expect((outcome as { message: string }).message).toContain(field);
      expect((outcome as { message: string }).message.length).toBeLessThan(1_000);
      expect(payouts.requestsFor(id)).toHaveLength(0);
    },
  );

  test('a 1 MB request id started without our client ends as a CUWO failure, not a server termination', async () => {
    const params = { ...grantPayoutParams('x'), payoutRequestID: 'R'.repeat(1_000_000) };
    const handle = await payouts.harness.client.workflow.start('GrantPayout', {
      taskQueue: payouts.harness.taskQueue,
      workflowId: uniqueId('raw-huge-id'),
      args: [params],
    });
    const outcome = await cuwoOutcome(handle);
    expect(outcome).toMatchObject({ outcome: 'FAILURE', failure: { failureReason: 'INVALID_PARAMETERS' } });
    expect((outcome as { message: string }).message).toContain(`payoutRequestID: must be at most ${BOUNDS.id} characters`);
  });

  test('bad payment options are refused by the client', async () => {
    const params = {
      ...paymentParams(uniqueId('opts')),
      paymentMethodConfiguration: { paymentMethodID: 'pm', accountName: PNE_ACCOUNT, options: { captureMode: 'LATER' } },
    };
    await expect(startCuwo(pne.harness.client, 'PaymentRequest', params, { taskQueue: pne.harness.taskQueue })).rejects.toThrow(
      'paymentMethodConfiguration.options.captureMode',
    );
  });
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
