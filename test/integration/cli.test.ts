/**
 * The `cuwo` command line as a user runs it: a child process (`node bin/cuwo ...`) against the shared
 * Temporal dev server, with this file's worker and disburseFunds simulator doing the work.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import { cuwoOutcome, startCuwo } from '../../src/client';
import { workflowIds } from '../../src/contracts/ids';
import { GrantPayoutTypes } from '../../src/contracts/payout';
import { grantPayoutParams, paymentParams } from '../support/fixtures';
import { uniqueId } from '../support/harness';
import { startPayoutStack, waitFor, type PayoutStack } from '../support/payout-stack';

const ROOT = resolve(__dirname, '../..');
let stack: PayoutStack;
let paramsDir: string;

beforeAll(async () => {
  stack = await startPayoutStack();
  paramsDir = mkdtempSync(join(tmpdir(), 'cuwo-cli-'));
});
afterAll(() => stack?.close());

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI; asynchronously, so this process's worker keeps working meanwhile. */
function cuwo(...args: string[]): Promise<Run> {
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: process.env.CUWO_TEST_TEMPORAL_ADDRESS,
    TEMPORAL_NAMESPACE: 'default',
    CUWO_TASK_QUEUE: stack.harness.taskQueue,
  };
  return new Promise((done) => {
    execFile(process.execPath, ['bin/cuwo', ...args], { cwd: ROOT, env, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

function paramsFile(params: unknown): string {
  const file = join(paramsDir, `${uniqueId('params')}.json`);
  writeFileSync(file, JSON.stringify(params));
  return file;
}

test('--help lists the commands, start --help its options', async () => {
  const root = await cuwo('--help');
  expect(root.code).toBe(0);
  for (const command of ['dev', 'cluster', 'callbacks', 'start', 'abort', 'show', 'reconcile']) expect(root.stdout).toContain(command);

  const start = await cuwo('start', '--help');
  expect(start.code).toBe(0);
  for (const option of ['--params', '--wait', '--json', '--task-queue', '--no-capture', '--completion-timeout'])
    expect(start.stdout).toContain(option);
});

test('invalid parameters: exit 1, one line naming the field, nothing started', async () => {
  const id = uniqueId('cli-bad');
  const run = await cuwo(
    'start',
    'GrantPayout',
    '--params',
    paramsFile(grantPayoutParams(id, { requestedAmount: { amount: '-5', currency: 'EUR' } })),
  );
  expect(run.code).toBe(1);
  expect(run.stdout).toBe('');
  expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^cuwo: .*requestedAmount\.amount/)]);
  await expect(stack.harness.client.workflow.getHandle(workflowIds.grantPayout(id)).describe()).rejects.toBeInstanceOf(
    WorkflowNotFoundError,
  );
});

test('PaymentRequest options on the command line: a bad duration or options for another CUWO change nothing', async () => {
  const id = uniqueId('cli-bad-options');
  const params = paramsFile(paymentParams(id, { captureMode: 'AUTHORIZE' }));
  const badDuration = await cuwo('start', 'PaymentRequest', '--params', params, '--completion-timeout', 'soon');
  expect(badDuration.code).toBe(1);
  expect(badDuration.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^cuwo: --completion-timeout: "soon" is not a duration/)]);
  const wrongType = await cuwo('start', 'AuthorizeOrCapturePayment', '--params', params, '--no-capture');
  expect(wrongType.code).toBe(1);
  expect(wrongType.stderr).toMatch(/PaymentRequest options given for AuthorizeOrCapturePayment/);
  for (const workflowId of [workflowIds.paymentRequest(id), workflowIds.authorizeOrCapturePayment(id)]) {
    await expect(stack.harness.client.workflow.getHandle(workflowId).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  }
});

test('a usage error is one line too', async () => {
  const run = await cuwo('start', 'GrantPayout');
  expect(run.code).toBe(1);
  expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^cuwo: .*--params/)]);
});

test('start --wait --json: the typed outcome, exit 0 on success and 2 on a declined payout', async () => {
  const ok = await cuwo('start', 'GrantPayout', '--params', paramsFile(grantPayoutParams(uniqueId('cli-ok'))), '--wait', '--json');
  expect(ok.code).toBe(0);
  expect(JSON.parse(ok.stdout)).toMatchObject({ outcome: 'SUCCESS', result: { '@type': GrantPayoutTypes.result } });

  const declinedParams = grantPayoutParams(uniqueId('cli-decline'), {
    customerIdentifiers: [{ identifierType: 'UPI_VPA', identifier: 'closed@okbank' }],
  });
  const declined = await cuwo('start', 'GrantPayout', '--params', paramsFile(declinedParams), '--wait', '--json');
  expect(declined.code).toBe(2);
  expect(JSON.parse(declined.stdout)).toMatchObject({
    outcome: 'FAILURE',
    failure: { '@type': GrantPayoutTypes.failure, failureReason: 'RECEIVER_ACCOUNT_CLOSED' },
  });
});

