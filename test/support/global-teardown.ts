/** Stops the run's Temporal server: the dev server or the cluster (PostgreSQL included), see global-setup.ts. */
export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as Record<string, unknown>).__cuwoDevServer as { stop(): Promise<void> } | undefined;
  await server?.stop();
}
