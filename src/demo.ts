/**
 * `npm run demo`: brings up the local stack (Temporal dev server + Web UI, provider simulators, the
 * callback receiver, a worker process) and runs two sets of scenarios:
 * - payouts: GrantPayout on both payout protocols (disburseFunds: a payout, an amount above the
 *   provider limit, a worker SIGKILLed mid-payout and recovered; Payneteasy: a payout approved by
 *   polling and callback, one through the receiver's form, a decline);
 * - payments: PaymentRequest over Payneteasy (AuthorizeOrCapturePayment, CapturePayment and
 *   CancelPayment as its children): a direct capture, an authorization captured with an extra tip,
 *   and a sale the POS aborts after capture, so CancelPayment refunds it.
 * It prints a result table with the money counted in the simulators' ledgers and the Web UI link,
 * and exits 0 only when every scenario ended as expected.
 *   --keep   leave the stack running afterwards, to look around in the Web UI (Ctrl-C stops it)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import Table from 'cli-table3';
import type { WorkflowHandle } from '@temporalio/client';
import { cuwoOutcome, cuwoState, startCuwo, type CuwoOutcome } from './client';
import { cuwoDataConverter } from './codec/data-converter';
import { bundleCuwoWorkflows } from './workflow-bundle';
import { taskQueue } from './config';
import { abortSignal, completeSignal } from './contracts';
import { workflowIds } from './contracts/ids';
import { formatMoney, fromMinorUnits } from './contracts/money';
import { AuthorizeOrCapturePaymentTypes, type AuthorizeOrCapturePaymentWorkflowParameters } from './contracts/payment';
import { GrantPayoutTypes, type GrantPayoutWorkflowParameters } from './contracts/payout';
import type { PaymentRequestResult } from './workflows/payment-request';
import { DEMO_PAYNETEASY_ACCOUNT, DEMO_UPI_ACCOUNT, startLocalStack, type LocalStack } from './dev/stack';
import { spawnWorkerProcess, type WorkerProcess } from './dev/worker-process';

const say = (line: string) => console.error(`[demo] ${line}`);

interface Scenario {
  name: string;
  provider: 'disburse-funds' | 'payneteasy';
  amount: string;
  /** Payneteasy: a stored card reference (its prefix picks the simulator's outcome); none = the receiver's form. */
  card?: string;
  expected: string;
  /** Runs after the CUWO was started; returns when the scenario's intervention is done. */
  during?: (ctx: ScenarioContext, payoutRequestID: string, handle: WorkflowHandle) => Promise<void>;
}

interface ScenarioContext {
  stack: LocalStack;
  worker: WorkerProcess;
  replaceWorker(): Promise<void>;
}

const SCENARIOS: Scenario[] = [
  { name: 'disburseFunds: payout succeeds', provider: 'disburse-funds', amount: '25.00', expected: 'SUCCESS' },
  {
    name: 'disburseFunds: amount above the provider limit',
    provider: 'disburse-funds',
    amount: '1500.00',
    expected: 'FAILURE AMOUNT_ABOVE_LIMIT',
  },
  {
    name: 'disburseFunds: worker SIGKILLed mid-payout, recovered',
    provider: 'disburse-funds',
    amount: '40.00',
    expected: 'SUCCESS',
    during: async (ctx, id) => {
      ctx.stack.disburse.injectFault({ kind: 'latency', ms: 4_000 });
      say('  the provider answers slowly; waiting until it has disbursed...');
      while (!ctx.stack.disburse.ledger().some((d) => d.requestId === `payout:${id}`)) await sleep(100);
      say(`  SIGKILL worker pid ${ctx.worker.child.pid} while it waits for the answer`);
      await ctx.worker.kill();
      say('  starting a new worker; it resumes after the heartbeat timeout (~10 s)...');
      await ctx.replaceWorker();
    },
  },
  {
    name: 'Payneteasy: payout approved (status polling + signed callback)',
    provider: 'payneteasy',
    amount: '30.00',
    card: 'approve-demo',
    expected: 'SUCCESS',
  },
  {
    name: "Payneteasy: receiver's form, filled",
    provider: 'payneteasy',
    amount: '42.50',
    expected: 'SUCCESS',
    during: async (ctx, _id, handle) => {
      let state = await cuwoState(handle);
      while (!state?.redirectUrl) {
        await sleep(200);
        state = await cuwoState(handle);
      }
      say(`  the CUWO shows the receiver's form: ${state.redirectUrl} ; the demo fills it in`);
      ctx.stack.payneteasy.completeForm(state.redirectUrl.split('/').pop()!);
    },
  },
  {
    name: 'Payneteasy: payout declined by the issuer',
    provider: 'payneteasy',
    amount: '15.00',
    card: 'decline-demo',
    expected: 'FAILURE DECLINED',
  },
];

