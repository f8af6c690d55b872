/**
 * One Temporal, three ways to run it: the dev server of the tests (the CLI), `npm run cluster` and the
 * docker-compose `temporal` service. Checked as data (no server, no Docker): one Go module pins the
 * versions and every build builds from it; compose runs the server version the module pins, with the
 * project's configuration file and schema steps, the history shard count of `npm run cluster`, and the
 * Web UI version the module pins.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import {
  CLUSTER_CONFIG_DIR,
  DEFAULT_HISTORY_SHARDS,
  SERVER_CONFIG_TEMPLATE,
  TEMPORAL_MODULE_DIR,
  UI_CONFIG_TEMPLATE,
} from '../../src/dev/cluster';

const ROOT = resolve(__dirname, '../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

const goMod = read('deploy/temporal/go.mod');
/** The versions the wrapper module pins (its direct requirements). */
function pinned(module: string): string {
  const match = goMod.match(new RegExp(`^\\s*${module.replace(/[./]/g, '\\$&')} (v\\S+)\\s*$`, 'm'));
  if (!match) throw new Error(`deploy/temporal/go.mod does not require ${module}`);
  return match[1];
}
const CLI = pinned('github.com/temporalio/cli');
const SERVER = pinned('go.temporal.io/server');
const UI = pinned('github.com/temporalio/ui-server/v2');

const PACKAGES = {
  cli: 'github.com/temporalio/cli/cmd/temporal',
  server: 'go.temporal.io/server/cmd/server',
  sqlTool: 'go.temporal.io/server/cmd/tools/sql',
  uiServer: 'github.com/temporalio/ui-server/v2/cmd/server',
};

interface Service {
  image?: string;
  build?: string | { context: string };
  environment?: Record<string, string>;
  volumes?: string[];
  entrypoint?: unknown;
  command?: unknown;
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
const temporal = compose.services.temporal;
const template = readFileSync(SERVER_CONFIG_TEMPLATE, 'utf8');

test('one Go module pins the CLI of the dev server, the server, the schema tool and the UI server', () => {
  expect({ CLI, SERVER, UI }).toEqual({ CLI: 'v1.5.1', SERVER: 'v1.29.1', UI: 'v2.42.1' });
  // `go install pkg@version` refuses modules with replace directives; the wrapper needs none either.
  expect(goMod).not.toMatch(/^\s*replace\b/m);
  expect(existsSync(join(ROOT, 'deploy/temporal/go.sum'))).toBe(true);
  const tools = read('deploy/temporal/tools.go');
  expect(tools).toMatch(/^\/\/go:build tools$/m);
  for (const pkg of Object.values(PACKAGES)) expect(tools).toContain(`_ "${pkg}"`);
  expect(TEMPORAL_MODULE_DIR).toBe(join(ROOT, 'deploy/temporal'));
});

test('scripts/install-temporal.sh and the compose image build those packages from that module, nowhere else pinned', () => {
  const script = read('scripts/install-temporal.sh');
  for (const pkg of Object.values(PACKAGES)) expect(script).toContain(pkg);
  expect(script).toContain('deploy/temporal');
  expect(script).toContain('CGO_ENABLED=0');
  expect(script).toContain('-s -w');
  // Versions come from go.mod only: no @version install, no hard-coded version (comments aside).
  const code = script
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n');
  expect(code).not.toMatch(/@v\d|v1\.5\.1|v1\.29\.1|v2\.42\.1/);

  const dockerfile = read('deploy/temporal/Dockerfile');
  for (const pkg of [PACKAGES.server, PACKAGES.sqlTool, PACKAGES.cli]) expect(dockerfile).toContain(pkg);
  expect(dockerfile).toMatch(/^COPY go\.mod go\.sum tools\.go/m);
  expect(dockerfile).not.toMatch(/@v\d/);
  for (const [, sources] of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm))
    for (const source of sources.split(' ')) expect(existsSync(join(ROOT, 'deploy/temporal', source))).toBe(true);
  // The image carries the same template as the file npm run cluster installs.
  expect(dockerfile).toContain('COPY config/temporal.yaml.tmpl /etc/temporal/config/temporal.yaml');
});

