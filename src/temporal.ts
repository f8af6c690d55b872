/**
 * Connection settings by Temporal's own conventions (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
 * TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE and the temporal.toml profile file), so the
 * same worker and client run against the dev server or a production cluster unchanged.
 */
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection } from '@temporalio/worker';
import { cuwoDataConverter } from './codec/data-converter';

export interface TemporalSettings {
  connectionOptions: ReturnType<typeof loadClientConnectConfig>['connectionOptions'];
  namespace: string;
}

export function temporalSettings(env: NodeJS.ProcessEnv = process.env): TemporalSettings {
  const config = loadClientConnectConfig({ profile: env.TEMPORAL_PROFILE, overrideEnvVars: env as Record<string, string> });
  return {
    connectionOptions: { ...config.connectionOptions, address: config.connectionOptions.address || 'localhost:7233' },
    namespace: config.namespace || 'default',
  };
}

export async function connectClient(settings = temporalSettings()): Promise<Client> {
  const dataConverter = cuwoDataConverter(); // before connecting: a missing key is a configuration error
  const connection = await Connection.connect(settings.connectionOptions as Parameters<typeof Connection.connect>[0]);
  return new Client({ connection, namespace: settings.namespace, dataConverter });
}

export async function connectWorker(settings = temporalSettings()): Promise<NativeConnection> {
  return NativeConnection.connect(settings.connectionOptions);
}
