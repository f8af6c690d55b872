/**
 * What an operator sees in the Temporal Web UI (2.42) for a GrantPayout, in a real Chromium: the
 * workflows list filtered by our search attributes finds it, and its page shows the status, the custom
 * search attributes, the memo and the input/result DECODED through our codec server, although every
 * payload is AES-GCM encrypted in history. The suite's shared server is headless, so this file starts
 * its own Temporal of the kind the suite targets (CUWO_TEST_SERVER):
 *   dev (default)  a dev server with its embedded Web UI and --ui-codec-endpoint
 *   cluster        a PostgreSQL-backed cluster (src/dev/cluster.ts) with its Web UI server, whose
 *                  codec endpoint is the codec server (TEMPORAL_CODEC_ENDPOINT)
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { cuwoOutcome, startCuwo } from '../../src/client';
import { AesGcmCodec, ENCRYPTED_ENCODING, parseCodecKeys } from '../../src/codec/codec';
import { cuwoDataConverter } from '../../src/codec/data-converter';
import { startCodecServer, type CodecServer } from '../../src/codec/server';
import type { Accounts } from '../../src/config';
import { GrantPayoutTypes } from '../../src/contracts/payout';
import { startCluster } from '../../src/dev/cluster';
import { freePort, startDevServer } from '../../src/dev/temporal-server';
import { startDisburseFundsSimulator, type DisburseFundsSimulator } from '../../src/simulators/disburse-funds';
import { createCuwoWorker } from '../../src/worker';
import { BEARER_TOKEN, INTEGRATOR_ACCOUNT_ID, UPI_ACCOUNT, grantPayoutParams } from '../support/fixtures';
import { uniqueId } from '../support/harness';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];
const ARTIFACTS = resolve(__dirname, '..', '..', 'test-artifacts');
const UI_TIMEOUT = 30_000;
const CUSTOMER = 'Asha Rao';
const AMOUNT = '25.00';
const TASK_QUEUE = `web-ui-${randomBytes(4).toString('hex')}`;
const SERVER_KIND = process.env.CUWO_TEST_SERVER === 'cluster' ? 'cluster' : 'dev';
/** Screenshots: test-artifacts/web-ui-<page>.png, or web-ui-<page>-cluster.png from the cluster's UI. */
const shot = (name: string) => join(ARTIFACTS, `${name}${SERVER_KIND === 'cluster' ? '-cluster' : ''}.png`);

interface TemporalWithUi {
  address: string;
  uiUrl: string;
  stop(): Promise<void>;
}

/** Temporal with its Web UI decoding through the codec server: a dev server, or a cluster with its UI server. */
async function startTemporalWithUi(dir: string, uiPort: number, uiCodecEndpoint: string): Promise<TemporalWithUi> {
  if (SERVER_KIND === 'cluster') {
    chmodSync(dir, 0o711); // as root, PostgreSQL runs as the postgres user, which must pass through it
    const cluster = await startCluster({ stateDir: join(dir, 'cluster'), port: 0, ui: true, uiPort, uiCodecEndpoint });
    return { address: cluster.address, uiUrl: cluster.uiUrl!, stop: () => cluster.stop() };
  }
  const dev = await startDevServer({ uiPort, uiCodecEndpoint, logFile: join(dir, 'temporal.log') });
  return { address: dev.address, uiUrl: dev.uiUrl!, stop: () => dev.stop() };
}

/** The test's codec, counting what the Web UI asks the codec server to decode. */
class CountingCodec implements PayloadCodec {
  decoded = 0;
  constructor(private readonly inner: PayloadCodec) {}
  encode(payloads: Payload[]): Promise<Payload[]> {
    return this.inner.encode(payloads);
  }
  decode(payloads: Payload[]): Promise<Payload[]> {
    this.decoded += payloads.length;
    return this.inner.decode(payloads);
  }
}

let codec: CountingCodec;
let codecServer: CodecServer | undefined;
let server: TemporalWithUi | undefined;
let dir: string | undefined;
let sim: DisburseFundsSimulator | undefined;
let native: NativeConnection | undefined;
let worker: Worker | undefined;
let workerRun: Promise<void> | undefined;
let connection: Connection | undefined;
let client: Client;
let browser: Browser | undefined;

function quietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // already installed in this process
  }
}

