/**
 * Property tests of the Payneteasy adapters (payouts and payments) against the real simulator over
 * HTTP, behind a proxy that answers the way a misbehaving gateway (or what stands in front of it)
 * would: HTTP errors with or without processing, HTML, truncated, garbage and empty bodies, missing
 * fields, undocumented statuses, reformatted or unreadable amounts, connections refused or reset
 * before or after the money moved, answers or requests held beyond the timeout. Each operation is
 * driven like Temporal and the workflow would drive it (retries of an unknown outcome with the last
 * heartbeat, sometimes lost; polling while PENDING), then checked against the simulator's ledgers:
 *   - DONE (PAID / APPROVED / CAPTURED / reversal done) only if the ledger has it;
 *   - NOT_DONE (FAILED with moneyMayHaveMoved false, CANCELED) only if it does not, and never will;
 *   - compensations (cancel) never create a payout, sale, preauth or capture;
 *   - nothing but OutcomeUnknown is thrown out of an adapter.
 * Mutations may lose or reformat information, never assert another fact than the simulator's.
 * Reproduce a failure with the seed fast-check prints: FC_SEED=<seed> npx jest test/property/payneteasy.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { toMinorUnits, fromMinorUnits, type Money } from '../../src/contracts/money';
import type { PayneteasyAccount } from '../../src/activities/providers/payneteasy/account';
import { PayneteasyPayments } from '../../src/activities/providers/payneteasy/payments';
import { PayneteasyPayouts } from '../../src/activities/providers/payneteasy/payouts';
import type { RequestBinding } from '../../src/activities/sealing';
import { startPayneteasySimulator, type PayneteasySimulator, type SimulatedOrder } from '../../src/simulators/payneteasy';
import { PNE_CONTROL_KEY, privateKeyPem } from '../support/payneteasy-adapters';
import { refusedUrl, startPayneteasyProxy, type Mutation, type PayneteasyProxy } from '../support/payneteasy-proxy';
import { openRecord, testProviderContext, type TestProviderContext } from '../support/provider-context';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// 1,000 generated cases per test against HTTP simulators: ~80 s on an idle 2-core machine, several
// times that under load (a CI run beside other work timed out at 120 s); the timeout only catches a hang.
jest.setTimeout(900_000);

/** The value type of an arbitrary. */
type Of<A> = A extends fc.Arbitrary<infer T> ? T : never;

const NUM_RUNS = Number(process.env.PNE_PROPERTY_RUNS ?? 1_000);
const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined;
/** Small, so "no answer in time" stays cheap; a loaded machine may time out more often, which is fine. */
const TIMEOUT_MS = 25;
const PROCESSING_MS = 2;
const MAX_STEPS = 9;
const SETUP_TIMEOUT_MS = 5_000;
const publicKeyPem = readFileSync(join(__dirname, '../fixtures/payneteasy-test-key.pub.pem'), 'utf8');

// ---- one simulator + proxy per property, so the properties may run concurrently ----

interface Bench {
  sim: PayneteasySimulator;
  proxy: PayneteasyProxy;
  /** What the next requests meet: consumed one per request, in order ('refuse' never reaches the proxy). */
  plan: Array<Mutation | { kind: 'refuse' }>;
  /** Requests the adapters made (read from the account's baseUrl), and how their cases ended. */
  requests: { count: number };
  ends: Record<string, number>;
  /** Adapters whose requests meet the plan; `timeoutMs` long for setting a case up (JIT, load). */
  payouts(reversible: boolean, timeoutMs?: number): PayneteasyPayouts;
  payments(timeoutMs?: number): PayneteasyPayments;
  close(): Promise<void>;
}

