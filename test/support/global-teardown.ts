import type { DevServer } from '../../src/dev/temporal-server';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as Record<string, unknown>).__cuwoDevServer as DevServer | undefined;
  await server?.stop();
}
