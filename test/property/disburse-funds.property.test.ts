/**
 * Property tests of the disburseFunds adapter against the real simulator over HTTP, behind a proxy
 * that answers the way a misbehaving provider (or what stands in front of it) would. The simulator's
 * ledger is the only truth of money moved; the adapter's claims are checked against it:
 *   - PAID (grant) or NOT_REVERSIBLE (cancel) only if the ledger has our disbursement;
 *   - FAILED with moneyMayHaveMoved false (grant) or CANCELED (cancel) only if it never will;
 *   - cancel sends nothing and adds nothing to the ledger;
 *   - nothing but OutcomeUnknown is thrown (or the test context's refusal to send after a cancel request).
 * Generated behaviour never makes a definite answer up that contradicts the ledger (the proxy only
 * fabricates refusals of requests it did not forward, and otherwise mangles or replaces answers in
 * forms the protocol does not allow); proving more than that is impossible for any client.
 * Reproduce a failure with the seed jest prints: FC_SEED=<seed> npx jest test/property/disburse.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationFailure } from '@temporalio/common';
import fc from 'fast-check';
import { DisburseFundsPayouts } from '../../src/activities/providers/disburse-funds/payouts';
import { ERROR_RESPONSE_CODES, RESULT_CODE_REASONS } from '../../src/activities/providers/disburse-funds/codes';
import type { CancelPayoutStep, GrantPayoutActivityInput, PayoutStep } from '../../src/contracts';
import { startDisburseFundsSimulator, type DisburseFundsSimulator, type Fault } from '../../src/simulators/disburse-funds';
import { closedPort, startDisburseProxy, type DisburseProxy, type ProxyAction, type RealAnswer } from '../support/disburse-proxy';
import { openRecord, testProviderContext, type TestProviderContext } from '../support/provider-context';

// 1,000 generated cases per test against HTTP simulators: ~80 s on an idle 2-core machine, several
// times that under load (a CI run beside other work timed out at 120 s); the timeout only catches a hang.
jest.setTimeout(900_000);

const ACCOUNT = 'integrator-EUR';
const TOKEN = 'token-eur';
/** Small, so "no answer in time" stays cheap; a loaded machine may time out more often, which is fine. */
const TIMEOUT_MS = 60;
const BEYOND_TIMEOUT = fc.integer({ min: TIMEOUT_MS + 10, max: TIMEOUT_MS + 40 });
const NUM_RUNS = 1_000;
const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined;

let sim: DisburseFundsSimulator;
let proxy: DisburseProxy;
let refusedUrl: string;
let adapter: DisburseFundsPayouts;
let refusing: DisburseFundsPayouts;
let seq = 0;

beforeAll(async () => {
  sim = await startDisburseFundsSimulator({
    accounts: { [ACCOUNT]: { bearerToken: TOKEN, minMicros: '1000000', maxMicros: '1000000000' } },
    receivers: { 'closed@okbank': 'ACCOUNT_CLOSED' },
  });
  proxy = await startDisburseProxy(sim.url);
  refusedUrl = `http://127.0.0.1:${await closedPort()}`;
  const account = { provider: 'disburse-funds' as const, paymentIntegratorAccountId: ACCOUNT, bearerToken: TOKEN, timeoutMs: TIMEOUT_MS };
  adapter = new DisburseFundsPayouts('upi-main', { ...account, baseUrl: proxy.url });
  refusing = new DisburseFundsPayouts('upi-main', { ...account, baseUrl: refusedUrl });
});
afterAll(async () => {
  await proxy?.close();
  await sim?.close();
});

// ---- generated provider behaviour (plain data, so counterexamples print readably) ----

