/**
 * The local stack: Temporal dev server (SQLite under .cuwo/, Web UI) and the provider simulators,
 * with a worker-side accounts file pointing at them. `cuwo dev` and `npm run demo` run on it.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import type { Accounts } from '../config';
import { startDisburseFundsSimulator, type DisburseFundsSimulator } from '../simulators/disburse-funds';
import { startDevServer, type DevServer } from './temporal-server';

export const DEMO_UPI_ACCOUNT = 'upi-demo';
export const DEMO_INTEGRATOR_ACCOUNT_ID = 'demo-integrator-EUR';
/** Receivers whose accounts the simulator treats as closed / on hold, to try the decline branches. */
export const DEMO_RECEIVERS = { closed: 'closed@demo', onHold: 'hold@demo' } as const;

export interface LocalStackOptions {
  /** Where the SQLite database, logs and the accounts file live. */
  dataDir?: string;
  /** Preferred ports; a busy one is replaced by a free one. */
  temporalPort?: number;
  uiPort?: number;
  disbursePort?: number;
  log?: (line: string) => void;
}

export interface LocalStack {
  temporal: DevServer;
  disburse: DisburseFundsSimulator;
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

  log('starting the Temporal dev server (SQLite, Web UI)...');
  const temporal = await startDevServer({
    dbFile: join(dataDir, 'temporal.db'),
    port: await preferredPort(options.temporalPort ?? 7233),
    uiPort: await preferredPort(options.uiPort ?? 8233),
    logFile: join(dataDir, 'temporal.log'),
  });
  try {
    const bearerToken = randomBytes(24).toString('base64url');
    log('starting the disburseFunds simulator...');
    const disburse = await startDisburseFundsSimulator({
      port: await preferredPort(options.disbursePort ?? 8081),
      accounts: { [DEMO_INTEGRATOR_ACCOUNT_ID]: { bearerToken, minMicros: '1000000', maxMicros: '1000000000' } },
      receivers: { [DEMO_RECEIVERS.closed]: 'ACCOUNT_CLOSED', [DEMO_RECEIVERS.onHold]: 'ACCOUNT_ON_HOLD' },
    });
    const accounts: Accounts = {
      [DEMO_UPI_ACCOUNT]: { provider: 'disburse-funds', baseUrl: disburse.url, paymentIntegratorAccountId: DEMO_INTEGRATOR_ACCOUNT_ID, bearerToken, timeoutMs: 15_000 },
    };
    const accountsFile = join(dataDir, 'accounts.json');
    writeFileSync(accountsFile, `${JSON.stringify(accounts, null, 2)}\n`, { mode: 0o600 });
    return {
      temporal,
      disburse,
      accounts,
      accountsFile,
      dataDir,
      stop: async () => {
        await disburse.close();
        await temporal.stop();
      },
    };
  } catch (err) {
    await temporal.stop();
    throw err;
  }
}

/** The port itself when it is free on loopback, else 0 (pick any free one). */
async function preferredPort(port: number): Promise<number> {
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => done(0));
    probe.listen(port, '127.0.0.1', () => probe.close(() => done(port)));
  });
}