function params(payoutRequestID: string, scenario: Scenario): GrantPayoutWorkflowParameters {
  const payneteasy = scenario.provider === 'payneteasy';
  return {
    '@type': GrantPayoutTypes.parameters,
    payoutRequestID,
    requestedAmount: { amount: scenario.amount, currency: 'EUR' },
    invoiceOrCreditMemoInformation: [
      { documentType: 'CREDIT_MEMO', documentID: `cm-${payoutRequestID}`, documentNumber: `CM-${payoutRequestID}` },
    ],
    customerInformation: { customerID: 'demo-customer', name: 'Demo Customer' },
    customerIdentifiers: payneteasy
      ? scenario.card
        ? [{ identifierType: 'CARD_REFERENCE', identifier: scenario.card }]
        : []
      : [{ identifierType: 'UPI_VPA', identifier: 'demo@okbank' }],
    cuwoContextInformation: { tenantID: 'demo', storeID: 'demo-store', terminalID: 'demo-pos' },
    paymentMethodConfiguration: {
      paymentMethodID: payneteasy ? 'pm-card-payout' : 'pm-upi',
      accountName: payneteasy ? DEMO_PAYNETEASY_ACCOUNT : DEMO_UPI_ACCOUNT,
    },
  };
}

/** Money that reached the receiver for this payout request, counted in the simulator's ledger. */
function payoutsMade(stack: LocalStack, scenario: Scenario, payoutRequestID: string): number {
  const key = `payout:${payoutRequestID}`;
  return scenario.provider === 'disburse-funds'
    ? stack.disburse.ledger().filter((d) => d.requestId === key).length
    : stack.payneteasy.ledger().filter((l) => l.clientOrderId === key && BigInt(l.paidMinor) > BigInt(l.reversedMinor)).length;
}

interface PaymentScenario {
  name: string;
  captureMode: 'CAPTURE' | 'AUTHORIZE';
  amountPolicy: 'EXACT' | 'ALLOW_MORE';
  /** What the customer enters on the provider's form (minor units); default the requested 50.00 EUR. */
  formAmountMinor?: string;
  pos: 'complete' | 'abort';
  expected: PaymentRequestResult['outcome'];
  /** Money the merchant keeps at the end, in minor units. */
  expectedKeptMinor: string;
}

const PAYMENT_SCENARIOS: PaymentScenario[] = [
  {
    name: 'Payneteasy payment: direct capture, sale completed',
    captureMode: 'CAPTURE',
    amountPolicy: 'EXACT',
    pos: 'complete',
    expected: 'BOOKED',
    expectedKeptMinor: '5000',
  },
  {
    name: 'Payneteasy payment: authorize, then capture, extra tip',
    captureMode: 'AUTHORIZE',
    amountPolicy: 'ALLOW_MORE',
    formAmountMinor: '5600',
    pos: 'complete',
    expected: 'BOOKED',
    expectedKeptMinor: '5600',
  },
  {
    name: 'Payneteasy payment: POS aborts after capture, refunded',
    captureMode: 'CAPTURE',
    amountPolicy: 'EXACT',
    pos: 'abort',
    expected: 'ABORTED',
    expectedKeptMinor: '0',
  },
];

