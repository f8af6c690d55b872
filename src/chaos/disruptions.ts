/**
 * What goes wrong during a chaos run, chosen by a seeded generator once a second: worker processes
 * SIGKILLed (and replaced), provider faults injected through the simulators' own fault APIs, lost
 * and duplicated callbacks, cancel requests to CUWOs and orchestrators, at most one termination per
 * request, and hostile callbacks to the receiver (forged controls, replays of real callbacks with
 * another `type` or to another workflow, correctly signed callbacks that lie about the status).
 */
import { createHash, randomBytes } from 'node:crypto';
import { DEMO_PAYNETEASY_ACCOUNT } from '../dev/stack';
import { FaultSchema as DisburseFaultSchema, type Fault as DisburseFault } from '../simulators/disburse-funds/faults';
import { FaultSchema as PayneteasyFaultSchema, type PayneteasyFault } from '../simulators/payneteasy/faults';
import { bump, elapsed, globalEvent, idsOf, requestEvent, sleep, type ChaosContext, type TrackedRequest } from './context';
import { isPayout } from './mix';
import type { Rng } from './rng';

type Target = 'disburseFunds' | 'Payneteasy';

interface FaultChoice {
  target: Target;
  /** The simulator's fault kind (the table counts these). */
  kind: string;
  /** The variant, for the JSON report and the event log. */
  detail: string;
  fault: unknown;
}

/** The faults both simulators speak alike: latency past or within the account timeout, and a 503. */
function latencyAndOutage(rng: Rng, timeoutMs: number): Array<() => [{ kind: 'latency'; ms: number } | { kind: 'unavailable' }, string]> {
  return [
    () => {
      const ms = timeoutMs + rng.int(500, 2_500);
      return [{ kind: 'latency', ms }, `${ms} ms, past the ${timeoutMs} ms account timeout`];
    },
    () => {
      const ms = rng.int(100, Math.floor(timeoutMs / 2));
      return [{ kind: 'latency', ms }, `${ms} ms, within the timeout`];
    },
    () => [{ kind: 'unavailable' }, '503'],
  ];
}

/** Every fault the disburseFunds simulator supports, with parameters drawn per injection. */
function disburseFault(rng: Rng, timeoutMs: number): FaultChoice {
  const processed = rng.chance(0.5);
  const after = processed ? 'after processing' : 'not processed';
  const choices: Array<() => [DisburseFault, string]> = [
    ...latencyAndOutage(rng, timeoutMs),
    () => [{ kind: 'drop-after-disburse' }, 'money moved, connection closed'],
    () => [{ kind: 'drop-before-processing' }, 'connection closed, nothing processed'],
    () => {
      const ms = timeoutMs + rng.int(500, 3_000);
      return [{ kind: 'delay-before-processing', ms }, `held ${ms} ms before processing`];
    },
    () => {
      const status = rng.pick([408, 429, 500, 502, 503, 504] as const);
      return [{ kind: 'http-error', status, process: processed }, `HTTP ${status}, ${after}`];
    },
    () => {
      const status = rng.pick([502, 504, 500]);
      return [{ kind: 'html-error', status, process: processed }, `HTML ${status} page, ${after}`];
    },
    () => {
      const body = rng.pick(['truncated', 'garbage', 'empty'] as const);
      return [{ kind: 'bad-body', body, process: processed }, `${body} body, ${after}`];
    },
    () => [{ kind: 'decline-without-raw-result', process: processed }, `decline without rawResult, ${after}`],
    () => {
      const code = rng.pick(['UNKNOWN_RESULT', 'PENDING_REVIEW', 'SUCCESS_PARTIAL']);
      return [{ kind: 'undocumented-result', code, process: processed }, `undocumented result ${code}, ${after}`];
    },
  ];
  const [fault, detail] = rng.pick(choices)();
  return { target: 'disburseFunds', kind: fault.kind, detail, fault };
}

/** The disburseFunds fault kinds this catalog injects; a kind the simulator has and this list lacks is reported. */
export const DISBURSE_KINDS_COVERED = [
  'latency',
  'unavailable',
  'drop-after-disburse',
  'drop-before-processing',
  'delay-before-processing',
  'http-error',
  'html-error',
  'bad-body',
  'decline-without-raw-result',
  'undocumented-result',
];

