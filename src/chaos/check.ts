/**
 * The money invariants of a chaos run, checked per request id against the providers' ledgers (the
 * simulators' record of money actually moved), never against logs. Pure: facts in, verdicts out.
 *
 *   open              nothing of the request is still running after the drain
 *   duplicate         at most one disbursement per disburseFunds requestId, one Payneteasy order per
 *                     client_orderid, per payment order at most one capture, at most the captured
 *                     amount refunded (and the authorized amount released), per payout order at most
 *                     the paid amount reversed
 *   success-mismatch  a success (PayoutRequest success, PaymentRequest BOOKED) is in the ledger,
 *                     amount for amount, and nothing else is held
 *   money-out         a request that did not succeed holds or moved no money (payout: paid - reversed;
 *                     payment: held and taken), unless it is flagged for reconciliation
 *   compensation      never two compensations; one whenever money moved and the request did not
 *                     succeed (unless flagged)
 *   forged-callback   a callback with a wrong control is never accepted (2xx) by the receiver
 *   unattributed-money  every money movement in the ledgers belongs to a request of the run
 *
 * A request is flagged when any of its workflows carries CuwoNeedsReconciliation = true: a person
 * owns it, so "money-out" and a missing compensation are listed as flagged, not as violations. The
 * other rules hold whatever the flag says.
 *
 * The request's outcome is what its orchestrator reports. When the orchestrator was terminated (an
 * operator switched the platform's side off, the CUWOs go on by themselves), it is what its CUWOs
 * did: the money-moving CUWO's result, undone when a compensation ran.
 */

export type Family = 'payout' | 'payment';
export type ProviderName = 'disburse-funds' | 'payneteasy';
export type ExecutionStatus = 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELED' | 'TERMINATED' | 'TIMED_OUT' | 'CONTINUED_AS_NEW' | 'UNKNOWN';
/**
 * orchestrator: PayoutRequest / PaymentRequest; cuwo: GrantPayout / AuthorizeOrCapturePayment; capture: CapturePayment;
 * compensation: CancelPayout / CancelPayment.
 */
export type ExecutionRole = 'orchestrator' | 'cuwo' | 'capture' | 'compensation';

export interface Money {
  amount: string;
  currency: string;
}

/** How a closed execution ended, as its result or failure structure says. */
export type ExecutionEnd =
  /**
   * A CUWO result; a payment CUWO also says AUTHORIZED or CAPTURED.
   * An orchestrator whose request succeeded (payout success, payment BOOKED).
   */
  | { kind: 'success'; processedAmount?: Money; paymentStatus?: 'AUTHORIZED' | 'CAPTURED' }
  /** A CUWO failure structure, or an orchestrator whose request failed, was canceled or aborted. */
  | { kind: 'failure'; reason?: string }
  | { kind: 'canceled'; reason?: string }
  /** Terminated, timed out, or failed without a CUWO structure. */
  | { kind: 'abnormal'; message?: string };

export interface ExecutionFact {
  workflowId: string;
  runId: string;
  role: ExecutionRole;
  status: ExecutionStatus;
  needsReconciliation: boolean;
  /** For closed executions. */
  end?: ExecutionEnd;
  /** The orchestrator's own word (SUCCESS, FAILURE DECLINED, BOOKED, ABORTED, ...), for the report. */
  summary?: string;
}

export interface RequestFacts {
  requestId: string;
  family: Family;
  provider: ProviderName;
  /** The provider's key for this request: disburseFunds requestId or Payneteasy client_orderid. */
  ledgerKey: string;
  requested: Money;
  executions: ExecutionFact[];
}