function paymentParams(paymentRequestID: string, scenario: PaymentScenario): AuthorizeOrCapturePaymentWorkflowParameters {
  return {
    '@type': AuthorizeOrCapturePaymentTypes.parameters,
    paymentRequestID,
    requestedAmount: { amount: '50.00', currency: 'EUR' },
    includedTipAmount: { amount: '0.00', currency: 'EUR' },
    invoiceOrCreditMemoInformation: [
      { documentType: 'INVOICE', documentID: `inv-${paymentRequestID}`, documentNumber: `INV-${paymentRequestID}` },
    ],
    customerInformation: { customerID: 'demo-customer', name: 'Demo Customer', email: 'demo@example.com' },
    customerIdentifiers: [],
    cuwoContextInformation: { tenantID: 'demo', storeID: 'demo-store', terminalID: 'demo-pos' },
    paymentMethodConfiguration: {
      paymentMethodID: 'pm-card',
      accountName: DEMO_PAYNETEASY_ACCOUNT,
      options: { captureMode: scenario.captureMode, amountPolicy: scenario.amountPolicy },
    },
  };
}

/** Runs one PaymentRequest as the POS would: the customer uses the form, then the sale completes or aborts. */
async function runPaymentScenario(client: Client, stack: LocalStack, queue: string, id: string, scenario: PaymentScenario) {
  const { handle, workflowId } = await startCuwo(client, 'PaymentRequest', paymentParams(id, scenario), { taskQueue: queue });
  const cuwo = client.workflow.getHandle(workflowIds.authorizeOrCapturePayment(id));
  let state = await cuwoState(cuwo).catch(() => undefined);
  while (!state?.redirectUrl) {
    await sleep(200);
    state = await cuwoState(cuwo).catch(() => undefined);
  }
  say(
    `  the customer fills the payment form ${state.redirectUrl}` +
      `${scenario.formAmountMinor ? ` with ${scenario.formAmountMinor} cents (tip added)` : ''}`,
  );
  stack.payneteasy.completeForm(
    state.redirectUrl.split('/').pop()!,
    scenario.formAmountMinor ? { amountMinor: scenario.formAmountMinor } : {},
  );
  while ((await cuwoState(handle))?.stage !== 'AWAITING_POS') await sleep(200);
  say(`  the POS side ${scenario.pos === 'complete' ? 'completes the sale' : 'aborts the sale'}`);
  if (scenario.pos === 'abort') await handle.signal(abortSignal, { reason: 'demo: customer walked away' });
  else await handle.signal(completeSignal);
  const result: PaymentRequestResult = await handle.result();
  const entry = stack.payneteasy.paymentLedger().find((l) => l.clientOrderId === `payment:${id}`);
  const kept = entry?.takenMinor ?? '0';
  const auth = result.authorizeOrCapture;
  const detail =
    auth.outcome === 'SUCCESS'
      ? `${auth.result.status} ${auth.result.processedAmount.amount} EUR` +
        `${result.capture ? ', captured' : ''}${result.compensation ? ', refunded by CancelPayment' : ''}`
      : auth.outcome;
  return {
    workflowId,
    summary: result.outcome,
    detail,
    kept,
    ok: result.outcome === scenario.expected && kept === scenario.expectedKeptMinor && entry?.heldMinor === '0',
  };
}

function describeOutcome(outcome: CuwoOutcome): { summary: string; detail: string } {
  switch (outcome.outcome) {
    case 'SUCCESS': {
      const result = outcome.result as { processedAmount: { amount: string; currency: string }; payoutReference: string };
      return {
        summary: 'SUCCESS',
        detail: `${result.processedAmount.amount} ${result.processedAmount.currency}, reference ${result.payoutReference}`,
      };
    }
    case 'FAILURE':
      return { summary: `FAILURE ${(outcome.failure as { failureReason: string }).failureReason}`, detail: outcome.message };
    case 'CANCELED':
      return { summary: 'CANCELED', detail: JSON.stringify(outcome.cancelation) };
  }
}