const DECLINES = Object.keys(RESULT_CODE_REASONS);
const STATUSES = [200, 201, 204, 302, 400, 401, 403, 404, 408, 409, 412, 422, 423, 429, 500, 502, 503, 504];
const FIELDS = [
  'responseHeader',
  'responseHeader.responseTimestamp',
  'paymentIntegratorTransactionId',
  'disburseFundsResult',
  'disburseFundsResult.disburseFundsResultCode',
  'disburseFundsResult.rawResult',
  'disburseFundsResult.rawResult.rawCode',
  'disburseFundsResult.rawResult.scope',
  'disburseFundsResult.transactionMaxLimit',
  'errorResponseCode',
];
const junk = fc.record({
  status: fc.constantFrom(...STATUSES),
  body: fc.constantFrom('garbage', 'empty', 'html'),
  text: fc.string({ maxLength: 30 }),
});
const undocumentedCode = fc.oneof(
  fc.constantFrom('UNKNOWN_RESULT', 'ACCOUNT_FROZEN', 'success', 'constructor'),
  fc.string({ maxLength: 12 }),
);
const processFirst = fc.boolean();

/** Simulator faults (the proxy passes the exchange through). */
const simFault: fc.Arbitrary<Fault> = fc.oneof(
  BEYOND_TIMEOUT.map((ms) => ({ kind: 'latency' as const, ms })),
  fc.integer({ min: 0, max: 5 }).map((ms) => ({ kind: 'latency' as const, ms })),
  fc.constant({ kind: 'unavailable' as const }),
  fc.constant({ kind: 'drop-after-disburse' as const }),
  fc.constant({ kind: 'drop-before-processing' as const }),
  BEYOND_TIMEOUT.map((ms) => ({ kind: 'delay-before-processing' as const, ms })),
  fc.record({
    kind: fc.constant('http-error' as const),
    status: fc.constantFrom(408 as const, 429 as const, 500 as const, 502 as const),
    process: processFirst,
  }),
  fc.record({ kind: fc.constant('html-error' as const), status: fc.constantFrom(400, 404, 502, 503), process: processFirst }),
  fc.record({
    kind: fc.constant('bad-body' as const),
    body: fc.constantFrom('truncated' as const, 'garbage' as const, 'empty' as const),
    process: processFirst,
  }),
  fc.record({ kind: fc.constant('decline-without-raw-result' as const), process: processFirst }),
  fc.record({
    kind: fc.constant('undocumented-result' as const),
    code: undocumentedCode.filter((c) => c.length > 0),
    process: processFirst,
  }),
);

/** How the proxy changes the simulator's real answer to a forwarded request. */
const mutation = fc.oneof(
  fc.constant({ m: 'pass' as const }),
  fc.record({ m: fc.constant('status' as const), status: fc.constantFrom(...STATUSES) }),
  fc.record({ m: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 0.99, noNaN: true }) }),
  fc.record({ m: fc.constant('drop-field' as const), path: fc.constantFrom(...FIELDS) }),
  // A documented decline code only without rawResult: with it, it would be a made-up definite answer.
  fc.oneof(
    fc.record({ m: fc.constant('code' as const), code: fc.constantFrom(...DECLINES), dropRaw: fc.constant(true) }),
    fc.record({ m: fc.constant('code' as const), code: undocumentedCode, dropRaw: fc.boolean() }),
  ),
  fc.record({
    m: fc.constant('limit' as const),
    value: fc.oneof(fc.string({ maxLength: 22 }), fc.bigInt({ min: -1n, max: 2n ** 64n }).map(String), fc.integer(), fc.constant(null)),
  }),
  fc.constant({ m: 'reset' as const }),
  fc.record({ m: fc.constant('junk' as const), junk }),
);

