/**
 * HTTP simulator of the Standard Payments `disburseFunds` method (payout provider side). The code
 * lives in ./disburse-funds/ (protocol, faults, server); this file keeps the import path and the
 * standalone entry point (docker-compose runs it).
 */
import { DISBURSE_FUNDS_PATH, startDisburseFundsSimulator, type DisburseFundsSimulator } from './disburse-funds/server';

export { DISBURSE_FUNDS_PATH, startDisburseFundsSimulator } from './disburse-funds/server';
export type { DisburseFundsSimulator, DisburseFundsSimulatorOptions, RecordedRequest } from './disburse-funds/server';
export type { Disbursement, ReceiverState, SimulatedIntegratorAccount } from './disburse-funds/protocol';
export type { Fault } from './disburse-funds/faults';

/** Standalone: `npx tsx src/simulators/disburse-funds.ts --port 8081 [--host 127.0.0.1]`. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<DisburseFundsSimulator> {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const port = Number(arg('--port') ?? 8081);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port ${arg('--port')}`);
  const accountId = process.env.DISBURSE_ACCOUNT_ID || 'demo-integrator-EUR';
  const sim = await startDisburseFundsSimulator({
    host: arg('--host') ?? '127.0.0.1',
    port,
    accounts: {
      [accountId]: {
        bearerToken: process.env.DISBURSE_BEARER_TOKEN || 'dev-token',
        maxMicros: process.env.DISBURSE_MAX_MICROS || '1000000000',
      },
    },
  });
  console.log(`disburseFunds simulator listening on ${sim.url} (POST ${sim.url}${DISBURSE_FUNDS_PATH}, account ${accountId})`);
  const stop = () => void sim.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return sim;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