beforeAll(async () => {
  // A missing browser is a broken environment, not a reason to skip what the UI shows.
  if (!existsSync(CHROMIUM)) throw new Error(`Debian package chromium is required: apt-get install chromium (${CHROMIUM} not found)`);
  const bundlePath = process.env.CUWO_TEST_WORKFLOW_BUNDLE;
  if (!bundlePath || !process.env.CUWO_CODEC_KEYS) throw new Error('this test needs the jest globalSetup (run it through jest)');
  quietRuntime();

  dir = mkdtempSync(join(tmpdir(), 'cuwo-web-ui-'));
  const uiPort = await freePort();
  codec = new CountingCodec(new AesGcmCodec(parseCodecKeys(process.env.CUWO_CODEC_KEYS)));
  codecServer = await startCodecServer({
    codec,
    token: randomBytes(24).toString('hex'),
    allowedOrigins: [`http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`],
  });
  server = await startTemporalWithUi(dir, uiPort, codecServer.uiEndpoint);

  sim = await startDisburseFundsSimulator({
    accounts: { [INTEGRATOR_ACCOUNT_ID]: { bearerToken: BEARER_TOKEN, minMicros: '1000000', maxMicros: '1000000000' } },
  });
  const accounts: Accounts = {
    [UPI_ACCOUNT]: {
      provider: 'disburse-funds',
      baseUrl: sim.url,
      paymentIntegratorAccountId: INTEGRATOR_ACCOUNT_ID,
      bearerToken: BEARER_TOKEN,
      timeoutMs: 10_000,
    },
  };
  native = await NativeConnection.connect({ address: server.address });
  worker = await createCuwoWorker({
    connection: native,
    namespace: 'default',
    taskQueue: TASK_QUEUE,
    accounts,
    workflowBundlePath: bundlePath,
  });
  workerRun = worker.run();
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection, namespace: 'default', dataConverter: cuwoDataConverter() });
}, 120_000);

afterAll(async () => {
  // Each step on its own, so one failure still lets the rest stop.
  const steps: Array<() => Promise<unknown> | undefined> = [
    () => browser?.close(),
    async () => {
      if (worker?.getState() === 'RUNNING') worker.shutdown();
      await workerRun;
    },
    () => native?.close(),
    () => connection?.close(),
    () => server?.stop(),
    () => sim?.close(),
    () => codecServer?.close(),
    // The cluster's PostgreSQL data (tens of MB) goes; its logs stay with the dev server's, in the temp dir.
    async () => dir && SERVER_KIND === 'cluster' && rmSync(join(dir, 'cluster', 'postgres'), { recursive: true, force: true }),
  ];
  for (const step of steps) {
    try {
      await step();
    } catch (err) {
      console.error(`[web-ui test] cleanup: ${(err as Error).message}`);
    }
  }
}, 60_000);

/** Waits until the locator shows `text` (the UI loads and decodes asynchronously), then returns all its text. */
async function textOnceShown(locator: Locator, text: string): Promise<string> {
  const shown = locator.filter({ hasText: text }).first();
  await shown.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  return shown.innerText();
}

/** The JSON of a CodeMirror viewer under a section heading of the workflow page ("Input", "Result"). */
function codeUnderHeading(page: Page, heading: string): Locator {
  return page.getByRole('heading', { name: heading, exact: true }).locator('xpath=..').locator('.cm-content');
}

async function storedResultPayload(handle: WorkflowHandle): Promise<Payload> {
  const history = await handle.fetchHistory();
  const completed = history.events?.find((e) => e.workflowExecutionCompletedEventAttributes)?.workflowExecutionCompletedEventAttributes;
  const payload = completed?.result?.payloads?.[0];
  if (!payload) throw new Error('no WorkflowExecutionCompleted result in history');
  return payload as Payload;
}

