/** disburseFunds simulator, processing: SUCCESS and the ledger, idempotent replays, receiver and limit declines. */
import type { ReceiverState } from '../../../../src/simulators/disburse-funds';
import { ACCOUNT, call, ledgerFor, MAX, MIN, OTHER_ACCOUNT, OTHER_TOKEN, request, retryOf, sim, useSimulator } from './support';

useSimulator();

describe('processing', () => {
  test('SUCCESS records one ledger entry with the request data', async () => {
    const body = request();
    const { status, json } = await call(body);
    expect(status).toBe(200);
    expect(json).toEqual({
      responseHeader: { responseTimestamp: expect.stringMatching(/^\d+$/) },
      paymentIntegratorTransactionId: expect.any(String),
      disburseFundsResult: { disburseFundsResultCode: 'SUCCESS' },
    });
    expect(ledgerFor(body.requestHeader.requestId)).toEqual([
      {
        requestId: body.requestHeader.requestId,
        paymentIntegratorAccountId: ACCOUNT,
        paymentIntegratorTransactionId: json.paymentIntegratorTransactionId,
        amountMicros: '2080000',
        currencyCode: 'EUR',
        vpa: 'alice@bank',
        transactionDescription: 'enfore payout',
        at: expect.any(String),
      },
    ]);
  });

  test('a replay with another requestTimestamp gets the stored reply and moves money once', async () => {
    const body = request();
    const first = await call(body);
    const second = await call(retryOf(body, Date.now() - 5_000));
    const third = await call(retryOf(body, Date.now() + 5_000));
    for (const replay of [second, third]) {
      expect(replay.status).toBe(200);
      const { responseHeader, ...rest } = replay.json;
      expect(responseHeader.responseTimestamp).toMatch(/^\d+$/);
      expect(rest).toEqual({
        paymentIntegratorTransactionId: first.json.paymentIntegratorTransactionId,
        disburseFundsResult: first.json.disburseFundsResult,
      });
    }
    expect(ledgerFor(body.requestHeader.requestId)).toHaveLength(1);
  });

  test('same key with a changed amount is 412 IDEMPOTENCY_VIOLATION and the original reply stays', async () => {
    const body = request();
    const first = await call(body);
    const changed = await call({ ...retryOf(body), amount: '3000000' });
    expect(changed.status).toBe(412);
    expect(changed.json).toMatchObject({ errorResponseCode: 'IDEMPOTENCY_VIOLATION', errorDescription: expect.stringContaining('amount') });
    expect(changed.json.responseHeader.responseTimestamp).toMatch(/^\d+$/);
    for (const field of [{ currencyCode: 'USD' }, { upiDetails: { vpa: 'bob@bank' } }, { transactionDescription: 'other' }]) {
      expect((await call({ ...retryOf(body), ...field })).status).toBe(412);
    }
    const replay = await call(retryOf(body));
    expect(replay.json.paymentIntegratorTransactionId).toBe(first.json.paymentIntegratorTransactionId);
    expect(ledgerFor(body.requestHeader.requestId)).toHaveLength(1);
  });

  test('the idempotency key includes the account: same requestId on another account is a new disbursement', async () => {
    const body = request();
    const a = await call(body);
    const b = await call({ ...body, paymentIntegratorAccountId: OTHER_ACCOUNT }, OTHER_TOKEN);
    expect(a.json.disburseFundsResult.disburseFundsResultCode).toBe('SUCCESS');
    expect(b.json.disburseFundsResult.disburseFundsResultCode).toBe('SUCCESS');
    expect(b.json.paymentIntegratorTransactionId).not.toBe(a.json.paymentIntegratorTransactionId);
    expect(
      ledgerFor(body.requestHeader.requestId)
        .map((d) => d.paymentIntegratorAccountId)
        .sort(),
    ).toEqual([ACCOUNT, OTHER_ACCOUNT]);
  });

  test('receiver configured in options declines', async () => {
    const { json } = await call(request({ upiDetails: { vpa: 'closed@bank' } }));
    expect(json.disburseFundsResult.disburseFundsResultCode).toBe('ACCOUNT_CLOSED');
  });

  test.each<ReceiverState>(['ACCOUNT_CLOSED', 'ACCOUNT_CLOSED_ACCOUNT_TAKEN_OVER', 'ACCOUNT_CLOSED_FRAUD', 'ACCOUNT_ON_HOLD'])(
    'receiver state %s is the result code, with rawResult, no ledger entry, and the decline is replayed',
    async (state) => {
      const vpa = `${state.toLowerCase()}@bank`;
      sim.setReceiverState(vpa, state);
      const body = request({ upiDetails: { vpa } });
      const { status, json } = await call(body);
      expect(status).toBe(200);
      expect(json.paymentIntegratorTransactionId).toEqual(expect.any(String));
      expect(json.disburseFundsResult).toEqual({
        disburseFundsResultCode: state,
        rawResult: { scope: 'simulator', rawCode: expect.any(String) },
      });
      expect(ledgerFor(body.requestHeader.requestId)).toHaveLength(0);

      // The decline was stored: even after the account reopens, the replay gets the same answer.
      sim.setReceiverState(vpa, undefined);
      const replay = await call(retryOf(body));
      expect(replay.json.disburseFundsResult.disburseFundsResultCode).toBe(state);
      expect(replay.json.paymentIntegratorTransactionId).toBe(json.paymentIntegratorTransactionId);
      expect(ledgerFor(body.requestHeader.requestId)).toHaveLength(0);
    },
  );

  test('under the minimum and over the maximum carry the limits; the bounds are inclusive', async () => {
    const under = await call(request({ amount: '999999' }));
    expect(under.json.disburseFundsResult).toEqual({
      disburseFundsResultCode: 'DISBURSEMENT_UNDER_TRANSACTION_LIMIT',
      rawResult: { scope: 'simulator', rawCode: 'LIMIT_MIN' },
      transactionMinLimit: MIN,
    });
    const over = await call(request({ amount: '500000001' }));
    expect(over.json.disburseFundsResult).toEqual({
      disburseFundsResultCode: 'DISBURSEMENT_EXCEEDS_TRANSACTION_LIMIT',
      rawResult: { scope: 'simulator', rawCode: 'LIMIT_MAX' },
      transactionMaxLimit: MAX,
    });
    for (const amount of [MIN, MAX]) {
      expect((await call(request({ amount }))).json.disburseFundsResult.disburseFundsResultCode).toBe('SUCCESS');
    }
    // Beyond float precision: compared as BigInt.
    const huge = await call(request({ amount: '9223372036854775807' }));
    expect(huge.json.disburseFundsResult.disburseFundsResultCode).toBe('DISBURSEMENT_EXCEEDS_TRANSACTION_LIMIT');
  });
});
