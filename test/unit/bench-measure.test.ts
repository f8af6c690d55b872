/**
 * The bench's pure parts (src/bench/measure.ts, history.ts, chart.ts): percentiles, a level's figures,
 * ratios to the bare workflow, each target's PASS / MISS, a history's time breakdown, the chart's panels.
 */
import { chartSpec } from '../../src/bench/chart';
import { breakdown as breakdownOf, medianBreakdown } from '../../src/bench/history';
import {
  checkTargets,
  cpuPerWorkflow,
  isSaturated,
  latencyStats,
  percentile,
  ratios,
  scaleOutChecks,
  rssLevels,
  type CpuShare,
  type LevelResult,
  type ScaleOutStep,
  type WorkloadId,
} from '../../src/bench/measure';
import type { BenchReport } from '../../src/bench/report';

const level = (workload: WorkloadId, concurrency: number, p50: number, throughput: number): LevelResult => ({
  workload,
  concurrency,
  runs: 100,
  errors: 0,
  seconds: 100 / throughput,
  throughput,
  latency: { n: 100, p50, p95: p50 * 1.5, p99: p50 * 2, mean: p50, min: p50 / 2, max: p50 * 3 },
  start: latencyStats([3, 4, 5]),
});

const cpu = (busy: number): CpuShare => ({ cores: 2, bench: 10, workers: 50, temporal: 60, postgres: 40, other: busy - 160, busy });

describe('percentile and latencyStats', () => {
  it('uses the nearest rank', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 95)).toBe(95);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([1, 2, 3], 0)).toBe(1);
    expect(percentile([], 50)).toBeNaN();
  });

  it('sorts the samples itself', () => {
    const stats = latencyStats([30, 10, 20, 40]);
    expect(stats).toMatchObject({ n: 4, p50: 20, p95: 40, p99: 40, min: 10, max: 40, mean: 25 });
    expect(latencyStats([]).p50).toBeNaN();
  });
});

describe('ratios', () => {
  it('compares each workload with the bare workflow at the same concurrency', () => {
    const levels = [
      level('bare', 1, 20, 40),
      level('gp-disburse', 1, 25, 35),
      level('gp-disburse', 10, 50, 100),
      level('bare', 10, 40, 125),
    ];
    expect(ratios(levels)).toEqual([
      { workload: 'gp-disburse', concurrency: 1, p50: 1.25, p50DeltaMs: 5, throughput: 0.875 },
      { workload: 'gp-disburse', concurrency: 10, p50: 1.25, p50DeltaMs: 10, throughput: 0.8 },
    ]);
  });

  it('leaves out levels without a bare one', () => {
    expect(ratios([level('gp-disburse', 50, 25, 35)])).toEqual([]);
  });
});

describe('cpuPerWorkflow', () => {
  it('turns % of a core during a level into CPU ms per completed workflow', () => {
    // 50 % of a core = 500 ms of CPU per second; at 25 workflows/s that is 20 ms each.
    const l = { throughput: 25, cpu: { cores: 2, bench: 10, workers: 50, temporal: 60, postgres: 40, other: 0, busy: 160 } };
    expect(cpuPerWorkflow(l)).toEqual({ workers: 20, temporal: 24, postgres: 16, bench: 4 });
    expect(cpuPerWorkflow({ ...l, throughput: 0 })).toBeUndefined();
    expect(cpuPerWorkflow({ throughput: 1 })).toBeUndefined();
  });
});

