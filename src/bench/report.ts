/**
 * The bench's report: the JSON written to <out>/bench-<server>.json and the tables printed at the end
 * (latency and throughput per workload and concurrency with the ratio to the bare workflow, where the
 * time goes, RSS, SIGKILL recovery, scale-out, and each target with PASS / MISS).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import Table from 'cli-table3';
import type { RunBreakdown } from './history';
import {
  cpuPerWorkflow,
  latencyStats,
  type CpuShare,
  type KillResult,
  type LevelResult,
  type Ratio,
  type RssResult,
  type ScaleOutStep,
  type TargetCheck,
  type WorkloadId,
} from './measure';

export interface BenchReport {
  startedAt: string;
  durationSeconds: number;
  server: { kind: 'dev' | 'cluster'; address: string; description: string };
  machine: { cores: number; node: string; loadBefore: string; loadAfter: string };
  options: Record<string, unknown>;
  labels: Record<WorkloadId, string>;
  levels: LevelResult[];
  ratios: Ratio[];
  /** Median breakdown of a few concurrency-1 runs per workload (the PaymentRequest's child too). */
  breakdowns: Array<{ name: string; runs: number; clientMs: number; median: RunBreakdown }>;
  rss?: RssResult;
  kill?: KillResult;
  scaleOut?: ScaleOutStep[];
  targets: TargetCheck[];
  files: { json: string; svg?: string; png?: string };
  notes: string[];
}

const f0 = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : '-');
const f1 = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '-');
const f2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '-');
const p50 = (values: Array<number | undefined>) => latencyStats(values.filter((v): v is number => v !== undefined)).p50;
const plain = { style: { head: [], border: [] } };

export function cpuText(cpu: CpuShare | undefined): string {
  if (!cpu) return '-';
  return `${cpu.busy}/${cpu.cores * 100}: w${cpu.workers} t${cpu.temporal}${cpu.postgres ? ` pg${cpu.postgres}` : ''} b${cpu.bench} o${cpu.other}`;
}

export function renderLevels(report: BenchReport): string {
  const table = new Table({
    ...plain,
    head: [
      'workload',
      'c',
      'runs',
      'err',
      'wf/s',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'start p50',
      'p50 x bare',
      'wf/s x bare',
      'CPU % (busy: workers temporal pg bench other)',
    ],
  });
  for (const level of report.levels) {
    const ratio = report.ratios.find((r) => r.workload === level.workload && r.concurrency === level.concurrency);
    table.push([
      level.workload,
      level.concurrency,
      level.runs,
      level.errors,
      f1(level.throughput),
      f1(level.latency.p50),
      f1(level.latency.p95),
      f1(level.latency.p99),
      f1(level.start.p50),
      ratio ? f2(ratio.p50) : '1',
      ratio ? f2(ratio.throughput) : '1',
      cpuText(level.cpu),
    ]);
  }
  return table.toString();
}

/** CPU ms per completed workflow at each workload's highest concurrency (steady load), by part. */
export function renderCpuCost(report: BenchReport): string {
  const table = new Table({ ...plain, head: ['CPU ms per workflow', 'c', 'worker', 'temporal', 'postgres', 'bench', 'total'] });
  for (const id of new Set(report.levels.map((l) => l.workload))) {
    const top = report.levels.filter((l) => l.workload === id).sort((a, b) => b.concurrency - a.concurrency)[0];
    const cost = cpuPerWorkflow(top);
    if (cost)
      table.push([
        id,
        top.concurrency,
        f1(cost.workers),
        f1(cost.temporal),
        f1(cost.postgres),
        f1(cost.bench),
        f1(cost.workers + cost.temporal + cost.postgres + cost.bench),
      ]);
  }
  for (const step of report.scaleOut ?? []) {
    const cost = cpuPerWorkflow(step);
    if (cost)
      table.push([
        `${step.workload} ${step.workers}w`,
        step.concurrency,
        f1(cost.workers),
        f1(cost.temporal),
        f1(cost.postgres),
        f1(cost.bench),
        f1(cost.workers + cost.temporal + cost.postgres + cost.bench),
      ]);
  }
  return table.length ? table.toString() : '';
}