async function startBench(): Promise<Bench> {
  const sim = await startPayneteasySimulator({
    merchants: [
      { endpointId: '1001', login: 'merchant-main', controlKey: PNE_CONTROL_KEY, publicKeyPem },
      { endpointId: '1002', login: 'merchant-rev', controlKey: PNE_CONTROL_KEY, publicKeyPem, payoutReversal: true },
    ],
    processingMs: PROCESSING_MS,
    formTtlMs: 600_000,
    callbackRetryMs: 50,
  });
  const proxy = await startPayneteasyProxy(sim.url);
  const dead = `${await refusedUrl()}/paynet/`;
  const plan: Bench['plan'] = [];
  const requests = { count: 0 };
  const account = (overrides: Partial<PayneteasyAccount>): PayneteasyAccount => {
    const base = {
      provider: 'payneteasy' as const,
      endpointId: '1001',
      login: 'merchant-main',
      controlKey: PNE_CONTROL_KEY,
      privateKeyPem,
      payoutReversal: false,
      receiverAbandonedCodes: ['FORM_EXPIRED'],
      timeoutMs: TIMEOUT_MS,
      unknownOutcomeWindowMs: 60,
      polling: { fastIntervalMs: 1, fastPhaseMs: 60_000, slowIntervalMs: 1, slowPhaseMs: 60_000, lateIntervalMs: 1 },
      ...overrides,
    };
    // The gateway reads baseUrl once per request: that is where the request meets its planned behaviour.
    return Object.defineProperty(base, 'baseUrl', {
      enumerable: true,
      get() {
        requests.count++;
        const next = plan.shift() ?? { kind: 'pass' };
        if (next.kind === 'pass') return `${sim.url}/paynet/`; // straight to the gateway: one hop less
        if (next.kind === 'refuse') return dead;
        proxy.plan(next);
        return `${proxy.url}/paynet/`;
      },
    }) as PayneteasyAccount;
  };
  const reversible = { endpointId: '1002', login: 'merchant-rev', payoutReversal: true };
  const bench: Bench = {
    sim,
    proxy,
    plan,
    requests,
    ends: {},
    payouts: (rev, timeoutMs = TIMEOUT_MS) => new PayneteasyPayouts('pne-prop', account({ ...(rev ? reversible : {}), timeoutMs })),
    payments: (timeoutMs = TIMEOUT_MS) => new PayneteasyPayments('pne-prop', account({ timeoutMs })),
    close: async () => {
      await proxy.settled();
      await proxy.close();
      await sim.close();
    },
  };
  return bench;
}

// ---- generated provider behaviour (plain data, so counterexamples print readably) ----

const FIELDS = [
  'type',
  'status',
  'transaction-type',
  'paynet-order-id',
  'merchant-order-id',
  'serial-number',
  'amount',
  'currency',
  'error-code',
  'redirect-to',
  'redirect-url',
  'destination-card-ref-id',
];
const beyondTimeout = fc.integer({ min: TIMEOUT_MS + 5, max: TIMEOUT_MS + 20 });
const mutation: fc.Arbitrary<Mutation | { kind: 'refuse' }> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ kind: 'pass' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'refuse' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('reset' as const), forward: fc.boolean() }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('http' as const),
      status: fc.constantFrom(200, 400, 401, 404, 408, 429, 500, 502, 503, 504),
      body: fc.constantFrom('keep' as const, 'html' as const, 'empty' as const, 'garbage' as const),
      forward: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncate' as const), keep: fc.double({ min: 0, max: 1, noNaN: true }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('garbage' as const), forward: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('drop-field' as const), field: fc.constantFrom(...FIELDS) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('undocumented-status' as const),
      status: fc.constantFrom('pending', 'APPROVED', '', 'Approved', 'ok', 'DECLINED'),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('pad-amount' as const), zeros: fc.integer({ min: 1, max: 3 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('unreadable-amount' as const), amount: fc.constantFrom('', 'ten', '1,5', '1e2') }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delay-answer' as const), ms: beyondTimeout }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delay-request' as const), ms: beyondTimeout }) },
);
const behaviour = fc.record({
  /** What the first requests of the operation meet; later ones pass. */
  mutations: fc.array(mutation, { maxLength: 5 }),
  /** Per retry: whether the attempt's last heartbeat was lost with its worker. */
  lostHeartbeats: fc.array(fc.boolean(), { maxLength: 6 }),
  /** A first attempt > 1: the worker died before the activity ran (no heartbeat). */
  firstAttempt: fc.constantFrom(1, 1, 1, 2),
});
type Behaviour = Of<typeof behaviour>;

const currencies = fc.constantFrom('EUR', 'EUR', 'ISK', 'JPY', 'KWD');
const money: fc.Arbitrary<Money> = fc
  .tuple(fc.integer({ min: 1, max: 500_000 }), currencies)
  .map(([minor, currency]) => fromMinorUnits(BigInt(minor), currency));

// ---- driving an operation like Temporal + the workflow would ----

const isOutcomeUnknown = (err: unknown) => (err as { type?: unknown })?.type === 'OutcomeUnknown';
type Step = { status: string; processingData?: string; moneyMayHaveMoved?: boolean; needsReconciliation?: boolean };
type Driven<S> = { final?: S; pending?: S; threw?: unknown };

/**
 * Runs `first`, retrying an unknown outcome (attempt + 1, resuming from the last heartbeat unless it
 * was lost) and following a PENDING step with `next` on its processing data, up to MAX_STEPS calls.
 */
