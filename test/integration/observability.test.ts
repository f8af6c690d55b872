/**
 * Operating it: the worker process logs JSON lines carrying workflow and request ids and no secrets,
 * exposes the SDK's and our Prometheus metrics, and the callback receiver counts its callbacks.
 */
import { cuwoOutcome, startCuwo } from '../../src/client';
import { spawnWorkerProcess, type WorkerProcess } from '../../src/dev/worker-process';
import { freePort } from '../../src/dev/temporal-server';
import { startCallbackReceiver } from '../../src/callbacks/receiver';
import { BEARER_TOKEN, grantPayoutParams } from '../support/fixtures';
import { testEnv, uniqueId } from '../support/harness';
import { startPayoutStack, waitFor, type PayoutStack } from '../support/payout-stack';

let stack: PayoutStack;
let worker: WorkerProcess | undefined;
let metricsUrl: string;

beforeAll(async () => {
  stack = await startPayoutStack({ startWorker: false });
  const { address, bundlePath } = testEnv();
  const metricsAddress = `127.0.0.1:${await freePort()}`;
  metricsUrl = `http://${metricsAddress}/metrics`;
  worker = await spawnWorkerProcess({
    address,
    taskQueue: stack.harness.taskQueue,
    accounts: stack.accounts,
    workflowBundlePath: bundlePath,
    env: { CUWO_METRICS_ADDRESS: metricsAddress },
  });
});
afterAll(async () => {
  await worker?.stop();
  await stack?.close();
});

test('a payout leaves JSON log lines with workflow and request id, no secret, and counts in /metrics', async () => {
  const id = uniqueId('obs');
  const { handle } = await startCuwo(stack.harness.client, 'GrantPayout', grantPayoutParams(id), { taskQueue: stack.harness.taskQueue });
  expect(await cuwoOutcome(handle)).toMatchObject({ outcome: 'SUCCESS' });

  const metricLine = (text: string, name: string, labels: Record<string, string>) =>
    text.split('\n').find((line) => line.startsWith(name) && Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)));
  let metrics = '';
  await waitFor(async () => {
    metrics = await (await fetch(metricsUrl)).text();
    return Boolean(metricLine(metrics, 'cuwo_outcomes_total', { cuwo: 'GrantPayout', outcome: 'SUCCESS' }));
  }, 'our counters in /metrics');
  expect(
    metricLine(metrics, 'cuwo_provider_steps_total', { provider: 'disburse-funds', activity: 'grantPayout', status: 'PAID' }),
  ).toBeDefined();
  expect(metrics).toMatch(/^temporal_\w+/m); // the SDK's own worker metrics

  // Only complete lines count: the worker may be in the middle of writing the next one.
  const completeLines = () => worker!.output().split('\n').slice(0, -1).filter(Boolean);
  const entry = (msg: string) =>
    completeLines()
      .map((l) => JSON.parse(l))
      .find((e) => e.msg === msg && e.workflowId === handle.workflowId);
  await waitFor(() => Boolean(entry('GrantPayout ended SUCCESS') && entry('provider step')), 'both log lines of this payout');
  for (const line of completeLines()) expect(() => JSON.parse(line)).not.toThrow();
  expect(entry('GrantPayout ended SUCCESS')).toMatchObject({ requestId: id, outcome: 'SUCCESS', workflowType: 'GrantPayout' });
  expect(entry('provider step')).toMatchObject({ provider: 'disburse-funds', status: 'PAID', activityType: 'grantPayout' });
  expect(worker!.output()).not.toContain(BEARER_TOKEN);
});

test('the callback receiver counts callbacks by result on its /metrics', async () => {
  const receiver = await startCallbackReceiver({
    client: stack.harness.client,
    accounts: {
      pne: {
        provider: 'payneteasy',
        baseUrl: 'http://127.0.0.1:1/paynet/',
        endpointId: '1',
        login: 'l',
        controlKey: 'k',
        privateKeyPem: '-----BEGIN PRIVATE KEY-----',
        payoutReversal: false,
        receiverAbandonedCodes: [],
        timeoutMs: 1000,
        polling: { fastIntervalMs: 1, fastPhaseMs: 1, slowIntervalMs: 1, slowPhaseMs: 1, lateIntervalMs: 1 },
      },
    },
  });
  try {
    await fetch(`${receiver.url}/callbacks/payneteasy/pne/wf-1?status=approved&orderid=1&client_orderid=c&control=forged`);
    await fetch(`${receiver.url}/callbacks/payneteasy/pne/wf-1?status=approved`);
    const metrics = await (await fetch(`${receiver.url}/metrics`)).text();
    expect(metrics).toContain('cuwo_callbacks_total{account="pne",result="forged"} 1');
    expect(metrics).toContain('cuwo_callbacks_total{account="pne",result="malformed"} 1');
  } finally {
    await receiver.close();
  }
});
