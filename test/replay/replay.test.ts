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

const HISTORIES = join(__dirname, 'histories');

interface RecordedHistory {
  branch: string;
  workflowType: string;
  workflowId: string;
  history: { events: Array<Record<string, unknown>> };
}

const recorded: RecordedHistory[] = readdirSync(HISTORIES)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(HISTORIES, f), 'utf8')));

/** The replay worker decodes like the real one: histories recorded with encryption need the codec. */
const replayOptions = () => ({ workflowBundle: { codePath: testEnv().bundlePath }, dataConverter: cuwoDataConverter() });

test('histories of every workflow type are recorded', () => {
  const types = new Set(recorded.map((r) => r.workflowType));
  expect([...types].sort()).toEqual([
    'AuthorizeOrCapturePayment', 'CancelPayment', 'CancelPayout', 'CapturePayment', 'GrantPayout', 'PaymentRequest', 'PayoutRequest',
  ]);
  expect(recorded.length).toBeGreaterThanOrEqual(55);
  expect(recorded.filter((r) => r.branch.startsWith('payneteasy-')).length).toBeGreaterThanOrEqual(11);
  expect(recorded.filter((r) => r.branch.startsWith('payment-')).length).toBeGreaterThanOrEqual(14);
});

test.each(recorded.map((r) => [r.branch, r] as const))('replays %s', async (_branch, r) => {
  await Worker.runReplayHistory(replayOptions(), r.history, r.workflowId);
});

test('negative control: a history whose commands the code would not produce fails the replay', async () => {
  const success = recorded.find((r) => r.branch === 'grant-payout-success')!;
  // Pretend the recorded run had scheduled a different activity than the code schedules.
  const tampered = JSON.parse(JSON.stringify(success.history));
  const scheduled = tampered.events.find((e: Record<string, any>) => e.activityTaskScheduledEventAttributes);
  scheduled.activityTaskScheduledEventAttributes.activityType.name = 'somethingElse';
  await expect(Worker.runReplayHistory(replayOptions(), tampered, success.workflowId)).rejects.toThrow(DeterminismViolationError);
});
