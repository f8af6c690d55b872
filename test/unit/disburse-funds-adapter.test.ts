/**
 * The disburseFunds adapter against the real simulator over HTTP (and a proxy that answers what a
 * misbehaving provider would), without Temporal: the money rule for grant and cancel.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { DisburseFundsAccount } from '../../src/activities/providers/disburse-funds/account';
import { DisburseFundsPayouts } from '../../src/activities/providers/disburse-funds/payouts';
import type { CancelPayoutStep, GrantPayoutActivityInput, PayoutStep } from '../../src/contracts';
import { startDisburseFundsSimulator, type DisburseFundsSimulator } from '../../src/simulators/disburse-funds';
import { closedPort, fixedAnswer, startDisburseProxy, type DisburseProxy } from '../support/disburse-proxy';
import { openRecord, testProviderContext, type TestProviderContext } from '../support/provider-context';

const ACCOUNT = 'integrator-EUR';
const TOKEN = 'token-eur';
const OTHER_ACCOUNT = 'integrator-EUR-2';
const OTHER_TOKEN = 'token-eur-2';

let sim: DisburseFundsSimulator;
let proxy: DisburseProxy;
let refusedUrl: string;
let seq = 0;

beforeAll(async () => {
  sim = await startDisburseFundsSimulator({
    accounts: {
      [ACCOUNT]: { bearerToken: TOKEN, minMicros: '1000000', maxMicros: '1000000000' },
      [OTHER_ACCOUNT]: { bearerToken: OTHER_TOKEN },
    },
    receivers: { 'hold@okbank': 'ACCOUNT_ON_HOLD' },
  });
  proxy = await startDisburseProxy(sim.url);
  refusedUrl = `http://127.0.0.1:${await closedPort()}`;
});
afterAll(async () => {
  await proxy?.close();
  await sim?.close();
});

const newId = () => `adapter-${Date.now()}-${++seq}`;
const request = (id: string) => `payout:${id}` as const;
const ledgerFor = (id: string) => sim.ledger().filter((d) => d.requestId === `payout:${id}`);
const requestsFor = (id: string) => sim.requests().filter((r) => r.requestId === `payout:${id}`);

function adapter(options: Partial<DisburseFundsAccount> = {}): DisburseFundsPayouts {
  return new DisburseFundsPayouts('upi-main', {
    provider: 'disburse-funds',
    baseUrl: proxy.url,
    paymentIntegratorAccountId: ACCOUNT,
    bearerToken: TOKEN,
    timeoutMs: 2_000,
    ...options,
  });
}

function input(id: string, amount = '25.00', vpa = 'asha@okbank'): GrantPayoutActivityInput {
  return {
    payoutRequestID: id,
    amount: { amount, currency: 'EUR' },
    accountName: 'upi-main',
    destinations: [{ identifierType: 'UPI_VPA', identifier: vpa }],
    description: 'Payout for CM-1',
    notify: ['test-cuwo'],
  };
}

/** Processing data must be sealed for this request (openRecord throws otherwise). */
const recordOf = (processingData: string | undefined, id: string) => openRecord(processingData, request(id));

/** The error a grant threw (fails the test when it returned). */
async function thrown(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to throw');
}

function expectOutcomeUnknown(err: unknown): void {
  expect(err).toBeInstanceOf(ApplicationFailure);
  expect((err as ApplicationFailure).type).toBe('OutcomeUnknown');
  expect((err as ApplicationFailure).nonRetryable).toBe(false);
}

const errorResponse = (code: string | undefined, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    responseHeader: { responseTimestamp: String(Date.now()) },
    ...(code ? { errorResponseCode: code } : {}),
    errorDescription: 'simulated',
    ...extra,
  });
const reply = (result: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    responseHeader: { responseTimestamp: String(Date.now()) },
    paymentIntegratorTransactionId: 'txn-1',
    disburseFundsResult: result,
    ...extra,
  });

/** A grant attempt whose request is lost after the provider paid: what a retried attempt resumes from. */
async function grantWithLostAnswer(id: string, afterPayment: boolean): Promise<TestProviderContext> {
  sim.injectFault({ kind: afterPayment ? 'drop-after-disburse' : 'drop-before-processing' });
  const ctx = testProviderContext(request(id));
  expectOutcomeUnknown(await thrown(adapter().grant(input(id), ctx)));
  return ctx;
}