async function main(): Promise<number> {
  const keep = process.argv.includes('--keep');
  const stack = await startLocalStack({ log: say });
  const workers: WorkerProcess[] = [];
  try {
    say('bundling the workflow code once for the worker processes...');
    const bundle = await bundleCuwoWorkflows();
    const bundlePath = join(stack.dataDir, 'workflows.js');
    writeFileSync(bundlePath, bundle);
    const queue = taskQueue();
    const startWorker = async () => {
      const worker = await spawnWorkerProcess({
        address: stack.temporal.address,
        taskQueue: queue,
        accounts: stack.accounts,
        workflowBundlePath: bundlePath,
      });
      workers.push(worker);
      say(`worker process ${worker.child.pid} polling "${queue}"`);
      return worker;
    };
    const ctx: ScenarioContext = {
      stack,
      worker: await startWorker(),
      replaceWorker: async () => {
        ctx.worker = await startWorker();
      },
    };
    const connection = await Connection.connect({ address: stack.temporal.address });
    const client = new Client({ connection, namespace: stack.temporal.namespace, dataConverter: cuwoDataConverter() });
    const runId = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
    const table = new Table({
      head: ['scenario', 'workflow id', 'expected', 'outcome', 'detail', 'money', ''],
      wordWrap: true,
      colWidths: [28, 40, 14, 14, 34, 18, 6],
      style: { head: [], border: [] },
    });
    let allAsExpected = true;

    for (const [index, scenario] of SCENARIOS.entries()) {
      const payoutRequestID = `demo-${runId}-${index + 1}`;
      say(`scenario ${index + 1}/${SCENARIOS.length}: ${scenario.name} (${scenario.amount} EUR)`);
      const { handle, workflowId } = await startCuwo(client, 'GrantPayout', params(payoutRequestID, scenario), { taskQueue: queue });
      await scenario.during?.(ctx, payoutRequestID, handle);
      const { summary, detail } = describeOutcome(await cuwoOutcome(handle));
      const disbursed = payoutsMade(stack, scenario, payoutRequestID);
      // One disbursement for a success, none otherwise: the money check, not just the status.
      const ok = summary === scenario.expected && disbursed === (scenario.expected === 'SUCCESS' ? 1 : 0);
      allAsExpected &&= ok;
      say(`  -> ${summary}${ok ? '' : '  (NOT AS EXPECTED)'}`);
      table.push([
        scenario.name,
        workflowId,
        scenario.expected,
        summary,
        detail,
        `${disbursed} payout${disbursed === 1 ? '' : 's'}`,
        ok ? 'ok' : 'FAIL',
      ]);
    }
    for (const [index, scenario] of PAYMENT_SCENARIOS.entries()) {
      const paymentRequestID = `demo-${runId}-p${index + 1}`;
      say(`payment scenario ${index + 1}/${PAYMENT_SCENARIOS.length}: ${scenario.name}`);
      const run = await runPaymentScenario(client, stack, queue, paymentRequestID, scenario);
      allAsExpected &&= run.ok;
      say(`  -> ${run.summary}${run.ok ? '' : '  (NOT AS EXPECTED)'}`);
      table.push([
        scenario.name,
        run.workflowId,
        scenario.expected,
        run.summary,
        run.detail,
        `kept ${formatMoney(fromMinorUnits(BigInt(run.kept), 'EUR'))}`,
        run.ok ? 'ok' : 'FAIL',
      ]);
    }
    await connection.close();

    console.log(table.toString());
    const runQuery = encodeURIComponent(`CuwoRequestId STARTS_WITH "demo-${runId}"`);
    console.log(`Web UI: ${stack.temporal.uiUrl}/namespaces/default/workflows?query=${runQuery}`);
    console.log(allAsExpected ? 'All scenarios ended as expected.' : 'Some scenarios did NOT end as expected.');
    if (keep) {
      say('--keep: the stack stays up for the Web UI; Ctrl-C stops it');
      await new Promise<void>((resolve) => ['SIGINT', 'SIGTERM'].forEach((s) => process.once(s, () => resolve())));
    } else {
      console.log(`(The runs are kept in ${stack.dataDir}/temporal.db: \`npm run dev\` brings the Web UI back with them.)`);
    }
    return allAsExpected ? 0 : 1;
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await stack.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`[demo] failed: ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(1);
  },
);