/** The providers' ledgers, as the simulators keep them. */
export interface Ledgers {
  /** disburseFunds: one entry per disbursement made (money moved). */
  disbursements: Array<{ requestId: string; amountMicros: string; currencyCode: string; paymentIntegratorTransactionId?: string }>;
  /** Payneteasy payouts: per order that moved money, approved payouts and approved reversals (minor units). */
  payneteasyPayouts: Array<{ orderId: string; clientOrderId: string; paidMinor: string; reversedMinor: string; currency: string }>;
  /** Payneteasy payments: one entry per payment order (sale-form / preauth-form). */
  payneteasyPayments: Array<{
    orderId: string;
    clientOrderId: string;
    currency: string;
    authorizedMinor: string;
    capturedMinor: string;
    refundedMinor: string;
    releasedMinor: string;
    heldMinor: string;
    takenMinor: string;
  }>;
  /** Every Payneteasy order with its transactions (counts of captures and returns). */
  payneteasyOrders: Array<{
    orderId: string;
    clientOrderId: string;
    kind: string;
    transactions: Array<{ type: string; status: string; amountMinor: string }>;
  }>;
}

export type Rule = 'open' | 'duplicate' | 'success-mismatch' | 'money-out' | 'compensation' | 'forged-callback' | 'unattributed-money';

export interface Violation {
  rule: Rule;
  requestId: string;
  /** What is wrong, in one sentence. */
  message: string;
  /** What the ledger says about this request. */
  ledger: string;
  /** What the workflows say about it. */
  workflows: string;
}

/** The money of one request as the ledgers show it, minor units. */
export interface RequestMoney {
  /** Payouts: how many disbursements / orders carry the key. Payments: how many orders. */
  movements: number;
  /** Payouts. */
  paidMinor: bigint;
  reversedMinor: bigint;
  /** Payments. */
  authorizedMinor: bigint;
  capturedMinor: bigint;
  refundedMinor: bigint;
  releasedMinor: bigint;
  heldMinor: bigint;
  takenMinor: bigint;
  /** Payments: approved captures (a sale counts as one), approved returns/voids. */
  captures: number;
  /** Whether any money moved at all (paid, authorized or captured), even if it went back. */
  moved: boolean;
  text: string;
}

/** What the request came to: success (with the money it must show) or not. */
export type EffectiveOutcome =
  | { kind: 'success'; processedAmount?: Money; expect: { paidMinor?: bigint; takenMinor?: bigint; heldMinor?: bigint }; label: string }
  | { kind: 'non-success'; label: string }
  | { kind: 'open'; label: string }
  | { kind: 'not-started'; label: string };

export interface RequestVerdict {
  requestId: string;
  outcome: EffectiveOutcome;
  flagged: boolean;
  compensations: number;
  money: RequestMoney;
  /** What the workflows say, one line. */
  workflows: string;
  violations: Violation[];
}

export interface CheckResult {
  verdicts: RequestVerdict[];
  violations: Violation[];
  flagged: RequestVerdict[];
}

const EXPONENTS: Record<string, number> = { JPY: 0, KWD: 3, BHD: 3 };
const exponent = (currency: string) => EXPONENTS[currency] ?? 2;

/** "12.50" EUR -> 1250n; undefined when the amount cannot be read. */
export function minorOf(money: Money | undefined): bigint | undefined {
  if (!money || typeof money.amount !== 'string') return undefined;
  const m = /^(\d+)(?:\.(\d+))?$/.exec(money.amount);
  const exp = exponent(money.currency);
  if (!m || (m[2] ?? '').length > exp) return undefined;
  return BigInt(m[1] + (m[2] ?? '').padEnd(exp, '0'));
}

function microsToMinor(micros: string, currency: string): bigint {
  return BigInt(micros) / 10n ** BigInt(6 - exponent(currency));
}

const fmt = (minor: bigint, currency = 'EUR') => {
  const exp = exponent(currency);
  const sign = minor < 0n ? '-' : '';
  const digits = (minor < 0n ? -minor : minor).toString().padStart(exp + 1, '0');
  return `${sign}${exp ? `${digits.slice(0, -exp)}.${digits.slice(-exp)}` : digits} ${currency}`;
};

