/**
 * The chaos run's money check (src/chaos/check.ts) on made-up ledgers and outcomes: a clean request
 * passes, and each invariant catches its own violation.
 */
import {
  checkForgedCallbacks,
  checkRequest,
  checkRun,
  effectiveOutcome,
  minorOf,
  type ExecutionFact,
  type Ledgers,
  type RequestFacts,
  type Rule,
} from '../../src/chaos/check';

const emptyLedgers = (): Ledgers => ({ disbursements: [], payneteasyPayouts: [], payneteasyPayments: [], payneteasyOrders: [] });

const exec = (workflowId: string, role: ExecutionFact['role'], fields: Partial<ExecutionFact> = {}): ExecutionFact => ({
  workflowId,
  runId: `run-${workflowId}`,
  role,
  status: 'COMPLETED',
  needsReconciliation: false,
  ...fields,
});

const eur = (amount: string) => ({ amount, currency: 'EUR' });

function disbursePayout(id: string, executions: ExecutionFact[]): RequestFacts {
  return { requestId: id, family: 'payout', provider: 'disburse-funds', ledgerKey: `payout:${id}`, requested: eur('25.00'), executions };
}
function pnePayout(id: string, executions: ExecutionFact[]): RequestFacts {
  return { requestId: id, family: 'payout', provider: 'payneteasy', ledgerKey: `payout:${id}`, requested: eur('25.00'), executions };
}
function payment(id: string, executions: ExecutionFact[]): RequestFacts {
  return { requestId: id, family: 'payment', provider: 'payneteasy', ledgerKey: `payment:${id}`, requested: eur('50.00'), executions };
}

const disbursement = (id: string, micros = '25000000') => ({ requestId: `payout:${id}`, amountMicros: micros, currencyCode: 'EUR' });

function pneOrder(
  ledgers: Ledgers,
  key: string,
  kind: 'payout' | 'sale' | 'preauth',
  transactions: Array<{ type: string; status: string; amountMinor: string }>,
  orderId = `800${ledgers.payneteasyOrders.length + 1}`,
) {
  ledgers.payneteasyOrders.push({ orderId, clientOrderId: key, kind, transactions });
  const approved = (types: string[]) =>
    transactions.filter((t) => types.includes(t.type) && t.status === 'approved').reduce((a, t) => a + BigInt(t.amountMinor), 0n);
  if (kind === 'payout') {
    const paid = approved(['payout']);
    const reversed = approved(['return']);
    if (paid || reversed)
      ledgers.payneteasyPayouts.push({
        orderId,
        clientOrderId: key,
        paidMinor: String(paid),
        reversedMinor: String(reversed),
        currency: 'EUR',
      });
  } else {
    const authorized = approved(['preauth']);
    const captures = approved(['capture']);
    const captured = approved(['sale']) + captures;
    const reversedKind = captured > 0n ? 'refund' : 'release';
    const reversed = approved(['return', 'void']);
    const refunded = reversedKind === 'refund' ? reversed : 0n;
    const released = reversedKind === 'release' ? reversed : 0n;
    const held = authorized - captures - released;
    ledgers.payneteasyPayments.push({
      orderId,
      clientOrderId: key,
      currency: 'EUR',
      authorizedMinor: String(authorized),
      capturedMinor: String(captured),
      refundedMinor: String(refunded),
      releasedMinor: String(released),
      heldMinor: String(held > 0n ? held : 0n),
      takenMinor: String(captured - refunded),
    });
  }
}

const rules = (request: RequestFacts, ledgers: Ledgers): Rule[] => checkRequest(request, ledgers).violations.map((v) => v.rule);