test('docker-compose runs the server version the module pins, built from the module, not temporalio/auto-setup', () => {
  expect(temporal.image).toBe(`enfore-cuwo-temporal:${SERVER.slice(1)}`);
  expect(temporal.image).not.toMatch(/auto-setup/);
  const context = typeof temporal.build === 'string' ? temporal.build : temporal.build?.context;
  expect(resolve(ROOT, context ?? '')).toBe(TEMPORAL_MODULE_DIR);
  // The Web UI of compose is the one the module pins (and the CLI embeds).
  expect(compose.services['temporal-ui'].image).toBe(`temporalio/ui:${UI.slice(1)}`);
});

test('docker-compose uses the configuration file and the schema steps of `npm run cluster`', () => {
  // The project's template, mounted where the image's entrypoint starts the server from.
  expect(temporal.volumes).toContain('./deploy/temporal/config/temporal.yaml.tmpl:/etc/temporal/config/temporal.yaml:ro');
  expect(temporal.volumes).toContain('./deploy/temporal/config/dynamicconfig.yaml:/etc/temporal/config/dynamicconfig.yaml:ro');
  const entrypoint = read('deploy/temporal/entrypoint.sh');
  expect(entrypoint).toMatch(/temporal-server --root \/etc\/temporal --config config --env temporal .*start/);
  expect(entrypoint).toContain('setup-schema.sh');
  const cluster = read('src/dev/cluster.ts');
  expect(cluster).toContain("'--config', 'config', '--env', 'temporal'");
  expect(cluster).toContain("copyFileSync(SERVER_CONFIG_TEMPLATE, join(stateDir, 'config', 'temporal.yaml'))");
  expect(cluster).toContain("'setup-schema.sh'");

  // Every variable compose sets is one the template reads; PostgreSQL for both stores.
  const read_ = new Set([...template.matchAll(/env "([A-Z_]+)"/g)].map((m) => m[1]));
  for (const name of Object.keys(temporal.environment ?? {})) expect({ name, read: read_.has(name) }).toEqual({ name, read: true });
  expect(temporal.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
  expect(temporal.environment?.DYNAMIC_CONFIG_FILE_PATH).toBeUndefined();
});

test('the same history shard count: the template default, compose and `npm run cluster`', () => {
  const templateDefault = template.match(/numHistoryShards: \{\{ env "NUM_HISTORY_SHARDS" \| default "(\d+)" \}\}/)?.[1];
  expect(Number(templateDefault)).toBe(DEFAULT_HISTORY_SHARDS);
  expect(Number(temporal.environment?.NUM_HISTORY_SHARDS)).toBe(DEFAULT_HISTORY_SHARDS);
  expect(DEFAULT_HISTORY_SHARDS).toBeGreaterThan(1);
});

test('the configuration template has the production shape: PostgreSQL stores, four services, archival off', () => {
  expect(template.split('\n')[0]).toBe('# enable-template');
  expect(template).toMatch(/defaultStore: postgres-default\n\s+visibilityStore: postgres-visibility/);
  expect(template.match(/pluginName: \{\{ \$db \| quote \}\}/g)).toHaveLength(2);
  for (const service of ['frontend', 'history', 'matching', 'worker'])
    expect(template).toMatch(new RegExp(`^  ${service}:\\n    rpc:`, 'm'));
  expect(template).toMatch(/archival:\n {2}history:\n {4}state: disabled/);
  expect(existsSync(join(CLUSTER_CONFIG_DIR, 'dynamicconfig.yaml'))).toBe(true);
  // The Web UI server renders its file with html/template: `quote` output would be HTML-escaped.
  expect(readFileSync(UI_CONFIG_TEMPLATE, 'utf8')).not.toMatch(/\|\s*quote\s*\}\}/);
});
