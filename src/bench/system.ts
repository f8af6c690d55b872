/**
 * What the bench reads from Linux's /proc: the resident memory of a worker's process group, and where
 * the machine's CPU went between two snapshots (the bench process, its workers, the Temporal server,
 * PostgreSQL, and everything else on the machine: other people's tests on a shared box).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { CpuShare } from './measure';

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

interface ProcInfo {
  ppid: number;
  pgrp: number;
  comm: string;
  /** utime + stime, in ticks. */
  ticks: number;
}

export interface ProcSnapshot {
  at: number;
  /** Busy and total ticks of all cores (/proc/stat). */
  machineBusy: number;
  procs: Map<number, ProcInfo>;
}

function readProc(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    return { ppid: Number(fields[1]), pgrp: Number(fields[2]), comm, ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined; // gone meanwhile
  }
}

function machineBusyTicks(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return user + nice + system + irq + softirq + (steal || 0);
}

export function snapshot(): ProcSnapshot {
  const procs = new Map<number, ProcInfo>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const info = readProc(Number(name));
    if (info) procs.set(Number(name), info);
  }
  return { at: Date.now(), machineBusy: machineBusyTicks(), procs };
}

/** This process and everything it started (workers, Temporal, PostgreSQL), by pid. */
function descendants(procs: Map<number, ProcInfo>, root: number): Set<number> {
  const children = new Map<number, number[]>();
  for (const [pid, info] of procs) children.set(info.ppid, [...(children.get(info.ppid) ?? []), pid]);
  const out = new Set<number>();
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    if (out.has(pid)) continue;
    out.add(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

type Category = 'bench' | 'workers' | 'temporal' | 'postgres';

function categorize(info: ProcInfo, workerGroups: ReadonlySet<number>): Category {
  if (workerGroups.has(info.pgrp)) return 'workers';
  if (info.comm.startsWith('postgres')) return 'postgres';
  if (info.comm.startsWith('temporal')) return 'temporal';
  return 'bench'; // this process, and runuser, sh, tsx: negligible, counted with the bench
}

/** CPU between two snapshots, in % of one core; `workerGroups` are the worker processes' group ids. */
export function cpuBetween(before: ProcSnapshot, after: ProcSnapshot, workerGroups: Iterable<number>): CpuShare {
  const seconds = Math.max(0.001, (after.at - before.at) / 1000);
  const pct = (ticks: number) => ((ticks / TICKS_PER_SECOND) * 100) / seconds;
  const groups = new Set(workerGroups);
  const ours = descendants(after.procs, process.pid);
  // Workers are detached into their own process groups but are still our children.
  const sums: Record<Category, number> = { bench: 0, workers: 0, temporal: 0, postgres: 0 };
  for (const pid of ours) {
    const now = after.procs.get(pid)!;
    const then = before.procs.get(pid);
    const delta = now.ticks - (then && then.comm === now.comm ? then.ticks : 0);
    sums[categorize(now, groups)] += Math.max(0, delta);
  }
  const busy = pct(after.machineBusy - before.machineBusy);
  const mine = pct(sums.bench + sums.workers + sums.temporal + sums.postgres);
  return {
    cores: cpus().length,
    bench: round(pct(sums.bench)),
    workers: round(pct(sums.workers)),
    temporal: round(pct(sums.temporal)),
    postgres: round(pct(sums.postgres)),
    other: round(Math.max(0, busy - mine)),
    busy: round(Math.max(busy, mine)),
  };
}

const round = (v: number) => Math.round(v);

/**
 * Resident memory of a worker, in MiB: the largest process of its group (tsx's small launcher
 * process is left out; the worker is its node child).
 */
export function groupRssMiB(pgrp: number): number {
  let kib = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const info = readProc(Number(name));
    if (info?.pgrp !== pgrp) continue;
    try {
      const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${name}/status`, 'utf8'));
      if (match) kib = Math.max(kib, Number(match[1]));
    } catch {
      /* gone meanwhile */
    }
  }
  return kib / 1024;
}

/** The line a bench worker prints after a full GC when asked on its stdin (./worker.ts). */
export const MEMORY_LINE = 'bench-memory';

export interface WorkerMemory {
  rssMiB: number;
  heapUsedMiB: number;
  /** False when the worker could not collect first (node without --expose-gc). */
  afterGc: boolean;
}

/** The load average line of the machine (1, 5, 15 minutes), for the report's note on other load. */
export function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'unknown';
  }
}
