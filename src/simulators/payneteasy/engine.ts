/**
 * The simulator's state and the life of its transactions: orders, `processing` turning final after
 * processingMs, the receiver's / customer's form (and its expiry), decline-next verdicts, and the
 * Connecting Party callback with its retries. The HTTP commands (commands.ts) and the admin API act
 * on it; nothing here knows about HTTP requests.
 */
import { createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  APPROVED,
  FORM_OUTCOMES,
  formOutcome,
  formTransaction,
  isPayment,
  type CompleteFormOptions,
  type DeclinableTransactionType,
  type Outcome,
  type SimRoute,
  type SimulatedMerchant,
  type SimulatedOrder,
  type SimulatedTransaction,
  type TransactionType,
} from './model';
import { ProtocolError, callbackQuery } from './protocol';

// drop = never sent; duplicate = sent twice; delay = sent after callbackDelayMs
export type CallbackMode = 'deliver' | 'drop' | 'duplicate' | 'delay';
export const CALLBACK_MODES = ['deliver', 'drop', 'duplicate', 'delay'] as const satisfies readonly CallbackMode[];

export interface CallbackAttempt {
  url: string; // server_callback_url as the merchant sent it; the parameters below were added to its query
  query: Record<string, string>;
  httpStatus: number | 'network-error';
  at: string;
}