/** The ledger's view of one request. */
export function requestMoney(request: RequestFacts, ledgers: Ledgers): RequestMoney {
  const currency = request.requested.currency;
  const money: RequestMoney = {
    movements: 0,
    paidMinor: 0n,
    reversedMinor: 0n,
    authorizedMinor: 0n,
    capturedMinor: 0n,
    refundedMinor: 0n,
    releasedMinor: 0n,
    heldMinor: 0n,
    takenMinor: 0n,
    captures: 0,
    moved: false,
    text: '',
  };
  if (request.family === 'payout' && request.provider === 'disburse-funds') {
    const entries = ledgers.disbursements.filter((d) => d.requestId === request.ledgerKey);
    money.movements = entries.length;
    money.paidMinor = entries.reduce((sum, d) => sum + microsToMinor(d.amountMicros, d.currencyCode), 0n);
    money.moved = entries.length > 0;
    const amounts = entries.map((d) => fmt(microsToMinor(d.amountMicros, d.currencyCode), d.currencyCode)).join(', ');
    money.text = entries.length
      ? `disburseFunds ${request.ledgerKey}: ${entries.length} disbursement(s) ${amounts} (no reversal exists)`
      : `disburseFunds ${request.ledgerKey}: no disbursement`;
    return money;
  }
  const orders = ledgers.payneteasyOrders.filter((o) => o.clientOrderId === request.ledgerKey);
  money.movements = orders.length;
  const approved = (type: string) => orders.flatMap((o) => o.transactions).filter((t) => t.type === type && t.status === 'approved').length;
  if (request.family === 'payout') {
    const entries = ledgers.payneteasyPayouts.filter((l) => l.clientOrderId === request.ledgerKey);
    money.paidMinor = entries.reduce((sum, l) => sum + BigInt(l.paidMinor), 0n);
    money.reversedMinor = entries.reduce((sum, l) => sum + BigInt(l.reversedMinor), 0n);
    money.moved = money.paidMinor > 0n;
    money.text =
      `Payneteasy ${request.ledgerKey}: ${orders.length} order(s) ${orders.map((o) => o.orderId).join(', ')}; ` +
      `paid ${fmt(money.paidMinor, currency)}, reversed ${fmt(money.reversedMinor, currency)} ` +
      `(${approved('payout')} approved payout, ${approved('return')} approved return)`;
    return money;
  }
  const entries = ledgers.payneteasyPayments.filter((l) => l.clientOrderId === request.ledgerKey);
  const sum = (field: 'authorizedMinor' | 'capturedMinor' | 'refundedMinor' | 'releasedMinor' | 'heldMinor' | 'takenMinor') =>
    entries.reduce((total, l) => total + BigInt(l[field]), 0n);
  money.authorizedMinor = sum('authorizedMinor');
  money.capturedMinor = sum('capturedMinor');
  money.refundedMinor = sum('refundedMinor');
  money.releasedMinor = sum('releasedMinor');
  money.heldMinor = sum('heldMinor');
  money.takenMinor = sum('takenMinor');
  money.captures = approved('sale') + approved('capture');
  money.moved = money.authorizedMinor > 0n || money.capturedMinor > 0n;
  money.text =
    `Payneteasy ${request.ledgerKey}: ${orders.length} order(s) ${orders.map((o) => `${o.orderId} (${o.kind})`).join(', ')}; ` +
    `authorized ${fmt(money.authorizedMinor, currency)}, captured ${fmt(money.capturedMinor, currency)} in ${money.captures} capture(s), ` +
    `refunded ${fmt(money.refundedMinor, currency)}, released ${fmt(money.releasedMinor, currency)}; ` +
    `held ${fmt(money.heldMinor, currency)}, taken ${fmt(money.takenMinor, currency)}`;
  return money;
}

const byRole = (request: RequestFacts, role: ExecutionRole) => request.executions.filter((e) => e.role === role);
/** The latest execution of a role (by list order: the collector lists them oldest first). */
const lastOf = (request: RequestFacts, role: ExecutionRole) => byRole(request, role).at(-1);