describe('grant: definite answers', () => {
  test('SUCCESS -> PAID with the provider reference, the amount sent, sealed processing data', async () => {
    const id = newId();
    const ctx = testProviderContext(request(id));
    const step = await adapter().grant(input(id), ctx);
    const [disbursement] = ledgerFor(id);
    expect(step).toEqual({
      status: 'PAID',
      provider: 'disburse-funds',
      reference: disbursement!.paymentIntegratorTransactionId,
      processedAmount: { amount: '25.00', currency: 'EUR' },
      processingData: expect.any(String),
    });
    expect(recordOf((step as { processingData: string }).processingData, id)).toMatchObject({
      stage: 'PAID',
      requestId: `payout:${id}`,
      amountMicros: '25000000',
    });
  });

  test('a documented decline with rawResult -> FAILED with its reason, nothing moved', async () => {
    const id = newId();
    const step = await adapter().grant(input(id, '25.00', 'hold@okbank'), testProviderContext(request(id)));
    expect(step).toMatchObject({
      status: 'FAILED',
      reason: 'RECEIVER_ACCOUNT_ON_HOLD',
      failureCode: 'ACCOUNT_ON_HOLD',
      moneyMayHaveMoved: false,
    });
    expect(recordOf((step as { processingData: string }).processingData, id)).toMatchObject({
      stage: 'DECLINED',
      rawResult: { scope: 'simulator', rawCode: 'ON_HOLD' },
    });
  });

  test('above the limit -> AMOUNT_ABOVE_LIMIT with the limit as money', async () => {
    const id = newId();
    const step = await adapter().grant(input(id, '1000.01'), testProviderContext(request(id)));
    expect(step).toMatchObject({
      status: 'FAILED',
      reason: 'AMOUNT_ABOVE_LIMIT',
      moneyMayHaveMoved: false,
      message: expect.stringContaining('maximum of 1000.00 EUR'),
    });
    expect(recordOf((step as { processingData: string }).processingData, id).limit).toEqual({
      kind: 'max',
      amount: '1000.00',
      currency: 'EUR',
    });
  });

  test('every send is preceded by a SENDING report that may stop it; a refused report sends nothing', async () => {
    const id = newId();
    const ctx = testProviderContext(request(id));
    await adapter().grant(input(id), ctx);
    expect(ctx.reports[0]).toEqual({ sending: true, moneyMayHaveMoved: true, stage: 'SENDING', processingData: expect.any(String) });
    expect(openRecord(ctx.reports[0]!.processingData, request(id))).toMatchObject({ stage: 'SENDING' });

    const refused = newId();
    const before = proxy.received();
    await expect(adapter().grant(input(refused), testProviderContext(request(refused), { refuseSending: true }))).rejects.toThrow(
      'CanceledBeforeSending',
    );
    expect(proxy.received()).toBe(before);
    expect(requestsFor(refused)).toHaveLength(0);
  });

  test('a retried attempt re-reports SENDING before it re-sends, and sends the identical request', async () => {
    const id = newId();
    const first = await grantWithLostAnswer(id, true);
    const ctx = testProviderContext(request(id), { attempt: 2, resumed: first.lastRecord() });
    const step = await adapter().grant(input(id), ctx);
    expect(ctx.reports[0]).toMatchObject({ sending: true, stage: 'SENDING', moneyMayHaveMoved: true });
    expect(step).toMatchObject({ status: 'PAID', reference: ledgerFor(id)[0]!.paymentIntegratorTransactionId });
    expect(ledgerFor(id)).toHaveLength(1);
  });

  test('a retry resumes the request an earlier attempt sent, even when the account configuration changed since', async () => {
    const id = newId();
    const first = await grantWithLostAnswer(id, true);
    // Now configured for another integrator account: a new key there would pay a second time.
    const moved = adapter({ paymentIntegratorAccountId: OTHER_ACCOUNT, bearerToken: OTHER_TOKEN });
    const ctx = testProviderContext(request(id), { attempt: 2, resumed: first.lastRecord() });
    const step = await moved.grant(input(id), ctx);
    expect(step).toMatchObject({ status: 'FAILED', reason: 'OUTCOME_UNKNOWN', moneyMayHaveMoved: true });
    expect(ledgerFor(id)).toHaveLength(1);
  });
});