/** Fault kinds a simulator has that this catalog does not inject yet (a newer simulator): reported, so the catalog grows with it. */
export function uncoveredFaultKinds(): string[] {
  const kinds = (schema: { options: ReadonlyArray<{ shape: { kind: { value: unknown } } }> }) =>
    schema.options.map((option) => String(option.shape.kind.value));
  return [
    ...kinds(DisburseFaultSchema)
      .filter((kind) => !DISBURSE_KINDS_COVERED.includes(kind))
      .map((kind) => `disburseFunds: ${kind}`),
    ...kinds(PayneteasyFaultSchema)
      .filter((kind) => !PAYNETEASY_KINDS_COVERED.includes(kind))
      .map((kind) => `Payneteasy: ${kind}`),
  ];
}

/** Every fault the Payneteasy simulator supports, sometimes aimed at one command (payout, status, return, capture, ...). */
function payneteasyFault(rng: Rng, timeoutMs: number): FaultChoice {
  const processed = rng.chance(0.5);
  const after = processed ? 'after processing' : 'not processed';
  const choices: Array<() => [PayneteasyFault, string]> = [
    ...latencyAndOutage(rng, timeoutMs),
    () => [{ kind: 'drop-after-processing' }, 'processed, connection closed'],
    () => [{ kind: 'drop-before-processing' }, 'connection closed, nothing processed'],
    () => {
      const status = rng.pick([408, 429, 500, 502, 503, 504]);
      const body = rng.pick(['html', 'protocol', 'empty'] as const);
      return [{ kind: 'http-error', status, processed, body }, `HTTP ${status} with ${body} body, ${after}`];
    },
    () => {
      const body = rng.pick(['truncated', 'garbage', 'empty', 'html'] as const);
      return [{ kind: 'bad-body', body, processed }, `HTTP 200 ${body} body, ${after}`];
    },
    () => {
      const status = rng.pick(['pending', 'APPROVED', '', 'hold', 'approved-ish']);
      return [{ kind: 'status-override', status }, `status answer says undocumented "${status}"`];
    },
    () => {
      const extraZeros = rng.int(1, 3);
      return [{ kind: 'amount-format', extraZeros }, `status amount with ${extraZeros} extra zero(s)`];
    },
    () => {
      const ms = timeoutMs + rng.int(500, 3_000);
      return [{ kind: 'delay-before-processing', ms }, `held ${ms} ms before processing`];
    },
    () => {
      const transactionType = rng.pick(['capture', 'return', 'void', 'sale', 'preauth'] as const);
      return [{ kind: 'decline-next', transactionType }, `next ${transactionType} declined`];
    },
  ];
  const [fault, detail] = rng.pick(choices)();
  // A third of the transport faults aim at one command, so the rarer ones (return, capture) get theirs.
  if (fault.kind !== 'decline-next' && fault.kind !== 'status-override' && fault.kind !== 'amount-format' && rng.chance(0.35)) {
    const command = rng.pick(['payout', 'status', 'return', 'sale-form', 'preauth-form', 'capture'] as const);
    return { target: 'Payneteasy', kind: fault.kind, detail: `${detail}, on ${command}`, fault: { ...fault, command } };
  }
  return { target: 'Payneteasy', kind: fault.kind, detail, fault };
}

export const PAYNETEASY_KINDS_COVERED = [
  'latency',
  'unavailable',
  'drop-after-processing',
  'drop-before-processing',
  'http-error',
  'bad-body',
  'status-override',
  'amount-format',
  'delay-before-processing',
  'decline-next',
];

const sha1 = (s: string) => createHash('sha1').update(s, 'utf8').digest('hex');

/** Disruptions stop once every request was started and at most this many are still in flight. */
export const TAIL = 2;

export interface DisruptionOptions {
  rng: Rng;
  /** Stop disrupting at this many ms after the run's start (or when every request is done). */
  untilMs: number;
}

