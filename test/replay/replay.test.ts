/**
 * Replays every recorded history (test/replay/histories, re-recorded by `npm run record-histories`)
 * against the current workflow code. A change that alters the commands of a recorded branch fails
 * here unless it is behind patched().
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker } from '@temporalio/worker';
import { cuwoDataConverter } from '../../src/codec/data-converter';
import { testEnv } from '../support/harness';
import { MONEY_SAFETY_PATCH } from '../../src/workflows/cuwo-run';
import { REPLAY_BRANCHES, type ReplaySet } from './branches';

const HISTORIES = join(__dirname, 'histories');

interface RecordedHistory {
  branch: string;
  set: string;
  workflowType: string;
  workflowId: string;
  history: { events: Array<Record<string, unknown>> };
}

/**
 * histories/*.json were recorded before the money-safety patch (they replay its earlier branches);
 * histories/money-safety/*.json after it (`npm run record-histories` adds new branches there).
 */
const MONEY_SAFETY = 'money-safety';
const load = (dir: string, set: string): RecordedHistory[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ ...JSON.parse(readFileSync(join(dir, f), 'utf8')), set }));
const recorded: RecordedHistory[] = [...load(HISTORIES, 'before'), ...load(join(HISTORIES, MONEY_SAFETY), MONEY_SAFETY)].sort((a, b) =>
  a.branch < b.branch ? -1 : 1,
);

/** The replay worker decodes like the real one: histories recorded with encryption need the codec. */
const replayOptions = () => ({ workflowBundle: { codePath: testEnv().bundlePath }, dataConverter: cuwoDataConverter() });

const ALL_TYPES = [
  'AuthorizeOrCapturePayment',
  'CancelPayment',
  'CancelPayout',
  'CapturePayment',
  'GrantPayout',
  'PaymentRequest',
  'PayoutRequest',
];
/** Workflow types that exist only since the money-safety patch (docs/reconciliation.md): no `before` histories, no patch marker. */
const NEWER_TYPES = ['ProviderEvents', 'Reconcile'];

test('the recorded histories are exactly the listed branches (test/replay/branches.ts), of every workflow type in both sets', () => {
  for (const set of Object.keys(REPLAY_BRANCHES) as ReplaySet[]) {
    const files = recorded.filter((r) => r.set === set).map((r) => [r.branch, r.workflowType]);
    expect(files).toEqual([...REPLAY_BRANCHES[set]].sort(([a], [b]) => (a < b ? -1 : 1)));
    expect([...new Set(files.map(([, type]) => type))].sort()).toEqual(
      set === MONEY_SAFETY ? [...ALL_TYPES, ...NEWER_TYPES].sort() : ALL_TYPES,
    );
  }
  // Every execution recorded after the patch carries its marker; none recorded before does.
  const hasPatch = (r: RecordedHistory) => patchesOf(r).some((patch) => patch.includes(MONEY_SAFETY_PATCH));
  for (const r of recorded)
    expect([r.set, r.branch, hasPatch(r)]).toEqual([r.set, r.branch, r.set === MONEY_SAFETY && !NEWER_TYPES.includes(r.workflowType)]);
});

/** The patch ids recorded in a history (core's patch markers carry them in their details). */
function patchesOf(r: RecordedHistory): string[] {
  return r.history.events
    .map(
      (e) =>
        (
          e as {
            markerRecordedEventAttributes?: { markerName?: string; details?: Record<string, { payloads?: Array<{ data?: string }> }> };
          }
        ).markerRecordedEventAttributes,
    )
    .filter((m) => m?.markerName === 'core_patch')
    .flatMap((m) => Object.values(m!.details ?? {}).flatMap((d) => d.payloads ?? []))
    .map((p) => Buffer.from(p.data ?? '', 'base64').toString('utf8'));
}

test.each(recorded.map((r) => [`${r.set}/${r.branch}`, r] as const))('replays %s', async (_branch, r) => {
  await Worker.runReplayHistory(replayOptions(), r.history, r.workflowId);
});

test('negative control: a history whose commands the code would not produce fails the replay', async () => {
  const success = recorded.find((r) => r.branch === 'grant-payout-success')!;
  // Pretend the recorded run had scheduled a different activity than the code schedules.
  const tampered = JSON.parse(JSON.stringify(success.history));
  const scheduled = tampered.events.find((e: { activityTaskScheduledEventAttributes?: unknown }) => e.activityTaskScheduledEventAttributes);
  scheduled.activityTaskScheduledEventAttributes.activityType.name = 'somethingElse';
  await expect(Worker.runReplayHistory(replayOptions(), tampered, success.workflowId)).rejects.toThrow(DeterminismViolationError);
});
