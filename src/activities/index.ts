import type { Accounts } from './providers/registry';
import { createCompensationActivities } from './compensations';
import { createPaymentActivities } from './payments';
import { createPayoutActivities } from './payouts';
import { ProviderRegistry } from './providers/registry';
import { sealFromEnv, type ProcessingDataSeal } from './sealing';

/** All activities of the worker, bound to the worker's provider accounts and its processing-data seal. */
export function createActivities(accounts: Accounts, seal: ProcessingDataSeal = sealFromEnv()) {
  const providers = new ProviderRegistry(accounts);
  return { ...createPayoutActivities(providers, seal), ...createPaymentActivities(providers, seal), ...createCompensationActivities() };
}
