import type { Accounts } from '../config';
import { createPaymentActivities } from './payments';
import { createPayoutActivities } from './payouts';
import { ProviderRegistry } from './providers/registry';

/** All activities of the worker, bound to the worker's provider accounts. */
export function createActivities(accounts: Accounts) {
  const providers = new ProviderRegistry(accounts);
  return { ...createPayoutActivities(providers), ...createPaymentActivities(providers) };
}
