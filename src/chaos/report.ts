/** The chaos run's summary: one table on stdout and the same as JSON (for CI artifacts and scripts). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import Table from 'cli-table3';
import type { CheckResult, RequestVerdict, Violation } from './check';
import type { Stats, TrackedRequest } from './context';
import { REQUEST_KINDS, type RequestKind } from './mix';

export interface ChaosReport {
  seed: number;
  /** The Temporal the run went against (dev server or cluster, and its address). */
  server?: string;
  options: Record<string, unknown>;
  durationSeconds: number;
  phases: Record<string, number>;
  requests: { planned: number; started: number; startFailures: number; byKind: Record<RequestKind, number> };
  workers: {
    count: number;
    kills: number;
    crashes: Array<{ pid?: number; code: number | null; signal: string | null; logFile: string }>;
    startFailures: number;
  };
  faults: { total: number; byKind: Record<string, number>; unsupported: Record<string, string>; uncoveredSimulatorKinds: string[] };
  callbackModes: Record<string, number>;
  cancels: { total: number; byTarget: Record<string, number> };
  terminations: { total: number; byTarget: Record<string, number> };
  callbacks: { forged: Record<string, number>; replayed: Record<string, number>; signedLies: Record<string, number> };
  outcomes: Record<string, Record<string, number>>;
  flagged: Array<{ requestId: string; outcome: string; workflows: string; ledger: string; story: string[] }>;
  violations: Array<Violation & { story: string[] }>;
  /** Every request: what it was meant to do, what it came to, and what was done to it. */
  perRequest: Array<{
    requestId: string;
    kind: string;
    plan: string;
    outcome: string;
    flagged: boolean;
    workflows: string;
    ledger: string;
    events: string[];
  }>;
  /** The run's own events in order: kills, every fault injected (with its parameters), callback modes. */
  runEvents: string[];
  unattributedWorkflows: string[];
  dataDir?: string;
  ok: boolean;
}

const sum = (counter: Record<string, number>) => Object.values(counter).reduce((a, b) => a + b, 0);
const list = (counter: Record<string, number>) =>
  Object.entries(counter)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || '-';