describe('checkTargets', () => {
  const fast = [level('bare', 1, 20, 45), level('gp-disburse', 1, 28, 35), level('bare', 50, 200, 100), level('gp-disburse', 50, 210, 95)];

  it('passes a GrantPayout close to the bare workflow on the dev stack', () => {
    const checks = checkTargets({ server: 'dev', levels: fast });
    expect(checks.map((c) => [c.target, c.verdict])).toEqual([
      ['gp-disburse c=1: p50 within 10 ms of bare', 'PASS'],
      ['gp-disburse c=1: p50 under 40 ms (dev stack)', 'PASS'],
      ['gp-disburse c=50: throughput >= 0.9x bare', 'PASS'],
    ]);
  });

  it('misses what is too slow, and does not judge the 40 ms target on the cluster', () => {
    const slow = [
      level('bare', 1, 20, 45),
      level('gp-disburse', 1, 45, 20),
      level('bare', 50, 200, 100),
      level('gp-disburse', 50, 400, 60),
    ];
    expect(checkTargets({ server: 'dev', levels: slow }).map((c) => c.verdict)).toEqual(['MISS', 'MISS', 'MISS']);
    expect(checkTargets({ server: 'cluster', levels: slow }).map((c) => c.verdict)).toEqual(['MISS', 'n/a', 'MISS']);
    expect(checkTargets({ server: 'dev', levels: slow })[0].measured).toBe('45.0 ms vs 20.0 ms (+25.0 ms)');
  });

  it('judges RSS from the warm sample, and the SIGKILL recovery against the heartbeat timeout + 2 s', () => {
    const rss = { workload: 'gp-disburse' as const, concurrency: 50, startMiB: 150, cuwos: 10_000, errors: 0, seconds: 300, samples: [] };
    const kill = (p50Ms: number) => ({ samplesMs: [p50Ms], samples: [], p50Ms, heartbeatTimeoutMs: 10_000, errors: [] });
    const verdicts = (input: Parameters<typeof checkTargets>[0]) => checkTargets(input).map((c) => c.verdict);
    expect(verdicts({ server: 'dev', levels: [], rss: { ...rss, warmMiB: 300, endMiB: 320 }, kill: kill(11_900) })).toEqual([
      'PASS',
      'PASS',
    ]);
    expect(verdicts({ server: 'dev', levels: [], rss: { ...rss, warmMiB: 300, endMiB: 400 }, kill: kill(12_100) })).toEqual([
      'MISS',
      'MISS',
    ]);
    expect(verdicts({ server: 'dev', levels: [], kill: { ...kill(NaN), samplesMs: [] } })).toEqual(['MISS']);
  });
});

describe('scale-out', () => {
  const step = (workers: number, throughput: number, busy: number): ScaleOutStep => ({
    workload: 'gp-disburse',
    workers,
    concurrency: 50,
    throughput,
    p50: 100,
    cpu: cpu(busy),
  });

  it('passes growth, and a flat step once the machine is saturated', () => {
    expect(scaleOutChecks([step(1, 30, 120), step(2, 45, 190), step(4, 46, 195)])[0].verdict).toBe('PASS');
    expect(scaleOutChecks([step(1, 30, 120), step(2, 45, 190), step(4, 46, 195)])[0].measured).toBe(
      '1w 30.0/s, 2w 45.0/s, 4w 46.0/s (CPU saturated)',
    );
  });

  it('misses a flat step with idle cores', () => {
    expect(scaleOutChecks([step(1, 30, 100), step(2, 31, 110)])[0].verdict).toBe('MISS');
    expect(scaleOutChecks([step(1, 30, 100)])[0].verdict).toBe('n/a');
  });

  it('counts 85 % of all cores as saturated', () => {
    expect(isSaturated(cpu(170))).toBe(true);
    expect(isSaturated(cpu(169))).toBe(false);
    expect(isSaturated(undefined)).toBe(false);
  });
});

describe('rssLevels', () => {
  const sample = (cuwos: number, rssMiB: number) => ({ cuwos, rssMiB, heapMiB: 1, afterGc: true });

  it('compares the median of the warm samples with the median of the last fifth', () => {
    // 0..10,000 every 1,000: warm = 1,000..3,000 (median of 500, 400, 520), end = 8,000..10,000 (median of 530, 700, 510).
    const rss = [300, 500, 400, 520, 450, 480, 490, 470, 530, 700, 510];
    const samples = rss.map((mib, i) => sample(i * 1_000, mib));
    expect(rssLevels(samples, 10_000)).toEqual({ warmMiB: 500, endMiB: 530 });
  });

  it('falls back to the first and last sample with few samples, and has nothing without any', () => {
    expect(rssLevels([sample(0, 100), sample(100, 200)], 100)).toEqual({ warmMiB: 200, endMiB: 200 });
    expect(rssLevels([sample(0, 100)], 100)).toBeUndefined();
  });
});

/** Made-up events: plain numbers where the real ones have Longs (breakdown reads both). */
const breakdown = (events: object[]) => breakdownOf(events as Parameters<typeof breakdownOf>[0]);