/** What the proxy answers to a request it does not forward (nothing was processed). */
const fabrication = fc.oneof(
  fc.constant({ f: 'reset' as const }),
  fc.record({
    f: fc.constant('error' as const),
    status: fc.constantFrom(...STATUSES),
    // No made-up IDEMPOTENCY_VIOLATION: it would claim another execution owns the key.
    code: fc.option(fc.constantFrom(...Object.keys(ERROR_RESPONSE_CODES).filter((c) => c !== 'IDEMPOTENCY_VIOLATION'), 'SOMETHING_ELSE'), {
      nil: undefined,
    }),
    header: fc.boolean(),
  }),
  // A documented refusal at its own status: true of this request, which was not forwarded.
  fc
    .constantFrom(...Object.entries(ERROR_RESPONSE_CODES).filter(([c]) => c !== 'IDEMPOTENCY_VIOLATION'))
    .map(([code, { httpStatus }]) => ({ f: 'error' as const, status: httpStatus, code, header: true })),
  fc.record({ f: fc.constant('junk' as const), junk }),
  fc.record({ f: fc.constant('reply' as const), code: fc.oneof(undocumentedCode, fc.constantFrom(...DECLINES)) }), // never with rawResult
);

const behaviour = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: 'pass' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'refused' as const }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('sim' as const), fault: simFault }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('forward' as const),
      hold: fc.oneof({ weight: 9, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: BEYOND_TIMEOUT }),
      mutation,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('fabricate' as const),
      hold: fc.oneof({ weight: 9, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: BEYOND_TIMEOUT }),
      fabrication,
    }),
  },
);
type Behaviour = typeof behaviour extends fc.Arbitrary<infer B> ? B : never;

