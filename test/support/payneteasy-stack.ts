/**
 * The Payneteasy test stack: the simulator (two endpoints: with and without payout reversal; a third
 * serving endpoint group 503 that requires ipaddress and purpose), the callback receiver, and a worker
 * whose accounts point at all three (PNE_GROUP_ACCOUNT by its group route, with redirect_url and customer
 * fields). Keys are the committed test key pair.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCallbackReceiver, type CallbackReceiver } from '../../src/callbacks/receiver';
import type { Accounts } from '../../src/config';
import { startPayneteasySimulator, type PayneteasySimulator, type StatusNoiseOptions } from '../../src/simulators/payneteasy';
import { createHarness, type Harness } from './harness';

export const PNE_ACCOUNT = 'pne-main';
export const PNE_REVERSIBLE_ACCOUNT = 'pne-reversible';
/** Routed to endpoint group 503 (endpoint 1003), with redirect_url and the customer fields its endpoint requires. */
export const PNE_GROUP_ACCOUNT = 'pne-group';
export const PNE_GROUP_ID = '503';
export const PNE_REDIRECT_URL = 'https://shop.example/payneteasy/return';
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
  options: {
    processingMs?: number;
    formTtlMs?: number;
    fastIntervalMs?: number;
    startWorker?: boolean;
    /** Status answers that say `unknown` sometimes, from the start (sim.setStatusNoise changes it later). */
    statusNoise?: StatusNoiseOptions;
  } = {},
): Promise<PayneteasyStack> {
  const sim = await startPayneteasySimulator({
    merchants: [
      { endpointId: '1001', login: 'merchant-main', controlKey: PNE_CONTROL_KEY, publicKeyPem },
      { endpointId: '1002', login: 'merchant-rev', controlKey: PNE_CONTROL_KEY, publicKeyPem, payoutReversal: true },
      {
        endpointId: '1003',
        endpointGroupId: PNE_GROUP_ID,
        login: 'merchant-group',
        controlKey: PNE_CONTROL_KEY,
        publicKeyPem,
        requiredFields: ['ipaddress', 'purpose'],
      },
    ],
    statusNoise: options.statusNoise,
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
    [PNE_GROUP_ACCOUNT]: {
      ...common,
      endpointGroupId: PNE_GROUP_ID,
      login: 'merchant-group',
      payoutReversal: false,
      callbackUrl: receiver.callbackUrlFor(PNE_GROUP_ACCOUNT),
      redirectUrl: PNE_REDIRECT_URL,
      customerFields: { ipaddress: '203.0.113.10', purpose: 'enfore payout' },
      requiredFields: ['ipaddress', 'purpose'],
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
