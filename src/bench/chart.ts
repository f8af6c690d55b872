/**
 * The bench's figures as one image: a Vega-Lite spec rendered to SVG in Node (vega + vega-lite, no
 * native dependency), and the same SVG as a PNG through headless Chromium (playwright-core with the
 * Debian package's /usr/bin/chromium; skipped with a note where it is missing). Panels: p50 and p99
 * by concurrency, throughput by concurrency, CPU by level, worker RSS, SIGKILL recovery, scale-out.
 */
import { existsSync, writeFileSync } from 'node:fs';
import type { BenchReport } from './report';

const CHROMIUM = '/usr/bin/chromium';
const W = 330;
const H = 190;

type Spec = Record<string, unknown>;

/** The Vega-Lite spec of the report's figures (pure: a unit test checks its panels). */
export function chartSpec(report: BenchReport): Spec {
  const label = (id: string) => report.labels[id as keyof BenchReport['labels']] ?? id;
  const levels = report.levels.map((l) => ({
    workload: label(l.workload),
    concurrency: String(l.concurrency),
    p50: round(l.latency.p50),
    p99: round(l.latency.p99),
    throughput: round(l.throughput),
  }));
  const color = { field: 'workload', type: 'nominal', legend: { orient: 'bottom', columns: 2, title: null } };
  const xc = { field: 'concurrency', type: 'ordinal', title: 'concurrency', sort: null, axis: { labelAngle: 0 } };
  const log = { type: 'log' };
  const panels: Spec[] = [
    {
      title: 'start-to-outcome p50 (dot) and p99 (tick), ms, log scale',
      width: W,
      height: H,
      data: { values: levels },
      encoding: { x: xc, xOffset: { field: 'workload' }, color },
      layer: [
        {
          mark: { type: 'point', filled: true, size: 70 },
          encoding: { y: { field: 'p50', type: 'quantitative', title: 'ms', scale: log } },
        },
        { mark: { type: 'tick', thickness: 2 }, encoding: { y: { field: 'p99', type: 'quantitative' } } },
      ],
    },
    {
      title: 'throughput, workflows/s, log scale',
      width: W,
      height: H,
      data: { values: levels },
      mark: { type: 'line', point: true },
      encoding: { x: xc, color, y: { field: 'throughput', type: 'quantitative', title: 'wf/s', scale: log } },
    },
  ];
  const cpu = report.levels.flatMap((l) =>
    l.cpu
      ? (['workers', 'temporal', 'postgres', 'bench', 'other'] as const).map((part) => ({
          level: `${l.workload} c=${l.concurrency}`,
          part,
          pct: l.cpu![part],
        }))
      : [],
  );
  if (cpu.length)
    panels.push({
      title: `CPU by level, % of one core (${report.machine.cores} cores)`,
      width: W,
      height: H,
      data: { values: cpu },
      mark: 'bar',
      encoding: {
        x: { field: 'level', type: 'nominal', sort: null, title: null, axis: { labelAngle: -50, labelFontSize: 8 } },
        y: { field: 'pct', type: 'quantitative', stack: 'zero', title: '%' },
        color: { field: 'part', type: 'nominal', legend: { orient: 'right', title: null } },
      },
    });
  if (report.rss)
    panels.push({
      title: `worker memory over ${report.rss.cuwos} ${label(report.rss.workload)}, after a full GC, MiB`,
      width: W,
      height: H,
      data: {
        values: report.rss.samples.flatMap((s) => [
          { cuwos: s.cuwos, what: 'RSS', mib: round(s.rssMiB) },
          { cuwos: s.cuwos, what: 'V8 heap used', mib: round(s.heapMiB) },
        ]),
      },
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'cuwos', type: 'quantitative', title: 'CUWOs completed' },
        y: { field: 'mib', type: 'quantitative', title: 'MiB', scale: { zero: true } },
        color: { field: 'what', type: 'nominal', legend: { orient: 'bottom', title: null } },
      },
    });
  if (report.kill?.samplesMs.length) {
    const limit = (report.kill.heartbeatTimeoutMs + 2_000) / 1000;
    panels.push({
      title: `SIGKILL mid-call to outcome, s (target <= ${limit} s)`,
      width: W,
      height: H,
      layer: [
        {
          data: { values: report.kill.samplesMs.map((ms, i) => ({ sample: i + 1, seconds: round(ms / 1000) })) },
          mark: 'bar',
          encoding: {
            x: { field: 'sample', type: 'ordinal', axis: { labelAngle: 0 } },
            y: {
              field: 'seconds',
              type: 'quantitative',
              title: 's',
              scale: { domain: [0, Math.max(limit + 2, ...report.kill.samplesMs.map((m) => m / 1000))] },
            },
          },
        },
        {
          data: { values: [{ limit }] },
          mark: { type: 'rule', color: 'red', strokeDash: [4, 3] },
          encoding: { y: { field: 'limit', type: 'quantitative', title: 's' } },
        },
      ],
    });
  }
  if (report.scaleOut?.length)
    panels.push({
      title: 'scale-out: throughput by worker processes, wf/s',
      width: W,
      height: H,
      data: {
        values: report.scaleOut.map((s) => ({
          workers: s.workers,
          workload: label(s.workload),
          throughput: round(s.throughput),
          busy: s.cpu?.busy,
        })),
      },
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'workers', type: 'ordinal', title: 'worker processes' },
        y: { field: 'throughput', type: 'quantitative', title: 'wf/s', scale: { zero: true } },
        color,
        tooltip: [{ field: 'busy', title: 'CPU busy %' }],
      },
    });
  const rows: Spec[] = [];
  const independent = { scale: { color: 'independent' }, legend: { color: 'independent' } };
  for (let i = 0; i < panels.length; i += 2) rows.push({ hconcat: panels.slice(i, i + 2), resolve: independent });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `npm run bench: ${report.server.description}`,
      subtitle: `${report.startedAt}, ${report.machine.cores} cores, load ${report.machine.loadBefore}`,
    },
    background: 'white',
    padding: 12,
    vconcat: rows,
    resolve: independent,
    config: { view: { stroke: null }, axis: { grid: true }, legend: { labelLimit: 260 } },
  };
}

const round = (v: number) => (Number.isFinite(v) ? Math.round(v * 10) / 10 : null);

/** vega and vega-lite are ES modules (vega-canvas uses top-level await): loaded with a native import(). */
const esm = (specifier: string): Promise<unknown> => import(specifier);

export async function renderSvg(spec: Spec): Promise<string> {
  const vl = (await esm('vega-lite')) as { compile(spec: unknown): { spec: unknown } };
  const vega = (await esm('vega')) as {
    parse(spec: unknown): unknown;
    View: new (runtime: unknown, options: { renderer: string }) => { toSVG(): Promise<string>; finalize(): void };
  };
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Writes the SVG, and the PNG when Chromium is there; returns the PNG's path or why there is none. */
export async function writeImages(spec: Spec, svgFile: string, pngFile: string): Promise<{ png?: string; pngSkipped?: string }> {
  const svg = await renderSvg(spec);
  writeFileSync(svgFile, svg);
  if (!existsSync(CHROMIUM)) return { pngSkipped: `no PNG: ${CHROMIUM} not found (apt-get install chromium)` };
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ deviceScaleFactor: 2 });
    await page.setContent(`<!doctype html><html><body style="margin:0;background:#fff">${svg}</body></html>`);
    await page.locator('svg').first().screenshot({ path: pngFile });
    return { png: pngFile };
  } finally {
    await browser.close();
  }
}
