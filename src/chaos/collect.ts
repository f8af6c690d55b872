/**
 * After the drain: every execution of the run (the namespace is fresh, so every execution is ours)
 * with its status, reconciliation flag and typed end, grouped per request; and the providers' ledgers.
 */
import { WorkflowFailedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { providerKey } from '../activities/providers/keys';
import type { LocalStack } from '../dev/stack';
import { CuwoNeedsReconciliation } from '../search-attributes';
import { workflowIds } from '../contracts/ids';
import type { ExecutionEnd, ExecutionFact, ExecutionRole, ExecutionStatus, Ledgers, Money, RequestFacts } from './check';
import { isPayout, type RequestPlan } from './mix';

const ROLES: Array<{ prefix: string; role: ExecutionRole }> = [
  { prefix: 'payout-request:', role: 'orchestrator' },
  { prefix: 'grant-payout:', role: 'cuwo' },
  { prefix: 'cancel-payout:', role: 'compensation' },
  { prefix: 'payment-request:', role: 'orchestrator' },
  { prefix: 'authorize-or-capture-payment:', role: 'cuwo' },
  { prefix: 'capture-payment:', role: 'capture' },
  { prefix: 'cancel-payment:', role: 'compensation' },
];

const STATUS: Record<string, ExecutionStatus> = {
  RUNNING: 'RUNNING',
  COMPLETED: 'COMPLETED',
  FAILED: 'FAILED',
  CANCELLED: 'CANCELED',
  TERMINATED: 'TERMINATED',
  TIMED_OUT: 'TIMED_OUT',
  CONTINUED_AS_NEW: 'CONTINUED_AS_NEW',
};

interface Listed {
  workflowId: string;
  runId: string;
  startTime: Date;
}

/** Runs `fn` over `items` with at most `limit` at a time. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}

/**
 * Every execution of the run, read two ways: the visibility list (it also shows workflows no plan
 * explains) and a direct describe of every workflow id a request may have (ids derive from the request
 * id). Visibility lags behind (seconds on the PostgreSQL cluster); a describe does not, so a
 * compensation started a moment ago is never missed by the drain or the check.
 */
async function runExecutions(client: Client, plans: RequestPlan[]): Promise<Array<Listed & { running: boolean }>> {
  const found = new Map<string, Listed & { running: boolean }>();
  for await (const info of client.workflow.list()) {
    found.set(info.workflowId, {
      workflowId: info.workflowId,
      runId: info.runId,
      startTime: info.startTime,
      running: info.status.name === 'RUNNING',
    });
  }
  const ids = plans.flatMap((plan) => ROLES.map((role) => `${role.prefix}${plan.requestId}`));
  await mapLimit(ids, 12, async (workflowId) => {
    try {
      const d = await client.workflow.getHandle(workflowId).describe();
      found.set(workflowId, { workflowId, runId: d.runId, startTime: d.startTime, running: d.status.name === 'RUNNING' });
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  });
  return [...found.values()];
}

/**
 * What the drain waits for. A request's provider-events case (workflowIds.providerEvents) is not waited
 * for: flagged, it stays open by design until the reconciler or a person settles it.
 */
export async function openExecutions(client: Client, plans: RequestPlan[]): Promise<string[]> {
  const isCase = (workflowId: string) => workflowId.startsWith(workflowIds.providerEvents(''));
  return (await runExecutions(client, plans)).filter((e) => e.running && !isCase(e.workflowId)).map((e) => e.workflowId);
}

/** The typed end of a closed execution, from its result or failure. */
async function endOf(
  client: Client,
  listed: Listed,
  role: ExecutionRole,
  status: ExecutionStatus,
): Promise<{ end?: ExecutionEnd; summary?: string }> {
  if (status === 'RUNNING') return {};
  if (status === 'TERMINATED' || status === 'TIMED_OUT') return { end: { kind: 'abnormal', message: status.toLowerCase() } };
  const handle = client.workflow.getHandle(listed.workflowId, listed.runId, { followRuns: false });
  try {
    const result = (await handle.result()) as Record<string, unknown>;
    if (role === 'orchestrator') return orchestratorEnd(result);
    return {
      end: {
        kind: 'success',
        processedAmount: result?.processedAmount as Money | undefined,
        paymentStatus: result?.status as 'AUTHORIZED' | 'CAPTURED' | undefined,
      },
    };
  } catch (err) {
    if (!(err instanceof WorkflowFailedError))
      return { end: { kind: 'abnormal', message: `result not readable: ${(err as Error).message}` } };
    const cause = err.cause;
    const detail = cause instanceof ApplicationFailure ? (cause.details?.[0] as Record<string, unknown> | undefined) : undefined;
    const type = typeof detail?.['@type'] === 'string' ? (detail['@type'] as string) : '';
    if (type.endsWith('WorkflowFailure')) return { end: { kind: 'failure', reason: String(detail!.failureReason) } };
    if (type.endsWith('WorkflowCancelation')) return { end: { kind: 'canceled', reason: String(detail!.cancelationReason) } };
    if (cause instanceof CancelledFailure || status === 'CANCELED') return { end: { kind: 'canceled' } };
    return {
      end: { kind: 'abnormal', message: `${cause?.name ?? 'failure'}: ${cause?.message ?? err.message}` },
      summary: role === 'orchestrator' ? `FAILED ${cause?.message ?? ''}`.trim() : undefined,
    };
  }
}

/** PayoutRequest / PaymentRequest results: the request's outcome as the orchestrator reports it. */
function orchestratorEnd(result: Record<string, unknown>): { end: ExecutionEnd; summary: string } {
  if ('grantPayout' in result) {
    const grant = result.grantPayout as {
      outcome: string;
      result?: { processedAmount?: Money };
      failure?: { failureReason?: string };
      message?: string;
    };
    const compensation = result.compensation as { end?: { outcome: string; failure?: { failureReason?: string } } } | undefined;
    const compensated = compensation
      ? ` (CancelPayout ${compensation.end?.outcome ?? 'unknown'}` +
        `${compensation.end?.failure?.failureReason ? ` ${compensation.end.failure.failureReason}` : ''})`
      : '';
    if (grant.outcome === 'SUCCESS')
      return { end: { kind: 'success', processedAmount: grant.result?.processedAmount }, summary: 'SUCCESS' };
    if (grant.outcome === 'CANCELED') return { end: { kind: 'canceled' }, summary: `CANCELED${compensated}` };
    return {
      end: { kind: 'failure', reason: grant.failure?.failureReason ?? grant.outcome },
      summary: `${grant.outcome}${grant.failure?.failureReason ? ` ${grant.failure.failureReason}` : ''}${compensated}`,
    };
  }
  const payment = result as {
    outcome: string;
    authorizeOrCapture?: { outcome: string; result?: { processedAmount?: Money }; failure?: { failureReason?: string } };
    capture?: { outcome: string; failure?: { failureReason?: string } };
    compensation?: { end?: { outcome: string; failure?: { failureReason?: string } } };
  };
  const auth = payment.authorizeOrCapture;
  const why = [
    auth && auth.outcome !== 'SUCCESS'
      ? `authorize ${auth.outcome}${auth.failure?.failureReason ? ` ${auth.failure.failureReason}` : ''}`
      : undefined,
    payment.capture && payment.capture.outcome !== 'SUCCESS'
      ? `capture ${payment.capture.outcome}${payment.capture.failure?.failureReason ? ` ${payment.capture.failure.failureReason}` : ''}`
      : undefined,
    payment.compensation
      ? `CancelPayment ${payment.compensation.end?.outcome ?? 'unknown'}` +
        `${payment.compensation.end?.failure?.failureReason ? ` ${payment.compensation.end.failure.failureReason}` : ''}`
      : undefined,
  ].filter(Boolean);
  const summary = `${payment.outcome}${why.length ? ` (${why.join(', ')})` : ''}`;
  if (payment.outcome === 'BOOKED') return { end: { kind: 'success', processedAmount: auth?.result?.processedAmount }, summary };
  if (payment.outcome === 'CANCELED') return { end: { kind: 'canceled' }, summary };
  return { end: { kind: 'failure', reason: payment.outcome }, summary };
}

export async function collectFacts(client: Client, plans: RequestPlan[]): Promise<{ requests: RequestFacts[]; unattributed: string[] }> {
  const listed: Listed[] = (await runExecutions(client, plans)).map(({ workflowId, runId, startTime }) => ({
    workflowId,
    runId,
    startTime,
  }));
  listed.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());

  const byRequest = new Map<string, Array<{ listed: Listed; role: ExecutionRole }>>();
  const unattributed: string[] = [];
  for (const item of listed) {
    const match = ROLES.find((r) => item.workflowId.startsWith(r.prefix));
    const requestId = match ? item.workflowId.slice(match.prefix.length) : undefined;
    if (!match || !requestId || !plans.some((p) => p.requestId === requestId)) {
      unattributed.push(item.workflowId);
      continue;
    }
    const list = byRequest.get(requestId) ?? [];
    list.push({ listed: item, role: match.role });
    byRequest.set(requestId, list);
  }

  const executions = await mapLimit(
    [...byRequest.entries()].flatMap(([requestId, items]) => items.map((item) => ({ requestId, ...item }))),
    12,
    async (item) => {
      const handle = client.workflow.getHandle(item.listed.workflowId, item.listed.runId);
      const description = await handle.describe();
      const status = STATUS[description.status.name] ?? 'UNKNOWN';
      const flag = description.typedSearchAttributes.get(CuwoNeedsReconciliation);
      const { end, summary } = await endOf(client, item.listed, item.role, status);
      const fact: ExecutionFact = {
        workflowId: item.listed.workflowId,
        runId: item.listed.runId,
        role: item.role,
        status,
        needsReconciliation: flag === true,
        ...(end ? { end } : {}),
        ...(summary ? { summary } : {}),
      };
      return { requestId: item.requestId, fact };
    },
  );

  const requests = plans.map((plan): RequestFacts => {
    const payout = isPayout(plan);
    const provider = plan.kind === 'payout-disburse' ? 'disburse-funds' : 'payneteasy';
    const ledgerKey =
      provider === 'disburse-funds'
        ? providerKey('payout', plan.requestId, 100)
        : providerKey(payout ? 'payout' : 'payment', plan.requestId, 128);
    const digits = plan.amountMinor.toString().padStart(3, '0');
    return {
      requestId: plan.requestId,
      family: payout ? 'payout' : 'payment',
      provider,
      ledgerKey,
      requested: { amount: `${digits.slice(0, -2)}.${digits.slice(-2)}`, currency: 'EUR' },
      executions: executions.filter((e) => e.requestId === plan.requestId).map((e) => e.fact),
    };
  });
  return { requests, unattributed };
}

export async function collectLedgers(stack: LocalStack): Promise<Ledgers> {
  await stack.disburse.settled(); // a payout held by a delay fault has happened by then
  return {
    disbursements: stack.disburse.ledger(),
    payneteasyPayouts: stack.payneteasy.ledger(),
    payneteasyPayments: stack.payneteasy.paymentLedger(),
    payneteasyOrders: stack.payneteasy.orders().map((o) => ({
      orderId: o.orderId,
      clientOrderId: o.clientOrderId,
      kind: o.kind,
      transactions: o.transactions.map((t) => ({ type: t.type, status: t.status, amountMinor: t.amountMinor })),
    })),
  };
}
