/**
 * Saves the history of a finished execution as a replay fixture when CUWO_RECORD_HISTORIES names a
 * folder. The integration tests are the one list of branches to record. An existing file is kept:
 * a history recorded by older code is what proves the current code still replays old runs
 * (`npm run record-histories` adds new branches; `npm run record-histories:all` starts over).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

export async function recordHistory(branch: string, handle: WorkflowHandle): Promise<void> {
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
