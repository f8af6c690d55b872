/**
 * The local stack: Temporal with its Web UI decoding through the codec server, the provider simulators
 * and the callback receiver, with a worker-side accounts file pointing at them. `cuwo dev`, `npm run
 * demo` and `npm run chaos` run on it. Temporal is, by `server`:
 *   dev (default)  the Temporal dev server (SQLite under the data dir, one history shard)
 *   cluster        the PostgreSQL-backed cluster of `npm run cluster` (src/dev/cluster.ts), its state in
 *                  <dataDir>/cluster (survives a restart like the SQLite file), its own Web UI server.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startCallbackReceiver, type CallbackReceiver } from '../callbacks/receiver';
import type { Accounts } from '../config';
import { startDisburseFundsSimulator, type DisburseFundsSimulator } from '../simulators/disburse-funds';
import { startPayneteasySimulator, type PayneteasySimulator } from '../simulators/payneteasy';
import { AesGcmCodec, newCodecKey, parseCodecKeys } from '../codec/codec';
import { cuwoDataConverter } from '../codec/data-converter';
import { startCodecServer, type CodecServer } from '../codec/server';
import { startCluster } from './cluster';
import { freePort, startDevServer } from './temporal-server';

export const DEMO_UPI_ACCOUNT = 'upi-demo';
export const DEMO_PAYNETEASY_ACCOUNT = 'pne-demo';
export const DEMO_INTEGRATOR_ACCOUNT_ID = 'demo-integrator-EUR';
/** Receivers whose accounts the simulator treats as closed / on hold, to try the decline branches. */
export const DEMO_RECEIVERS = { closed: 'closed@demo', onHold: 'hold@demo' } as const;

/** Which Temporal the stack runs on. */
export type TemporalServerKind = 'dev' | 'cluster';
export const TEMPORAL_SERVER_KINDS: readonly TemporalServerKind[] = ['dev', 'cluster'];

/** The stack's Temporal, whichever kind. */
export interface StackTemporal {
  kind: TemporalServerKind;
  address: string;
  namespace: string;
  /** The Web UI (decoding through the stack's codec server). */
  uiUrl: string;
  /** Where the server writes its logs: a file (dev server) or a directory (cluster: temporal.log, postgres.log, ui.log). */
  logs: string;
  /** Temporal's state: the SQLite file or the cluster's state directory. */
  state: string;
  stop(): Promise<void>;
}

export interface LocalStackOptions {
  /** The Temporal dev server (default) or the PostgreSQL-backed cluster. */
  server?: TemporalServerKind;
  /** Where Temporal's state (SQLite file or cluster directory), logs and the accounts file live. */
  dataDir?: string;
  /** Preferred ports; a busy one is replaced by a free one. */
  temporalPort?: number;
  uiPort?: number;
  disbursePort?: number;
  payneteasyPort?: number;
  callbackPort?: number;
  codecPort?: number;
  /** How long the Payneteasy simulator keeps a transaction `processing`. */
  payneteasyProcessingMs?: number;
  /** How long a Payneteasy form (receiver's or customer's) stays open before it expires (default 10 minutes). */
  payneteasyFormTtlMs?: number;
  log?: (line: string) => void;
}

export interface LocalStack {
  temporal: StackTemporal;
  disburse: DisburseFundsSimulator;
  payneteasy: PayneteasySimulator;
  callbacks: CallbackReceiver;
  codec: CodecServer;
  /** Provider accounts for workers, secrets included (dev-only secrets, generated per run). */
  accounts: Accounts;
  accountsFile: string;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log ?? (() => {});
  const dataDir = resolve(options.dataDir ?? '.cuwo');
  mkdirSync(dataDir, { recursive: true });

  // Payload encryption: keys kept with the data, so a restarted stack still decodes its old runs.
  process.env.CUWO_CODEC_KEYS ??= loadOrCreateCodecKeys(join(dataDir, 'codec-keys'));
  // Processing data seal: kept with the data too, so processing data of old runs still verifies.
  process.env.CUWO_SEAL_KEYS ??= loadOrCreateCodecKeys(join(dataDir, 'seal-keys'));
  const uiPort = (await preferredPort(options.uiPort ?? 8233)) || (await freePort());
  log('starting the codec server (decrypts payloads for the Web UI)...');
  const codec = await startCodecServer({
    codec: new AesGcmCodec(parseCodecKeys(process.env.CUWO_CODEC_KEYS)),
    token: randomBytes(18).toString('base64url'),
    allowedOrigins: [`http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`],
    port: await preferredPort(options.codecPort ?? 8888),
  });
  const temporal = await startTemporal(options.server ?? 'dev', dataDir, options, uiPort, codec.uiEndpoint, log).catch(async (err) => {
    await codec.close();
    throw err;
  });
  const started: Array<{ close(): Promise<void> }> = [codec];
  try {
    const bearerToken = randomBytes(24).toString('base64url');
    log('starting the disburseFunds simulator...');
    const disburse = await startDisburseFundsSimulator({
      port: await preferredPort(options.disbursePort ?? 8081),
      accounts: { [DEMO_INTEGRATOR_ACCOUNT_ID]: { bearerToken, minMicros: '1000000', maxMicros: '1000000000' } },
      receivers: { [DEMO_RECEIVERS.closed]: 'ACCOUNT_CLOSED', [DEMO_RECEIVERS.onHold]: 'ACCOUNT_ON_HOLD' },
    });
    started.push(disburse);

    // A fresh merchant key pair and control key per run: dev-only secrets, in the data dir.
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyFile = join(dataDir, 'payneteasy-merchant-key.pem');
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { mode: 0o600 });
    const controlKey = randomBytes(16).toString('hex');
    log('starting the Payneteasy simulator...');
    const payneteasy = await startPayneteasySimulator({
      port: await preferredPort(options.payneteasyPort ?? 8082),
      merchants: [
        {
          endpointId: '1001',
          login: 'demo-merchant',
          controlKey,
          publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
          payoutReversal: true,
        },
      ],
      processingMs: options.payneteasyProcessingMs ?? 1_500,
      formTtlMs: options.payneteasyFormTtlMs ?? 10 * 60_000,
    });
    started.push(payneteasy);