async function drive<S extends Step>(
  bench: Bench,
  request: RequestBinding,
  b: Behaviour,
  first: (ctx: TestProviderContext) => Promise<S>,
  next: (record: Record<string, unknown>, ctx: TestProviderContext) => Promise<S>,
  afterEach: () => void | Promise<void> = () => undefined,
): Promise<Driven<S>> {
  let call = first;
  let same = 0;
  let attempt = b.firstAttempt;
  let resumed: Record<string, unknown> | undefined;
  let retries = 0;
  let last: S | undefined;
  for (let i = 0; i < MAX_STEPS; i++) {
    const ctx = testProviderContext(request, { attempt, resumed });
    let step: S;
    try {
      step = await call(ctx);
    } catch (err) {
      if (!isOutcomeUnknown(err)) {
        bench.ends.THREW = (bench.ends.THREW ?? 0) + 1;
        return { threw: err };
      }
      const heartbeat = ctx.lastRecord();
      if (heartbeat && !b.lostHeartbeats[retries]) resumed = heartbeat;
      retries++;
      attempt++;
      await afterEach();
      continue;
    }
    await afterEach();
    if (step.status !== 'PENDING') {
      const end = `${step.status}${step.moneyMayHaveMoved === false ? ' nothing moved' : ''}${step.needsReconciliation ? ' flagged' : ''}`;
      bench.ends[end] = (bench.ends[end] ?? 0) + 1;
      return { final: step };
    }
    // Nothing planned any more and nothing changes (a form nobody fills): asking on adds no case.
    const pending = step as S & { unknown?: string; redirectUrl?: string };
    same = last && pending.unknown === undefined && (last as typeof pending).processingData === pending.processingData ? same + 1 : 0;
    if (same >= 1 && bench.plan.length === 0) {
      bench.ends.PENDING = (bench.ends.PENDING ?? 0) + 1;
      return { pending: step };
    }
    last = step;
    const record = openRecord(step.processingData, request);
    call = (ctx) => next(record, ctx);
    attempt = 1;
    resumed = undefined;
    await sleep(PROCESSING_MS + 1);
  }
  bench.ends.PENDING = (bench.ends.PENDING ?? 0) + 1;
  return { pending: last };
}

/** Lets held requests arrive and the simulator finish what it processes (open forms stay open). */
async function quiesce(bench: Bench, clientOrderId: string): Promise<void> {
  await bench.proxy.settled();
  for (let i = 0; i < 100; i++) {
    const busy = bench.sim
      .orders(clientOrderId)
      .some((o) => o.transactions.some((t, n) => t.status === 'processing' && !(n === 0 && o.formUrl && !o.formCompleted)));
    if (!busy) return;
    await sleep(2);
  }
}

let seq = 0;
const newId = (tag: string) => `${tag}-${Date.now().toString(36)}-${++seq}`;
const ordersOf = (bench: Bench, clientOrderId: string) => bench.sim.orders(clientOrderId);
const countTypes = (orders: SimulatedOrder[]) => {
  const counts: Record<string, number> = {};
  for (const o of orders) for (const t of o.transactions) counts[t.type] = (counts[t.type] ?? 0) + 1;
  return counts;
};
const paidOf = (bench: Bench, clientOrderId: string) => bench.sim.ledger(clientOrderId);
const paymentOf = (bench: Bench, clientOrderId: string) => bench.sim.paymentLedger(clientOrderId);

/** Every API command the adapters sent, per client order (a spy on the fetch the HTTP helper uses). */
const sentBy = new Map<string, string[]>();
const realFetch = globalThis.fetch;
beforeAll(() => {
  globalThis.fetch = ((input: string | URL | Request, init?: RequestInit) => {
    const command = /\/paynet\/api\/v\d\/([a-z-]+)\//.exec(String(input))?.[1];
    const clientOrderId = typeof init?.body === 'string' ? new URLSearchParams(init.body).get('client_orderid') : null;
    if (command && clientOrderId) sentBy.get(clientOrderId)?.push(command); // only for orders being watched
    return realFetch(input, init);
  }) as typeof fetch;
});
afterAll(() => {
  globalThis.fetch = realFetch;
});

/** Runs a compensation; returns its result and the commands it sent for this order. */
async function compensation<S extends Step>(
  clientOrderId: string,
  drive_: () => Promise<Driven<S>>,
): Promise<{ driven: Driven<S>; sent: string[] }> {
  sentBy.set(clientOrderId, []);
  const driven = await drive_();
  const sent = sentBy.get(clientOrderId)!;
  sentBy.delete(clientOrderId);
  return { driven, sent };
}