test('start --wait (human): progress lines with the stage and the processing data, the Web UI link, then the outcome', async () => {
  const id = uniqueId('cli-progress');
  stack.sim.injectFault({ kind: 'latency', ms: 2_500 }); // long enough to see the SENDING stage
  const run = await cuwo('start', 'GrantPayout', '--params', paramsFile(grantPayoutParams(id)), '--wait');
  expect(run.code).toBe(0);
  expect(run.stderr).toContain(`started: grant-payout:${id}`);
  expect(run.stderr).toMatch(/Web UI: http:\/\/\S+grant-payout%3A/);
  expect(run.stderr).toMatch(new RegExp(`\\[grant-payout:${id}\\] stage SENDING`));
  expect(run.stderr).toMatch(new RegExp(`\\[grant-payout:${id}\\] processing data .*"requestId":"payout:${id}"`));
  expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'SUCCESS' });
});

test('the same parameters started twice: the second run starts nothing new', async () => {
  const id = uniqueId('cli-dup');
  const file = paramsFile(grantPayoutParams(id));
  const first = await cuwo('start', 'GrantPayout', '--params', file);
  expect(first.code).toBe(0);
  expect(first.stderr).toContain(`started: ${workflowIds.grantPayout(id)}`);
  const handle = stack.harness.client.workflow.getHandle(workflowIds.grantPayout(id));
  const { runId } = await handle.describe();

  const second = await cuwo('start', 'GrantPayout', '--params', file);
  expect(second.code).toBe(0);
  expect(second.stderr).toContain(`already started (nothing new started): ${workflowIds.grantPayout(id)}`);
  expect((await handle.describe()).runId).toBe(runId);
  await cuwoOutcome(handle);
  expect(stack.ledgerFor(id)).toHaveLength(1);
});

test('show: a human table by default, the JSON with --json', async () => {
  const id = uniqueId('cli-show');
  const { handle, workflowId } = await startCuwo(stack.harness.client, 'GrantPayout', grantPayoutParams(id), {
    taskQueue: stack.harness.taskQueue,
  });
  await cuwoOutcome(handle);

  const human = await cuwo('show', workflowId);
  expect(human.code).toBe(0);
  expect(human.stdout).toMatch(/status\s+│\s+COMPLETED/);
  expect(human.stdout).toMatch(/stage\s+│\s+SUCCESS/);
  expect(human.stdout).toContain(workflowId);
  expect(human.stdout).toContain('disburse-funds');
  expect(human.stdout).toMatch(/outcome\s+│\s+SUCCESS/);
  expect(human.stdout).not.toContain('\u001b['); // no colours

  const json = await cuwo('show', workflowId, '--json');
  expect(json.code).toBe(0);
  expect(JSON.parse(json.stdout)).toMatchObject({
    workflowId,
    type: 'GrantPayout',
    status: 'COMPLETED',
    state: { stage: 'SUCCESS' },
    outcome: { outcome: 'SUCCESS' },
  });

  const missing = await cuwo('show', workflowIds.grantPayout(uniqueId('cli-missing')));
  expect(missing.code).toBe(1);
  expect(missing.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^cuwo: /)]);
});

test('reconcile lists a CancelPayout that could not revert a payout', async () => {
  const id = uniqueId('cli-reconcile');
  const compensationId = workflowIds.cancelPayout(id);
  stack.sim.injectFault({ kind: 'latency', ms: 2_000 });
  const { handle } = await startCuwo(stack.harness.client, 'GrantPayout', grantPayoutParams(id), { taskQueue: stack.harness.taskQueue });
  await waitFor(() => stack.requestsFor(id).length > 0, 'the payout request to reach the provider');
  await handle.cancel();
  expect(await cuwoOutcome(handle)).toMatchObject({ outcome: 'FAILURE', failure: { failureReason: 'CANCELED_AFTER_PAYOUT' } });
  await waitFor(() => stack.exists(compensationId), 'the CancelPayout compensation');
  expect(await cuwoOutcome(stack.harness.client.workflow.getHandle(compensationId))).toMatchObject({
    outcome: 'FAILURE',
    failure: { failureReason: 'NOT_REVERSIBLE' },
  });

  // Visibility is eventually consistent: ask the CLI until the entry shows.
  type Entry = { workflowId: string; [field: string]: unknown };
  let entry: Entry | undefined;
  await waitFor(
    async () => {
      const run = await cuwo('reconcile', '--json');
      expect(run.code).toBe(0);
      entry = (JSON.parse(run.stdout) as Entry[]).find((e) => e.workflowId === compensationId);
      return entry !== undefined;
    },
    `${compensationId} in cuwo reconcile`,
    10_000,
  );
  expect(entry).toMatchObject({
    workflowId: compensationId,
    type: 'CancelPayout',
    provider: 'disburse-funds',
    failureReason: 'NOT_REVERSIBLE',
    closeTime: expect.any(String),
    processingData: { requestId: `payout:${id}`, stage: 'PAID' },
    message: expect.stringContaining('reconcile by hand'),
  });

  const human = await cuwo('reconcile');
  expect(human.code).toBe(0);
  expect(human.stdout).toContain(compensationId);
  expect(human.stdout).toMatch(/\d+ executions? needs? reconciliation\n$/);

  const limited = await cuwo('reconcile', '--json', '--limit', '1');
  expect(JSON.parse(limited.stdout)).toHaveLength(1);
});