describe('defect 1: CancelPayout never sends a disburseFunds request', () => {
  test('a SENDING record whose request never arrived: no request, FAILED OUTCOME_UNKNOWN flagged, with what a person needs', async () => {
    const id = newId();
    const ctx = await grantWithLostAnswer(id, false);
    expect(ledgerFor(id)).toHaveLength(0);
    const sent = requestsFor(id).length;
    const step = await adapter().cancel(ctx.lastRecord()!, testProviderContext(request(id)));
    expect(requestsFor(id)).toHaveLength(sent);
    expect(ledgerFor(id)).toHaveLength(0); // the compensation made no payout
    expect(step).toMatchObject({ status: 'FAILED', reason: 'OUTCOME_UNKNOWN', needsReconciliation: true });
    const { message } = step as { message: string };
    for (const needed of [`payout:${id}`, ACCOUNT, '25.00 EUR', 'asha@okbank']) expect(message).toContain(needed);
  });

  test('a SENDING record after the provider paid: still no request, FAILED OUTCOME_UNKNOWN flagged', async () => {
    const id = newId();
    const ctx = await grantWithLostAnswer(id, true);
    const sent = requestsFor(id).length;
    const step = await adapter().cancel(ctx.lastRecord()!, testProviderContext(request(id)));
    expect(requestsFor(id)).toHaveLength(sent);
    expect(step).toMatchObject({ status: 'FAILED', reason: 'OUTCOME_UNKNOWN', needsReconciliation: true });
  });

  test('connection refused on the first send: the record says NOT_SENT and CancelPayout ends CANCELED, nothing paid', async () => {
    const id = newId();
    const ctx = testProviderContext(request(id));
    expectOutcomeUnknown(await thrown(adapter({ baseUrl: refusedUrl }).grant(input(id), ctx)));
    expect(ctx.lastRecord()).toMatchObject({ stage: 'NOT_SENT' });
    expect(ctx.reports.at(-1)).toMatchObject({ moneyMayHaveMoved: false });
    const step = await adapter().cancel(ctx.lastRecord()!, testProviderContext(request(id)));
    expect(step).toMatchObject({ status: 'CANCELED' });
    expect(requestsFor(id)).toHaveLength(0);

    // Refused again on the retry: still nothing ever left.
    const retry = testProviderContext(request(id), { attempt: 2, resumed: ctx.lastRecord() });
    expectOutcomeUnknown(await thrown(adapter({ baseUrl: refusedUrl }).grant(input(id), retry)));
    expect(retry.lastRecord()).toMatchObject({ stage: 'NOT_SENT' });
  });

  test('connection refused after an earlier attempt that may have been sent: stays SENDING, CancelPayout flags it', async () => {
    const id = newId();
    const first = await grantWithLostAnswer(id, true);
    for (const resumed of [first.lastRecord(), undefined]) {
      const ctx = testProviderContext(request(id), { attempt: 2, resumed });
      expectOutcomeUnknown(await thrown(adapter({ baseUrl: refusedUrl }).grant(input(id), ctx)));
      expect(ctx.lastRecord()).toMatchObject({ stage: 'SENDING' });
      expect(ctx.reports.at(-1)).toMatchObject({ moneyMayHaveMoved: true });
      expect(await adapter().cancel(ctx.lastRecord()!, testProviderContext(request(id)))).toMatchObject({
        status: 'FAILED',
        reason: 'OUTCOME_UNKNOWN',
        needsReconciliation: true,
      });
    }
    expect(ledgerFor(id)).toHaveLength(1);
  });

  test('records that prove the outcome: PAID -> NOT_REVERSIBLE, DECLINED -> CANCELED; no request either way', async () => {
    const paid = newId();
    const paidStep = await adapter().grant(input(paid), testProviderContext(request(paid)));
    const declined = newId();
    const declinedStep = await adapter().grant(input(declined, '25.00', 'hold@okbank'), testProviderContext(request(declined)));
    const before = proxy.received();
    expect(
      await adapter().cancel(recordOf((paidStep as { processingData: string }).processingData, paid), testProviderContext(request(paid))),
    ).toMatchObject({ status: 'FAILED', reason: 'NOT_REVERSIBLE', failureCode: 'DISBURSED', needsReconciliation: true });
    expect(
      await adapter().cancel(
        recordOf((declinedStep as { processingData: string }).processingData, declined),
        testProviderContext(request(declined)),
      ),
    ).toMatchObject({ status: 'CANCELED' });
    expect(proxy.received()).toBe(before);
  });
});

