/**
 * HTTP simulator of the Payneteasy merchant API (docs/payneteasy.md). Its operations at a glance
 * (`capabilities`; each under `/paynet/api/`, per endpoint `<op>/<endpointId>` and per endpoint group
 * `<op>/group/<endpointGroupId>`):
 *
 *   operation          signed with      what it does
 *   v4/payout          OAuth RSA-SHA256  payout through the receiver's form (a card reference is refused here)
 *   v4/payout-by-ref   OAuth RSA-SHA256  payout to a stored card (`destination-card-ref-id`)
 *   v2/sale-form       control (SHA-1)   sale: the customer enters card data on the simulator's form
 *   v2/preauth-form    control           authorization only, same form
 *   v2/capture         control           capture of an approved preauth
 *   v2/return          control           payout reversal (per endpoint), refund, or release of a preauth
 *   v2/void            control           release or refund on the day of the transaction (else NOT_VOIDABLE)
 *   v2/status          control           one transaction's status (may say `unknown`: StatusNoise)
 *
 * Plus the Connecting Party callback with its retries, and the payout and payment ledgers.
 *
 * Files: model.ts (orders, money, ledgers), protocol.ts (wire format, OAuth verification), engine.ts
 * (state, clock, transaction life cycle, forms, callbacks), creation.ts (the commands that create an
 * order), commands.ts (the commands on an order), faults.ts (a misbehaving gateway), http.ts (routes
 * and form pages), admin.ts (`/_sim/`); the pieces shared with
 * the disburseFunds simulator (server start, fault queue, standalone arguments) are in ../kit/.
 * Plain HTTP, admin endpoints without auth: loopback use only.
 */
import { readFileSync } from 'node:fs';
import { FaultQueue } from '../kit/faults';
import { listen } from '../kit/http';
import { closeOnSignal, listenArgs } from '../kit/standalone';
import { addAdminRoutes } from './admin';
import { addLateEvents } from './late-events';
import { CALLBACK_MODES, Engine, type CallbackAttempt, type CallbackMode } from './engine';
import { FaultSchema, StatusNoise, type PayneteasyFault, type StatusNoiseOptions } from './faults';
import { API, OPERATIONS, createApp } from './http';
import {
  isPayment,
  paymentLedgerEntry,
  payoutLedgerEntry,
  type CompleteFormOptions,
  type PaymentLedgerEntry,
  type PayoutLedgerEntry,
  type SimulatedMerchant,
  type SimulatedOrder,
} from './model';

export type { CallbackAttempt, CallbackMode } from './engine';
export type { Command } from './commands';
export type { PayneteasyFault, StatusNoiseOptions } from './faults';

/** What the simulator serves, for a test to compare with what the adapter sends. */
export const capabilities = { provider: 'payneteasy', operations: OPERATIONS, routes: ['endpoint', 'group'] } as const;
export type {
  CompleteFormOptions,
  DeclinableTransactionType,
  PaymentFormOutcome,
  PaymentLedgerEntry,
  PayoutLedgerEntry,
  SimulatedMerchant,
  SimulatedOrder,
  SimulatedTransaction,
  TransactionStatus,
  TransactionType,
} from './model';
export { encodePaynetResponse, parsePaynetResponse, sha1Hex } from './protocol';

export interface PayneteasySimulatorOptions {
  merchants: SimulatedMerchant[];
  host?: string;
  port?: number;
  processingMs?: number; // time a transaction stays `processing` before its final status (default 1000)
  formTtlMs?: number; // a receiver form not completed within this time declines the payout with FORM_EXPIRED (default 60_000)
  callbackRetryMs?: number; // retry interval for callbacks answered non-200 / network error (default 500, at most 5 attempts)
  timeZone?: string; // the gateway's day for void (default UTC)
  statusNoise?: StatusNoiseOptions; // status answers that say `unknown` sometimes (seeded)
}

export interface PayneteasySimulator {
  readonly url: string; // base, e.g. http://127.0.0.1:PORT (API under `${url}/paynet/api/`)
  /** Copies of the orders (only those with this client_orderid, when given: cheap with many orders). */
  orders(clientOrderId?: string): SimulatedOrder[];
  /**
   * Money actually paid out, per order that moved money: `paidMinor` = approved payout transactions,
   * `reversedMinor` = approved returns (net paid = paidMinor - reversedMinor).
   */
  ledger(clientOrderId?: string): PayoutLedgerEntry[];
  /** One entry per payment order (sale-form / preauth-form), whatever its outcome. */
  paymentLedger(clientOrderId?: string): PaymentLedgerEntry[];
  callbacks(): CallbackAttempt[];
  injectFault(f: PayneteasyFault): void;
  /** Forgets every fault still queued (including decline-next). */
  clearFaults(): void;
  /** Applies to callbacks sent from now on (default 'deliver'); 'delay' holds each one `delayMs`. */
  setCallbackMode(mode: CallbackMode, delayMs?: number): void;
  /**
   * What the receiver (payout) or the customer (payment) submitting the form does. The options are for
   * payment forms only (a payout form refuses them); the payment's final status follows after processingMs.
   */
  completeForm(orderId: string, options?: CompleteFormOptions): void;
  /** Moves the gateway's clock (transaction times, the day a void is judged by); `offsetMs` from real time, 0 resets. */
  setClockOffset(offsetMs: number): void;
  /** From now on status answers say a non-final status with this probability (seeded); undefined stops it. */
  setStatusNoise(options: StatusNoiseOptions | undefined): void;
  /** How many status answers the noise made non-final since it was last set. */
  statusNoiseCount(): number;
  close(): Promise<void>; // also stops timers and pending callbacks
}