    const accounts: Accounts = {};
    log('starting the callback receiver...');
    const connection = await Connection.connect({ address: temporal.address });
    started.push({ close: () => connection.close() });
    const client = new Client({ connection, namespace: temporal.namespace, dataConverter: cuwoDataConverter() });
    const callbacks = await startCallbackReceiver({ client, accounts, port: await preferredPort(options.callbackPort ?? 8090) });
    started.push(callbacks);
    Object.assign(accounts, {
      [DEMO_UPI_ACCOUNT]: {
        provider: 'disburse-funds',
        baseUrl: disburse.url,
        paymentIntegratorAccountId: DEMO_INTEGRATOR_ACCOUNT_ID,
        bearerToken,
        timeoutMs: 15_000,
      },
      [DEMO_PAYNETEASY_ACCOUNT]: {
        provider: 'payneteasy',
        baseUrl: `${payneteasy.url}/paynet/`,
        endpointId: '1001',
        login: 'demo-merchant',
        controlKey,
        privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        callbackUrl: callbacks.callbackUrlFor(DEMO_PAYNETEASY_ACCOUNT),
        payoutReversal: true,
        receiverAbandonedCodes: ['FORM_EXPIRED'],
        timeoutMs: 15_000,
        polling: {
          fastIntervalMs: 3_000,
          fastPhaseMs: 5 * 60_000,
          slowIntervalMs: 5 * 60_000,
          slowPhaseMs: 60 * 60_000,
          lateIntervalMs: 60 * 60_000,
        },
      },
    } satisfies Accounts);
    // The file a separately started worker reads: the key by reference, not inline.
    const accountsFile = join(dataDir, 'accounts.json');
    const forFile = { ...accounts, [DEMO_PAYNETEASY_ACCOUNT]: { ...accounts[DEMO_PAYNETEASY_ACCOUNT], privateKeyPem: `file:${keyFile}` } };
    writeFileSync(accountsFile, `${JSON.stringify(forFile, null, 2)}\n`, { mode: 0o600 });
    return {
      temporal,
      disburse,
      payneteasy,
      callbacks,
      codec,
      accounts,
      accountsFile,
      dataDir,
      stop: async () => {
        for (const service of started.reverse()) await service.close();
        await temporal.stop();
      },
    };
  } catch (err) {
    for (const service of started.reverse()) await service.close().catch(() => {});
    await temporal.stop();
    throw err;
  }
}

async function startTemporal(
  kind: TemporalServerKind,
  dataDir: string,
  options: LocalStackOptions,
  uiPort: number,
  uiCodecEndpoint: string,
  log: (line: string) => void,
): Promise<StackTemporal> {
  if (kind === 'cluster') {
    // As root, PostgreSQL runs as the postgres user, which must be able to pass through the data dir
    // (a mkdtemp directory is private); the files in it keep their own modes (secrets are 0600).
    if (process.getuid?.() === 0) chmodSync(dataDir, statSync(dataDir).mode | 0o011);
    const stateDir = join(dataDir, 'cluster');
    log('starting the Temporal cluster (PostgreSQL, all four services, Web UI)...');
    const cluster = await startCluster({
      stateDir,
      // Unset: the cluster's own rule (the port of the last start on this state, else 7233, else a free one).
      port: options.temporalPort === undefined ? undefined : await preferredPort(options.temporalPort),
      ui: true,
      uiPort,
      uiCodecEndpoint,
      log: (line) => log(`  ${line}`),
    });
    return {
      kind,
      address: cluster.address,
      namespace: cluster.namespace,
      uiUrl: cluster.uiUrl!,
      logs: cluster.logDir,
      state: stateDir,
      stop: () => cluster.stop(),
    };
  }
  log('starting the Temporal dev server (SQLite, Web UI)...');
  const dbFile = join(dataDir, 'temporal.db');
  const logFile = join(dataDir, 'temporal.log');
  const server = await startDevServer({
    dbFile,
    port: await preferredPort(options.temporalPort ?? 7233),
    uiPort,
    uiCodecEndpoint,
    logFile,
  });
  return {
    kind,
    address: server.address,
    namespace: server.namespace,
    uiUrl: server.uiUrl!,
    logs: logFile,
    state: dbFile,
    stop: () => server.stop(),
  };
}

function loadOrCreateCodecKeys(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const keys = newCodecKey(`dev-${new Date().toISOString().slice(0, 10)}`);
  writeFileSync(file, `${keys}\n`, { mode: 0o600 });
  return keys;
}

/** The port itself when it is free on loopback, else 0 (pick any free one). */
async function preferredPort(port: number): Promise<number> {
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => done(0));
    probe.listen(port, '127.0.0.1', () => probe.close(() => done(port)));
  });
}