describe('chaos check: clean requests pass', () => {
  test('a disburseFunds payout paid once, reported as success', () => {
    const ledgers = emptyLedgers();
    ledgers.disbursements.push(disbursement('p1'));
    const request = disbursePayout('p1', [
      exec('payout-request:p1', 'orchestrator', { end: { kind: 'success', processedAmount: eur('25.00') }, summary: 'SUCCESS' }),
      exec('grant-payout:p1', 'cuwo', { end: { kind: 'success', processedAmount: eur('25.00') } }),
    ]);
    expect(rules(request, ledgers)).toEqual([]);
  });

  test('a declined Payneteasy payout with nothing paid, compensated with nothing to undo', () => {
    const ledgers = emptyLedgers();
    pneOrder(ledgers, 'payout:p2', 'payout', [{ type: 'payout', status: 'declined', amountMinor: '2500' }]);
    const request = pnePayout('p2', [
      exec('payout-request:p2', 'orchestrator', { end: { kind: 'failure', reason: 'DECLINED' } }),
      exec('grant-payout:p2', 'cuwo', { status: 'FAILED', end: { kind: 'failure', reason: 'DECLINED' } }),
      exec('cancel-payout:p2', 'compensation', { end: { kind: 'success' } }),
    ]);
    expect(rules(request, ledgers)).toEqual([]);
  });

  test('a payment aborted by the POS and refunded once', () => {
    const ledgers = emptyLedgers();
    pneOrder(ledgers, 'payment:m1', 'sale', [
      { type: 'sale', status: 'approved', amountMinor: '5000' },
      { type: 'return', status: 'approved', amountMinor: '5000' },
    ]);
    const request = payment('m1', [
      exec('payment-request:m1', 'orchestrator', { end: { kind: 'failure', reason: 'ABORTED' }, summary: 'ABORTED' }),
      exec('authorize-or-capture-payment:m1', 'cuwo', {
        end: { kind: 'success', processedAmount: eur('50.00'), paymentStatus: 'CAPTURED' },
      }),
      exec('cancel-payment:m1', 'compensation', { end: { kind: 'success' } }),
    ]);
    expect(rules(request, ledgers)).toEqual([]);
  });

  test('an authorization captured with a tip and booked', () => {
    const ledgers = emptyLedgers();
    pneOrder(ledgers, 'payment:m2', 'preauth', [
      { type: 'preauth', status: 'approved', amountMinor: '5600' },
      { type: 'capture', status: 'approved', amountMinor: '5600' },
    ]);
    const request = payment('m2', [
      exec('payment-request:m2', 'orchestrator', { end: { kind: 'success', processedAmount: eur('56.00') }, summary: 'BOOKED' }),
      exec('authorize-or-capture-payment:m2', 'cuwo', {
        end: { kind: 'success', processedAmount: eur('56.00'), paymentStatus: 'AUTHORIZED' },
      }),
      exec('capture-payment:m2', 'capture', { end: { kind: 'success' } }),
    ]);
    expect(rules(request, ledgers)).toEqual([]);
  });

  test('a paid disburseFunds payout that failed and could not be reversed is flagged, not a violation', () => {
    const ledgers = emptyLedgers();
    ledgers.disbursements.push(disbursement('p3'));
    const request = disbursePayout('p3', [
      exec('payout-request:p3', 'orchestrator', { end: { kind: 'failure', reason: 'ABNORMAL_END' }, needsReconciliation: true }),
      exec('grant-payout:p3', 'cuwo', { status: 'TERMINATED', end: { kind: 'abnormal' } }),
      exec('cancel-payout:p3', 'compensation', {
        status: 'FAILED',
        end: { kind: 'failure', reason: 'NOT_REVERSIBLE' },
        needsReconciliation: true,
      }),
    ]);
    const verdict = checkRequest(request, ledgers);
    expect(verdict.violations).toEqual([]);
    expect(verdict.flagged).toBe(true);
    expect(checkRun([request], ledgers).flagged.map((v) => v.requestId)).toEqual(['p3']);
  });
});