/** The receiver / customer fills an open form of this order (after the adapter said what it said). */
function fillOpenForms(
  bench: Bench,
  clientOrderId: string,
  options: { outcome?: 'approve' | 'decline' | 'error'; amountMinor?: string } = {},
): void {
  for (const o of ordersOf(bench, clientOrderId)) {
    if (!o.formUrl || o.formCompleted || o.transactions[0].status !== 'processing') continue;
    bench.sim.completeForm(o.orderId, o.kind === 'payout' ? {} : options);
  }
}

const run = <T>(arb: fc.Arbitrary<T>, predicate: (value: T) => Promise<void>) =>
  fc.assert(fc.asyncProperty(arb, predicate), { numRuns: NUM_RUNS, seed, endOnFailure: true, verbose: 1 });

const benches: Bench[] = [];
const bench = async () => {
  const b = await startBench();
  benches.push(b);
  return b;
};
afterAll(async () => {
  await Promise.all(benches.map((b) => b.close()));
});

const started = Date.now();
afterAll(() =>
  console.log(
    `[property] Payneteasy: ${NUM_RUNS} runs per property, ${Date.now() - started} ms, ${benches.map((b) => b.requests.count).join('+')} requests (${benches.map((b) => b.proxy.seen.length).join('+')} through the mutating proxy)\n` +
      benches.map((b) => JSON.stringify(b.ends)).join('\n'),
  ),
);

// ---- payouts ----

const payoutCase = fc.record({
  amount: money,
  destination: fc.constantFrom('approve', 'approve', 'decline', 'error', 'filtered', 'form'),
  fillForm: fc.boolean(),
  badAmount: fc.integer({ min: 0, max: 9 }).map((n) => n === 0), // a refused request now and then
});

function grantInput(id: string, c: Of<typeof payoutCase>) {
  return {
    payoutRequestID: id,
    amount: c.badAmount ? { amount: fromMinorUnits(0n, c.amount.currency).amount, currency: c.amount.currency } : c.amount,
    accountName: 'pne-prop',
    destinations: c.destination === 'form' ? [] : [{ identifierType: 'CARD_REFERENCE', identifier: `${c.destination}-${id}` }],
    description: `payout ${id}`,
    notify: ['test-cuwo'],
  };
}

/** A payout claim against the ledger: PAID only if paid, nothing-moved only if never paid. */
async function checkPayout(b: Bench, clientOrderId: string, amount: Money, driven: Driven<Step & { processedAmount?: Money }>) {
  expect(driven.threw).toBeUndefined();
  const step = driven.final;
  if (step?.status === 'FAILED' && step.moneyMayHaveMoved === false) fillOpenForms(b, clientOrderId); // a receiver could still act
  await quiesce(b, clientOrderId);
  const paid = paidOf(b, clientOrderId).reduce((sum, l) => sum + BigInt(l.paidMinor), 0n);
  if (step?.status === 'PAID') {
    expect(paid).toBe(toMinorUnits(amount));
    expect(step.processedAmount).toEqual(amount);
  }
  if (step?.status === 'FAILED' && step.moneyMayHaveMoved === false) expect(paid).toBe(0n);
  expect(ordersOf(b, clientOrderId).length).toBeLessThanOrEqual(1);
}