/** A coarse outcome per request for the table: success / failure / canceled / aborted / open / not started. */
export function outcomeLabel(verdict: RequestVerdict): string {
  const { outcome } = verdict;
  if (outcome.kind === 'open') return 'open';
  if (outcome.kind === 'not-started') return 'not started';
  if (outcome.label.startsWith('orchestrator terminated'))
    return outcome.kind === 'success' ? 'success (orchestrator terminated)' : 'no success (orchestrator terminated)';
  if (outcome.kind === 'success') return outcome.label.startsWith('BOOKED') ? 'booked' : 'success';
  const label = outcome.label.split(/[\s(,]/)[0];
  return (
    { FAILURE: 'failure', FAILED: 'failure', CANCELED: 'canceled', ABORTED: 'aborted', ABNORMAL: 'CUWO ended abnormally' }[label] ??
    label.toLowerCase()
  );
}

/** Own events of the request plus the run's kills and faults during its lifetime. */
export function storyOf(tracked: TrackedRequest | undefined, stats: Stats): string[] {
  if (!tracked) return [];
  const from = tracked.startedAtMs ?? 0;
  const to = tracked.doneAtMs ?? Number.POSITIVE_INFINITY;
  const global = stats.events.filter((e) => e.atMs >= from && e.atMs <= to).map((e) => ({ ...e, what: `(run) ${e.what}` }));
  return [...tracked.events, ...global].sort((a, b) => a.atMs - b.atMs).map((e) => `${(e.atMs / 1000).toFixed(1).padStart(6)}s ${e.what}`);
}

export function buildReport(input: {
  seed: number;
  server?: string;
  options: Record<string, unknown>;
  durationSeconds: number;
  phases: Record<string, number>;
  requests: Map<string, TrackedRequest>;
  stats: Stats;
  workers: { count: number; kills: number; crashes: ChaosReport['workers']['crashes']; startFailures: number };
  check: CheckResult;
  uncoveredSimulatorKinds: string[];
  unattributed: string[];
  dataDir?: string;
}): ChaosReport {
  const { stats, check } = input;
  const tracked = [...input.requests.values()];
  const outcomes: Record<string, Record<string, number>> = {};
  for (const verdict of check.verdicts) {
    const kind = input.requests.get(verdict.requestId)?.plan.kind ?? 'unknown';
    const label = outcomeLabel(verdict);
    outcomes[kind] ??= {};
    outcomes[kind][label] = (outcomes[kind][label] ?? 0) + 1;
  }
  return {
    seed: input.seed,
    ...(input.server ? { server: input.server } : {}),
    options: input.options,
    durationSeconds: input.durationSeconds,
    phases: input.phases,
    requests: {
      planned: tracked.length,
      started: sum(stats.requestsByKind),
      startFailures: tracked.filter((t) => t.startError).length,
      byKind: stats.requestsByKind,
    },
    workers: input.workers,
    faults: {
      total: sum(stats.faults),
      byKind: stats.faults,
      unsupported: stats.unsupportedFaults,
      uncoveredSimulatorKinds: input.uncoveredSimulatorKinds,
    },
    callbackModes: stats.callbackModes,
    cancels: { total: sum(stats.cancels), byTarget: stats.cancels },
    terminations: { total: sum(stats.terminations), byTarget: stats.terminations },
    callbacks: stats.callbacks,
    outcomes,
    flagged: check.flagged.map((v) => ({
      requestId: v.requestId,
      outcome: v.outcome.label,
      workflows: v.workflows,
      ledger: v.money.text,
      story: storyOf(input.requests.get(v.requestId), stats),
    })),
    violations: check.violations.map((v) => ({ ...v, story: storyOf(input.requests.get(v.requestId), stats) })),
    perRequest: check.verdicts.map((v) => {
      const tracked = input.requests.get(v.requestId);
      return {
        requestId: v.requestId,
        kind: tracked?.plan.kind ?? 'unknown',
        plan: tracked?.plan.note ?? '',
        outcome: v.outcome.label,
        flagged: v.flagged,
        workflows: v.workflows,
        ledger: v.money.text,
        events: (tracked?.events ?? []).map((e) => `${(e.atMs / 1000).toFixed(1)}s ${e.what}`),
      };
    }),
    runEvents: stats.events.map((e) => `${(e.atMs / 1000).toFixed(1)}s ${e.what}`),
    unattributedWorkflows: input.unattributed,
    ...(input.dataDir ? { dataDir: input.dataDir } : {}),
    ok: check.violations.length === 0,
  };
}

export function renderTable(report: ChaosReport): string {
  const table = new Table({ head: ['', 'count', 'detail'], colWidths: [24, 8, 88], wordWrap: true, style: { head: [], border: [] } });
  const outcomesTotal: Record<string, number> = {};
  for (const byLabel of Object.values(report.outcomes))
    for (const [label, n] of Object.entries(byLabel)) outcomesTotal[label] = (outcomesTotal[label] ?? 0) + n;
  table.push(
    ['seed', '', String(report.seed)],
    ...(report.server ? [['Temporal', '', report.server]] : []),
    [
      'duration',
      '',
      `${report.durationSeconds.toFixed(0)} s (${Object.entries(report.phases)
        .map(([k, v]) => `${k} ${v.toFixed(0)} s`)
        .join(', ')})`,
    ],
    [
      'requests',
      report.requests.started,
      `${REQUEST_KINDS.map((k) => `${k} ${report.requests.byKind[k] ?? 0}`).join(', ')}` +
        `${report.requests.startFailures ? `; ${report.requests.startFailures} failed to start` : ''}`,
    ],
    [
      'worker kills (SIGKILL)',
      report.workers.kills,
      `${report.workers.count} workers; ${report.workers.crashes.length} exited by themselves` +
        `${report.workers.startFailures ? `, ${report.workers.startFailures} failed to start` : ''}`,
    ],
    ['faults injected', report.faults.total, list(report.faults.byKind)],
  );
  if (Object.keys(report.faults.unsupported).length || report.faults.uncoveredSimulatorKinds.length) {
    table.push([
      'faults not injected',
      '',
      [
        Object.keys(report.faults.unsupported).length
          ? `refused by the simulator: ${Object.keys(report.faults.unsupported).join(', ')}`
          : '',
        report.faults.uncoveredSimulatorKinds.length
          ? `simulator kinds this run does not know: ${report.faults.uncoveredSimulatorKinds.join(', ')}`
          : '',
      ]
        .filter(Boolean)
        .join('; '),
    ]);
  }
  table.push(
    ['callback modes', sum(report.callbackModes), list(report.callbackModes)],
    ['cancel requests', report.cancels.total, list(report.cancels.byTarget)],
    ['terminations', report.terminations.total, list(report.terminations.byTarget)],
    ['forged callbacks', sum(report.callbacks.forged), `receiver answered: ${list(report.callbacks.forged)}`],
    ['replayed callbacks', sum(report.callbacks.replayed), `receiver answered: ${list(report.callbacks.replayed)}`],
    ['signed lying callbacks', sum(report.callbacks.signedLies), `receiver answered: ${list(report.callbacks.signedLies)}`],
    ['outcomes', sum(outcomesTotal), list(outcomesTotal)],
  );
  for (const [kind, byLabel] of Object.entries(report.outcomes).sort(([a], [b]) => a.localeCompare(b)))
    table.push([`  ${kind}`, sum(byLabel), list(byLabel)]);
  table.push(
    ['flagged (reconcile)', report.flagged.length, report.flagged.map((f) => `${f.requestId}: ${f.outcome}`).join('; ') || '-'],
    ['VIOLATIONS', report.violations.length, report.violations.map((v) => `${v.rule} ${v.requestId}`).join('; ') || 'none'],
  );
  return table.toString();
}

export function renderViolations(report: ChaosReport): string {
  return report.violations
    .map((v, i) =>
      [
        `VIOLATION ${i + 1}/${report.violations.length} [${v.rule}] request ${v.requestId}: ${v.message}`,
        `  ledger:    ${v.ledger}`,
        `  workflows: ${v.workflows}`,
        ...(v.story.length
          ? [
              '  what happened to it (and the worker kills while it ran; every fault is in the JSON report):',
              ...v.story.filter((line) => !line.includes('(run) fault ')).map((line) => `    ${line}`),
            ]
          : []),
      ].join('\n'),
    )
    .join('\n\n');
}

export function writeJson(file: string, report: ChaosReport): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`);
}
