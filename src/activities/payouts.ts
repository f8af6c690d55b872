import type { ProviderRegistry } from './providers/registry';
import { withProviderContext } from './reporting';
import type { CancelPayoutActivityInput, CancelPayoutStep, GrantPayoutActivityInput, PayoutStep } from './types';

export type PayoutActivities = ReturnType<typeof createPayoutActivities>;

export function createPayoutActivities(providers: ProviderRegistry) {
  return {
    async grantPayout(input: GrantPayoutActivityInput): Promise<PayoutStep> {
      const provider = providers.payout(input.accountName);
      if (!provider) {
        return {
          status: 'FAILED', provider: 'none', reason: 'CONFIGURATION_ERROR', failureCode: 'UNKNOWN_ACCOUNT',
          message: `no provider account named "${input.accountName}" is configured on this worker`, moneyMayHaveMoved: false,
        };
      }
      return withProviderContext(provider.name, input.notify, (ctx) => provider.grant(input, ctx));
    },

    async cancelPayout(input: CancelPayoutActivityInput): Promise<CancelPayoutStep> {
      // GrantPayout reports its processing data before any provider call: without it nothing was sent.
      if (!input.processingData) return { status: 'CANCELED', message: 'no payout processing data: no payout request was ever sent' };
      let data: Record<string, unknown>;
      try {
        data = JSON.parse(input.processingData);
      } catch {
        return {
          status: 'FAILED', reason: 'INVALID_PARAMETERS', failureCode: 'UNREADABLE_PROCESSING_DATA',
          message: 'payoutProcessingData is not the JSON this worker writes; reconcile by hand',
          processingData: input.processingData, needsReconciliation: true,
        };
      }
      const accountName = String(data.account ?? '');
      const provider = providers.payout(accountName);
      if (!provider) {
        return {
          status: 'FAILED', reason: 'CONFIGURATION_ERROR', failureCode: 'UNKNOWN_ACCOUNT',
          message: `payout processing data names account "${accountName}", which is not configured on this worker`,
          processingData: input.processingData, needsReconciliation: true,
        };
      }
      return withProviderContext(provider.name, input.notify, (ctx) => provider.cancel(data, ctx));
    },
  };
}
