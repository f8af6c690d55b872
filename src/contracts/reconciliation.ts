/**
 * Provider events after a CUWO ended, and the reconciler (docs/reconciliation.md). Two small, pure,
 * total decision tables: `judgeEvent` (does a verified provider event contradict what the request
 * recorded?) and `decideReconciliation` (what the reconciler does with the provider's answer). The
 * ProviderEvents workflow, the callback receiver and the Reconcile workflow only act on their results.
 */

/** The memo key of a ProviderEvents workflow (the request's events, flag, reason and findings). */
export const PROVIDER_EVENTS_MEMO_KEY = 'providerEvents';
/** The memo key of a Reconcile run (what it found per request). */
export const RECONCILE_MEMO_KEY = 'reconcile';
/** The workflow types of this module: ProviderEvents (one per CUWO) and Reconcile (the scheduled janitor). */
export const PROVIDER_EVENTS_WORKFLOW = 'ProviderEvents';
export const RECONCILE_WORKFLOW = 'Reconcile';

/** A verified provider callback (server_callback_url or notify_url) as recorded; `type` is not signed, so it never decides alone. */
export interface ProviderEvent {
  provider: string;
  account: string;
  orderId: string;
  clientOrderId: string;
  status: string;
  type: string;
  amount?: string;
  receivedAt: string;
}

/** How the request's workflows ended, read from Temporal (describe + search attributes) when the event arrived. */
export interface RecordedOutcome {
  cuwoWorkflowId: string;
  cuwoType?: string;
  /** Temporal's status of the CUWO: RUNNING, COMPLETED, FAILED, CANCELLED, TERMINATED, TIMED_OUT, ... */
  status: string;
  /** The CUWO's own outcome (search attribute CuwoOutcome): SUCCESS | FAILURE | CANCELED; absent after an abnormal end. */
  outcome?: string;
  failureReason?: string;
  /** The request's compensation (CancelPayout / CancelPayment), when one was started. */
  compensation?: { workflowId: string; status: string; failureReason?: string };
}

/** What the request's record says about money at the provider. */
export type MoneyExpectation =
  | 'IN_FLIGHT' // a CUWO or its compensation still runs: it learns the outcome itself
  | 'OUT' // the CUWO succeeded and nothing undid it
  | 'NOT_OUT' // the CUWO did not succeed (or its compensation succeeded): no money should be out
  | 'UNSETTLED'; // a compensation failed: a person already owns it

export function expectationOf(recorded: RecordedOutcome): MoneyExpectation {
  const compensation = recorded.compensation;
  if (recorded.status === 'RUNNING' || compensation?.status === 'RUNNING') return 'IN_FLIGHT';
  if (compensation && compensation.status !== 'COMPLETED') return 'UNSETTLED';
  if (compensation) return 'NOT_OUT';
  return recorded.status === 'COMPLETED' && recorded.outcome === 'SUCCESS' ? 'OUT' : 'NOT_OUT';
}

/** What an event claims happened to the money (the signed status, the unsigned type as a hint). */
export type EventClaim = 'MOVED' | 'REVERSED' | 'NOT_MOVED' | 'OTHER';

const MOVING_TYPES = new Set(['payout', 'sale', 'preauth', 'capture']);
const REVERSING_TYPES = new Set(['return', 'void', 'reversal', 'refund', 'chargeback']);
const FINAL_FAILURES = new Set(['declined', 'error', 'filtered']);

export function claimOf(event: Pick<ProviderEvent, 'status' | 'type'>): EventClaim {
  const type = event.type.toLowerCase();
  if (REVERSING_TYPES.has(type)) return event.status === 'approved' ? 'REVERSED' : 'OTHER';
  if (!MOVING_TYPES.has(type) && type !== '') return 'OTHER';
  if (event.status === 'approved') return 'MOVED';
  return FINAL_FAILURES.has(event.status) ? 'NOT_MOVED' : 'OTHER';
}