export async function startPayneteasySimulator(options: PayneteasySimulatorOptions): Promise<PayneteasySimulator> {
  const engine = new Engine({
    merchants: options.merchants,
    processingMs: options.processingMs ?? 1000,
    formTtlMs: options.formTtlMs ?? 60_000,
    callbackRetryMs: options.callbackRetryMs ?? 500,
    timeZone: options.timeZone,
  });
  const faults = new FaultQueue<PayneteasyFault>();
  const noise: { current?: StatusNoise } = { current: options.statusNoise ? new StatusNoise(options.statusNoise) : undefined };
  const app = createApp(engine, faults, noise);
  const selected = (clientOrderId?: string) =>
    [...engine.orders.values()].filter((o) => clientOrderId === undefined || o.clientOrderId === clientOrderId);
  const sim: PayneteasySimulator = {
    get url() {
      return engine.baseUrl;
    },
    orders: (clientOrderId) => selected(clientOrderId).map((o) => structuredClone(o)),
    ledger: (clientOrderId) =>
      selected(clientOrderId)
        .filter((o) => !isPayment(o))
        .flatMap((o) => payoutLedgerEntry(o) ?? []),
    paymentLedger: (clientOrderId) => selected(clientOrderId).filter(isPayment).map(paymentLedgerEntry),
    callbacks: () => engine.attempts.map((a) => ({ ...a, query: { ...a.query } })),
    clearFaults: () => {
      faults.clear();
      engine.clearDeclineNext();
    },
    injectFault: (fault) => {
      const parsed = FaultSchema.parse(fault);
      if (parsed.kind === 'decline-next') engine.addDeclineNext(parsed.transactionType, parsed.count ?? 1);
      else faults.push(parsed);
    },
    setCallbackMode: (mode, delayMs = 0) => {
      if (!(CALLBACK_MODES as readonly string[]).includes(mode)) throw new Error(`unknown callback mode ${String(mode)}`);
      if (!Number.isInteger(delayMs) || delayMs < 0) throw new Error(`delayMs must be a non-negative integer, got ${delayMs}`);
      engine.callbackMode = mode;
      engine.callbackDelayMs = delayMs;
    },
    completeForm: (orderId, formOptions) => engine.completeForm(orderId, formOptions),
    setClockOffset: (offsetMs) => {
      if (!Number.isInteger(offsetMs)) throw new Error(`offsetMs must be an integer, got ${offsetMs}`);
      engine.clockOffsetMs = offsetMs;
    },
    setStatusNoise: (noiseOptions) => {
      noise.current = noiseOptions ? new StatusNoise(noiseOptions) : undefined;
    },
    statusNoiseCount: () => noise.current?.answered ?? 0,
    close: async () => {
      await engine.close();
      await app.close();
    },
  };
  addAdminRoutes(app, sim);
  addLateEvents(app, engine);

  engine.baseUrl = await listen(app, options.host, options.port);
  return sim;
}

/**
 * Standalone: `npx tsx src/simulators/payneteasy/index.ts --port 8082 [--host 127.0.0.1]`, one merchant from
 * PAYNETEASY_ENDPOINT_ID, PAYNETEASY_LOGIN, PAYNETEASY_CONTROL_KEY, PAYNETEASY_PUBLIC_KEY_FILE (required),
 * PAYNETEASY_PAYOUT_REVERSAL.
 */
export async function main(argv: string[] = process.argv.slice(2)): Promise<PayneteasySimulator> {
  const { host, port } = listenArgs(argv, 8082);
  const keyFile = process.env.PAYNETEASY_PUBLIC_KEY_FILE;
  if (!keyFile) {
    throw new Error(
      'PAYNETEASY_PUBLIC_KEY_FILE is required: the path of the PEM RSA public key that verifies the merchant OAuth signatures',
    );
  }
  let publicKeyPem: string;
  try {
    publicKeyPem = readFileSync(keyFile, 'utf8');
  } catch (err) {
    throw new Error(`PAYNETEASY_PUBLIC_KEY_FILE ${keyFile} cannot be read: ${(err as Error).message}`, { cause: err });
  }
  const reversal = process.env.PAYNETEASY_PAYOUT_REVERSAL ?? 'false';
  if (reversal !== 'true' && reversal !== 'false')
    throw new Error(`PAYNETEASY_PAYOUT_REVERSAL must be "true" or "false", got "${reversal}"`);
  const endpointId = process.env.PAYNETEASY_ENDPOINT_ID || '1001';
  const sim = await startPayneteasySimulator({
    host,
    port,
    merchants: [
      {
        endpointId,
        login: process.env.PAYNETEASY_LOGIN || 'demo-merchant',
        controlKey: process.env.PAYNETEASY_CONTROL_KEY || 'dev-control-key',
        publicKeyPem,
        payoutReversal: reversal === 'true',
      },
    ],
  });
  console.log(`Payneteasy simulator listening on ${sim.url} (API ${sim.url}${API}/, endpoint ${endpointId})`);
  closeOnSignal(sim);
  return sim;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