test('the Web UI finds a GrantPayout by search attributes and shows its status, attributes, memo and decoded result', async () => {
  const id = uniqueId('PR-webui');
  const { handle, workflowId } = await startCuwo(
    client,
    'GrantPayout',
    grantPayoutParams(id, {
      requestedAmount: { amount: AMOUNT, currency: 'EUR' },
      customerInformation: { customerID: 'cust-webui', name: CUSTOMER },
    }),
    { taskQueue: TASK_QUEUE },
  );
  const outcome = await cuwoOutcome(handle);
  expect(outcome).toMatchObject({
    outcome: 'SUCCESS',
    result: { '@type': GrantPayoutTypes.result, processedAmount: { amount: AMOUNT, currency: 'EUR' } },
  });
  const { runId } = await handle.describe();
  // Visibility follows the history asynchronously (on the cluster: a queue into PostgreSQL): the list
  // page shows what it holds, so wait until it holds the completed run.
  const query = `CuwoType = "GrantPayout" AND CuwoRequestId = "${id}"`;
  const deadline = Date.now() + UI_TIMEOUT;
  while ((await client.workflow.count(`${query} AND ExecutionStatus = "Completed"`)).count !== 1) {
    if (Date.now() > deadline) throw new Error('the completed GrantPayout did not reach visibility');
    await new Promise((r) => setTimeout(r, 200));
  }

  // What Temporal stores is ciphertext: nobody reads the result or the customer without the codec.
  const stored = await storedResultPayload(handle);
  expect(Buffer.from(stored.metadata?.encoding ?? []).toString()).toBe(ENCRYPTED_ENCODING);
  const storedText = Buffer.from(stored.data ?? []).toString('latin1');
  expect(storedText).not.toContain('GrantPayoutWorkflowResult');
  expect(storedText).not.toContain(AMOUNT);
  const rawHistory = JSON.stringify(await handle.fetchHistory(), (_k, v) =>
    v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v,
  );
  expect(rawHistory).not.toContain(CUSTOMER);

  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  // Tall viewport: the UI scrolls inside its own container, so a "full page" shot is the viewport.
  const page = await browser.newPage({ viewport: { width: 1400, height: 1600 } });
  page.setDefaultTimeout(UI_TIMEOUT);
  mkdirSync(ARTIFACTS, { recursive: true });

  // 1. The workflows list, filtered with the custom search attributes.
  await page.goto(`${server!.uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(query)}`);
  const row = page.getByRole('row').filter({ hasText: workflowId });
  await row.waitFor({ state: 'visible' });
  await expect(page.getByRole('row').filter({ hasText: 'grant-payout:' }).count()).resolves.toBe(1);
  const rowText = await row.innerText();
  expect(rowText).toContain('Completed');
  expect(rowText).toContain(runId);
  expect(rowText).toContain('GrantPayout');
  // The heading counts what the query matched ("1" and "Workflow" are separate elements), and by status.
  const listText = await textOnceShown(page.locator('main'), '1 Completed');
  expect(listText).toMatch(/^\s*1\s+Workflow\s*$/m);
  expect(listText).toMatch(/^\s*1 Completed\s*$/m);
  await page.screenshot({ path: shot('web-ui-list'), fullPage: true });

  // 2. Its page, opened from the list.
  await row.getByRole('link', { name: workflowId }).click();
  await page.waitForURL(`**/workflows/${encodeURIComponent(workflowId)}/${runId}/history`);
  await expect(page.getByTestId('workflow-id-heading').innerText()).resolves.toContain(workflowId);
  const header = await textOnceShown(page.locator('main'), 'Workflow Type');
  expect(header).toMatch(/^\s*Completed\s*$/m);
  expect(header).toMatch(/Workflow Type\s+GrantPayout/);
  expect(header).toMatch(new RegExp(`Task Queue\\s+${TASK_QUEUE}`));
  // The UI reached the codec server (the toolbar's data encoder status), and the payloads went through it.
  await page.getByTestId('data-encoder-status-success').waitFor({ state: 'attached' });

  // Decoded input and result: the history only holds ciphertext, so this text came through the codec server.
  const resultText = await textOnceShown(codeUnderHeading(page, 'Result'), 'GrantPayoutWorkflowResult');
  const shownResult = JSON.parse(resultText);
  expect(shownResult).toEqual((outcome as { result: unknown }).result);
  expect(shownResult).toMatchObject({ '@type': GrantPayoutTypes.result, processedAmount: { amount: AMOUNT, currency: 'EUR' } });
  const inputText = await textOnceShown(codeUnderHeading(page, 'Input'), CUSTOMER);
  expect(JSON.parse(inputText)).toMatchObject({
    payoutRequestID: id,
    requestedAmount: { amount: AMOUNT },
    customerInformation: { name: CUSTOMER },
  });
  expect(codec.decoded).toBeGreaterThan(0);
  await page.screenshot({ path: shot('web-ui-grant-payout'), fullPage: true });

  // 3. The custom search attributes (plaintext by design: no personal data in them).
  await page.getByTestId('search-attributes-tab').click();
  await page.waitForURL('**/search-attributes');
  const attributes = JSON.parse(await textOnceShown(page.locator('main .cm-content'), 'CuwoOutcome'));
  expect(attributes.indexedFields).toMatchObject({
    CuwoType: 'GrantPayout',
    CuwoRequestId: id,
    CuwoOutcome: 'SUCCESS',
    CuwoProvider: 'disburse-funds',
  });
  await page.screenshot({ path: shot('web-ui-search-attributes'), fullPage: true });

  // 4. The memo `cuwo` (encrypted too), decoded.
  await page.getByTestId('memo-tab').click();
  await page.waitForURL('**/memo');
  const memo = JSON.parse(await textOnceShown(page.locator('main .cm-content'), '"cuwo"'));
  expect(memo.fields.cuwo).toMatchObject({
    cuwo: 'GrantPayout',
    requestId: id,
    stage: 'SUCCESS',
    outcome: 'SUCCESS',
    provider: 'disburse-funds',
  });
}, 120_000);
