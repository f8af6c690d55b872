/**
 * HTTP simulator of the Standard Payments `disburseFunds` method, the payout provider side
 * (docs/disburse-funds.md). Tests, the demo and `npm run chaos` start it with
 * startDisburseFundsSimulator; docker-compose runs this file standalone.
 *
 * Files: model.ts (accounts, receiver states, ledger entries, the verdict), protocol.ts (wire format,
 * request validation), provider.ts (idempotency store and ledger), faults.ts (a misbehaving provider),
 * http.ts (the endpoint, faults applied, exchanges recorded), admin.ts (`/_sim/`). The shared pieces
 * (server start, fault queue, standalone arguments) are in ../kit/.
 */
import { FaultQueue } from '../kit/faults';
import { listen } from '../kit/http';
import { closeOnSignal, listenArgs } from '../kit/standalone';
import { addAdminRoutes, type Admin } from './admin';
import { createEnvelopes } from './envelopes';
import { FaultSchema, type Fault, type ParsedFault } from './faults';
import { DISBURSE_FUNDS_PATH, createApp, type RecordedRequest } from './http';
import type { Disbursement, ReceiverState, SimulatedIntegratorAccount } from './model';
import { createDisburseFundsProvider } from './provider';

export { DISBURSE_FUNDS_PATH } from './http';
export type { RecordedRequest } from './http';
export type { Disbursement, ReceiverState, SimulatedIntegratorAccount, SimulatedTransport } from './model';
export type { Fault } from './faults';

export interface DisburseFundsSimulatorOptions {
  accounts: Record<string, SimulatedIntegratorAccount>;
  receivers?: Record<string, ReceiverState>;
  host?: string;
  port?: number;
  timestampToleranceMs?: number;
  /**
   * Serve HTTPS with this PEM certificate and key (TLS 1.2+). `clientCa` verifies client certificates,
   * which the JWE accounts require (asked of every client, required per account: PGP accounts send none).
   */
  tls?: { cert: string; key: string; clientCa?: string };
}

export interface DisburseFundsSimulator {
  readonly url: string;
  /** Money moved: one entry per SUCCESS (replays add none). */
  ledger(): Disbursement[];
  requests(): RecordedRequest[];
  injectFault(fault: Fault): void;
  clearFaults(): void;
  setReceiverState(vpa: string, state: ReceiverState | undefined): void;
  /** Resolves once no request is held or being answered (a delayed payout has happened by then). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export async function startDisburseFundsSimulator(options: DisburseFundsSimulatorOptions): Promise<DisburseFundsSimulator> {
  const provider = createDisburseFundsProvider(options);
  const faults = new FaultQueue<ParsedFault>();
  const envelopes = await createEnvelopes(options.accounts);
  const https = options.tls && {
    cert: options.tls.cert,
    key: options.tls.key,
    minVersion: 'TLSv1.2' as const,
    ...(options.tls.clientCa ? { ca: options.tls.clientCa, requestCert: true, rejectUnauthorized: false } : {}),
  };
  const { app, traffic } = createApp(provider, faults, envelopes, https);
  const admin: Admin = {
    ledger: provider.ledger,
    requests: () => traffic.recorded.map((r) => ({ ...r })),
    injectFault: (fault) => faults.push(FaultSchema.parse(fault)),
    clearFaults: () => faults.clear(),
    setReceiverState: provider.setReceiverState,
  };
  addAdminRoutes(app, admin);
  const url = await listen(app, options.host, options.port);
  return { url, ...admin, settled: traffic.settled, close: () => app.close() };
}

/** Standalone: `npx tsx src/simulators/disburse-funds/index.ts --port 8081 [--host 127.0.0.1]`. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<DisburseFundsSimulator> {
  const { host, port } = listenArgs(argv, 8081);
  const accountId = process.env.DISBURSE_ACCOUNT_ID || 'demo-integrator-EUR';
  const sim = await startDisburseFundsSimulator({
    host,
    port,
    accounts: {
      [accountId]: {
        bearerToken: process.env.DISBURSE_BEARER_TOKEN || 'dev-token',
        maxMicros: process.env.DISBURSE_MAX_MICROS || '1000000000',
      },
    },
  });
  console.log(`disburseFunds simulator listening on ${sim.url} (POST ${sim.url}${DISBURSE_FUNDS_PATH}, account ${accountId})`);
  closeOnSignal(sim);
  return sim;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