describe('chaos check: each invariant catches its violation', () => {
  test('open: a workflow still running after the drain', () => {
    const request = pnePayout('o1', [
      exec('payout-request:o1', 'orchestrator', { status: 'RUNNING' }),
      exec('grant-payout:o1', 'cuwo', { status: 'RUNNING' }),
    ]);
    const verdict = checkRequest(request, emptyLedgers());
    expect(verdict.violations.map((v) => v.rule)).toEqual(['open']);
    expect(verdict.violations[0].message).toContain('payout-request:o1');
    expect(verdict.violations[0].message).toContain('grant-payout:o1');
  });

  test('open: a compensation still running after the orchestrator closed (its money is not judged yet)', () => {
    const ledgers = emptyLedgers();
    pneOrder(ledgers, 'payout:o2', 'payout', [{ type: 'payout', status: 'approved', amountMinor: '2500' }]);
    const request = pnePayout('o2', [
      exec('payout-request:o2', 'orchestrator', { status: 'TERMINATED', end: { kind: 'abnormal' } }),
      exec('grant-payout:o2', 'cuwo', { status: 'FAILED', end: { kind: 'failure', reason: 'AMOUNT_MISMATCH' } }),
      exec('cancel-payout:o2', 'compensation', { status: 'RUNNING' }),
    ]);
    expect(rules(request, ledgers)).toEqual(['open']);
  });

  test('duplicate: two disbursements for one requestId', () => {
    const ledgers = emptyLedgers();
    ledgers.disbursements.push(disbursement('d1'), disbursement('d1'));
    const request = disbursePayout('d1', [
      exec('payout-request:d1', 'orchestrator', { end: { kind: 'success', processedAmount: eur('25.00') } }),
    ]);
    expect(rules(request, ledgers)).toContain('duplicate');
  });

  test('duplicate: two Payneteasy orders for one client_orderid', () => {
    const ledgers = emptyLedgers();
    pneOrder(ledgers, 'payout:d2', 'payout', [{ type: 'payout', status: 'approved', amountMinor: '2500' }]);
    pneOrder(ledgers, 'payout:d2', 'payout', [{ type: 'payout', status: 'declined', amountMinor: '2500' }]);
    const request = pnePayout('d2', [
      exec('payout-request:d2', 'orchestrator', { end: { kind: 'success', processedAmount: eur('25.00') } }),
    ]);
    expect(rules(request, ledgers)).toContain('duplicate');
  });

  test('duplicate: two captures of one payment order', () => {
    const ledgers = emptyLedgers();
    pneOrder(ledgers, 'payment:d3', 'preauth', [
      { type: 'preauth', status: 'approved', amountMinor: '5000' },
      { type: 'capture', status: 'approved', amountMinor: '2500' },
      { type: 'capture', status: 'approved', amountMinor: '2500' },
    ]);
    const request = payment('d3', [
      exec('payment-request:d3', 'orchestrator', { end: { kind: 'success', processedAmount: eur('50.00') }, summary: 'BOOKED' }),
    ]);
    const verdict = checkRequest(request, ledgers);
    expect(verdict.violations.map((v) => v.rule)).toEqual(['duplicate']);
    expect(verdict.violations[0].message).toContain('2 captures');
  });

  test('duplicate: more refunded than captured', () => {
    const ledgers = emptyLedgers();
    ledgers.payneteasyOrders.push({
      orderId: '9',
      clientOrderId: 'payment:d4',
      kind: 'sale',
      transactions: [{ type: 'sale', status: 'approved', amountMinor: '5000' }],
    });
    ledgers.payneteasyPayments.push({
      orderId: '9',
      clientOrderId: 'payment:d4',
      currency: 'EUR',
      authorizedMinor: '0',
      capturedMinor: '5000',
      refundedMinor: '10000',
      releasedMinor: '0',
      heldMinor: '0',
      takenMinor: '-5000',
    });
    const request = payment('d4', [
      exec('payment-request:d4', 'orchestrator', { end: { kind: 'failure', reason: 'ABORTED' } }),
      exec('cancel-payment:d4', 'compensation', { end: { kind: 'success' } }),
    ]);
    const verdict = checkRequest(request, ledgers);
    expect(verdict.violations.map((v) => v.rule)).toEqual(['duplicate']);
    expect(verdict.violations[0].message).toContain('more than the 50.00 EUR captured');
  });

  test('duplicate: a payout reversed for more than it paid', () => {
    const ledgers = emptyLedgers();
    ledgers.payneteasyOrders.push({ orderId: '10', clientOrderId: 'payout:d5', kind: 'payout', transactions: [] });
    ledgers.payneteasyPayouts.push({
      orderId: '10',
      clientOrderId: 'payout:d5',
      paidMinor: '2500',
      reversedMinor: '5000',
      currency: 'EUR',
    });
    const request = pnePayout('d5', [
      exec('payout-request:d5', 'orchestrator', { end: { kind: 'failure', reason: 'DECLINED' } }),
      exec('cancel-payout:d5', 'compensation', { end: { kind: 'success' } }),
    ]);
    expect(rules(request, ledgers)).toContain('duplicate');
  });

  test('success-mismatch: a payout success the ledger does not show', () => {
    const request = disbursePayout('s1', [
      exec('payout-request:s1', 'orchestrator', { end: { kind: 'success', processedAmount: eur('25.00') }, summary: 'SUCCESS' }),
    ]);
    const verdict = checkRequest(request, emptyLedgers());
    expect(verdict.violations.map((v) => v.rule)).toEqual(['success-mismatch']);
    expect(verdict.violations[0].ledger).toContain('no disbursement');
  });

  test('success-mismatch: a payout success for another amount than was paid', () => {
    const ledgers = emptyLedgers();
    pneOrder(ledgers, 'payout:s2', 'payout', [{ type: 'payout', status: 'approved', amountMinor: '2400' }]);
    const request = pnePayout('s2', [
      exec('payout-request:s2', 'orchestrator', { end: { kind: 'success', processedAmount: eur('25.00') } }),
    ]);
    expect(rules(request, ledgers)).toEqual(['success-mismatch']);
  });

  test('success-mismatch: a payout success that was reversed afterwards', () => {
    const ledgers = emptyLedgers();
    pneOrder(ledgers, 'payout:s3', 'payout', [
      { type: 'payout', status: 'approved', amountMinor: '2500' },
      { type: 'return', status: 'approved', amountMinor: '2500' },
    ]);
    const request = pnePayout('s3', [
      exec('payout-request:s3', 'orchestrator', { end: { kind: 'success', processedAmount: eur('25.00') } }),
    ]);
    expect(rules(request, ledgers)).toEqual(['success-mismatch']);
  });

  test('success-mismatch: a booked payment whose money was refunded', () => {
    const ledgers = emptyLedgers();
    pneOrder(ledgers, 'payment:s4', 'sale', [
      { type: 'sale', status: 'approved', amountMinor: '5000' },
      { type: 'return', status: 'approved', amountMinor: '5000' },
    ]);
    const request = payment('s4', [
      exec('payment-request:s4', 'orchestrator', { end: { kind: 'success', processedAmount: eur('50.00') }, summary: 'BOOKED' }),
    ]);
    expect(rules(request, ledgers)).toEqual(['success-mismatch']);
  });

  test('success-mismatch: a booked payment that left part of the authorization held', () => {
    const ledgers = emptyLedgers();
    pneOrder(ledgers, 'payment:s5', 'preauth', [
      { type: 'preauth', status: 'approved', amountMinor: '6000' },
      { type: 'capture', status: 'approved', amountMinor: '5000' },
    ]);
    const request = payment('s5', [
      exec('payment-request:s5', 'orchestrator', { end: { kind: 'success', processedAmount: eur('50.00') }, summary: 'BOOKED' }),
    ]);
    const verdict = checkRequest(request, ledgers);
    expect(verdict.violations.map((v) => v.rule)).toEqual(['success-mismatch']);
    expect(verdict.violations[0].message).toContain('10.00 EUR held');
  });

  test('money-out: a failed payout with money still out and no flag', () => {
    const ledgers = emptyLedgers();
    pneOrder(ledgers, 'payout:m1', 'payout', [{ type: 'payout', status: 'approved', amountMinor: '2500' }]);
    const request = pnePayout('m1', [
      exec('payout-request:m1', 'orchestrator', { end: { kind: 'failure', reason: 'INTERNAL_ERROR' }, summary: 'FAILURE INTERNAL_ERROR' }),
      exec('cancel-payout:m1', 'compensation', { end: { kind: 'success' } }),
    ]);
    const verdict = checkRequest(request, ledgers);
    expect(verdict.violations.map((v) => v.rule)).toEqual(['money-out']);
    expect(verdict.violations[0].message).toContain('25.00 EUR net paid out');
    expect(verdict.violations[0].workflows).toContain('cancel-payout:m1 COMPLETED success');
  });

  test('money-out: a canceled payment that still holds an authorization', () => {
    const ledgers = emptyLedgers();
    pneOrder(ledgers, 'payment:m2', 'preauth', [{ type: 'preauth', status: 'approved', amountMinor: '5000' }]);
    const request = payment('m2', [
      exec('payment-request:m2', 'orchestrator', { end: { kind: 'canceled' }, summary: 'CANCELED' }),
      exec('cancel-payment:m2', 'compensation', { end: { kind: 'success' } }),
    ]);
    expect(rules(request, ledgers)).toEqual(['money-out']);
  });

  test('money-out is excused by the flag, the duplicate rule is not', () => {
    const ledgers = emptyLedgers();
    ledgers.disbursements.push(disbursement('m3'), disbursement('m3'));
    const request = disbursePayout('m3', [
      exec('payout-request:m3', 'orchestrator', { end: { kind: 'failure', reason: 'DUPLICATE_REQUEST' }, needsReconciliation: true }),
    ]);
    expect(rules(request, ledgers)).toEqual(['duplicate']);
  });

  test('compensation: money moved, the request failed, no compensation ran', () => {
    const ledgers = emptyLedgers();
    ledgers.disbursements.push(disbursement('c1'));
    const request = disbursePayout('c1', [
      exec('payout-request:c1', 'orchestrator', { end: { kind: 'failure', reason: 'INTERNAL_ERROR' } }),
      exec('grant-payout:c1', 'cuwo', { status: 'FAILED', end: { kind: 'failure', reason: 'INTERNAL_ERROR' } }),
    ]);
    expect(rules(request, ledgers).sort()).toEqual(['compensation', 'money-out']);
  });

  test('compensation: two compensation executions', () => {
    const ledgers = emptyLedgers();
    pneOrder(ledgers, 'payment:c2', 'sale', [
      { type: 'sale', status: 'approved', amountMinor: '5000' },
      { type: 'return', status: 'approved', amountMinor: '5000' },
    ]);
    const request = payment('c2', [
      exec('payment-request:c2', 'orchestrator', { end: { kind: 'failure', reason: 'FAILED' } }),
      exec('cancel-payment:c2', 'compensation', { runId: 'a', end: { kind: 'success' } }),
      exec('cancel-payment:c2', 'compensation', { runId: 'b', end: { kind: 'success' } }),
    ]);
    const verdict = checkRequest(request, ledgers);
    expect(verdict.violations.map((v) => v.rule)).toEqual(['compensation']);
    expect(verdict.violations[0].message).toContain('2 compensation executions');
  });

  test('forged-callback: a forged callback answered 200', () => {
    const violations = checkForgedCallbacks([
      { workflowId: 'grant-payout:f1', requestId: 'f1', httpStatus: 403, variant: 'wrong key' },
      { workflowId: 'grant-payout:f2', requestId: 'f2', httpStatus: 200, variant: 'status swapped' },
      { workflowId: 'grant-payout:f3', requestId: 'f3', httpStatus: 'network-error', variant: 'garbage control' },
    ]);
    expect(violations.map((v) => [v.rule, v.requestId])).toEqual([['forged-callback', 'f2']]);
  });

  test('unattributed-money: money under a key no request owns', () => {
    const ledgers = emptyLedgers();
    ledgers.disbursements.push(disbursement('nobody'));
    const result = checkRun([], ledgers);
    expect(result.violations.map((v) => [v.rule, v.requestId])).toEqual([['unattributed-money', 'payout:nobody']]);
  });
});