function describeEnd(e: ExecutionFact): string {
  if (e.status === 'RUNNING') return 'RUNNING';
  const end = e.end;
  const what = !end
    ? ''
    : end.kind === 'success'
      ? `success${end.paymentStatus ? ` ${end.paymentStatus}` : ''}` +
        `${end.processedAmount ? ` ${end.processedAmount.amount} ${end.processedAmount.currency}` : ''}`
      : end.kind === 'failure'
        ? `failure${end.reason ? ` ${end.reason}` : ''}`
        : end.kind === 'canceled'
          ? `canceled${end.reason ? ` ${end.reason}` : ''}`
          : `abnormal${end.message ? ` (${end.message.slice(0, 80)})` : ''}`;
  return `${e.status}${what ? ` ${what}` : ''}${e.summary ? ` [${e.summary}]` : ''}${e.needsReconciliation ? ' NEEDS-RECONCILIATION' : ''}`;
}

export function describeWorkflows(request: RequestFacts): string {
  if (request.executions.length === 0) return 'no workflow';
  return request.executions.map((e) => `${e.workflowId} ${describeEnd(e)}`).join('; ');
}

/** What the request came to; see the header. */
export function effectiveOutcome(request: RequestFacts): EffectiveOutcome {
  const orchestrator = lastOf(request, 'orchestrator');
  if (!orchestrator)
    return request.executions.length ? { kind: 'non-success', label: 'no orchestrator' } : { kind: 'not-started', label: 'not started' };
  if (orchestrator.status === 'RUNNING') return { kind: 'open', label: 'OPEN' };
  const requestedCurrency = request.requested.currency;
  if (orchestrator.status !== 'TERMINATED' && orchestrator.status !== 'TIMED_OUT') {
    const end = orchestrator.end;
    const label = orchestrator.summary ?? end?.kind ?? orchestrator.status;
    if (end?.kind !== 'success') return { kind: 'non-success', label };
    const processed = minorOf(end.processedAmount);
    if (request.family === 'payout')
      return { kind: 'success', processedAmount: end.processedAmount, expect: { paidMinor: processed ?? -1n }, label };
    return { kind: 'success', processedAmount: end.processedAmount, expect: { takenMinor: processed ?? -1n, heldMinor: 0n }, label };
  }
  // The orchestrator was terminated: what the CUWOs did on their own decides.
  if (byRole(request, 'compensation').length > 0) return { kind: 'non-success', label: 'orchestrator terminated; compensated' };
  const cuwo = lastOf(request, 'cuwo');
  if (!cuwo || cuwo.status === 'RUNNING')
    return { kind: cuwo ? 'open' : 'non-success', label: `orchestrator terminated; ${cuwo ? 'CUWO open' : 'no CUWO'}` };
  if (cuwo.end?.kind !== 'success') return { kind: 'non-success', label: `orchestrator terminated; CUWO ${cuwo.end?.kind ?? cuwo.status}` };
  const processed = minorOf(cuwo.end.processedAmount) ?? -1n;
  if (cuwo.end.processedAmount && cuwo.end.processedAmount.currency !== requestedCurrency) {
    return {
      kind: 'success',
      processedAmount: cuwo.end.processedAmount,
      expect: { paidMinor: -1n, takenMinor: -1n },
      label: 'orchestrator terminated; CUWO success in another currency',
    };
  }
  if (request.family === 'payout')
    return {
      kind: 'success',
      processedAmount: cuwo.end.processedAmount,
      expect: { paidMinor: processed },
      label: 'orchestrator terminated; GrantPayout success',
    };
  const capture = lastOf(request, 'capture');
  if (capture?.status === 'RUNNING') return { kind: 'open', label: 'orchestrator terminated; CapturePayment open' };
  if (capture?.end?.kind === 'success')
    return {
      kind: 'success',
      processedAmount: cuwo.end.processedAmount,
      expect: { takenMinor: processed, heldMinor: 0n },
      label: 'orchestrator terminated; captured',
    };
  if (capture && capture.end?.kind !== 'canceled')
    return { kind: 'non-success', label: `orchestrator terminated; CapturePayment ${capture.end?.kind ?? capture.status}` };
  // Authorized and not captured (capture never started or canceled before it was sent): the authorization stands.
  if (cuwo.end.paymentStatus === 'AUTHORIZED')
    return {
      kind: 'success',
      processedAmount: cuwo.end.processedAmount,
      expect: { heldMinor: processed, takenMinor: 0n },
      label: 'orchestrator terminated; authorized, held',
    };
  return {
    kind: 'success',
    processedAmount: cuwo.end.processedAmount,
    expect: { takenMinor: processed, heldMinor: 0n },
    label: 'orchestrator terminated; captured',
  };
}

