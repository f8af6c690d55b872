/**
 * The payout test stack: a disburseFunds simulator, a worker whose account points at it, and ledger helpers.
 * `transport: 'pgp' | 'jwe'` serves HTTPS with a test CA made now and protects the account's bodies
 * (keys as `file:` references in a temp dir, removed on close; `secrets` lists the key material).
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Accounts } from '../../src/config';
import { startDisburseFundsSimulator, type DisburseFundsSimulator } from '../../src/simulators/disburse-funds';
import type { DisburseFundsAccount } from '../../src/activities/providers/disburse-funds/account';
import type { SimulatedIntegratorAccount } from '../../src/simulators/disburse-funds';
import { BEARER_TOKEN, INTEGRATOR_ACCOUNT_ID, UPI_ACCOUNT } from './fixtures';
import { createHarness, type Harness } from './harness';
import { keyDir, pgpPair, rsaPair, tlsMaterial } from './transport-keys';

export interface PayoutStack {
  sim: DisburseFundsSimulator;
  harness: Harness;
  accounts: Accounts;
  ledgerFor(payoutRequestID: string): ReturnType<DisburseFundsSimulator['ledger']>;
  requestsFor(payoutRequestID: string): ReturnType<DisburseFundsSimulator['requests']>;
  exists(workflowId: string): Promise<boolean>;
  /** The private key material of a pgp / jwe stack (none for plain): it must never show up in a history. */
  secrets: string[];
  close(): Promise<void>;
}

type Transport = 'plain' | 'pgp' | 'jwe';

/** The simulator's side and the worker's side of one transport, with fresh keys. */
async function transportSetup(transport: Transport, files: ReturnType<typeof keyDir>) {
  if (transport === 'plain') return { sim: { bearerToken: BEARER_TOKEN }, account: { bearerToken: BEARER_TOKEN }, secrets: [] };
  const tls = tlsMaterial();
  const simTls = { cert: tls.server.cert, key: tls.server.key, clientCa: tls.ca.cert };
  if (transport === 'pgp') {
    const [us, provider] = await Promise.all([pgpPair('worker'), pgpPair('provider')]);
    return {
      tls: simTls,
      sim: { transport: { mode: 'pgp', providerPrivateKeys: [provider.privateKey], integratorPublicKeys: [us.publicKey] } },
      account: {
        transport: {
          mode: 'pgp',
          privateKeys: [files.ref('worker.asc', us.privateKey)],
          providerPublicKeys: [files.ref('provider.pub.asc', provider.publicKey)],
          ca: files.ref('ca.pem', tls.ca.cert),
        },
      },
      secrets: [us.privateKey],
    };
  }
  const [us, provider] = [rsaPair(), rsaPair()];
  return {
    tls: simTls,
    sim: { transport: { mode: 'jwe', providerPrivateKeys: [provider.privateKey], integratorPublicKeys: [us.publicKey] } },
    account: {
      transport: {
        mode: 'jwe',
        privateKeys: [files.ref('worker.pem', us.privateKey)],
        providerPublicKeys: [files.ref('provider.pub.pem', provider.publicKey)],
        enc: 'A256CBC-HS512',
        compress: false,
        sign: true,
        clientCertificate: files.ref('client.pem', tls.client.cert),
        clientKey: files.ref('client.key.pem', tls.client.key),
        ca: files.ref('ca.pem', tls.ca.cert),
      },
    },
    secrets: [us.privateKey, tls.client.key],
  };
}

export async function startPayoutStack(options: { startWorker?: boolean; transport?: Transport } = {}): Promise<PayoutStack> {
  const files = keyDir();
  const setup = await transportSetup(options.transport ?? 'plain', files);
  const sim = await startDisburseFundsSimulator({
    accounts: { [INTEGRATOR_ACCOUNT_ID]: { ...(setup.sim as SimulatedIntegratorAccount), minMicros: '1000000', maxMicros: '1000000000' } },
    ...(setup.tls ? { tls: setup.tls } : {}),
    receivers: {
      'closed@okbank': 'ACCOUNT_CLOSED',
      'takenover@okbank': 'ACCOUNT_CLOSED_ACCOUNT_TAKEN_OVER',
      'fraud@okbank': 'ACCOUNT_CLOSED_FRAUD',
      'hold@okbank': 'ACCOUNT_ON_HOLD',
    },
  });
  const harness = await createHarness();
  const accounts: Accounts = {
    [UPI_ACCOUNT]: {
      provider: 'disburse-funds',
      baseUrl: sim.url,
      paymentIntegratorAccountId: INTEGRATOR_ACCOUNT_ID,
      ...(setup.account as Partial<DisburseFundsAccount>),
      timeoutMs: 10_000,
    },
  };
  if (options.startWorker !== false) await harness.startWorker(accounts);
  const requestId = (id: string) => `payout:${id}`;
  return {
    sim,
    harness,
    accounts,
    ledgerFor: (id) => sim.ledger().filter((d) => d.requestId === requestId(id)),
    requestsFor: (id) => sim.requests().filter((r) => r.requestId === requestId(id)),
    exists: async (workflowId) => {
      try {
        await harness.client.workflow.getHandle(workflowId).describe();
        return true;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return false;
        throw err;
      }
    },
    secrets: setup.secrets,
    close: async () => {
      await harness.close();
      await sim.close();
      files.remove();
    },
  };
}

export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
