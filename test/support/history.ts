import type { WorkflowHandle } from '@temporalio/client';
import type { Payload, PayloadCodec } from '@temporalio/common';

/**
 * The history as JSON plus every payload's data as text, so a search covers what people would see.
 * Without a codec that is the stored form (ciphertext for encrypted payloads); with one, what the
 * codec server shows a person.
 */
export async function historyText(handle: WorkflowHandle, codec?: PayloadCodec): Promise<string> {
  const history = await handle.fetchHistory();
  const payloads: Array<{ metadata?: Record<string, string>; data?: string }> = [];
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const candidate = node as { metadata?: unknown; data?: unknown };
    if (typeof candidate.data === 'string' && candidate.metadata && typeof candidate.metadata === 'object')
      payloads.push(candidate as never);
    Object.values(node).forEach(walk);
  };
  walk(JSON.parse(JSON.stringify(history)));
  const texts = await Promise.all(
    payloads.map(async (p) => {
      const payload: Payload = {
        metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
        data: Buffer.from(p.data ?? '', 'base64'),
      };
      const [shown] = codec ? await codec.decode([payload]) : [payload];
      return Buffer.from(shown.data ?? []).toString('utf8');
    }),
  );
  return `${JSON.stringify(history)}\n${texts.join('\n')}`;
}
