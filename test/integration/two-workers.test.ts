/**
 * Two worker processes (the real `src/worker.ts`, as deployed) on one task queue serve one scenario of
 * every CUWO and orchestrator, on whichever Temporal the suite targets (CUWO_TEST_SERVER: the dev
 * server or the PostgreSQL-backed cluster with several history shards):
 *   PayoutRequest   -> GrantPayout pays (disburseFunds)
 *   PayoutRequest   -> GrantPayout declined -> CancelPayout (nothing to revert)
 *   PaymentRequest  -> AuthorizeOrCapturePayment (authorize) -> CapturePayment -> POS completes: BOOKED
 *   PaymentRequest  -> AuthorizeOrCapturePayment (authorize) -> CapturePayment -> POS aborts -> CancelPayment refunds
 * Each scenario runs twice, all at once. Checked: the outcomes and the providers' ledgers, and that both
 * processes did the work: the workflow and activity task identities in the histories are exactly the two
 * workers' (each one holds some), and each CUWO's end is logged once, by one of them.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { WorkflowHandle } from '@temporalio/client';
import { cuwoState, startCuwo } from '../../src/client';
import { abortSignal, completeSignal } from '../../src/contracts';
import { workflowIds } from '../../src/contracts/ids';
import { CancelPayoutTypes } from '../../src/contracts/payout';
import { spawnWorkerProcess, type WorkerProcess } from '../../src/dev/worker-process';
import type { PaymentRequestResult } from '../../src/workflows/payment-request';
import type { PayoutRequestResult } from '../../src/workflows/payout-request';
import { grantPayoutParams, paymentParams } from '../support/fixtures';
import { testEnv, uniqueId } from '../support/harness';
import { startPayneteasyStack, type PayneteasyStack } from '../support/payneteasy-stack';
import { startPayoutStack, waitFor, type PayoutStack } from '../support/payout-stack';

let payouts: PayoutStack;
let payments: PayneteasyStack;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  [payouts, payments] = await Promise.all([startPayoutStack({ startWorker: false }), startPayneteasyStack({ startWorker: false })]);
  const { address, bundlePath } = testEnv();
  const accounts = { ...payouts.accounts, ...payments.accounts };
  const started = await Promise.all(
    [1, 2].map(() => spawnWorkerProcess({ address, taskQueue: queue(), accounts, workflowBundlePath: bundlePath })),
  );
  workers.push(...started);
}, 180_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await payments?.close();
  await payouts?.close();
}, 60_000);

/** One task queue for every workflow and activity of this file, served only by the two worker processes. */
const queue = () => payouts.harness.taskQueue;
const client = () => payouts.harness.client;
const handleOf = (workflowId: string) => client().workflow.getHandle(workflowId);

async function payoutSucceeds(): Promise<string[]> {
  const id = uniqueId('two-pay-out');
  const { handle } = await startCuwo(client(), 'PayoutRequest', grantPayoutParams(id), { taskQueue: queue() });
  const result: PayoutRequestResult = await handle.result();
  expect(result.grantPayout).toMatchObject({ outcome: 'SUCCESS', workflowId: workflowIds.grantPayout(id) });
  expect(result.compensation).toBeUndefined();
  expect(payouts.ledgerFor(id)).toHaveLength(1);
  return [workflowIds.payoutRequest(id), workflowIds.grantPayout(id)];
}

async function payoutDeclinedAndCompensated(): Promise<string[]> {
  const id = uniqueId('two-decline');
  const params = grantPayoutParams(id, { customerIdentifiers: [{ identifierType: 'UPI_VPA', identifier: 'closed@okbank' }] });
  const { handle } = await startCuwo(client(), 'PayoutRequest', params, { taskQueue: queue() });
  const result: PayoutRequestResult = await handle.result();
  expect(result.grantPayout).toMatchObject({ outcome: 'FAILURE', failure: { failureReason: 'RECEIVER_ACCOUNT_CLOSED' } });
  expect(result.compensation).toMatchObject({
    workflowId: workflowIds.cancelPayout(id),
    startedBy: 'PayoutRequest',
    end: { outcome: 'SUCCESS', result: { '@type': CancelPayoutTypes.result } },
  });
  expect(payouts.ledgerFor(id)).toHaveLength(0);
  return [workflowIds.payoutRequest(id), workflowIds.grantPayout(id), workflowIds.cancelPayout(id)];
}

