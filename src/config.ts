/**
 * Worker configuration: provider accounts with their secrets, read from the worker's environment,
 * never from workflow input. A CUWO's paymentMethodConfiguration.accountName picks one account.
 *
 *   CUWO_ACCOUNTS_FILE=/etc/cuwo/accounts.json   or   CUWO_ACCOUNTS='{"name": {...}}'
 *
 * A secret value may be written "env:VAR" to read it from another environment variable, or
 * "file:/path" to read it from a file (a mounted secret, a PEM key).
 */
import { readFileSync } from 'node:fs';
import { accountsSchema, type Accounts } from './activities/providers/registry';
import { describeIssues } from './contracts/common';

export { accountSchema, accountsSchema, type Account, type Accounts } from './activities/providers/registry';

export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

export function loadAccounts(env: NodeJS.ProcessEnv = process.env): Accounts {
  let source: string;
  let raw: string;
  if (env.CUWO_ACCOUNTS_FILE) {
    source = env.CUWO_ACCOUNTS_FILE;
    try {
      raw = readFileSync(source, 'utf8');
    } catch (err) {
      throw new ConfigurationError(`cannot read CUWO_ACCOUNTS_FILE ${source}: ${(err as Error).message}`);
    }
  } else if (env.CUWO_ACCOUNTS) {
    source = 'CUWO_ACCOUNTS';
    raw = env.CUWO_ACCOUNTS;
  } else {
    return {};
  }
  return parseAccounts(raw, source, env);
}

export function parseAccounts(raw: string, source: string, env: NodeJS.ProcessEnv = process.env): Accounts {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    throw new ConfigurationError(`${source} is not valid JSON: ${(err as Error).message}`);
  }
  json = resolveEnvReferences(json, source, env);
  const parsed = accountsSchema.safeParse(json);
  if (!parsed.success) throw new ConfigurationError(`${source}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** Replaces every "env:VAR" / "file:/path" string by its value; a missing one is an error naming it. */
function resolveEnvReferences(value: unknown, path: string, env: NodeJS.ProcessEnv): unknown {
  if (typeof value === 'string' && value.startsWith('env:')) {
    const name = value.slice(4);
    const resolved = env[name];
    if (resolved === undefined || resolved === '')
      throw new ConfigurationError(`${path} refers to environment variable ${name}, which is not set`);
    return resolved;
  }
  if (typeof value === 'string' && value.startsWith('file:')) {
    const file = value.slice(5);
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigurationError(`${path} refers to file ${file}, which cannot be read: ${(err as Error).message}`);
    }
  }
  if (Array.isArray(value)) return value.map((item, i) => resolveEnvReferences(item, `${path}[${i}]`, env));
  if (value && typeof value === 'object') {
    // A disburseFunds `transport` keeps its key references: the adapter reads them when it sends (key-references.ts).
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, k === 'transport' ? v : resolveEnvReferences(v, `${path}.${k}`, env)]),
    );
  }
  return value;
}

export const DEFAULT_TASK_QUEUE = 'cuwo';
export function taskQueue(env: NodeJS.ProcessEnv = process.env): string {
  return env.CUWO_TASK_QUEUE || DEFAULT_TASK_QUEUE;
}