describe('defect 2: answers outside the protocol are UNKNOWN, never "not done"', () => {
  test.each([
    ['200, not JSON', 200, 'this is not json', 'application/json'],
    ['200, truncated', 200, reply({ disburseFundsResultCode: 'SUCCESS' }).slice(0, 40), 'application/json'],
    ['200, empty', 200, '', 'application/json'],
    [
      '200, no transaction id',
      200,
      JSON.stringify({ responseHeader: { responseTimestamp: '1' }, disburseFundsResult: { disburseFundsResultCode: 'SUCCESS' } }),
      'application/json',
    ],
    [
      '200, no result',
      200,
      JSON.stringify({ responseHeader: { responseTimestamp: '1' }, paymentIntegratorTransactionId: 'x' }),
      'application/json',
    ],
    ['200, an ErrorResponse', 200, errorResponse('INVALID_FIELD_VALUE'), 'application/json'],
    ['408', 408, '', 'text/plain'],
    ['429', 429, errorResponse(undefined), 'application/json'],
    ['502 HTML', 502, '<html><body>Bad Gateway</body></html>', 'text/html'],
    ['400 HTML', 400, '<html><body>Bad Request</body></html>', 'text/html'],
    ['404 HTML (no ErrorResponse)', 404, '<html>Not Found</html>', 'text/html'],
    ['400 ErrorResponse without a code', 400, errorResponse(undefined), 'application/json'],
    ['409 ErrorResponse', 409, errorResponse('INVALID_FIELD_VALUE'), 'application/json'],
    ['302', 302, '', 'text/plain'],
  ])('%s -> grant retries (OutcomeUnknown), and the record stays SENDING', async (_name, status, body, contentType) => {
    const id = newId();
    const ctx = testProviderContext(request(id));
    proxy.next(fixedAnswer(status, body, contentType));
    expectOutcomeUnknown(await thrown(adapter().grant(input(id), ctx)));
    expect(ctx.lastRecord()).toMatchObject({ stage: 'SENDING' });
    expect(ctx.reports.every((r) => r.moneyMayHaveMoved)).toBe(true);
  });
});

describe('defect 3: 412 IDEMPOTENCY_VIOLATION: another execution owns the key', () => {
  test(
    'grant -> FAILED DUPLICATE_REQUEST, nothing moved here, flagged, stage CONFLICT; ' + 'CancelPayout flags it too, sending nothing',
    async () => {
      const id = newId();
      await adapter().grant(input(id, '30.00'), testProviderContext(request(id))); // the other execution: same request id, other amount
      const ctx = testProviderContext(request(id));
      const step = await adapter().grant(input(id), ctx);
      expect(step).toMatchObject({
        status: 'FAILED',
        reason: 'DUPLICATE_REQUEST',
        failureCode: 'IDEMPOTENCY_VIOLATION',
        moneyMayHaveMoved: false,
        needsReconciliation: true,
      });
      const record = recordOf((step as { processingData: string }).processingData, id);
      expect(record).toMatchObject({ stage: 'CONFLICT', errorResponseCode: 'IDEMPOTENCY_VIOLATION' });

      const before = proxy.received();
      const cancel = await adapter().cancel(record, testProviderContext(request(id)));
      expect(cancel).toMatchObject({ status: 'FAILED', reason: 'DUPLICATE_REQUEST', needsReconciliation: true });
      expect(proxy.received()).toBe(before);
      expect(ledgerFor(id)).toEqual([expect.objectContaining({ amountMicros: '30000000' })]);
    },
  );
});