describe('chaos check: the outcome of a request whose orchestrator was terminated', () => {
  const terminated = (id: string) => exec(`payment-request:${id}`, 'orchestrator', { status: 'TERMINATED', end: { kind: 'abnormal' } });

  test('a GrantPayout that succeeded on its own is a success and must be in the ledger', () => {
    const request = pnePayout('t1', [
      exec('payout-request:t1', 'orchestrator', { status: 'TERMINATED', end: { kind: 'abnormal' } }),
      exec('grant-payout:t1', 'cuwo', { end: { kind: 'success', processedAmount: eur('25.00') } }),
    ]);
    expect(effectiveOutcome(request).kind).toBe('success');
    expect(rules(request, emptyLedgers())).toEqual(['success-mismatch']);
  });

  test('an authorization that stands (no capture) must be held, not taken', () => {
    const ledgers = emptyLedgers();
    pneOrder(ledgers, 'payment:t2', 'preauth', [{ type: 'preauth', status: 'approved', amountMinor: '5000' }]);
    const request = payment('t2', [
      terminated('t2'),
      exec('authorize-or-capture-payment:t2', 'cuwo', {
        end: { kind: 'success', processedAmount: eur('50.00'), paymentStatus: 'AUTHORIZED' },
      }),
    ]);
    expect(effectiveOutcome(request)).toMatchObject({ kind: 'success', expect: { heldMinor: 5000n, takenMinor: 0n } });
    expect(rules(request, ledgers)).toEqual([]);
  });

  test('a compensation that ran makes it a non-success: nothing may stay out', () => {
    const ledgers = emptyLedgers();
    pneOrder(ledgers, 'payment:t3', 'sale', [{ type: 'sale', status: 'approved', amountMinor: '5000' }]);
    const request = payment('t3', [
      terminated('t3'),
      exec('authorize-or-capture-payment:t3', 'cuwo', {
        end: { kind: 'success', processedAmount: eur('50.00'), paymentStatus: 'CAPTURED' },
      }),
      exec('cancel-payment:t3', 'compensation', { end: { kind: 'success' } }),
    ]);
    expect(effectiveOutcome(request).kind).toBe('non-success');
    expect(rules(request, ledgers)).toEqual(['money-out']);
  });
});

test('minorOf reads decimal amounts exactly', () => {
  expect(minorOf(eur('10.15'))).toBe(1015n);
  expect(minorOf(eur('7'))).toBe(700n);
  expect(minorOf({ amount: '5', currency: 'JPY' })).toBe(5n);
  expect(minorOf(eur('1.234'))).toBeUndefined();
  expect(minorOf(undefined)).toBeUndefined();
});