export function renderBreakdowns(report: BenchReport): string {
  const table = new Table({
    ...plain,
    head: [
      'c=1, median of runs',
      'n',
      'client ms',
      'server ms',
      'wft queue',
      'wft run',
      'act queue',
      'act run',
      'timers',
      'fired',
      'children',
      'wfts',
      'acts',
      'upd',
      'sig',
      'events',
    ],
  });
  for (const b of report.breakdowns) {
    const m = b.median;
    table.push([
      b.name,
      b.runs,
      f1(b.clientMs),
      f1(m.serverMs),
      f1(m.workflowTaskQueueMs),
      f1(m.workflowTaskRunMs),
      f1(m.activityQueueMs),
      f1(m.activityRunMs),
      f1(m.timerMs),
      f1(m.timersFired),
      f1(m.childMs),
      f0(m.workflowTasks),
      f0(m.activities),
      f0(m.updates),
      f0(m.signals),
      f0(m.events),
    ]);
  }
  return table.toString();
}

export function renderOthers(report: BenchReport): string {
  const table = new Table({ ...plain, head: ['', 'figures'], colWidths: [20, 120], wordWrap: true });
  if (report.rss) {
    const r = report.rss;
    table.push([
      'worker RSS',
      `${r.cuwos} ${r.workload} at c=${r.concurrency} in ${f0(r.seconds)} s (${f1(r.cuwos / r.seconds)}/s, ${r.errors} errors): ` +
        `RSS start ${f0(r.startMiB)} MiB, warm ${f0(r.warmMiB)} MiB, end ${f0(r.endMiB)} MiB` +
        `${r.samples.every((s) => s.afterGc) ? ' (each after a full GC)' : ''}; ` +
        `samples CUWOs:RSS/heap MiB ${r.samples.map((s) => `${s.cuwos}:${f0(s.rssMiB)}/${f0(s.heapMiB)}`).join(' ')}`,
    ]);
  }
  if (report.kill) {
    const k = report.kill;
    table.push([
      'SIGKILL recovery',
      `${k.samplesMs.length} samples (s): ${k.samplesMs.map((ms) => f2(ms / 1000)).join(', ')}; p50 ${f2(k.p50Ms / 1000)} s; ` +
        `heartbeat timeout ${k.heartbeatTimeoutMs / 1000} s; after the kill (p50): retried attempt started ` +
        `${f2(p50(k.samples.map((x) => x.retryStartedMs)) / 1000)} s, activity done ${f2(p50(k.samples.map((x) => x.activityDoneMs)) / 1000)} s, ` +
        `CUWO closed ${f2(p50(k.samples.map((x) => x.closedMs)) / 1000)} s` +
        `${k.errors.length ? `; errors: ${k.errors.join(' | ')}` : ''}`,
    ]);
  }
  for (const step of report.scaleOut ?? [])
    table.push([
      `scale-out ${step.workers}w`,
      `${step.workload} c=${step.concurrency}: ${f1(step.throughput)} wf/s, p50 ${f1(step.p50)} ms; CPU % ${cpuText(step.cpu)}`,
    ]);
  return table.length ? table.toString() : '';
}

export function renderTargets(targets: readonly TargetCheck[]): string {
  const table = new Table({ ...plain, head: ['target', 'measured', ''], colWidths: [66, 64, 6], wordWrap: true });
  for (const t of targets) table.push([t.target, t.measured, t.verdict]);
  return table.toString();
}

export function renderReport(report: BenchReport): string {
  const header =
    `bench on ${report.server.description} (${report.server.address}), ${report.machine.cores} cores, ` +
    `load average ${report.machine.loadBefore} before / ${report.machine.loadAfter} after, ${f0(report.durationSeconds)} s`;
  return [
    header,
    renderLevels(report),
    renderCpuCost(report),
    'Where the time goes (server event times; parts overlap):',
    renderBreakdowns(report),
    renderOthers(report),
    renderTargets(report.targets),
    ...report.notes.map((n) => `note: ${n}`),
  ]
    .filter(Boolean)
    .join('\n');
}

export function writeJson(file: string, report: BenchReport): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}