/** Runs until the deadline, every request is done, or the run is aborted; resolves once in-flight disruptions settled. */
export async function runDisruptions(ctx: ChaosContext, options: DisruptionOptions): Promise<void> {
  const { rng } = options;
  const inFlight = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>) => {
    const settled = p.catch(() => undefined);
    inFlight.add(settled);
    void settled.finally(() => inFlight.delete(settled));
  };
  const controlKey = (ctx.stack.accounts[DEMO_PAYNETEASY_ACCOUNT] as { controlKey: string }).controlKey;
  const callbackBase = ctx.stack.callbacks.callbackUrlFor(DEMO_PAYNETEASY_ACCOUNT);
  let nextKillAt = elapsed(ctx) + rng.int(3_000, 6_000);
  let nextModeAt = elapsed(ctx) + rng.int(4_000, 8_000);
  let disburseInjected = 0;

  const running = () => [...ctx.requests.values()].filter((r) => r.phase === 'running');
  const allDone = () => [...ctx.requests.values()].every((r) => r.phase === 'done');

  const injectFault = (choice: FaultChoice) => {
    try {
      if (choice.target === 'disburseFunds') {
        ctx.stack.disburse.injectFault(choice.fault as DisburseFault);
        disburseInjected++;
      } else {
        ctx.stack.payneteasy.injectFault(choice.fault as PayneteasyFault);
      }
    } catch (err) {
      ctx.stats.unsupportedFaults[choice.kind] = (err as Error).message.split('\n')[0].slice(0, 160);
      globalEvent(ctx, `${choice.target} refused fault kind ${choice.kind} (not supported)`);
      return;
    }
    bump(ctx.stats.faults, `${choice.target}: ${choice.kind}`);
    globalEvent(ctx, `fault ${choice.target}: ${choice.kind} (${choice.detail})`);
  };

  /** A callback to the receiver; returns its HTTP status. */
  const sendCallback = async (
    workflowId: string,
    query: Record<string, string>,
    account = DEMO_PAYNETEASY_ACCOUNT,
  ): Promise<number | 'network-error'> => {
    const base = account === DEMO_PAYNETEASY_ACCOUNT ? callbackBase : ctx.stack.callbacks.callbackUrlFor(account);
    const url = new URL(`${base.replace(/\/$/, '')}/${encodeURIComponent(workflowId)}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(20_000) });
      await res.arrayBuffer().catch(() => undefined);
      return res.status;
    } catch {
      return 'network-error';
    }
  };

  const orderOf = (clientOrderId: string) => ctx.stack.payneteasy.orders().find((o) => o.clientOrderId === clientOrderId);
  const clientOrderIdOf = (r: TrackedRequest) => `${isPayout(r.plan) ? 'payout' : 'payment'}:${r.plan.requestId}`;
  const isPayneteasy = (r: TrackedRequest) => r.plan.kind !== 'payout-disburse';

  const pickTarget = (r: TrackedRequest, weights: Record<'orchestrator' | 'cuwo' | 'capture' | 'compensation', number>) => {
    const ids = idsOf(r.plan) as Record<string, string | undefined>;
    const role = rng.weighted(weights);
    return { role, workflowId: ids[role] ?? ids.cuwo! };
  };

  const isRunning = async (workflowId: string) => {
    try {
      return (await ctx.client.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING';
    } catch {
      return false;
    }
  };

  const cancelOne = async (r: TrackedRequest) => {
    const { role, workflowId } = pickTarget(r, { orchestrator: 40, cuwo: 40, capture: isPayout(r.plan) ? 0 : 12, compensation: 8 });
    if (!(await isRunning(workflowId))) return;
    try {
      await ctx.client.workflow.getHandle(workflowId).cancel();
      bump(ctx.stats.cancels, role);
      requestEvent(ctx, r.plan.requestId, `cancel requested: ${workflowId}`);
    } catch (err) {
      requestEvent(ctx, r.plan.requestId, `cancel of ${workflowId} refused: ${(err as Error).message}`);
    }
  };

  const terminateOne = async (r: TrackedRequest) => {
    if (r.terminated) return;
    const { role, workflowId } = pickTarget(r, { orchestrator: 44, cuwo: 40, capture: isPayout(r.plan) ? 0 : 8, compensation: 8 });
    if (!(await isRunning(workflowId))) return;
    r.terminated = workflowId; // claimed before the call: one termination per request, even when two ticks race
    try {
      await ctx.client.workflow.getHandle(workflowId).terminate('chaos: an operator terminates it');
      bump(ctx.stats.terminations, role);
      requestEvent(ctx, r.plan.requestId, `TERMINATED ${workflowId}`);
    } catch (err) {
      r.terminated = undefined;
      requestEvent(ctx, r.plan.requestId, `terminate of ${workflowId} failed: ${(err as Error).message}`);
    }
  };

  const forgeOne = async (r: TrackedRequest) => {
    const ids = idsOf(r.plan) as Record<string, string | undefined>;
    const workflowId = rng.chance(0.8) ? ids.cuwo! : (ids.capture ?? ids.orchestrator!);
    const clientOrderId = clientOrderIdOf(r);
    const orderid = orderOf(clientOrderId)?.orderId ?? String(8_000_000 + rng.int(1, 9_999));
    const status = rng.pick(['approved', 'declined']);
    const variant = rng.weighted({
      'wrong key': 30,
      'status swapped': 20,
      "another order's control": 15,
      'garbage control': 15,
      'unknown account': 10,
      'missing control': 10,
    });
    const query: Record<string, string> = {
      status,
      orderid,
      client_orderid: clientOrderId,
      merchant_order: clientOrderId,
      type: isPayout(r.plan) ? 'payout' : 'sale',
    };
    let account = DEMO_PAYNETEASY_ACCOUNT;
    if (variant === 'wrong key') query.control = sha1(status + orderid + clientOrderId + randomBytes(16).toString('hex'));
    else if (variant === 'status swapped')
      query.control = sha1((status === 'approved' ? 'declined' : 'approved') + orderid + clientOrderId + controlKey);
    else if (variant === "another order's control")
      query.control = sha1(status + String(Number(orderid) + 1) + `${clientOrderId}-other` + controlKey);
    else if (variant === 'garbage control') query.control = randomBytes(20).toString('hex');
    else if (variant === 'unknown account') {
      account = 'no-such-account';
      query.control = sha1(status + orderid + clientOrderId + controlKey);
    }
    const httpStatus = await sendCallback(workflowId, query, account);
    bump(ctx.stats.callbacks.forged, String(httpStatus));
    ctx.stats.forgedAnswers.push({ workflowId, requestId: r.plan.requestId, httpStatus, variant });
    requestEvent(ctx, r.plan.requestId, `forged callback (${variant}, status ${status}) to ${workflowId}: HTTP ${httpStatus}`);
  };

  const replayOne = async () => {
    const real = ctx.stack.payneteasy.callbacks();
    if (real.length === 0) return;
    const original = rng.pick(real);
    const originalWorkflow = decodeURIComponent(original.url.split('/').pop() ?? '');
    const others = running();
    const elsewhere = others.length > 0 && rng.chance(0.5);
    const other = elsewhere ? rng.pick(others) : undefined;
    const target = other ? (rng.chance(0.6) ? idsOf(other.plan).cuwo : idsOf(other.plan).orchestrator) : originalWorkflow;
    const type = rng.pick(['payout', 'sale', 'preauth', 'capture', 'return', 'void', 'refund', original.query.type ?? '']);
    const httpStatus = await sendCallback(target, { ...original.query, type });
    bump(ctx.stats.callbacks.replayed, String(httpStatus));
    const about = ctx.requests.get(original.query.client_orderid?.replace(/^(payout|payment):/, '') ?? '');
    const line =
      `replayed callback (${original.query.status} ${original.query.type} of ${original.query.client_orderid}, ` +
      `type now "${type}") to ${target}: HTTP ${httpStatus}`;
    if (about) requestEvent(ctx, about.plan.requestId, line);
    if (other && other !== about) requestEvent(ctx, other.plan.requestId, line);
  };

  const lieOne = async (r: TrackedRequest) => {
    const clientOrderId = clientOrderIdOf(r);
    const order = orderOf(clientOrderId);
    if (!order) return;
    const ids = idsOf(r.plan);
    const status = rng.pick(['approved', 'declined', 'error', 'filtered', 'processing']);
    const type = rng.pick(['payout', 'sale', 'preauth', 'capture', 'return']);
    const query = {
      status,
      orderid: order.orderId,
      client_orderid: clientOrderId,
      merchant_order: clientOrderId,
      type,
      amount: '0.01',
      control: sha1(status + order.orderId + clientOrderId + controlKey),
    };
    const httpStatus = await sendCallback(ids.cuwo, query);
    bump(ctx.stats.callbacks.signedLies, String(httpStatus));
    requestEvent(ctx, r.plan.requestId, `signed callback lying "${status}" (${type}) to ${ids.cuwo}: HTTP ${httpStatus}`);
  };

  // The last few requests are left alone: every fault would meet them in turn and every kill stall them.
  const tail = () => [...ctx.requests.values()].every((r) => r.phase !== 'waiting') && running().length <= TAIL;
  while (!ctx.signal.aborted && elapsed(ctx) < options.untilMs && !allDone() && !tail()) {
    const tickStart = Date.now();
    const now = elapsed(ctx);
    const active = running();

    if (now >= nextKillAt) {
      nextKillAt = now + rng.int(4_000, 8_000);
      track(
        ctx.workers.killRandom(rng).then((pid) => {
          if (pid !== undefined) globalEvent(ctx, `SIGKILL worker ${pid} (replacement starting)`);
        }),
      );
    }

    if (now >= nextModeAt) {
      nextModeAt = now + rng.int(5_000, 12_000);
      const mode = rng.weighted({ deliver: 35, drop: 25, duplicate: 25, delay: 15 });
      const delayMs = mode === 'delay' ? rng.int(1_000, 6_000) : 0;
      try {
        ctx.stack.payneteasy.setCallbackMode(mode, delayMs);
        bump(ctx.stats.callbackModes, mode);
        globalEvent(ctx, `Payneteasy callbacks: ${mode}${delayMs ? ` ${delayMs} ms` : ''}`);
      } catch (err) {
        ctx.stats.unsupportedFaults[`callback mode ${mode}`] = (err as Error).message;
      }
    }

    if (rng.chance(0.75)) {
      // Inject where requests are in flight, and never pile disburseFunds faults up (they wait for the next request).
      const disburseBusy = active.some((r) => r.plan.kind === 'payout-disburse');
      const disburseConsumed = ctx.stack.disburse.requests().filter((q) => q.fault).length;
      const disburseOk = disburseBusy && disburseInjected - disburseConsumed < 2;
      const payneteasyOk = active.filter(isPayneteasy).length >= 2; // a lone request would meet every fault in turn
      const target: Target | undefined =
        disburseOk && payneteasyOk
          ? rng.chance(0.45)
            ? 'disburseFunds'
            : 'Payneteasy'
          : disburseOk
            ? 'disburseFunds'
            : payneteasyOk
              ? 'Payneteasy'
              : undefined;
      const choice =
        target === 'disburseFunds'
          ? disburseFault(rng, ctx.providerTimeoutMs)
          : target === 'Payneteasy'
            ? payneteasyFault(rng, ctx.providerTimeoutMs)
            : undefined;
      if (choice) injectFault(choice);
    }

    if (active.length && rng.chance(0.3)) track(cancelOne(rng.pick(active)));
    if (active.length && rng.chance(0.15)) track(terminateOne(rng.pick(active)));
    const pne = active.filter(isPayneteasy);
    if (pne.length && rng.chance(0.5)) track(forgeOne(rng.pick(pne)));
    if (rng.chance(0.5)) track(replayOne());
    if (pne.length && rng.chance(0.2)) track(lieOne(rng.pick(pne)));

    await sleep(Math.max(0, 1_000 - (Date.now() - tickStart)), ctx.signal);
  }
  // Back to a well-behaved provider for the drain: faults still queued would otherwise be met one per
  // retry by the last CUWOs, whose retries back off to 30 s.
  ctx.stack.payneteasy.setCallbackMode('deliver');
  ctx.stack.disburse.clearFaults();
  ctx.stack.payneteasy.clearFaults();
  globalEvent(ctx, "disruptions over: callbacks delivered, the simulators' fault queues cleared");
  await Promise.allSettled([...inFlight]);
}
