import type { ProviderRegistry } from './providers/registry';
import { withProviderContext } from './reporting';
import type { CancelPayoutActivityInput, CancelPayoutStep, GrantPayoutActivityInput, PayoutStatusActivityInput, PayoutStep } from './types';
import { ApplicationFailure } from '@temporalio/common';

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

    /** The current state of a payout an asynchronous provider is still processing. */
    async payoutStatus(input: PayoutStatusActivityInput): Promise<PayoutStep> {
      const data = JSON.parse(input.processingData) as Record<string, unknown>;
      const provider = providers.payout(String(data.account ?? ''));
      if (!provider?.status) {
        // Only a changed worker configuration gets here; retrying cannot help, a person must look.
        throw ApplicationFailure.nonRetryable(`account "${String(data.account)}" is not configured for status queries on this worker`, 'ConfigurationError');
      }
      return withProviderContext(provider.name, input.notify, (ctx) => provider.status!(data, ctx));
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
