/**
 * `npm run cluster` (and `cuwo cluster`): a real PostgreSQL-backed Temporal cluster in the foreground
 * (src/dev/cluster.ts), with its Web UI decoding through the codec server when CUWO_CODEC_KEYS is set;
 * Ctrl-C or SIGTERM stops all of it. State (the PostgreSQL data) survives a restart.
 *
 *   npm run cluster -- --help
 */
import { randomBytes } from 'node:crypto';
import { relative } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { AesGcmCodec, parseCodecKeys } from '../codec/codec';
import { startCodecServer, type CodecServer } from '../codec/server';
import { DEFAULT_HISTORY_SHARDS, DEFAULT_STATE_DIR, startCluster } from './cluster';

export interface ClusterCommandOptions {
  stateDir?: string;
  fresh?: boolean;
  /** Frontend port (default: the last one, else 7233, else a free one). */
  port?: number;
  ui?: boolean;
  uiPort?: number;
  /** Codec endpoint for the Web UI; default: a codec server started here when CUWO_CODEC_KEYS is set. */
  codecEndpoint?: string;
  namespace?: string;
  shards?: number;
}

/** Starts the cluster, prints where it is, and stops everything on SIGINT/SIGTERM. Resolves once stopped. */
export async function runClusterCommand(opts: ClusterCommandOptions = {}): Promise<void> {
  const log = (line: string) => console.error(`[cluster] ${line}`);
  const started = Date.now();
  const ui = opts.ui ?? true;
  let codec: CodecServer | undefined;
  const codecKeys = process.env.CUWO_CODEC_KEYS;
  // Without an endpoint given, a codec server of our own (once the UI's URL, its allowed origin, is known).
  const uiCodecEndpoint =
    opts.codecEndpoint ??
    (codecKeys
      ? async (uiUrl: string) => {
          const port = new URL(uiUrl).port;
          codec = await startCodecServer({
            codec: new AesGcmCodec(parseCodecKeys(codecKeys)),
            token: randomBytes(18).toString('base64url'),
            allowedOrigins: [`http://127.0.0.1:${port}`, `http://localhost:${port}`],
            port: 0,
          });
          return codec.uiEndpoint;
        }
      : undefined);
  let cluster;
  try {
    cluster = await startCluster({
      stateDir: opts.stateDir,
      fresh: opts.fresh,
      port: opts.port,
      ui,
      uiPort: opts.uiPort,
      uiCodecEndpoint,
      namespace: opts.namespace,
      historyShards: opts.shards,
      log,
    });
  } catch (err) {
    await (codec as CodecServer | undefined)?.close();
    throw err;
  }
  const shown = relative(process.cwd(), cluster.stateDir);
  const stateDir = shown && !shown.startsWith('..') ? shown : cluster.stateDir;
  console.log(`
  Temporal   ${cluster.address}   (TEMPORAL_ADDRESS=${cluster.address} TEMPORAL_NAMESPACE=${cluster.namespace})
  Web UI     ${cluster.uiUrl ?? '(off: --no-ui)'}${codecLine(codec, ui)}
  state      ${stateDir}   (PostgreSQL data: survives a restart; logs in ${stateDir}/logs)
  ready in ${((Date.now() - started) / 1000).toFixed(1)} s. Ctrl-C stops everything.
`);
  // The first SIGINT/SIGTERM stops everything; repeats (a terminal's Ctrl-C reaches tsx too, which
  // relays it) must not kill this process halfway through.
  let stopping = false;
  let signalled: () => void = () => {};
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping...`);
    signalled();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  await new Promise<void>((done) => (signalled = done));
  await cluster.stop();
  await (codec as CodecServer | undefined)?.close();
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  log('stopped');
}

function codecLine(codec: CodecServer | undefined, ui: boolean): string {
  if (codec) return `\n  codec      ${codec.url}   (the Web UI decrypts payloads through it; keys from CUWO_CODEC_KEYS)`;
  return ui ? '\n  codec      none: payloads show encrypted (set CUWO_CODEC_KEYS or --codec-endpoint)' : '';
}

const integer = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`${name} must be a whole number`);
  return n;
};

/** The command, for `cuwo cluster` (program.addCommand(clusterCommand())) and `npm run cluster`. */
export function clusterCommand(name = 'cluster'): Command {
  return new Command(name)
    .description(
      'run a real Temporal cluster in the foreground: PostgreSQL, the Temporal server (all four services, ' +
        `${DEFAULT_HISTORY_SHARDS} history shards), the default namespace and the CUWO search attributes, the Web UI; Ctrl-C stops all of it`,
    )
    .option('--state-dir <dir>', 'PostgreSQL data, ports, logs (state survives a restart)', DEFAULT_STATE_DIR)
    .option('--port <port>', 'frontend gRPC port (default: the last one, else 7233, else a free one; 0: a free one)', integer('--port'))
    .option('--ui-port <port>', 'Web UI port (default: the last one, else 8233, else a free one)', integer('--ui-port'))
    .option('--no-ui', 'no Web UI server')
    .option(
      '--codec-endpoint <url>',
      'codec server the Web UI decodes payloads through (default: one started here when CUWO_CODEC_KEYS is set)',
    )
    .option('--namespace <name>', 'namespace to create', 'default')
    .addOption(
      new Option('--shards <n>', `history shards of a new cluster (default ${DEFAULT_HISTORY_SHARDS}; fixed once created)`).argParser(
        integer('--shards'),
      ),
    )
    .option('--fresh', 'wipe the state directory first: a brand-new cluster')
    .action(async (opts: ClusterCommandOptions) => {
      await runClusterCommand(opts);
    });
}

if (require.main === module) {
  clusterCommand('npm run cluster --')
    .parseAsync(process.argv)
    .then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(`cluster: ${(err as Error).message}`);
        process.exit(1);
      },
    );
}