export interface EventVerdict {
  verdict: 'AGREES' | 'CONTRADICTS' | 'INFORMATION';
  reason: string;
}

/**
 * The event decision table:
 *
 *   expectation   MOVED (approved)      REVERSED (return/chargeback)   NOT_MOVED (declined...)   OTHER
 *   IN_FLIGHT     agrees                agrees                         agrees                    information
 *   OUT           agrees                CONTRADICTS                    CONTRADICTS               information
 *   NOT_OUT       CONTRADICTS           agrees                         agrees                    information
 *   UNSETTLED     CONTRADICTS           CONTRADICTS                    CONTRADICTS               CONTRADICTS
 *
 * A contradiction only flags the request: the reconciler asks the provider before anything is done,
 * so a replayed callback with a forged `type` costs a look, never money.
 */
export function judgeEvent(recorded: RecordedOutcome, event: Pick<ProviderEvent, 'status' | 'type'>): EventVerdict {
  const expectation = expectationOf(recorded);
  const claim = claimOf(event);
  const what = `${event.type || 'transaction'} ${event.status}`;
  const ended = `${recorded.cuwoType ?? 'the CUWO'} ended ${recorded.outcome ?? recorded.status}`;
  if (expectation === 'UNSETTLED')
    return { verdict: 'CONTRADICTS', reason: `${what} while ${recorded.compensation?.workflowId} ended unsettled: a person owns it` };
  if (claim === 'OTHER') return { verdict: 'INFORMATION', reason: `${what}: no final money movement` };
  if (expectation === 'IN_FLIGHT') return { verdict: 'AGREES', reason: `${what} while the request is still in flight` };
  if (expectation === 'OUT' && claim !== 'MOVED')
    return { verdict: 'CONTRADICTS', reason: `${what} after ${ended}: the money may have come back` };
  if (expectation === 'NOT_OUT' && claim === 'MOVED')
    return { verdict: 'CONTRADICTS', reason: `${what} after ${ended}${recorded.compensation ? ' and was compensated' : ''}: money moved` };
  return { verdict: 'AGREES', reason: `${what} agrees: ${ended}` };
}

/** What the provider says about the request's order now (the reconciler asks; providers that cannot be asked say so). */
export type ProviderAnswer =
  | { kind: 'CANNOT_ASK'; detail: string }
  | { kind: 'UNKNOWN'; detail: string }
  | { kind: 'MOVED'; detail: string }
  | { kind: 'REVERSED'; detail: string }
  | { kind: 'NOT_MOVED'; detail: string };

export type ReconcileAction =
  | 'CLEAR' // the provider agrees with the record (or the compensation settled it): flag off
  | 'COMPENSATE' // money is out that should not be: start the spec's compensation (exactly one)
  | 'FOLLOW_COMPENSATION' // the compensation runs: its end decides
  | 'ASK_AGAIN' // not known yet: the next run asks again
  | 'LEFT_TO_PERSON'; // nothing automatic may settle it: the reason says why

export interface ReconcileDecision {
  action: ReconcileAction;
  reason: string;
}

/**
 * The reconciler's table (expectation from the record, answer from the provider):
 *
 *   answer        IN_FLIGHT             OUT              NOT_OUT                                  UNSETTLED
 *   CANNOT_ASK    person                person           person                                   person
 *   UNKNOWN       ask again             ask again        ask again                                ask again
 *   MOVED         follow compensation   CLEAR            no compensation yet: COMPENSATE;         person
 *                 (or ask again)                        compensated yet moved: person
 *   REVERSED      follow / ask again    person           CLEAR                                    CLEAR
 *   NOT_MOVED     follow / ask again    person           CLEAR                                    CLEAR
 *
 * Nothing here ever starts a payout, sale or capture: the only movement is the compensation.
 */