export function checkRequest(request: RequestFacts, ledgers: Ledgers): RequestVerdict {
  const money = requestMoney(request, ledgers);
  const outcome = effectiveOutcome(request);
  const flagged = request.executions.some((e) => e.needsReconciliation);
  const compensations = byRole(request, 'compensation').length;
  const violations: Violation[] = [];
  const workflows = describeWorkflows(request);
  const violation = (rule: Rule, message: string) =>
    violations.push({ rule, requestId: request.requestId, message, ledger: money.text, workflows });
  const currency = request.requested.currency;

  // open
  const open = request.executions.filter((e) => e.status === 'RUNNING');
  if (open.length) violation('open', `still running after the drain: ${open.map((e) => e.workflowId).join(', ')}`);

  // duplicate: money moved at most once, undone at most as much as moved
  if (request.family === 'payout' && request.provider === 'disburse-funds' && money.movements > 1) {
    violation('duplicate', `${money.movements} disbursements for one requestId`);
  }
  if (request.provider === 'payneteasy' && money.movements > 1)
    violation('duplicate', `${money.movements} Payneteasy orders for one client_orderid`);
  if (request.family === 'payout' && money.reversedMinor > money.paidMinor) {
    violation('duplicate', `reversed ${fmt(money.reversedMinor, currency)}, more than the ${fmt(money.paidMinor, currency)} paid`);
  }
  if (request.family === 'payment') {
    if (money.captures > 1) violation('duplicate', `${money.captures} captures of one payment order`);
    if (money.refundedMinor > money.capturedMinor)
      violation(
        'duplicate',
        `refunded ${fmt(money.refundedMinor, currency)}, more than the ${fmt(money.capturedMinor, currency)} captured`,
      );
    if (money.releasedMinor > money.authorizedMinor)
      violation(
        'duplicate',
        `released ${fmt(money.releasedMinor, currency)}, more than the ${fmt(money.authorizedMinor, currency)} authorized`,
      );
  }
  if (compensations > 1) violation('compensation', `${compensations} compensation executions; there must never be two`);

  // While anything of the request still runs, its money may still move: only "open" and the duplicate rules apply.
  if (open.length) return { requestId: request.requestId, outcome, flagged, compensations, money, workflows, violations };

  if (outcome.kind === 'success') {
    const { paidMinor, takenMinor, heldMinor } = outcome.expect;
    const shown = outcome.processedAmount ? `${outcome.processedAmount.amount} ${outcome.processedAmount.currency}` : 'no amount';
    if (outcome.processedAmount && outcome.processedAmount.currency !== currency) {
      violation('success-mismatch', `success in ${outcome.processedAmount.currency} for a ${currency} request`);
    } else if (paidMinor !== undefined && (money.paidMinor - money.reversedMinor !== paidMinor || money.movements !== 1)) {
      violation(
        'success-mismatch',
        `success with ${shown} but the ledger shows ${fmt(money.paidMinor - money.reversedMinor, currency)} net paid ` +
          `in ${money.movements} movement(s)`,
      );
    } else if (takenMinor !== undefined && money.takenMinor !== takenMinor) {
      violation('success-mismatch', `success with ${shown} but the ledger shows ${fmt(money.takenMinor, currency)} taken`);
    } else if (heldMinor !== undefined && money.heldMinor !== heldMinor) {
      violation(
        'success-mismatch',
        `success with ${shown} but the ledger shows ${fmt(money.heldMinor, currency)} held (expected ${fmt(heldMinor, currency)})`,
      );
    }
  } else if (outcome.kind !== 'open' && !flagged) {
    const out =
      request.family === 'payout'
        ? money.paidMinor - money.reversedMinor > 0n
          ? `${fmt(money.paidMinor - money.reversedMinor, currency)} net paid out`
          : undefined
        : money.heldMinor > 0n || money.takenMinor > 0n
          ? `${fmt(money.heldMinor, currency)} held and ${fmt(money.takenMinor, currency)} taken`
          : undefined;
    if (out) violation('money-out', `the request did not succeed (${outcome.label}), is not flagged, and ${out}`);
    if (money.moved && compensations === 0)
      violation('compensation', `money moved, the request did not succeed (${outcome.label}) and no compensation ran`);
  }
  return { requestId: request.requestId, outcome, flagged, compensations, money, workflows, violations };
}