describe('breakdown of a history', () => {
  const t = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });
  // A one-activity workflow: WFT 2-4 (1 ms queue, 5 ms run), activity 5-7 (2 ms queue, 3 ms run), WFT 8-10, closed.
  const events = [
    { eventId: 1, eventTime: t(1_000), workflowExecutionStartedEventAttributes: {} },
    { eventId: 2, eventTime: t(1_000), workflowTaskScheduledEventAttributes: {} },
    { eventId: 3, eventTime: t(1_001), workflowTaskStartedEventAttributes: { scheduledEventId: 2 } },
    { eventId: 4, eventTime: t(1_006), workflowTaskCompletedEventAttributes: { scheduledEventId: 2, startedEventId: 3 } },
    { eventId: 5, eventTime: t(1_006), activityTaskScheduledEventAttributes: {} },
    { eventId: 6, eventTime: t(1_008), activityTaskStartedEventAttributes: { scheduledEventId: 5 } },
    { eventId: 7, eventTime: t(1_011), activityTaskCompletedEventAttributes: { scheduledEventId: 5, startedEventId: 6 } },
    { eventId: 8, eventTime: t(1_011), workflowTaskScheduledEventAttributes: {} },
    { eventId: 9, eventTime: t(1_012), workflowTaskStartedEventAttributes: { scheduledEventId: 8 } },
    { eventId: 10, eventTime: t(1_016), workflowTaskCompletedEventAttributes: { scheduledEventId: 8, startedEventId: 9 } },
    { eventId: 11, eventTime: t(1_016), workflowExecutionCompletedEventAttributes: {} },
  ];

  it('adds up queue and run times of workflow tasks and activities', () => {
    expect(breakdown(events)).toEqual({
      serverMs: 16,
      workflowTaskQueueMs: 2,
      workflowTaskRunMs: 9,
      activityQueueMs: 2,
      activityRunMs: 3,
      timerMs: 0,
      childMs: 0,
      timersFired: 0,
      workflowTasks: 2,
      activities: 1,
      updates: 0,
      signals: 0,
      events: 11,
    });
  });

  it('counts a timer that ran out, and takes medians', () => {
    const timer = [
      { eventId: 1, eventTime: t(0), timerStartedEventAttributes: { timerId: '1' } },
      { eventId: 2, eventTime: t(3_000), timerFiredEventAttributes: { timerId: '1', startedEventId: 1 } },
    ];
    const b = breakdown(timer);
    expect(b).toMatchObject({ timerMs: 3_000, timersFired: 1, serverMs: 3_000 });
    expect(medianBreakdown([b, breakdown(events), breakdown(events)])?.serverMs).toBe(16);
    expect(medianBreakdown([])).toBeUndefined();
  });
});

describe('chartSpec', () => {
  it('draws one panel per figure the report has', () => {
    const report = {
      startedAt: '2026-01-01T00:00:00Z',
      server: { kind: 'dev', address: '127.0.0.1:7233', description: 'dev server' },
      machine: { cores: 2, node: 'v20', loadBefore: '1 1 1', loadAfter: '1 1 1' },
      labels: { bare: 'bare', 'gp-disburse': 'GrantPayout', 'gp-payneteasy': 'GP pne', 'pr-capture': 'PR' },
      levels: [{ ...level('bare', 1, 20, 40), cpu: cpu(150) }],
      rss: {
        workload: 'gp-disburse',
        concurrency: 50,
        startMiB: 1,
        warmMiB: 2,
        endMiB: 2,
        cuwos: 10,
        errors: 0,
        seconds: 1,
        samples: [{ cuwos: 0, rssMiB: 1 }],
      },
      kill: { samplesMs: [11_000], samples: [], p50Ms: 11_000, heartbeatTimeoutMs: 10_000, errors: [] },
    } as unknown as BenchReport;
    const spec = chartSpec(report) as { vconcat: Array<{ hconcat: Array<{ title: string }> }> };
    const titles = spec.vconcat.flatMap((row) => row.hconcat.map((panel) => panel.title));
    expect(titles).toHaveLength(5); // latency, throughput, CPU, RSS, SIGKILL (no scale-out on the dev stack)
    expect(titles[4]).toContain('target <= 12 s');
  });
});
