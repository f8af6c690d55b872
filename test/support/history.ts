import type { WorkflowHandle } from '@temporalio/client';

/** The history as JSON plus every payload decoded, so a search covers what people would see. */
export async function historyText(handle: WorkflowHandle): Promise<string> {
  const json = JSON.stringify(await handle.fetchHistory());
  const decoded = [...json.matchAll(/"data":"([A-Za-z0-9+/=]+)"/g)].map((m) => Buffer.from(m[1], 'base64').toString('utf8'));
  return `${json}\n${decoded.join('\n')}`;
}