export function decideReconciliation(recorded: RecordedOutcome, answer: ProviderAnswer): ReconcileDecision {
  const expectation = expectationOf(recorded);
  const said = `${answer.kind}: ${answer.detail}`;
  if (answer.kind === 'CANNOT_ASK') return { action: 'LEFT_TO_PERSON', reason: `the provider cannot be asked (${answer.detail})` };
  if (answer.kind === 'UNKNOWN') return { action: 'ASK_AGAIN', reason: `the provider's answer is not final (${answer.detail})` };
  if (expectation === 'IN_FLIGHT') {
    return recorded.compensation?.status === 'RUNNING'
      ? { action: 'FOLLOW_COMPENSATION', reason: `${recorded.compensation.workflowId} runs; its end decides (${said})` }
      : { action: 'ASK_AGAIN', reason: `${recorded.cuwoWorkflowId} still runs (${said})` };
  }
  if (expectation === 'OUT')
    return answer.kind === 'MOVED'
      ? { action: 'CLEAR', reason: `the provider agrees with SUCCESS (${said})` }
      : { action: 'LEFT_TO_PERSON', reason: `recorded SUCCESS, but the provider says ${said}: correct the booking by hand` };
  if (answer.kind !== 'MOVED') return { action: 'CLEAR', reason: `no money is out, as recorded (${said})` };
  if (expectation === 'UNSETTLED')
    return { action: 'LEFT_TO_PERSON', reason: `${recorded.compensation?.workflowId} could not undo it (${said})` };
  return recorded.compensation
    ? { action: 'LEFT_TO_PERSON', reason: `${recorded.compensation.workflowId} completed, yet the provider says ${said}` }
    : {
        action: 'COMPENSATE',
        reason: `money moved after ${recorded.cuwoType ?? 'the CUWO'} ended ${recorded.outcome ?? recorded.status} (${said})`,
      };
}

/** One reconciler visit, as the request's ProviderEvents workflow records it. */
export interface ReconcileFinding {
  at: string;
  answer: ProviderAnswer;
  action: ReconcileAction;
  reason: string;
  /** The compensation started or followed. */
  compensationWorkflowId?: string;
  /** Which Reconcile run (workflow id) found it. */
  by?: string;
}

/** Two findings are the same visit result when the provider said the same and the same was decided. */
export function sameFinding(a: ReconcileFinding | undefined, b: ReconcileFinding): boolean {
  return (
    a !== undefined &&
    a.action === b.action &&
    a.answer.kind === b.answer.kind &&
    a.answer.detail === b.answer.detail &&
    a.compensationWorkflowId === b.compensationWorkflowId
  );
}

/** What a ProviderEvents workflow shows (memo `providerEvents`, query `providerEventsState`). */
export interface ProviderEventsState {
  cuwoWorkflowId: string;
  requestId?: string;
  provider?: string;
  recorded?: RecordedOutcome;
  /** The latest events (bounded), oldest first; `eventCount` counts all. */
  events: Array<ProviderEvent & EventVerdict>;
  eventCount: number;
  needsReconciliation: boolean;
  /** Why it is (or was last) flagged, or why the flag was cleared. */
  reason?: string;
  flaggedAt?: string;
  findings: ReconcileFinding[];
  /** The compensation this workflow waits for. */
  following?: string;
  resolvedAt?: string;
}

/** The input of a ProviderEvents workflow (also what continue-as-new carries). */
export interface ProviderEventsInput {
  cuwoWorkflowId: string;
  requestId?: string;
  provider?: string;
  /** Opened by the reconciler for a closed, flagged execution: why. */
  adoptedBecause?: string;
  carried?: ProviderEventsState;
  /** How long an unflagged workflow waits for more events before it closes (default 10 s). */
  quietMs?: number;
}

/** The signal the receiver sends (with start): a verified event and the record it was judged against. */
export interface ProviderEventSignal {
  event: ProviderEvent;
  recorded: RecordedOutcome;
}

/** The signal the reconciler sends (with start): what it found. */
export interface ReconcileFindingSignal {
  finding: ReconcileFinding;
  recorded: RecordedOutcome;
  /** The compensation's failure `@type`, so the workflow can read its end. */
  compensationFailureType?: string;
}