describe('Payneteasy payouts', () => {
  test.concurrent('grant (then status until final): PAID only if paid, FAILED nothing-moved only if never paid', async () => {
    const b = await bench();
    await run(fc.tuple(payoutCase, behaviour), async ([c, be]) => {
      const id = newId('grant');
      const clientOrderId = `payout:${id}`;
      b.plan.splice(0, b.plan.length, ...be.mutations);
      const payouts = b.payouts(false);
      const driven = await drive<Step>(
        b,
        `payout:${id}`,
        be,
        (ctx) => payouts.grant(grantInput(id, c), ctx),
        (r, ctx) => payouts.status(r, ctx),
        () => {
          if (c.fillForm) fillOpenForms(b, clientOrderId);
        },
      );
      b.plan.length = 0;
      await checkPayout(b, clientOrderId, c.amount, driven);
    });
  });

  test.concurrent('status: PAID only if paid, FAILED nothing-moved only if never paid', async () => {
    const b = await bench();
    await run(
      fc.tuple(
        payoutCase.filter((c) => !c.badAmount),
        behaviour,
      ),
      async ([c, be]) => {
        const id = newId('status');
        const clientOrderId = `payout:${id}`;
        b.plan.length = 0;
        const payouts = b.payouts(false);
        const first = await b.payouts(false, SETUP_TIMEOUT_MS).grant(grantInput(id, c), testProviderContext(`payout:${id}`));
        if (first.status !== 'PENDING') throw new Error(`setup: ${first.status}`);
        if (c.fillForm) fillOpenForms(b, clientOrderId);
        await sleep(PROCESSING_MS + 1);
        b.plan.push(...be.mutations);
        const record = openRecord(first.processingData, `payout:${id}`);
        const driven = await drive<Step>(
          b,
          `payout:${id}`,
          { ...be, firstAttempt: 1 },
          (ctx) => payouts.status(record, ctx),
          (r, ctx) => payouts.status(r, ctx),
        );
        b.plan.length = 0;
        await checkPayout(b, clientOrderId, c.amount, driven);
      },
    );
  });

  const cancelSetup = fc.constantFrom(
    'approved',
    'approved-reversible',
    'declined',
    'processing-form',
    'sending-exists',
    'sending-none',
    'sending-in-flight',
    'not-sent',
    'other-execution',
    'stale-after-declined-return',
  );
  /** How long the grant's own request is held on its way while the compensation runs. */
  const inFlightMs = fc.integer({ min: TIMEOUT_MS + 5, max: TIMEOUT_MS + 40 });
  /** A record an earlier compensation left behind before its return was declined (older records had no serial). */
  const stale = fc.constantFrom('APPROVED', 'PROCESSING-without-serial', 'SENDING');

  test.concurrent('cancel / reverse: never sends a payout, acts only on its own order, CANCELED only if nothing stays paid', async () => {
    const b = await bench();
    await run(
      fc.tuple(cancelSetup, money, fc.boolean(), stale, inFlightMs, behaviour),
      async ([setup, amount, fillForm, staleAs, heldMs, be]) => {
        const id = newId('cancel');
        const clientOrderId = `payout:${id}`;
        const request = `payout:${id}` as const;
        b.plan.length = 0;
        const payouts = b.payouts(setup !== 'approved');
        const setupPayouts = b.payouts(setup !== 'approved', SETUP_TIMEOUT_MS);
        const destination = setup === 'declined' ? `decline-${id}` : `approve-${id}`;
        const input = {
          ...grantInput(id, { amount, destination: 'approve', fillForm: false, badAmount: false }),
          destinations: setup === 'processing-form' ? [] : [{ identifierType: 'CARD_REFERENCE', identifier: destination }],
        };
        const sending = {
          v: 1,
          provider: 'payneteasy',
          account: 'pne-prop',
          clientOrderId,
          amount,
          destination,
          stage: 'SENDING',
          sentAt: new Date().toISOString(),
        };
        let record: Record<string, unknown>;
        if (setup === 'sending-none') record = sending;
        else if (setup === 'sending-in-flight') {
          // The grant timed out while its request is still on its way; the order appears during the compensation.
          b.plan.push({ kind: 'delay-request', ms: heldMs });
          const ctx = testProviderContext(request);
          await payouts.grant(input, ctx).catch((err: unknown) => expect(isOutcomeUnknown(err)).toBe(true));
          record = ctx.lastRecord()!;
        } else if (setup === 'not-sent') record = { ...sending, stage: 'NOT_SENT' };
        else if (setup === 'other-execution') {
          const other = { ...input, amount: fromMinorUnits(toMinorUnits(amount) + 1n, amount.currency) };
          await setupPayouts.grant(other, testProviderContext(request)); // another execution's order under our key
          record = sending;
        } else {
          let step = await setupPayouts.grant(input, testProviderContext(request));
          for (let i = 0; i < 20 && step.status === 'PENDING' && setup !== 'processing-form'; i++) {
            await sleep(PROCESSING_MS + 4);
            step = await setupPayouts.status(openRecord(step.processingData, request), testProviderContext(request));
          }
          record = setup === 'sending-exists' ? sending : openRecord(step.processingData!, request);
          if (setup === 'stale-after-declined-return') {
            b.sim.injectFault({ kind: 'decline-next', transactionType: 'return' });
            const returning = await setupPayouts.cancel(record, testProviderContext(request));
            if (returning.status !== 'PENDING') throw new Error(`setup: ${returning.status}`);
            await quiesce(b, clientOrderId); // the return is declined
            record =
              staleAs === 'SENDING'
                ? sending
                : staleAs === 'APPROVED'
                  ? record
                  : { ...record, stage: 'PROCESSING', serialNumber: undefined };
          }
        }
        await sleep(PROCESSING_MS + 1);
        const before = countTypes(ordersOf(b, clientOrderId));
        const ordersBefore = ordersOf(b, clientOrderId).length;
        b.plan.push(...be.mutations);
        const { driven, sent } = await compensation(clientOrderId, () =>
          drive<Step>(
            b,
            request,
            { ...be, firstAttempt: 1 },
            (ctx) => payouts.cancel(record, ctx),
            (r, ctx) => payouts.cancel(r, ctx),
            () => {
              if (fillForm) fillOpenForms(b, clientOrderId);
            },
          ),
        );
        b.plan.length = 0;
        expect(driven.threw).toBeUndefined();
        expect(sent).not.toContain('payout');
        await quiesce(b, clientOrderId);
        const after = countTypes(ordersOf(b, clientOrderId));
        if (setup !== 'sending-in-flight') expect(ordersOf(b, clientOrderId).length).toBe(ordersBefore);
        expect(ordersOf(b, clientOrderId).length).toBeLessThanOrEqual(1);
        expect(after.payout ?? 0).toBe(setup === 'sending-in-flight' ? (after.payout ?? 0) : (before.payout ?? 0));
        if (setup === 'other-execution') expect(after.return ?? 0).toBe(0);
        if (driven.final?.status === 'CANCELED') {
          for (const l of paidOf(b, clientOrderId)) expect(BigInt(l.paidMinor) - BigInt(l.reversedMinor)).toBe(0n);
        }
      },
    );
  });
});

