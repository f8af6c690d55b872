/**
 * Running a simulator on its own (`npx tsx src/simulators/<name>/index.ts --port N [--host H]`, as
 * docker-compose does): the listen arguments, and a clean exit on Ctrl-C or a container stop.
 */

/** `--host` (default 127.0.0.1) and `--port` (default `defaultPort`; 0 = any free port). */
export function listenArgs(argv: string[], defaultPort: number): { host: string; port: number } {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const port = Number(arg('--port') ?? defaultPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port ${arg('--port')}`);
  return { host: arg('--host') ?? '127.0.0.1', port };
}

/** On SIGINT / SIGTERM: close the simulator, then exit. */
export function closeOnSignal(sim: { close(): Promise<void> }): void {
  const stop = () => void sim.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