/** A callback with a wrong control that the receiver answered, with its HTTP status. */
export interface ForgedCallbackAnswer {
  workflowId: string;
  requestId?: string;
  httpStatus: number | 'network-error';
  variant: string;
}

export function checkForgedCallbacks(answers: ForgedCallbackAnswer[]): Violation[] {
  return answers
    .filter((a) => typeof a.httpStatus === 'number' && a.httpStatus >= 200 && a.httpStatus < 300)
    .map((a) => ({
      rule: 'forged-callback' as const,
      requestId: a.requestId ?? a.workflowId,
      message: `a forged callback (${a.variant}) to ${a.workflowId} was answered ${a.httpStatus}; it must be refused`,
      ledger: '-',
      workflows: a.workflowId,
    }));
}

/** Money in the ledgers under a key no request of the run owns. */
export function checkUnattributed(requests: RequestFacts[], ledgers: Ledgers): Violation[] {
  const keys = new Set(requests.map((r) => r.ledgerKey));
  const stray = [
    ...ledgers.disbursements
      .filter((d) => !keys.has(d.requestId))
      .map((d) => ({ key: d.requestId, text: `disburseFunds disbursement ${d.amountMicros} micros ${d.currencyCode}` })),
    ...ledgers.payneteasyPayouts
      .filter((l) => !keys.has(l.clientOrderId))
      .map((l) => ({
        key: l.clientOrderId,
        text: `Payneteasy payout order ${l.orderId}: paid ${l.paidMinor}, reversed ${l.reversedMinor}`,
      })),
    ...ledgers.payneteasyPayments
      .filter((l) => !keys.has(l.clientOrderId) && (BigInt(l.authorizedMinor) > 0n || BigInt(l.capturedMinor) > 0n))
      .map((l) => ({
        key: l.clientOrderId,
        text: `Payneteasy payment order ${l.orderId}: authorized ${l.authorizedMinor}, captured ${l.capturedMinor}`,
      })),
  ];
  return stray.map((s) => ({
    rule: 'unattributed-money' as const,
    requestId: s.key,
    message: 'money moved under a key that no request of the run owns',
    ledger: s.text,
    workflows: '-',
  }));
}

export function checkRun(requests: RequestFacts[], ledgers: Ledgers, forged: ForgedCallbackAnswer[] = []): CheckResult {
  const verdicts = requests.map((r) => checkRequest(r, ledgers));
  const violations = [...verdicts.flatMap((v) => v.violations), ...checkUnattributed(requests, ledgers), ...checkForgedCallbacks(forged)];
  return { verdicts, violations, flagged: verdicts.filter((v) => v.flagged) };
}