/** completeForm refusals; the admin endpoint and the form page map `httpStatus` to their answer. */
export class FormError extends Error {
  constructor(
    readonly httpStatus: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

const MAX_CALLBACK_ATTEMPTS = 5;
const CALLBACK_TIMEOUT_MS = 5_000;

export interface EngineOptions {
  merchants: SimulatedMerchant[];
  processingMs: number;
  formTtlMs: number;
  callbackRetryMs: number;
  timeZone?: string; // the IANA time zone of the gateway's day (a void only on the day of its transaction); default UTC
}

export class Engine {
  readonly merchants = new Map<string, { merchant: SimulatedMerchant; publicKey: KeyObject }>();
  readonly groups = new Map<string, string>(); // endpointGroupId -> endpointId
  clockOffsetMs = 0; // the gateway's clock is Date.now() + this (tests move it to another day)
  readonly orders = new Map<string, SimulatedOrder>(); // by paynet-order-id, in creation order
  readonly orderByClientKey = new Map<string, string>(); // JSON [endpointId, client_orderid] -> paynet-order-id
  readonly nonces = new Map<string, number>(); // OAuth replay protection
  readonly attempts: CallbackAttempt[] = [];
  readonly closing = new AbortController();
  /** Told of every transaction that turned final (late-events.ts sends notify_url callbacks from it). */
  onFinal?: (order: SimulatedOrder, tx: SimulatedTransaction) => void;
  callbackMode: CallbackMode = 'deliver';
  callbackDelayMs = 0;
  baseUrl = ''; // set once listening; orders are only created after that
  private readonly formTimers = new Map<string, NodeJS.Timeout>();
  private readonly declineNext: { type: DeclinableTransactionType; remaining: number }[] = []; // per created transaction
  private readonly forcedOutcomes = new WeakMap<SimulatedTransaction, Outcome>(); // decline-next verdicts, applied when final
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly deliveries = new Set<Promise<void>>();
  private lastOrderNumber = 0;
  private readonly dayFormat: Intl.DateTimeFormat;

  /** The gateway's clock. */
  now(): Date {
    return new Date(Date.now() + this.clockOffsetMs);
  }

  /** The gateway's calendar day of an instant, YYYY-MM-DD in its time zone. */
  dayOf(iso: string): string {
    return this.dayFormat.format(Date.parse(iso));
  }

  constructor(readonly options: EngineOptions) {
    for (const [name, v] of Object.entries({
      processingMs: options.processingMs,
      formTtlMs: options.formTtlMs,
      callbackRetryMs: options.callbackRetryMs,
    })) {
      if (!Number.isFinite(v) || v < 0) throw new Error(`${name} must be a non-negative number, got ${v}`);
    }
    // Fail at start-up on a bad configuration rather than on the first request.
    if (options.merchants.length === 0) throw new Error('at least one merchant is required');
    for (const m of options.merchants) {
      if (!m.endpointId || !m.login || !m.controlKey)
        throw new Error(`merchant ${m.endpointId}: endpointId, login and controlKey must not be empty`);
      if (this.merchants.has(m.endpointId)) throw new Error(`merchant endpointId ${m.endpointId} is configured twice`);
      let publicKey: KeyObject;
      try {
        publicKey = createPublicKey(m.publicKeyPem);
      } catch (err) {
        throw new Error(`merchant ${m.endpointId}: publicKeyPem is not a usable public key (${(err as Error).message})`, { cause: err });
      }
      if (publicKey.asymmetricKeyType !== 'rsa') throw new Error(`merchant ${m.endpointId}: publicKeyPem must be an RSA key`);
      this.merchants.set(m.endpointId, { merchant: { ...m }, publicKey });
      if (m.endpointGroupId !== undefined) {
        if (!m.endpointGroupId || this.groups.has(m.endpointGroupId))
          throw new Error(`merchant ${m.endpointId}: endpointGroupId "${m.endpointGroupId}" is empty or configured twice`);
        this.groups.set(m.endpointGroupId, m.endpointId);
      }
    }
    this.dayFormat = new Intl.DateTimeFormat('en-CA', {
      timeZone: options.timeZone ?? 'UTC',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
  }

  later(ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.closing.signal.aborted) fn();
    }, ms);
    this.timers.add(t);
    return t;
  }

  private cancelTimer(t: NodeJS.Timeout | undefined) {
    if (!t) return;
    clearTimeout(t);
    this.timers.delete(t);
  }

  /** The merchant a route names: an endpoint, or the endpoint serving a group. */
  merchantFor(route: SimRoute | string) {
    const { kind, id } = typeof route === 'string' ? { kind: 'endpoint', id: route } : route;
    const entry = this.merchants.get(kind === 'group' ? (this.groups.get(id) ?? '') : id);
    if (!entry)
      throw new ProtocolError(
        'validation-error',
        kind === 'group' ? 'ENDPOINT_GROUP_NOT_FOUND' : 'ENDPOINT_NOT_FOUND',
        `${kind === 'group' ? 'endpoint group' : 'endpoint'} ${id} is not known`,
      );
    return entry;
  }

  nextOrderId(): string {
    return String(8_000_000 + ++this.lastOrderNumber);
  }

  addOrder(order: SimulatedOrder): void {
    this.orders.set(order.orderId, order);
    this.orderByClientKey.set(JSON.stringify([order.endpointId, order.clientOrderId]), order.orderId);
  }

  existingOrder(endpointId: string, clientOrderId: string): SimulatedOrder | undefined {
    const id = this.orderByClientKey.get(JSON.stringify([endpointId, clientOrderId]));
    return id === undefined ? undefined : this.orders.get(id);
  }

  /** Finds the order named by a v2 command; `orderid` may be absent (the docs: "send it when known"). */
  findOrder(endpointId: string, clientOrderId: string, orderId: string | undefined): SimulatedOrder {
    const order = orderId === undefined ? this.existingOrder(endpointId, clientOrderId) : this.orders.get(orderId);
    if (!order || order.endpointId !== endpointId || order.clientOrderId !== clientOrderId) {
      throw new ProtocolError(
        'error',
        'ORDER_NOT_FOUND',
        `no order with client_orderid ${clientOrderId}${orderId ? ` and orderid ${orderId}` : ''} on endpoint ${endpointId}`,
      );
    }
    return order;
  }

  addDeclineNext(type: DeclinableTransactionType, count: number): void {
    this.declineNext.push({ type, remaining: count });
  }

  clearDeclineNext(): void {
    this.declineNext.length = 0;
  }

  newTransaction(type: TransactionType, amountMinor: bigint, currency: string): SimulatedTransaction {
    const tx: SimulatedTransaction = {
      serialNumber: randomUUID(),
      type,
      status: 'processing',
      amountMinor: amountMinor.toString(),
      currency,
      createdAt: this.now().toISOString(),
    };
    const i = this.declineNext.findIndex((d) => d.type === type);
    if (i >= 0) {
      if (--this.declineNext[i].remaining <= 0) this.declineNext.splice(i, 1);
      this.forcedOutcomes.set(tx, {
        status: 'declined',
        errorCode: `${type.toUpperCase()}_DECLINED`,
        errorMessage: `The ${type} was declined (simulated)`,
      });
    }
    return tx;
  }

  /** The final outcome of a transaction: a decline-next verdict wins over the normal one. */
  outcomeOf(tx: SimulatedTransaction, normal: Outcome): Outcome {
    return this.forcedOutcomes.get(tx) ?? normal;
  }

  /** Adds a follow-up transaction to the order and finalizes it after processingMs. */
  schedule(order: SimulatedOrder, tx: SimulatedTransaction, normal: Outcome = APPROVED): void {
    if (!order.transactions.includes(tx)) order.transactions.push(tx);
    this.later(this.options.processingMs, () => this.finalize(order, tx, this.outcomeOf(tx, normal)));
  }

  /** A form waits for the receiver / customer; it expires after formTtlMs. */
  openForm(order: SimulatedOrder): void {
    this.formTimers.set(
      order.orderId,
      this.later(this.options.formTtlMs, () => this.expireForm(order)),
    );
  }

  finalize(order: SimulatedOrder, tx: SimulatedTransaction, outcome: Outcome): void {
    if (tx.status !== 'processing') return;
    tx.status = outcome.status;
    if (outcome.errorCode) tx.errorCode = outcome.errorCode;
    if (outcome.errorMessage) tx.errorMessage = outcome.errorMessage;
    tx.finalAt = this.now().toISOString();
    this.sendCallback(order, tx);
    this.onFinal?.(order, tx);
  }

  private expireForm(order: SimulatedOrder): void {
    this.formTimers.delete(order.orderId);
    if (order.formCompleted) return;
    const who = isPayment(order) ? 'customer' : 'receiver';
    const what = isPayment(order) ? 'payment' : 'payout';
    this.finalize(order, formTransaction(order), {
      status: 'declined',
      errorCode: 'FORM_EXPIRED',
      errorMessage: `The ${who} did not complete the ${what} form in time`,
    });
  }

  completeForm(orderId: string, options: CompleteFormOptions = {}): void {
    const order = this.orders.get(orderId);
    if (!order) throw new FormError(404, `unknown order ${orderId}`);
    if (!order.formUrl) throw new FormError(409, `order ${orderId} does not wait for a receiver form`);
    const payment = isPayment(order);
    if (!payment && (options.outcome !== undefined || options.amountMinor !== undefined)) {
      throw new FormError(409, `order ${orderId} is a payout: outcome and amountMinor apply to payment forms only`);
    }
    if (options.outcome !== undefined && !(FORM_OUTCOMES as readonly string[]).includes(options.outcome)) {
      throw new FormError(400, `unknown outcome ${String(options.outcome)}`);
    }
    let amountMinor: bigint | undefined;
    if (options.amountMinor !== undefined) {
      if (typeof options.amountMinor !== 'string' || !/^\d{1,30}$/.test(options.amountMinor) || BigInt(options.amountMinor) <= 0n) {
        throw new FormError(400, `amountMinor must be a positive decimal integer string, got ${String(options.amountMinor)}`);
      }
      amountMinor = BigInt(options.amountMinor);
    }
    if (order.formCompleted) return; // a second submit changes nothing
    const tx = formTransaction(order);
    if (tx.status !== 'processing') {
      throw new FormError(
        409,
        `the ${payment ? 'payment' : 'payout'} form of order ${orderId} is closed ` +
          `(${tx.type} ${tx.status}${tx.errorCode ? `, ${tx.errorCode}` : ''})`,
      );
    }
    order.formCompleted = true;
    this.cancelTimer(this.formTimers.get(orderId));
    this.formTimers.delete(orderId);
    if (amountMinor !== undefined) tx.amountMinor = amountMinor.toString(); // what the customer submitted is what gets authorized
    const outcome = payment ? this.outcomeOf(tx, formOutcome(options.outcome ?? 'approve')) : APPROVED;
    this.later(this.options.processingMs, () => this.finalize(order, tx, outcome));
  }

  // --- callbacks -------------------------------------------------------------------------------

  private sendCallback(order: SimulatedOrder, tx: SimulatedTransaction): void {
    if (!order.serverCallbackUrl || this.callbackMode === 'drop') return;
    const { controlKey } = this.merchants.get(order.endpointId)!.merchant;
    const query = callbackQuery(order, tx, tx.type, controlKey);
    const times = this.callbackMode === 'duplicate' ? 2 : 1;
    const delayMs = this.callbackMode === 'delay' ? this.callbackDelayMs : 0;
    const url = order.serverCallbackUrl;
    const run = (async () => {
      if (delayMs > 0) {
        try {
          await sleep(delayMs, undefined, { signal: this.closing.signal });
        } catch {
          return; // closed
        }
      }
      for (let i = 0; i < times; i++) await this.deliver(url, query); // the duplicate follows the first delivery
    })();
    this.deliveries.add(run);
    void run.finally(() => this.deliveries.delete(run));
  }

  private async deliver(url: string, query: Record<string, string>): Promise<void> {
    for (let attempt = 1; attempt <= MAX_CALLBACK_ATTEMPTS; attempt++) {
      if (this.closing.signal.aborted) return;
      const target = new URL(url);
      for (const [k, v] of Object.entries(query)) target.searchParams.set(k, v);
      const at = new Date().toISOString();
      let httpStatus: number | 'network-error';
      try {
        const res = await fetch(target, {
          method: 'GET',
          redirect: 'manual', // a redirect is not a 200: retried like any other answer
          signal: AbortSignal.any([this.closing.signal, AbortSignal.timeout(CALLBACK_TIMEOUT_MS)]),
        });
        httpStatus = res.status;
        await res.arrayBuffer().catch(() => undefined);
      } catch {
        if (this.closing.signal.aborted) return;
        httpStatus = 'network-error';
      }
      this.attempts.push({ url, query: { ...query }, httpStatus, at });
      if (httpStatus === 200) return;
      if (attempt < MAX_CALLBACK_ATTEMPTS) {
        try {
          await sleep(this.options.callbackRetryMs, undefined, { signal: this.closing.signal });
        } catch {
          return; // closed
        }
      }
    }
  }

  async close(): Promise<void> {
    this.closing.abort();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.formTimers.clear();
    await Promise.allSettled([...this.deliveries]);
  }
}