describe('defect 4: micros beyond int64 are refused, not sent', () => {
  test.each(['92233720368547.75', '9223372036854.78'])('%s EUR -> FAILED INVALID_PARAMETERS, nothing sent', async (amount) => {
    const id = newId();
    const before = proxy.received();
    const step = await adapter().grant(input(id, amount), testProviderContext(request(id)));
    expect(step).toMatchObject({ status: 'FAILED', reason: 'INVALID_PARAMETERS', moneyMayHaveMoved: false });
    expect(proxy.received()).toBe(before);
  });

  test('the largest amount inside int64 is sent (and declined by the provider limit)', async () => {
    const id = newId();
    const step = await adapter().grant(input(id, '9223372036854.77'), testProviderContext(request(id)));
    expect(step).toMatchObject({ status: 'FAILED', reason: 'AMOUNT_ABOVE_LIMIT' });
    expect(requestsFor(id)).toHaveLength(1);
  });
});

describe('defect 5: result codes', () => {
  test.each([
    ['a decline without rawResult', { disburseFundsResultCode: 'ACCOUNT_ON_HOLD' }],
    ['a decline with rawResult but no rawCode', { disburseFundsResultCode: 'ACCOUNT_CLOSED', rawResult: { scope: 'bank' } }],
    ['UNKNOWN_RESULT', { disburseFundsResultCode: 'UNKNOWN_RESULT', rawResult: { rawCode: 'X' } }],
    ['an undocumented code', { disburseFundsResultCode: 'ACCOUNT_FROZEN', rawResult: { rawCode: 'X' } }],
  ])('%s -> UNKNOWN: grant retries', async (_name, result) => {
    const id = newId();
    proxy.next(fixedAnswer(200, reply(result)));
    const ctx = testProviderContext(request(id));
    expectOutcomeUnknown(await thrown(adapter().grant(input(id), ctx)));
    expect(ctx.lastRecord()).toMatchObject({ stage: 'SENDING' });
  });

  test.each([
    ['finer than a cent', '1000000001', '1000000001'],
    ['not a number', 'lots', 'lots'],
    ['a JSON number', 1000000000, '1000000000'],
  ])('a limit that cannot be read as money (%s) is still a decline, shown raw', async (_name, limit, shown) => {
    const id = newId();
    proxy.next(
      fixedAnswer(
        200,
        reply({
          disburseFundsResultCode: 'DISBURSEMENT_EXCEEDS_TRANSACTION_LIMIT',
          rawResult: { scope: 's', rawCode: 'MAX' },
          transactionMaxLimit: limit,
        }),
      ),
    );
    const step = await adapter().grant(input(id), testProviderContext(request(id)));
    expect(step).toMatchObject({
      status: 'FAILED',
      reason: 'AMOUNT_ABOVE_LIMIT',
      moneyMayHaveMoved: false,
      message: expect.stringContaining(shown),
    });
    expect(recordOf((step as { processingData: string }).processingData, id)).toMatchObject({
      stage: 'DECLINED',
      rawResult: { scope: 's', rawCode: 'MAX' },
      limit: { kind: 'max', raw: shown },
    });
  });
});

