/**
 * Worker configuration: provider accounts with their secrets, read from the worker's environment,
 * never from workflow input. A CUWO's paymentMethodConfiguration.accountName picks one account.
 *
 *   CUWO_ACCOUNTS_FILE=/etc/cuwo/accounts.json   or   CUWO_ACCOUNTS='{"name": {...}}'
 *
 * A secret value may be written "env:VAR" to read it from another environment variable.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { disburseFundsAccountSchema } from './activities/providers/disburse-funds/adapter';
import { describeIssues } from './contracts/common';

export const accountSchema = z.discriminatedUnion('provider', [disburseFundsAccountSchema]);
export const accountsSchema = z.record(z.string().min(1), accountSchema);
export type Account = z.infer<typeof accountSchema>;
export type Accounts = z.infer<typeof accountsSchema>;

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
    json = JSON.parse(raw, (_key, value) => (typeof value === 'string' && value.startsWith('env:') ? env[value.slice(4)] : value));
  } catch (err) {
    throw new ConfigurationError(`${source} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = accountsSchema.safeParse(json);
  if (!parsed.success) throw new ConfigurationError(`${source}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

export const DEFAULT_TASK_QUEUE = 'cuwo';
export function taskQueue(env: NodeJS.ProcessEnv = process.env): string {
  return env.CUWO_TASK_QUEUE || DEFAULT_TASK_QUEUE;
}
