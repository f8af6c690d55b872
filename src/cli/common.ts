/** What every command group of `cuwo` shares: exit codes, the connection, plain tables, Web UI links. */
import type { Client } from '@temporalio/client';
import Table from 'cli-table3';
import { CodecKeyError } from '../codec/codec';
import { connectClient, temporalSettings } from '../temporal';

/** Exit codes scripts can rely on. */
export const EXIT = { success: 0, error: 1, failure: 2, canceled: 3, abnormal: 4 } as const;

export function webUiLink(workflowId: string, namespace = temporalSettings().namespace): string {
  const base = (process.env.CUWO_WEB_UI_URL ?? 'http://localhost:8233').replace(/\/$/, '');
  return `${base}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

/** A plain table (no colours, so it reads the same in a log or a pipe). */
export function table(options: Partial<Table.TableConstructorOptions> = {}): Table.Table {
  return new Table({ style: { head: [], border: [] }, ...options });
}

/** An error whose message is the whole story for the user (no stack trace). */
export class UserFacingError extends Error {}

/** Connects with this project's converter; what goes wrong is said in one line. */
export async function connectOrExplain(): Promise<Client> {
  const settings = temporalSettings();
  return connectClient(settings).catch((err: Error) => {
    if (err instanceof CodecKeyError) throw new UserFacingError(err.message);
    throw new UserFacingError(
      `cannot reach Temporal at ${settings.connectionOptions.address} ` +
        `(namespace ${settings.namespace}; set TEMPORAL_ADDRESS): ${err.message}`,
    );
  });
}

export async function withClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = await connectOrExplain();
  try {
    return await work(client);
  } finally {
    await client.connection.close();
  }
}
