/**
 * Saves the history of a finished execution as a replay fixture when CUWO_RECORD_HISTORIES names a
 * folder. Only branches listed in test/replay/branches.ts may be recorded (an unlisted one fails the
 * test that records it, recording or not). An existing file is kept: a history recorded by older code
 * is what proves the current code still replays old runs (`npm run record-histories` adds the listed
 * branches that have no file; `npm run record-histories:all` starts the current set over).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { CURRENT_SET, REPLAY_BRANCHES } from '../replay/branches';

const LISTED = new Set(REPLAY_BRANCHES[CURRENT_SET].map(([name]) => name));

export async function recordHistory(branch: string, handle: WorkflowHandle): Promise<void> {
  if (!LISTED.has(branch)) throw new Error(`replay branch "${branch}" is not listed in test/replay/branches.ts (${CURRENT_SET})`);
  const dir = process.env.CUWO_RECORD_HISTORIES;
  if (!dir || existsSync(join(dir, `${branch}.json`))) return;
  const description = await handle.describe();
  if (description.status.name === 'RUNNING') throw new Error(`cannot record ${branch}: ${handle.workflowId} is still running`);
  // Canonical proto3 JSON, the format `temporal workflow show --output json` writes.
  const history = JSON.parse(historyToJSON(await handle.fetchHistory()));
  mkdirSync(dir, { recursive: true });
  const file = { branch, workflowType: description.type, workflowId: handle.workflowId, recordedAt: new Date().toISOString(), history };
  writeFileSync(join(dir, `${branch}.json`), `${JSON.stringify(file, null, 1)}\n`);
}
