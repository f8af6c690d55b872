/**
 * docker-compose.yml cannot be run here (no Docker engine), so it is validated as data: the services
 * a production stack needs, pinned images, health checks, dependencies on healthy services, secrets
 * required rather than defaulted, and the example accounts file accepted by the worker's own schema.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { parseAccounts } from '../../src/config';

const ROOT = resolve(__dirname, '../..');
interface Service {
  image?: string;
  build?: string;
  command?: string[];
  profiles?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[]; interval: string; retries: number };
}
const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const services = Object.entries(compose.services);

test('has the production services: PostgreSQL-backed Temporal, its UI, worker, callbacks, codec server', () => {
  expect(Object.keys(compose.services)).toEqual(
    expect.arrayContaining(['postgresql', 'temporal', 'temporal-ui', 'worker', 'callbacks', 'codec-server']),
  );
  expect(compose.services.temporal.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
  expect(compose.services['temporal-ui'].environment?.TEMPORAL_CODEC_ENDPOINT).toMatch(/^http:\/\/localhost:8888\/t\//);
  expect(compose.services.worker.environment).toMatchObject({ TEMPORAL_ADDRESS: 'temporal:7233', CUWO_CREATE_SEARCH_ATTRIBUTES: 'true' });
  // The simulators are for demos only.
  expect(compose.services['disburse-simulator'].profiles).toEqual(['demo']);
  expect(compose.services['payneteasy-simulator'].profiles).toEqual(['demo']);
});

test.each(services)('%s: image pinned by version, with a health check', (_name, service) => {
  expect(service.image).toMatch(/^[\w./-]+:[\w.-]*\d[\w.-]*$/);
  expect(service.image).not.toMatch(/:latest$/);
  expect(service.healthcheck?.test?.[0]).toMatch(/^CMD(-SHELL)?$/);
  expect(service.healthcheck?.retries).toBeGreaterThan(0);
});

test('dependencies name existing services and wait for them to be healthy (or started)', () => {
  for (const [name, service] of services) {
    for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
      expect({ name, dependency, exists: dependency in compose.services }).toEqual({ name, dependency, exists: true });
      expect(['service_healthy', 'service_started', 'service_completed_successfully']).toContain(condition);
    }
  }
  expect(compose.services.temporal.depends_on?.postgresql.condition).toBe('service_healthy');
  expect(compose.services.worker.depends_on?.temporal.condition).toBe('service_healthy');
});

test('secrets are required from the environment, never defaulted in the file', () => {
  const text = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
  for (const secret of ['CUWO_CODEC_KEYS', 'CUWO_CODEC_SERVER_TOKEN']) {
    expect(text).toMatch(new RegExp(`\\$\\{${secret}:\\?`));
    expect(text).not.toMatch(new RegExp(`\\$\\{${secret}:-`));
  }
  for (const name of ['worker', 'callbacks', 'codec-server'])
    expect(compose.services[name].environment?.CUWO_CODEC_KEYS).toMatch(/^\$\{CUWO_CODEC_KEYS:\?/);
});

test('the ports each service publishes are the ones its command listens on', () => {
  for (const [, service] of services) {
    const portFlag = service.command?.indexOf('--port') ?? -1;
    if (portFlag >= 0) expect(service.ports).toContain(`${service.command![portFlag + 1]}:${service.command![portFlag + 1]}`);
  }
});

test('the Dockerfile copies what exists and prebuilds the workflow bundle', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  for (const [, source] of dockerfile.matchAll(/^COPY (\S+)/gm)) {
    for (const path of source.split(' ')) expect(existsSync(join(ROOT, path))).toBe(true);
  }
  expect(dockerfile).toMatch(/^FROM node:20\.\d+/m);
  expect(dockerfile).toContain('bundle-workflows.ts');
  expect(dockerfile).toContain('CUWO_WORKFLOW_BUNDLE');
});

test('deploy/accounts.example.json is accepted by the worker configuration schema', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cuwo-compose-'));
  const pem = join(dir, 'key.pem');
  writeFileSync(pem, '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n');
  const raw = readFileSync(join(ROOT, 'deploy/accounts.example.json'), 'utf8').replace('/run/secrets/payneteasy-merchant-key.pem', pem);
  const accounts = parseAccounts(raw, 'deploy/accounts.example.json', { DISBURSE_BEARER_TOKEN: 't', PAYNETEASY_CONTROL_KEY: 'k' });
  expect(
    Object.values(accounts)
      .map((a) => a.provider)
      .sort(),
  ).toEqual(['disburse-funds', 'payneteasy']);
});
