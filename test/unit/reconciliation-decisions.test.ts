/** The two pure decision tables of docs/reconciliation.md, row by row. */
import {
  decideReconciliation,
  expectationOf,
  judgeEvent,
  type ProviderAnswer,
  type RecordedOutcome,
} from '../../src/contracts/reconciliation';

const recorded = (status: string, outcome?: string, compensation?: RecordedOutcome['compensation']): RecordedOutcome => ({
  cuwoWorkflowId: 'grant-payout:R1',
  cuwoType: 'GrantPayout',
  status,
  outcome,
  compensation,
});
const success = recorded('COMPLETED', 'SUCCESS');
const terminated = recorded('TERMINATED');
const compensated = recorded('FAILED', 'FAILURE', { workflowId: 'cancel-payout:R1', status: 'COMPLETED' });
const compensating = recorded('FAILED', 'FAILURE', { workflowId: 'cancel-payout:R1', status: 'RUNNING' });
const unsettled = recorded('FAILED', 'FAILURE', { workflowId: 'cancel-payout:R1', status: 'FAILED', failureReason: 'NOT_REVERSIBLE' });

test.each([
  [recorded('RUNNING'), 'IN_FLIGHT'],
  [compensating, 'IN_FLIGHT'],
  [success, 'OUT'],
  [terminated, 'NOT_OUT'],
  [recorded('FAILED', 'FAILURE'), 'NOT_OUT'],
  [recorded('CANCELLED', 'CANCELED'), 'NOT_OUT'],
  [recorded('TIMED_OUT'), 'NOT_OUT'],
  [compensated, 'NOT_OUT'],
  [unsettled, 'UNSETTLED'],
])('expectation of %j is %s', (r, expected) => expect(expectationOf(r)).toBe(expected));

test.each([
  [success, 'payout', 'approved', 'AGREES'],
  [success, 'chargeback', 'approved', 'CONTRADICTS'],
  [success, 'return', 'approved', 'CONTRADICTS'],
  [success, 'payout', 'declined', 'CONTRADICTS'],
  [success, 'return', 'declined', 'INFORMATION'],
  [terminated, 'payout', 'approved', 'CONTRADICTS'],
  [terminated, '', 'approved', 'CONTRADICTS'],
  [terminated, 'payout', 'declined', 'AGREES'],
  [terminated, 'payout', 'processing', 'INFORMATION'],
  [compensated, 'return', 'approved', 'AGREES'],
  [compensated, 'payout', 'approved', 'CONTRADICTS'],
  [compensating, 'payout', 'approved', 'AGREES'],
  [unsettled, 'return', 'approved', 'CONTRADICTS'],
  [success, 'something-new', 'approved', 'INFORMATION'],
])('event: %j then %s %s -> %s', (r, type, status, verdict) => expect(judgeEvent(r, { type, status }).verdict).toBe(verdict));

const answer = (kind: ProviderAnswer['kind']): ProviderAnswer => ({ kind, detail: 'd' });
test.each([
  [success, 'CANNOT_ASK', 'LEFT_TO_PERSON'],
  [terminated, 'UNKNOWN', 'ASK_AGAIN'],
  [recorded('RUNNING'), 'MOVED', 'ASK_AGAIN'],
  [compensating, 'MOVED', 'FOLLOW_COMPENSATION'],
  [success, 'MOVED', 'CLEAR'],
  [success, 'REVERSED', 'LEFT_TO_PERSON'],
  [success, 'NOT_MOVED', 'LEFT_TO_PERSON'],
  [terminated, 'MOVED', 'COMPENSATE'],
  [terminated, 'REVERSED', 'CLEAR'],
  [terminated, 'NOT_MOVED', 'CLEAR'],
  [compensated, 'MOVED', 'LEFT_TO_PERSON'],
  [compensated, 'REVERSED', 'CLEAR'],
  [unsettled, 'MOVED', 'LEFT_TO_PERSON'],
  [unsettled, 'NOT_MOVED', 'CLEAR'],
])('reconcile: %j, provider %s -> %s', (r, kind, action) =>
  expect(decideReconciliation(r, answer(kind as ProviderAnswer['kind'])).action).toBe(action),
);
