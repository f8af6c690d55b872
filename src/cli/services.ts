/** The long-running commands: the local stack (dev, cluster) and the servers a deployment runs (callbacks, codec-server). */
import { Command, Option } from 'commander';
import { startCallbackReceiver } from '../callbacks/receiver';
import { AesGcmCodec, parseCodecKeys } from '../codec/codec';
import { startCodecServer } from '../codec/server';
import { loadAccounts } from '../config';
import { clusterCommand } from '../dev/cluster-command';
import { runDevStack } from '../dev/dev-command';
import { TEMPORAL_SERVER_KINDS, type TemporalServerKind } from '../dev/stack';
import { UserFacingError, connectOrExplain } from './common';

/** Resolves on the first SIGINT or SIGTERM, so a server can close cleanly. */
function untilStopped(): Promise<void> {
  return new Promise<void>((resolve) => ['SIGINT', 'SIGTERM'].forEach((signal) => process.once(signal, () => resolve())));
}

export function registerServiceCommands(program: Command): void {
  program
    .command('dev')
    .description(
      'run the local stack in the foreground: Temporal dev server + Web UI, provider simulators, a worker; Ctrl-C stops all of it',
    )
    .option('--data-dir <dir>', 'SQLite database (or the cluster state), logs and the dev accounts file', '.cuwo')
    .addOption(
      new Option('--server <kind>', 'the Temporal side: the dev server, or the PostgreSQL-backed cluster (production topology)')
        .choices(TEMPORAL_SERVER_KINDS)
        .default('dev'),
    )
    .action(async (opts: { dataDir: string; server: TemporalServerKind }) => {
      await runDevStack(opts.dataDir, { server: opts.server });
    });

  // A real PostgreSQL-backed cluster (the production topology) instead of the dev server.
  program.addCommand(clusterCommand());

  program
    .command('callbacks')
    .description('run the provider callback receiver (Payneteasy final-status callbacks -> signals to the waiting CUWOs)')
    .option('--host <host>', 'interface to listen on', '0.0.0.0')
    .option('--port <port>', 'port to listen on', '8090')
    .action(async (opts: { host: string; port: string }) => {
      const client = await connectOrExplain();
      const receiver = await startCallbackReceiver({ client, accounts: loadAccounts(), host: opts.host, port: Number(opts.port) });
      console.error(`[callbacks] listening on ${receiver.url}/callbacks/payneteasy/<account>/<workflowId>`);
      await untilStopped();
      await receiver.close();
      await client.connection.close();
    });

  program
    .command('codec-server')
    .description(
      'serve /encode and /decode so the Temporal Web UI shows encrypted payloads to people allowed to see them ' +
        '(keys: CUWO_CODEC_KEYS, token: CUWO_CODEC_SERVER_TOKEN)',
    )
    .option('--host <host>', 'interface to listen on', '0.0.0.0')
    .option('--port <port>', 'port to listen on', '8888')
    .option('--origin <url...>', 'Web UI origin(s) allowed to call it (CORS)', ['http://localhost:8080'])
    .action(async (opts: { host: string; port: string; origin: string[] }) => {
      const token = process.env.CUWO_CODEC_SERVER_TOKEN;
      if (!token) throw new UserFacingError('CUWO_CODEC_SERVER_TOKEN is not set: the codec server must not decrypt for anyone who asks');
      const keys = process.env.CUWO_CODEC_KEYS;
      if (!keys) throw new UserFacingError('CUWO_CODEC_KEYS is not set: nothing to decrypt with');
      const server = await startCodecServer({
        codec: new AesGcmCodec(parseCodecKeys(keys)),
        token,
        allowedOrigins: opts.origin,
        host: opts.host,
        port: Number(opts.port),
      });
      console.error(
        `[codec-server] listening on ${server.url} (Web UI endpoint: ${server.url}/t/<token>) for origins ${opts.origin.join(', ')}`,
      );
      await untilStopped();
      await server.close();
    });
}