const rarely = fc.integer({ min: 0, max: 9 }).map((n) => n === 0);
const scenario = fc.record({
  amount: fc.constantFrom('25.00', '25.00', '25.00', '0.50', '1000.01', '92233720368547.75'),
  vpa: fc.constantFrom('asha@okbank', 'asha@okbank', 'closed@okbank'),
  /** Another execution already used this requestId with other parameters. */
  otherExecution: rarely,
  /** The first attempt we see; above 1, earlier attempts' heartbeats were lost. */
  startAttempt: fc.constantFrom(1, 1, 1, 1, 2, 3),
  attempts: fc.array(
    fc.record({ behaviour, heartbeatLost: rarely, cancelRequested: fc.integer({ min: 0, max: 29 }).map((n) => n === 0) }),
    { minLength: 1, maxLength: 4 },
  ),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer S> ? S : never;

// ---- turning behaviour into proxy actions ----

/** A JSON object or array (arrays are mutated like objects, as JSON.parse gives them). */
const isJsonObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

function mutate(real: RealAnswer | undefined, m: Extract<Behaviour, { kind: 'forward' }>['mutation']): ReturnType<ProxyAction['respond']> {
  if (real === undefined || real === 'dropped' || m.m === 'reset') return 'reset';
  if (m.m === 'junk') return junkAnswer(m.junk);
  if (m.m === 'status') return { ...real, status: m.status };
  if (m.m === 'truncate') return { ...real, body: real.body.slice(0, Math.floor(real.body.length * m.at)) };
  let json: unknown;
  try {
    json = JSON.parse(real.body);
  } catch {
    return real;
  }
  if (!isJsonObject(json)) return real;
  const result = isJsonObject(json.disburseFundsResult) ? json.disburseFundsResult : undefined;
  if (m.m === 'drop-field') {
    const path = m.path.split('.');
    const parent = path.slice(0, -1).reduce<unknown>((o, k) => (isJsonObject(o) ? o[k] : undefined), json);
    if (isJsonObject(parent)) delete parent[path.at(-1)!];
  } else if (m.m === 'code' && result) {
    result.disburseFundsResultCode = m.code;
    if (m.dropRaw) delete result.rawResult;
  } else if (m.m === 'limit' && result) {
    result.transactionMaxLimit = m.value;
  }
  return { ...real, body: JSON.stringify(json) };
}

function fabricate(f: Extract<Behaviour, { kind: 'fabricate' }>['fabrication']): ReturnType<ProxyAction['respond']> {
  switch (f.f) {
    case 'reset':
      return 'reset';
    case 'junk':
      return junkAnswer(f.junk);
    case 'error':
      return {
        status: f.status,
        contentType: 'application/json',
        body: JSON.stringify({
          ...(f.header ? { responseHeader: { responseTimestamp: String(Date.now()) } } : {}),
          ...(f.code ? { errorResponseCode: f.code } : {}),
          errorDescription: 'made up',
        }),
      };
    case 'reply':
      return {
        status: 200,
        contentType: 'application/json',
        body: JSON.stringify({
          responseHeader: { responseTimestamp: String(Date.now()) },
          paymentIntegratorTransactionId: 'made-up',
          disburseFundsResult: { disburseFundsResultCode: f.code },
        }),
      };
  }
}

function junkAnswer(j: { status: number; body: string; text: string }): { status: number; body: string; contentType: string } {
  if (j.body === 'html') return { status: j.status, body: `<html><body>${j.status} ${j.text}</body></html>`, contentType: 'text/html' };
  return { status: j.status, body: j.body === 'empty' ? '' : `~${j.text}{`, contentType: 'application/json' };
}

function prepare(b: Behaviour): DisburseFundsPayouts {
  switch (b.kind) {
    case 'refused':
      return refusing;
    case 'pass':
      break;
    case 'sim':
      sim.injectFault(b.fault);
      break;
    case 'forward':
      proxy.next({ forward: true, holdMs: b.hold, respond: (real) => mutate(real, b.mutation) });
      break;
    case 'fabricate':
      proxy.next({ forward: false, holdMs: b.hold, respond: () => fabricate(b.fabrication) });
      break;
  }
  return adapter;
}

// ---- running a scenario ----

interface Attempt {
  ctx: TestProviderContext;
  refused: boolean;
  /** Requests of this key the proxy had received when the attempt ended. */
  receivedAfter?: number;
  step?: PayoutStep;
  error?: unknown;
}

const input = (id: string, s: Scenario): GrantPayoutActivityInput => ({
  payoutRequestID: id,
  amount: { amount: s.amount, currency: 'EUR' },
  accountName: 'upi-main',
  destinations: [{ identifierType: 'UPI_VPA', identifier: s.vpa }],
  description: 'Payout for CM-1',
  notify: ['test-cuwo'],
});

/** Runs the activity's attempts as Temporal would: each resumes from what the previous one last reported. */
async function runGrant(id: string, s: Scenario): Promise<Attempt[]> {
  if (s.otherExecution) await otherExecution(id, s);
  const attempts: Attempt[] = [];
  let resumed: Record<string, unknown> | undefined;
  for (const [i, a] of s.attempts.entries()) {
    const ctx = testProviderContext(`payout:${id}`, {
      attempt: s.startAttempt + i,
      resumed: a.heartbeatLost ? undefined : resumed,
      refuseSending: a.cancelRequested,
    });
    const attempt: Attempt = { ctx, refused: a.cancelRequested };
    attempts.push(attempt);
    const before = proxy.receivedFor(`payout:${id}`);
    try {
      attempt.step = await prepare(a.behaviour).grant(input(id, s), ctx);
    } catch (err) {
      attempt.error = err;
    }
    attempt.receivedAfter = proxy.receivedFor(`payout:${id}`);
    if (a.cancelRequested) expect(attempt.receivedAfter).toBe(before); // the send was stopped
    resumed = ctx.lastRecord() ?? (a.heartbeatLost ? undefined : resumed);
    // A returned step or a non-retryable error ends the activity.
    if (attempt.step || !isOutcomeUnknown(attempt.error)) break;
  }
  return attempts;
}

/** The same requestId used earlier with another amount and description (a second execution of the request). */
async function otherExecution(id: string, s: Scenario): Promise<void> {
  const res = await fetch(`${sim.url}/v1/disburseFunds`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({
      requestHeader: {
        protocolVersion: { major: 1, minor: 0, revision: 0 },
        requestId: `payout:${id}`,
        requestTimestamp: String(Date.now()),
      },
      paymentIntegratorAccountId: ACCOUNT,
      transactionDescription: 'another execution',
      currencyCode: 'EUR',
      amount: '7770000',
      upiDetails: { vpa: s.vpa },
    }),
  });
  await res.text();
}

/** Waits until nothing is held or in flight anywhere, so the ledger is final for this request. */
async function settle(attempts: Attempt[]): Promise<void> {
  // A request given up on may still be on its way to the proxy: give it a moment to arrive.
  if (attempts.some((a) => /timeout/i.test(String((a.error as Error | undefined)?.message)))) await sleep(15);
  for (let i = 0; i < 3; i++) {
    await proxy.settled();
    await sim.settled();
  }
}

/** Our disbursement: this key with our parameters (another execution's disbursement is not ours). */
function oursPaid(id: string, s: Scenario): boolean {
  const micros = s.amount === '25.00' ? '25000000' : s.amount === '0.50' ? '500000' : s.amount === '1000.01' ? '1000010000' : 'none';
  return sim
    .ledger()
    .some(
      (d) =>
        d.requestId === `payout:${id}` &&
        d.paymentIntegratorAccountId === ACCOUNT &&
        d.amountMicros === micros &&
        d.vpa === s.vpa &&
        d.transactionDescription === 'Payout for CM-1',
    );
}

const isOutcomeUnknown = (err: unknown) => err instanceof ApplicationFailure && err.type === 'OutcomeUnknown' && !err.nonRetryable;

/** What every attempt must satisfy whatever the provider did. */
function checkAttempts(id: string, s: Scenario, attempts: Attempt[]): void {
  const paid = oursPaid(id, s);
  for (const a of attempts) {
    for (const report of a.ctx.reports) {
      const record = openRecord(report.processingData, `payout:${id}`); // sealed for this request
      if (report.sending) expect(report).toMatchObject({ moneyMayHaveMoved: true, stage: 'SENDING' });
      if (record.stage === 'NOT_SENT') {
        expect(report.moneyMayHaveMoved).toBe(false);
        expect(a.receivedAfter).toBe(0); // no attempt so far reached the provider
      }
    }
    if (a.error !== undefined) {
      if (a.refused) expect(String((a.error as Error).message)).toContain('CanceledBeforeSending');
      else expect(isOutcomeUnknown(a.error)).toBe(true);
      continue;
    }
    const step = a.step!;
    if (step.processingData !== undefined) openRecord(step.processingData, `payout:${id}`);
    if (step.status === 'PAID') {
      expect(paid).toBe(true);
      const entry = sim.ledger().find((d) => d.requestId === `payout:${id}`)!;
      expect(step.reference).toBe(entry.paymentIntegratorTransactionId);
      expect(step.processedAmount).toEqual({ amount: s.amount, currency: 'EUR' });
    } else if (step.status === 'FAILED') {
      if (!step.moneyMayHaveMoved) expect(paid).toBe(false);
      else expect(step).toMatchObject({ reason: 'OUTCOME_UNKNOWN', needsReconciliation: true }); // (no legacy records are generated)
      if (step.reason === 'DUPLICATE_REQUEST') expect(step.needsReconciliation).toBe(true);
    } else {
      throw new Error(`unexpected step ${step.status}`);
    }
  }
}

/** Every claim of every run, checked once more against the final ledger at the end. */
const claims: Array<{ id: string; s: Scenario; paid: boolean; what: string }> = [];
/** How runs ended, printed so a reader sees what the properties covered. */
const tally = (counts: Record<string, number>, key: string) => void (counts[key] = (counts[key] ?? 0) + 1);
const endOf = (a: Attempt) =>
  a.step
    ? `${a.step.status}${a.step.status === 'FAILED' ? ` ${a.step.reason}${a.step.moneyMayHaveMoved ? ' (may have moved)' : ''}` : ''}`
    : isOutcomeUnknown(a.error)
      ? 'still unknown (retrying)'
      : 'canceled before sending';

const fcOptions = { numRuns: NUM_RUNS, seed, verbose: 1 } as const;

test(`grant: the adapter claims no more than the ledger proves (${NUM_RUNS} runs)`, async () => {
  const started = Date.now();
  const grantEnds: Record<string, number> = {};
  await fc.assert(
    fc.asyncProperty(scenario, async (s) => {
      const id = `prop-g-${++seq}`;
      try {
        const attempts = await runGrant(id, s);
        await settle(attempts);
        checkAttempts(id, s, attempts);
        tally(grantEnds, endOf(attempts.at(-1)!));
        const last = attempts.at(-1)!.step;
        if (last?.status === 'PAID') claims.push({ id, s, paid: true, what: 'grant PAID' });
        if (last?.status === 'FAILED' && !last.moneyMayHaveMoved) claims.push({ id, s, paid: false, what: `grant FAILED ${last.reason}` });
      } finally {
        sim.clearFaults();
      }
    }),
    fcOptions,
  );
  console.log(`grant property: ${NUM_RUNS} runs in ${Date.now() - started} ms; last attempt ended: ${JSON.stringify(grantEnds)}`);
});

test(`cancel: never sends, never pays, and claims no more than the ledger proves (${NUM_RUNS} runs)`, async () => {
  const started = Date.now();
  const cancelEnds: Record<string, number> = {};
  await fc.assert(
    fc.asyncProperty(scenario, async (s) => {
      const id = `prop-c-${++seq}`;
      try {
        const attempts = await runGrant(id, s);
        await settle(attempts);
        // What the CUWO holds when the compensation starts: the last step's processing data, else the last report.
        const last = attempts.at(-1)!;
        const processingData =
          last.step?.processingData ??
          [...attempts]
            .reverse()
            .find((a) => a.ctx.reports.length > 0)
            ?.ctx.reports.at(-1)?.processingData;
        if (processingData === undefined) return; // nothing was ever reported: the activity layer cancels without the adapter
        const record = openRecord(processingData, `payout:${id}`);
        const sentBefore = proxy.receivedFor(`payout:${id}`);
        const ledgerBefore = sim.ledger().length;
        const ctx = testProviderContext(`payout:${id}`);
        let step: CancelPayoutStep;
        try {
          step = await adapter.cancel(record, ctx);
        } catch (err) {
          expect(isOutcomeUnknown(err)).toBe(true);
          return;
        }
        await settle(attempts);
        expect(proxy.receivedFor(`payout:${id}`)).toBe(sentBefore);
        expect(sim.ledger().length).toBe(ledgerBefore);
        expect(ctx.reports.filter((r) => r.sending)).toHaveLength(0);
        const paid = oursPaid(id, s);
        tally(cancelEnds, `${step.status}${step.status === 'FAILED' ? ` ${step.reason}` : ''} (record ${String(record.stage)})`);
        if (step.status === 'CANCELED') {
          expect(paid).toBe(false);
          claims.push({ id, s, paid: false, what: 'cancel CANCELED' });
        } else if (step.status === 'FAILED') {
          expect(step.needsReconciliation).toBe(true);
          if (step.reason === 'NOT_REVERSIBLE') expect(paid).toBe(true);
          if (step.reason === 'DUPLICATE_REQUEST') expect(paid).toBe(false);
          expect(['NOT_REVERSIBLE', 'OUTCOME_UNKNOWN', 'DUPLICATE_REQUEST']).toContain(step.reason);
        } else {
          throw new Error(`unexpected step ${step.status}`);
        }
        if (step.processingData !== undefined) openRecord(step.processingData, `payout:${id}`);
      } finally {
        sim.clearFaults();
      }
    }),
    fcOptions,
  );
  console.log(`cancel property: ${NUM_RUNS} runs in ${Date.now() - started} ms; cancel ended: ${JSON.stringify(cancelEnds)}`);
});

test('every claim still holds against the final ledger', async () => {
  await sleep(TIMEOUT_MS);
  await proxy.settled();
  await sim.settled();
  const wrong = claims.filter((c) => oursPaid(c.id, c.s) !== c.paid);
  expect(wrong).toEqual([]);
  expect(claims.length).toBeGreaterThan(NUM_RUNS / 4);
});
