/**
 * Payneteasy adapters without Temporal: the real simulator behind the mutating proxy, accounts that
 * point at the proxy, and adapters bound to them. Processing data is sealed with the test seal key.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PayneteasyAccount } from '../../src/activities/providers/payneteasy/account';
import { PayneteasyPayments } from '../../src/activities/providers/payneteasy/payments';
import { PayneteasyPayouts } from '../../src/activities/providers/payneteasy/payouts';
import type { GrantPayoutActivityInput, StartPaymentActivityInput } from '../../src/contracts';
import { startPayneteasySimulator, type PayneteasySimulator } from '../../src/simulators/payneteasy';
import { startPayneteasyProxy, type PayneteasyProxy } from './payneteasy-proxy';
import { openRecord } from './provider-context';

export const PNE_CONTROL_KEY = 'control-key-adapter-tests';
export const privateKeyPem = readFileSync(join(__dirname, '../fixtures/payneteasy-test-key.pem'), 'utf8');
const publicKeyPem = readFileSync(join(__dirname, '../fixtures/payneteasy-test-key.pub.pem'), 'utf8');

export interface AdapterBench {
  sim: PayneteasySimulator;
  proxy: PayneteasyProxy;
  account(overrides?: Partial<PayneteasyAccount>): PayneteasyAccount;
  payouts(overrides?: Partial<PayneteasyAccount>): PayneteasyPayouts;
  payments(overrides?: Partial<PayneteasyAccount>): PayneteasyPayments;
  close(): Promise<void>;
}

export async function startAdapterBench(
  options: { processingMs?: number; formTtlMs?: number; timeoutMs?: number } = {},
): Promise<AdapterBench> {
  const sim = await startPayneteasySimulator({
    merchants: [
      { endpointId: '1001', login: 'merchant-main', controlKey: PNE_CONTROL_KEY, publicKeyPem },
      { endpointId: '1002', login: 'merchant-rev', controlKey: PNE_CONTROL_KEY, publicKeyPem, payoutReversal: true },
    ],
    processingMs: options.processingMs ?? 30,
    formTtlMs: options.formTtlMs ?? 60_000,
    callbackRetryMs: 50,
  });
  const proxy = await startPayneteasyProxy(sim.url);
  const account = (overrides: Partial<PayneteasyAccount> = {}): PayneteasyAccount => ({
    provider: 'payneteasy',
    baseUrl: `${proxy.url}/paynet/`,
    endpointId: '1001',
    login: 'merchant-main',
    controlKey: PNE_CONTROL_KEY,
    privateKeyPem,
    payoutReversal: false,
    receiverAbandonedCodes: ['FORM_EXPIRED'],
    timeoutMs: options.timeoutMs ?? 2_000,
    polling: { fastIntervalMs: 10, fastPhaseMs: 60_000, slowIntervalMs: 100, slowPhaseMs: 600_000, lateIntervalMs: 1_000 },
    unknownOutcomeWindowMs: 3_600_000,
    ...overrides,
  });
  return {
    sim,
    proxy,
    account,
    payouts: (o) => new PayneteasyPayouts('pne-test', account(o)),
    payments: (o) => new PayneteasyPayments('pne-test', account(o)),
    close: async () => {
      await proxy.settled();
      await proxy.close();
      await sim.close();
    },
  };
}

/** The reversible merchant (endpoint 1002). */
export const REVERSIBLE: Partial<PayneteasyAccount> = { endpointId: '1002', login: 'merchant-rev', payoutReversal: true };

let seq = 0;
export const newId = (tag: string) => `${tag}-${process.pid}-${Date.now().toString(36)}-${++seq}`;

export const grantInput = (
  id: string,
  options: { amount?: string; currency?: string; card?: string | null } = {},
): GrantPayoutActivityInput => ({
  payoutRequestID: id,
  amount: { amount: options.amount ?? '25.00', currency: options.currency ?? 'EUR' },
  accountName: 'pne-test',
  destinations: options.card === null ? [] : [{ identifierType: 'CARD_REFERENCE', identifier: options.card ?? `approve-${id}` }],
  description: `payout ${id}`,
  notify: ['test-cuwo'],
});

export const paymentInput = (
  id: string,
  options: { amount?: string; currency?: string; mode?: 'AUTHORIZE' | 'CAPTURE' } = {},
): StartPaymentActivityInput => ({
  paymentRequestID: id,
  amount: { amount: options.amount ?? '50.00', currency: options.currency ?? 'EUR' },
  mode: options.mode ?? 'CAPTURE',
  accountName: 'pne-test',
  description: `payment ${id}`,
  customerEmail: 'customer@example.com',
  notify: ['test-cuwo'],
});

/** The record inside processing data an adapter returned (sealed for `request`). */
export const recordOf = (processingData: string | undefined, request: `payout:${string}` | `payment:${string}`) =>
  openRecord(processingData, request);

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
