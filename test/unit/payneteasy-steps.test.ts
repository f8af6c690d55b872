/**
 * The CUWO steps the Payneteasy adapters answer, built without HTTP: the shared builders
 * (src/activities/providers/payneteasy/steps.ts) and what each flow answers once its creating
 * transaction is approved (payouts.ts, payments.ts). The seal is plain JSON here.
 */
import { PAYMENT } from '../../src/activities/providers/payneteasy/payments';
import { PAYOUT } from '../../src/activities/providers/payneteasy/payouts';
import type { PaymentRecord, PayoutRecord } from '../../src/activities/providers/payneteasy/records';
import {
  conflict,
  finalFailure,
  invalidRecord,
  needsPerson,
  notSent,
  pending,
  refusedCreation,
} from '../../src/activities/providers/payneteasy/steps';
import type { TransactionView } from '../../src/activities/providers/payneteasy/outcome';

const seal = (record: object) => JSON.stringify(record);
const opened = (step: { processingData?: string }) => JSON.parse(step.processingData ?? 'null');

const payout: PayoutRecord = {
  v: 1,
  provider: 'payneteasy',
  account: 'pne',
  clientOrderId: 'payout:PR-1',
  amount: { amount: '25.00', currency: 'EUR' },
  destination: 'card-1',
  stage: 'APPROVED',
  orderId: '4711',
  serialNumber: 'sn-1',
};
const payment: PaymentRecord = {
  v: 1,
  provider: 'payneteasy',
  account: 'pne',
  clientOrderId: 'payment:PAY-1',
  command: 'preauth',
  requested: { amount: '50.00', currency: 'EUR' },
  stage: 'AUTHORIZED',
  orderId: '4712',
  serialNumber: 'sn-2',
};
const paid = (over: Partial<TransactionView> = {}): TransactionView => ({
  orderId: '4711',
  clientOrderId: 'payout:PR-1',
  serialNumber: 'sn-1',
  type: 'payout',
  status: 'approved',
  amount: '25.00',
  currency: 'EUR',
  minor: 2500n,
  ...over,
});

describe('shared steps', () => {
  test('PENDING: the order, the form only on a first call, why it is unknown only when it is', () => {
    const record = { ...payout, stage: 'PROCESSING' as const, redirectUrl: 'https://gate/form/1' };
    expect(pending(record, seal, 4_000)).toEqual({
      status: 'PENDING',
      provider: 'payneteasy',
      processingData: seal(record),
      pollAfterMs: 4_000,
      reference: '4711',
      order: { clientOrderId: 'payout:PR-1', orderId: '4711' },
    });
    expect(pending(record, seal, 10, { form: true, unknown: 'no such order yet' })).toMatchObject({
      redirectUrl: 'https://gate/form/1',
      unknown: 'no such order yet',
    });
    expect(pending({ ...record, orderId: undefined }, seal, 10)).toMatchObject({ order: { clientOrderId: 'payout:PR-1' } });
  });

  test('a conflict: flagged, the record CONFLICT, whether our own request may have gone too', () => {
    const first = conflict(payout, seal, false, 'DUPLICATE_ORDER on the first send', 'nothing was paid by this one');
    expect(first).toMatchObject({
      status: 'FAILED',
      reason: 'DUPLICATE_REQUEST',
      failureCode: 'DUPLICATE_ORDER',
      moneyMayHaveMoved: false,
    });
    expect(first.message).toBe(
      'another execution owns Payneteasy order payout:PR-1 (DUPLICATE_ORDER on the first send); ' +
        'nothing was paid by this one; reconcile by hand',
    );
    expect(opened(first)).toMatchObject({ stage: 'CONFLICT' });
    expect(conflict(payout, seal, true, 'x', 'n/a').message).toContain('our own request may have been sent too');
  });

  test('never sent: nothing moved, stage NOT_SENT', () => {
    const step = notSent(payout, seal, 'payout', 'ECONNREFUSED');
    expect(step).toMatchObject({ reason: 'PROVIDER_ERROR', failureCode: 'NOT_SENT', moneyMayHaveMoved: false });
    expect(step.message).toBe('the payout request payout:PR-1 was never sent: ECONNREFUSED');
    expect(opened(step)).toMatchObject({ stage: 'NOT_SENT' });
  });

  test('refused on the first send: REJECTED, nothing moved; after a possible send: SENDING, money may have moved', () => {
    const refusal = { code: 'OAUTH_INVALID', message: '' };
    const first = refusedCreation(payout, seal, 'payout', refusal, false);
    expect(first).toMatchObject({ reason: 'CONFIGURATION_ERROR', failureCode: 'OAUTH_INVALID', moneyMayHaveMoved: false });
    expect(first.message).toBe('Payneteasy refused payout payout:PR-1: OAUTH_INVALID');
    expect(opened(first)).toMatchObject({ stage: 'REJECTED', errorCode: 'OAUTH_INVALID', errorMessage: '' });
    const again = refusedCreation(payout, seal, 'sale', { code: 'X', message: 'no' }, true);
    expect(again).toMatchObject({ reason: 'PROVIDER_ERROR', moneyMayHaveMoved: true });
    expect(opened(again)).toMatchObject({ stage: 'SENDING' });
  });

  test("a final failure: nothing moved, the provider's code, the cancelation when the form was abandoned", () => {
    expect(finalFailure({ ...payout, stage: 'DECLINED' }, seal, 'declined', 'payout', undefined)).toMatchObject({
      reason: 'DECLINED',
      failureCode: 'DECLINED',
      moneyMayHaveMoved: false,
      message: 'Payneteasy declined payout 4711: no reason given',
    });
    const abandoned = { cancelation: 'RECEIVER_DID_NOT_CONFIRM' as const, message: 'the receiver never completed the payout form' };
    const step = finalFailure({ ...payout, stage: 'ERROR', errorCode: 'FORM_EXPIRED' }, seal, 'error', 'payout', abandoned);
    expect(step).toMatchObject({ reason: 'PROVIDER_ERROR', failureCode: 'FORM_EXPIRED', cancelation: 'RECEIVER_DID_NOT_CONFIRM' });
    expect(step.message).toBe('the receiver never completed the payout form');
  });

  test('an unusable record and a person to look: flagged', () => {
    expect(invalidRecord('bad', { moneyMayHaveMoved: true })).toEqual({
      status: 'FAILED',
      provider: 'payneteasy',
      reason: 'INVALID_PROCESSING_DATA',
      failureCode: 'INVALID_PROCESSING_DATA',
      message: 'bad',
      moneyMayHaveMoved: true,
      needsReconciliation: true,
    });
    expect(needsPerson(payout, seal, 'NOT_REVERSIBLE', 'PAID', 'paid')).toMatchObject({
      message: 'paid; reconcile by hand',
      needsReconciliation: true,
      processingData: seal(payout),
    });
  });
});