// ---- payments ----

const paymentCase = fc.record({
  amount: money,
  mode: fc.constantFrom('AUTHORIZE' as const, 'CAPTURE' as const),
  customer: fc.constantFrom('approve' as const, 'approve' as const, 'decline' as const, 'error' as const, 'never' as const),
  /** The customer changes the amount on the form (tip), in percent of the requested amount. */
  changePercent: fc.option(fc.integer({ min: 1, max: 200 }), { nil: undefined }),
});

function startInput(id: string, c: Of<typeof paymentCase>) {
  return {
    paymentRequestID: id,
    amount: c.amount,
    mode: c.mode,
    accountName: 'pne-prop',
    description: `payment ${id}`,
    customerEmail: 'c@example.com',
    notify: ['test-cuwo'],
  };
}
const customerOptions = (c: Of<typeof paymentCase>) => ({
  outcome: c.customer === 'never' ? undefined : c.customer,
  amountMinor: c.changePercent ? String((toMinorUnits(c.amount) * BigInt(c.changePercent)) / 100n || 1n) : undefined,
});

/** A payment claim against the ledger: APPROVED only with exactly that money, nothing-moved only if none. */
async function checkPayment(
  b: Bench,
  clientOrderId: string,
  mode: 'AUTHORIZE' | 'CAPTURE',
  driven: Driven<Step & { processedAmount?: Money }>,
) {
  expect(driven.threw).toBeUndefined();
  const step = driven.final;
  if (step?.status === 'FAILED' && step.moneyMayHaveMoved === false) fillOpenForms(b, clientOrderId, { outcome: 'approve' }); // the customer could still pay
  await quiesce(b, clientOrderId);
  const [entry] = paymentOf(b, clientOrderId);
  const taken = entry ? BigInt(mode === 'AUTHORIZE' ? entry.authorizedMinor : entry.capturedMinor) : 0n;
  if (step?.status === 'APPROVED') {
    expect(step.processedAmount).toEqual(fromMinorUnits(toMinorUnits(step.processedAmount!), step.processedAmount!.currency)); // canonical
    expect(toMinorUnits(step.processedAmount!)).toBe(taken);
  }
  if (step?.status === 'FAILED' && step.moneyMayHaveMoved === false) expect(taken).toBe(0n);
  expect(ordersOf(b, clientOrderId).length).toBeLessThanOrEqual(1);
}