/** Authorize on the form, capture, then the POS side completes (BOOKED) or aborts (CancelPayment refunds). */
async function paymentAuthorizedCaptured(pos: 'complete' | 'abort'): Promise<string[]> {
  const id = uniqueId(pos === 'complete' ? 'two-booked' : 'two-aborted');
  const { handle } = await startCuwo(client(), 'PaymentRequest', paymentParams(id, { captureMode: 'AUTHORIZE' }), { taskQueue: queue() });
  const cuwo = handleOf(workflowIds.authorizeOrCapturePayment(id));
  await waitFor(async () => Boolean((await cuwoState(cuwo).catch(() => undefined))?.redirectUrl), 'the payment form URL');
  const order = payments.sim.orders().find((o) => o.clientOrderId === `payment:${id}`);
  payments.sim.completeForm(order!.orderId);
  await waitFor(async () => (await cuwoState(handle))?.stage === 'AWAITING_POS', 'the POS step');
  if (pos === 'complete') await handle.signal(completeSignal);
  else await handle.signal(abortSignal, { reason: 'customer left' });
  const result: PaymentRequestResult = await handle.result();
  const ledger = payments.sim.paymentLedger().find((l) => l.clientOrderId === `payment:${id}`);
  const ids = [workflowIds.paymentRequest(id), workflowIds.authorizeOrCapturePayment(id), workflowIds.capturePayment(id)];
  if (pos === 'complete') {
    expect(result).toMatchObject({
      outcome: 'BOOKED',
      authorizeOrCapture: { outcome: 'SUCCESS', result: { status: 'AUTHORIZED' } },
      capture: { outcome: 'SUCCESS' },
    });
    expect(result.compensation).toBeUndefined();
    expect(ledger).toMatchObject({ authorizedMinor: '5000', capturedMinor: '5000', takenMinor: '5000', heldMinor: '0' });
    return ids;
  }
  expect(result).toMatchObject({
    outcome: 'ABORTED',
    abortReason: 'customer left',
    authorizeOrCapture: { outcome: 'SUCCESS', result: { status: 'AUTHORIZED' } },
    capture: { outcome: 'SUCCESS' },
    compensation: { workflowId: workflowIds.cancelPayment(id), startedBy: 'PaymentRequest', end: { outcome: 'SUCCESS' } },
  });
  expect(ledger).toMatchObject({ capturedMinor: '5000', refundedMinor: '5000', takenMinor: '0', heldMinor: '0' });
  return [...ids, workflowIds.cancelPayment(id)];
}

/** Who did what in an execution: workflow task and activity task identities from its history. */
interface TaskDone {
  kind: 'workflow task' | 'activity';
  identity: string;
}
async function taskIdentities(handle: WorkflowHandle): Promise<TaskDone[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).flatMap((e): TaskDone[] => {
    if (e.workflowTaskCompletedEventAttributes?.identity)
      return [{ kind: 'workflow task', identity: e.workflowTaskCompletedEventAttributes.identity }];
    if (e.activityTaskStartedEventAttributes?.identity)
      return [{ kind: 'activity', identity: e.activityTaskStartedEventAttributes.identity }];
    return [];
  });
}

/** The worker process (by its process group: spawnWorkerProcess starts each in its own) behind an SDK identity `<pid>@<host>`. */
function workerOf(identity: string): WorkerProcess | undefined {
  const [pid, host] = identity.split('@');
  if (host !== hostname() || !/^\d+$/.test(pid)) return undefined;
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid pgrp ..."; comm may hold spaces, so split after its ')'.
    const pgrp = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(')').pop()!.trim().split(/\s+/)[2]);
    return workers.find((w) => w.child.pid === pgrp);
  } catch {
    return undefined;
  }
}

test('two worker processes on one task queue: every CUWO and orchestrator, each worker doing part of the work', async () => {
  const scenarios = [
    payoutSucceeds,
    payoutDeclinedAndCompensated,
    () => paymentAuthorizedCaptured('complete'),
    () => paymentAuthorizedCaptured('abort'),
  ];
  const workflowsPerRun = await Promise.all([...scenarios, ...scenarios].map((scenario) => scenario()));
  const workflows = workflowsPerRun.flat();
  const types = new Set(await Promise.all(workflows.map(async (id) => (await handleOf(id).describe()).type)));
  expect([...types].sort()).toEqual(
    [
      'AuthorizeOrCapturePayment',
      'CancelPayment',
      'CancelPayout',
      'CapturePayment',
      'GrantPayout',
      'PaymentRequest',
      'PayoutRequest',
    ].sort(),
  );

  // The histories: every task was done by one of the two processes, and each did some.
  const tasks = (await Promise.all(workflows.map((id) => taskIdentities(handleOf(id))))).flat();
  const perWorker = new Map<WorkerProcess, { 'workflow task': number; activity: number }>(
    workers.map((w) => [w, { 'workflow task': 0, activity: 0 }]),
  );
  const strangers = new Set<string>();
  for (const { kind, identity } of tasks) {
    const worker = workerOf(identity);
    if (worker) perWorker.get(worker)![kind]++;
    else strangers.add(identity);
  }
  const summary = workers.map((w, i) => `worker ${i + 1} (pid ${w.child.pid}): ${JSON.stringify(perWorker.get(w))}`).join('; ');
  console.log(`[two-workers] ${tasks.length} tasks over ${workflows.length} executions; ${summary}`);
  expect([...strangers]).toEqual([]);
  const total = (w: WorkerProcess) => perWorker.get(w)!['workflow task'] + perWorker.get(w)!.activity;
  expect(workers.map((w) => total(w) > 0)).toEqual([true, true]);

  // Their logs: each CUWO's end is logged (workflow logs are not repeated on replay) by one of the two.
  const endings = (worker: WorkerProcess) =>
    worker
      .output()
      .split('\n')
      .flatMap((line): Array<{ msg?: string; workflowId?: string }> => {
        try {
          return [JSON.parse(line)];
        } catch {
          return []; // not a log entry
        }
      })
      .filter((entry) => / ended [A-Z]+$/.test(entry.msg ?? '') && workflows.includes(entry.workflowId ?? ''))
      .map((entry) => entry.workflowId!);
  const cuwos = workflows.filter((id) => !/^(payout|payment)-request:/.test(id));
  expect(workers.flatMap(endings)).toEqual(expect.arrayContaining(cuwos));
}, 180_000);
