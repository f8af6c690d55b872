/**
 * The Payneteasy test stack: the simulator (two endpoints: with and without payout reversal), the
 * callback receiver, and a worker whose accounts point at both. Keys are the committed test key pair.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCallbackReceiver, type CallbackReceiver } from '../../src/callbacks/receiver';
import type { Accounts } from '../../src/config';
import { startPayneteasySimulator, type PayneteasySimulator } from '../../src/simulators/payneteasy';
import { createHarness, type Harness } from './harness';

export const PNE_ACCOUNT = 'pne-main';
export const PNE_REVERSIBLE_ACCOUNT = 'pne-reversible';
export const PNE_CONTROL_KEY = 'control-key-7f3a9c';
const privateKeyPem = readFileSync(join(__dirname, '../fixtures/payneteasy-test-key.pem'), 'utf8');
const publicKeyPem = readFileSync(join(__dirname, '../fixtures/payneteasy-test-key.pub.pem'), 'utf8');

export interface PayneteasyStack {
  sim: PayneteasySimulator;
  receiver: CallbackReceiver;
  harness: Harness;
  accounts: Accounts;
  orderFor(payoutRequestID: string): ReturnType<PayneteasySimulator['orders']>[number] | undefined;
  close(): Promise<void>;
}

export async function startPayneteasyStack(
  options: { processingMs?: number; formTtlMs?: number; fastIntervalMs?: number; startWorker?: boolean } = {},
): Promise<PayneteasyStack> {
  const sim = await startPayneteasySimulator({
    merchants: [
      { endpointId: '1001', login: 'merchant-main', controlKey: PNE_CONTROL_KEY, publicKeyPem },
      { endpointId: '1002', login: 'merchant-rev', controlKey: PNE_CONTROL_KEY, publicKeyPem, payoutReversal: true },
    ],
    processingMs: options.processingMs ?? 300,
    formTtlMs: options.formTtlMs ?? 60_000,
    callbackRetryMs: 200,
  });
  const harness = await createHarness();
  const accounts: Accounts = {};
  const receiver = await startCallbackReceiver({ client: harness.client, accounts });
  const polling = {
    fastIntervalMs: options.fastIntervalMs ?? 500,
    fastPhaseMs: 60_000,
    slowIntervalMs: 5_000,
    slowPhaseMs: 600_000,
    lateIntervalMs: 60_000,
  };
  const common = {
    provider: 'payneteasy' as const,
    baseUrl: `${sim.url}/paynet/`,
    controlKey: PNE_CONTROL_KEY,
    privateKeyPem,
    timeoutMs: 5_000,
    receiverAbandonedCodes: ['FORM_EXPIRED'],
    polling,
  };
  // The receiver reads the same accounts object, so filling it after its start is enough.
  Object.assign(accounts, {
    [PNE_ACCOUNT]: {
      ...common,
      endpointId: '1001',
      login: 'merchant-main',
      payoutReversal: false,
      callbackUrl: receiver.callbackUrlFor(PNE_ACCOUNT),
    },
    [PNE_REVERSIBLE_ACCOUNT]: {
      ...common,
      endpointId: '1002',
      login: 'merchant-rev',
      payoutReversal: true,
      callbackUrl: receiver.callbackUrlFor(PNE_REVERSIBLE_ACCOUNT),
    },
  });
  if (options.startWorker !== false) await harness.startWorker(accounts);
  return {
    sim,
    receiver,
    harness,
    accounts,
    orderFor: (id) => sim.orders().find((o) => o.clientOrderId === `payout:${id}`),
    close: async () => {
      await harness.close();
      await receiver.close();
      await sim.close();
    },
  };
}