describe('Payneteasy payments', () => {
  test.concurrent(
    'start (then status until final): APPROVED only with what was taken, FAILED nothing-moved only if nothing was',
    async () => {
      const b = await bench();
      await run(fc.tuple(paymentCase, behaviour), async ([c, be]) => {
        const id = newId('start');
        const clientOrderId = `payment:${id}`;
        b.plan.splice(0, b.plan.length, ...be.mutations);
        const payments = b.payments();
        const driven = await drive<Step>(
          b,
          `payment:${id}`,
          be,
          (ctx) => payments.start(startInput(id, c), ctx),
          (r, ctx) => payments.status(r, ctx),
          () => {
            if (c.customer !== 'never') fillOpenForms(b, clientOrderId, customerOptions(c));
          },
        );
        b.plan.length = 0;
        await checkPayment(b, clientOrderId, c.mode, driven);
      });
    },
  );

  test.concurrent('status: APPROVED only with what was taken, FAILED nothing-moved only if nothing was', async () => {
    const b = await bench();
    await run(fc.tuple(paymentCase, behaviour), async ([c, be]) => {
      const id = newId('pstatus');
      const clientOrderId = `payment:${id}`;
      b.plan.length = 0;
      const payments = b.payments();
      const first = await b.payments(SETUP_TIMEOUT_MS).start(startInput(id, c), testProviderContext(`payment:${id}`));
      if (first.status !== 'PENDING') throw new Error(`setup: ${first.status}`);
      if (c.customer !== 'never') fillOpenForms(b, clientOrderId, customerOptions(c));
      await sleep(PROCESSING_MS + 1);
      b.plan.push(...be.mutations);
      const record = openRecord(first.processingData, `payment:${id}`);
      const driven = await drive<Step>(
        b,
        `payment:${id}`,
        { ...be, firstAttempt: 1 },
        (ctx) => payments.status(record, ctx),
        (r, ctx) => payments.status(r, ctx),
      );
      b.plan.length = 0;
      await checkPayment(b, clientOrderId, c.mode, driven);
    });
  });

  /** Drives a payment to a settled state without faults; returns its last processing data record. */
  async function settledPayment(b: Bench, id: string, c: Of<typeof paymentCase>, capture: boolean): Promise<Record<string, unknown>> {
    const payments = b.payments(SETUP_TIMEOUT_MS);
    const request = `payment:${id}` as const;
    let step = await payments.start(startInput(id, c), testProviderContext(request));
    if (c.customer !== 'never') fillOpenForms(b, `payment:${id}`, customerOptions(c));
    for (let i = 0; i < 20 && step.status === 'PENDING' && c.customer !== 'never'; i++) {
      await sleep(PROCESSING_MS + 4);
      step = await payments.status(openRecord(step.processingData, request), testProviderContext(request));
    }
    let record = openRecord(step.processingData!, request);
    if (capture && record.stage === 'AUTHORIZED') {
      let cap = await payments.capture(record, testProviderContext(request));
      for (let i = 0; i < 20 && cap.status === 'PENDING'; i++) {
        await sleep(PROCESSING_MS + 4);
        cap = await payments.capture(openRecord(cap.processingData, request), testProviderContext(request));
      }
      record = openRecord(cap.processingData!, request);
    }
    return record;
  }

  test.concurrent('capture: CAPTURED only if captured, a plain FAILED only if nothing was; never a second capture', async () => {
    const b = await bench();
    const authorized = paymentCase.map((c) => ({ ...c, mode: 'AUTHORIZE' as const, customer: 'approve' as const }));
    await run(fc.tuple(authorized, behaviour), async ([c, be]) => {
      const id = newId('capture');
      const clientOrderId = `payment:${id}`;
      b.plan.length = 0;
      const payments = b.payments();
      const record = await settledPayment(b, id, c, false);
      if (record.stage !== 'AUTHORIZED') throw new Error(`setup: ${String(record.stage)}`);
      b.plan.push(...be.mutations);
      const driven = await drive<Step>(
        b,
        `payment:${id}`,
        be,
        (ctx) => payments.capture(record, ctx),
        (r, ctx) => payments.capture(r, ctx),
      );
      b.plan.length = 0;
      expect(driven.threw).toBeUndefined();
      await quiesce(b, clientOrderId);
      const [entry] = paymentOf(b, clientOrderId);
      const counts = countTypes(ordersOf(b, clientOrderId));
      expect(counts.capture ?? 0).toBeLessThanOrEqual(1);
      expect(counts.preauth).toBe(1);
      if (driven.final?.status === 'CAPTURED') expect(entry.capturedMinor).toBe(entry.authorizedMinor);
      if (driven.final?.status === 'FAILED' && !driven.final.needsReconciliation) expect(entry.capturedMinor).toBe('0');
    });
  });

  const cancelSetup = fc.constantFrom(
    'settled',
    'settled',
    'captured-later',
    'processing-form',
    'sending-exists',
    'sending-none',
    'sending-in-flight',
    'not-sent',
    'other-execution',
    'stale-after-declined-return',
  );
  const inFlightMs = fc.integer({ min: TIMEOUT_MS + 5, max: TIMEOUT_MS + 40 });
  /** A record an earlier compensation left behind before its return was declined (older records had no serial). */
  const stale = fc.constantFrom('SETTLED', 'PROCESSING-without-serial', 'SENDING');

  test.concurrent(
    'cancel / release / refund: never sends a sale, preauth or capture, acts only on its own order, CANCELED only if nothing stays taken',
    async () => {
      const b = await bench();
      await run(
        fc.tuple(cancelSetup, paymentCase, fc.boolean(), stale, inFlightMs, behaviour),
        async ([setup, c, fillForm, staleAs, heldMs, be]) => {
          const id = newId('pcancel');
          const clientOrderId = `payment:${id}`;
          const request = `payment:${id}` as const;
          b.plan.length = 0;
          const payments = b.payments();
          const command = c.mode === 'AUTHORIZE' ? 'preauth' : 'sale';
          const sending = {
            v: 1,
            provider: 'payneteasy',
            account: 'pne-prop',
            clientOrderId,
            command,
            requested: c.amount,
            stage: 'SENDING',
            sentAt: new Date().toISOString(),
          };
          let record: Record<string, unknown>;
          if (setup === 'sending-none') record = sending;
          else if (setup === 'sending-in-flight') {
            // The start timed out while its request is still on its way; the order appears during the compensation.
            b.plan.push({ kind: 'delay-request', ms: heldMs });
            const ctx = testProviderContext(request);
            await payments.start(startInput(id, c), ctx).catch((err: unknown) => expect(isOutcomeUnknown(err)).toBe(true));
            record = ctx.lastRecord()!;
          } else if (setup === 'not-sent') record = { ...sending, stage: 'NOT_SENT' };
          else if (setup === 'other-execution') {
            // Its customer keeps the amount: an order showing exactly our command, amount and currency would count as ours.
            await settledPayment(
              b,
              id,
              {
                ...c,
                amount: fromMinorUnits(toMinorUnits(c.amount) + 1n, c.amount.currency),
                customer: 'approve',
                changePercent: undefined,
              },
              false,
            );
            record = sending;
          } else if (setup === 'processing-form') {
            const first = await b.payments(SETUP_TIMEOUT_MS).start(startInput(id, c), testProviderContext(request));
            record = openRecord(first.processingData!, request);
          } else {
            const settled = await settledPayment(
              b,
              id,
              { ...c, ...(setup === 'stale-after-declined-return' ? { customer: 'approve', changePercent: undefined } : {}) },
              setup === 'captured-later',
            );
            record = setup === 'sending-exists' ? sending : settled;
            if (setup === 'stale-after-declined-return') {
              b.sim.injectFault({ kind: 'decline-next', transactionType: 'return' });
              const returning = await b.payments(SETUP_TIMEOUT_MS).cancel(record, testProviderContext(request));
              if (returning.status !== 'PENDING') throw new Error(`setup: ${returning.status}`);
              await quiesce(b, clientOrderId); // the return is declined
              record =
                staleAs === 'SENDING'
                  ? sending
                  : staleAs === 'SETTLED'
                    ? record
                    : { ...record, stage: 'PROCESSING', serialNumber: undefined };
            }
          }
          await sleep(PROCESSING_MS + 1);
          const before = countTypes(ordersOf(b, clientOrderId));
          const ordersBefore = ordersOf(b, clientOrderId).length;
          b.plan.push(...be.mutations);
          const { driven, sent } = await compensation(clientOrderId, () =>
            drive<Step>(
              b,
              request,
              { ...be, firstAttempt: 1 },
              (ctx) => payments.cancel(record, ctx),
              (r, ctx) => payments.cancel(r, ctx),
              () => {
                if (fillForm && (setup === 'processing-form' || setup === 'sending-in-flight'))
                  fillOpenForms(b, clientOrderId, customerOptions({ ...c, customer: c.customer === 'never' ? 'approve' : c.customer }));
              },
            ),
          );
          b.plan.length = 0;
          expect(driven.threw).toBeUndefined();
          for (const command of ['sale-form', 'preauth-form', 'capture']) expect(sent).not.toContain(command);
          await b.proxy.settled();
          if (driven.final?.status === 'CANCELED') fillOpenForms(b, clientOrderId, { outcome: 'approve' }); // the customer could still pay
          await quiesce(b, clientOrderId);
          const after = countTypes(ordersOf(b, clientOrderId));
          if (setup !== 'sending-in-flight') expect(ordersOf(b, clientOrderId).length).toBe(ordersBefore);
          expect(ordersOf(b, clientOrderId).length).toBeLessThanOrEqual(1);
          for (const type of setup === 'sending-in-flight' ? ['capture'] : ['sale', 'preauth', 'capture'])
            expect(after[type] ?? 0).toBe(before[type] ?? 0);
          if (setup === 'other-execution') expect(after.return ?? 0).toBe(0);
          if (driven.final?.status === 'CANCELED') {
            for (const entry of paymentOf(b, clientOrderId)) expect(entry).toMatchObject({ heldMinor: '0', takenMinor: '0' });
          }
        },
      );
    },
  );
});