describe('what each flow answers once its creating transaction is approved', () => {
  test('payout: PAID with the amount asked for, when the provider paid exactly that', () => {
    expect(PAYOUT.approvedStep(payout, paid(), seal)).toEqual({
      status: 'PAID',
      provider: 'payneteasy',
      reference: '4711',
      processedAmount: { amount: '25.00', currency: 'EUR' },
      processingData: seal(payout),
    });
  });

  test.each([
    ['another amount', paid({ amount: '30.00', minor: 3000n }), 'Payneteasy approved 30.00 EUR for payout order 4711, requested 25.00 EUR'],
    [
      'an unreadable amount',
      paid({ amount: 'x', minor: undefined }),
      'Payneteasy approved x EUR for payout order 4711, requested 25.00 EUR',
    ],
    ['another currency', paid({ currency: 'USD' }), 'Payneteasy approved 25.00 USD for payout order 4711, requested 25.00 EUR'],
  ])('payout with %s: FAILED AMOUNT_MISMATCH, money moved, and no compensation reverses it', (_name, view, message) => {
    expect(PAYOUT.approvedStep(payout, view, seal)).toMatchObject({
      status: 'FAILED',
      reason: 'PROVIDER_ERROR',
      failureCode: 'AMOUNT_MISMATCH',
      moneyMayHaveMoved: true,
      message,
    });
    expect(PAYOUT.amountMismatch?.(payout, view)).toBe(message);
  });

  test('payment: APPROVED with what the provider processed (the amount policy decides), in its mode', () => {
    const view = paid({ type: 'preauth', amount: '45.000', minor: 4500n });
    expect(PAYMENT.approvedStep(payment, view, seal)).toEqual({
      status: 'APPROVED',
      provider: 'payneteasy',
      mode: 'AUTHORIZE',
      processedAmount: { amount: '45.00', currency: 'EUR' },
      reference: '4712',
      processingData: seal(payment),
    });
    expect(PAYMENT.amountMismatch).toBeUndefined(); // a return takes back whatever was taken
  });

  test('payment with an amount that cannot be read: FAILED AMOUNT_MISMATCH, not flagged (the compensation releases it)', () => {
    const step = PAYMENT.approvedStep(payment, paid({ type: 'preauth', minor: undefined }), seal);
    expect(step).toMatchObject({ status: 'FAILED', reason: 'AMOUNT_MISMATCH', moneyMayHaveMoved: true });
    expect(step).not.toHaveProperty('needsReconciliation');
  });
});