describe('defect 6: ErrorResponses', () => {
  test.each([
    [400, 'INVALID_FIELD_VALUE', 'PROVIDER_ERROR'],
    [400, 'MISSING_REQUIRED_FIELD', 'PROVIDER_ERROR'],
    [400, 'INVALID_API_VERSION', 'CONFIGURATION_ERROR'],
    [401, 'INVALID_PAYLOAD_SIGNATURE', 'CONFIGURATION_ERROR'],
    [403, 'FORBIDDEN', 'CONFIGURATION_ERROR'],
    [404, 'INVALID_IDENTIFIER', 'CONFIGURATION_ERROR'],
  ])('%d %s on the first send -> FAILED %s, nothing moved; the provider error id is kept', async (status, code, reason) => {
    const id = newId();
    proxy.next(fixedAnswer(status, errorResponse(code, { paymentIntegratorErrorIdentifier: 'err-42' })));
    const step = await adapter().grant(input(id), testProviderContext(request(id)));
    expect(step).toMatchObject({ status: 'FAILED', reason, failureCode: code, moneyMayHaveMoved: false });
    const record = recordOf((step as { processingData: string }).processingData, id);
    expect(record).toMatchObject({ stage: 'REJECTED', errorResponseCode: code, paymentIntegratorErrorIdentifier: 'err-42' });
    expect(await adapter().cancel(record, testProviderContext(request(id)))).toMatchObject({ status: 'CANCELED' });
  });

  test(
    'the same refusal on a retry after a send that may have been processed -> ' + 'FAILED OUTCOME_UNKNOWN, money may have moved',
    async () => {
      const id = newId();
      const first = await grantWithLostAnswer(id, true);
      proxy.next(fixedAnswer(401, errorResponse('INVALID_PAYLOAD_SIGNATURE')));
      const step = await adapter().grant(input(id), testProviderContext(request(id), { attempt: 2, resumed: first.lastRecord() }));
      expect(step).toMatchObject({
        status: 'FAILED',
        reason: 'OUTCOME_UNKNOWN',
        failureCode: 'INVALID_PAYLOAD_SIGNATURE',
        moneyMayHaveMoved: true,
      });
      const record = recordOf((step as { processingData: string }).processingData, id);
      expect(record).toMatchObject({ stage: 'SENDING' });
      expect(await adapter().cancel(record, testProviderContext(request(id)))).toMatchObject({
        status: 'FAILED',
        reason: 'OUTCOME_UNKNOWN',
        needsReconciliation: true,
      });

      // Attempt 2 without the earlier record (heartbeat lost): the same, conservatively.
      const other = newId();
      proxy.next(fixedAnswer(400, errorResponse('INVALID_FIELD_VALUE')));
      expect(await adapter().grant(input(other), testProviderContext(request(other), { attempt: 2 }))).toMatchObject({
        reason: 'OUTCOME_UNKNOWN',
        moneyMayHaveMoved: true,
      });
    },
  );

  test('a refusal on a retry after sends that were all refused before any byte left is still a refusal', async () => {
    const id = newId();
    const first = testProviderContext(request(id));
    await thrown(adapter({ baseUrl: refusedUrl }).grant(input(id), first));
    proxy.next(fixedAnswer(400, errorResponse('INVALID_FIELD_VALUE')));
    const step = await adapter().grant(input(id), testProviderContext(request(id), { attempt: 2, resumed: first.lastRecord() }));
    expect(step).toMatchObject({ status: 'FAILED', reason: 'PROVIDER_ERROR', moneyMayHaveMoved: false });
  });

  test.each([
    [423, 'USER_ACTION_IN_PROGRESS'],
    [400, 'REQUEST_TIMESTAMP_OUT_OF_RANGE'],
    [500, undefined],
    [503, undefined],
  ])('%d %s -> retry (OutcomeUnknown)', async (status, code) => {
    const id = newId();
    proxy.next(fixedAnswer(status, errorResponse(code)));
    expectOutcomeUnknown(await thrown(adapter().grant(input(id), testProviderContext(request(id)))));
  });
});

describe('transport', () => {
  test('no answer within timeoutMs -> retry; the payout happened later and the retry learns it', async () => {
    const id = newId();
    sim.injectFault({ kind: 'latency', ms: 400 });
    const ctx = testProviderContext(request(id));
    expectOutcomeUnknown(await thrown(adapter({ timeoutMs: 100 }).grant(input(id), ctx)));
    await sim.settled();
    const step: PayoutStep = await adapter().grant(input(id), testProviderContext(request(id), { attempt: 2, resumed: ctx.lastRecord() }));
    expect(step.status).toBe('PAID');
    expect(ledgerFor(id)).toHaveLength(1);
  });

  test('cancel of a record that is not a disburseFunds record -> INVALID_PROCESSING_DATA, flagged, nothing sent', async () => {
    const before = proxy.received();
    const step: CancelPayoutStep = await adapter().cancel({ provider: 'payneteasy' }, testProviderContext(request('x')));
    expect(step).toMatchObject({ status: 'FAILED', reason: 'INVALID_PROCESSING_DATA', needsReconciliation: true });
    expect(proxy.received()).toBe(before);
  });
});

test('CancelPayout hands back the processing data it was given, unchanged, when it learns nothing new', async () => {
  const id = newId();
  const paid = await adapter().grant(input(id), testProviderContext(request(id)));
  const given = (paid as { processingData: string }).processingData;
  const step = await adapter().cancel(recordOf(given, id), testProviderContext(request(id)));
  expect((step as { processingData: string }).processingData).toBe(given);
});
