import type { ProviderRegistry } from './providers/registry';
import { withProviderContext } from './reporting';
import type { ProcessingDataSeal } from './sealing';
import type {
  CancelPayoutActivityInput,
  CancelPayoutStep,
  GrantPayoutActivityInput,
  PayoutStatusActivityInput,
  PayoutStep,
} from '../contracts';

export type PayoutActivities = ReturnType<typeof createPayoutActivities>;

export function createPayoutActivities(providers: ProviderRegistry, seal: ProcessingDataSeal) {
  return {
    async grantPayout(input: GrantPayoutActivityInput): Promise<PayoutStep> {
      const provider = providers.payout(input.accountName);
      if (!provider) {
        return {
          status: 'FAILED',
          provider: 'none',
          reason: 'CONFIGURATION_ERROR',
          failureCode: 'UNKNOWN_ACCOUNT',
          message: `no provider account named "${input.accountName}" is configured on this worker`,
          moneyMayHaveMoved: false,
        };
      }
      const request = `payout:${input.payoutRequestID}` as const;
      return withProviderContext({ provider: provider.name, notify: input.notify, request, seal }, (ctx) => provider.grant(input, ctx));
    },

    /** The current state of a payout an asynchronous provider is still processing. */
    async payoutStatus(input: PayoutStatusActivityInput): Promise<PayoutStep> {
      const request = `payout:${input.payoutRequestID}` as const;
      const opened = seal.open(input.processingData, request);
      const provider = opened.ok ? providers.payout(String(opened.record.account ?? '')) : undefined;
      if (!opened.ok || !provider?.status) {
        // Only a changed worker configuration (keys, accounts) gets here: money may be out, a person must look.
        return {
          status: 'FAILED',
          provider: provider?.name ?? 'none',
          reason: opened.ok ? 'CONFIGURATION_ERROR' : 'INVALID_PROCESSING_DATA',
          failureCode: opened.ok ? 'UNKNOWN_ACCOUNT' : 'INVALID_PROCESSING_DATA',
          message: opened.ok
            ? `account "${String(opened.record.account)}" is not configured for status queries on this worker`
            : opened.problem,
          processingData: input.processingData,
          moneyMayHaveMoved: true,
          needsReconciliation: true,
        };
      }
      return withProviderContext({ provider: provider.name, notify: input.notify, request, seal }, (ctx) =>
        provider.status!(opened.record, ctx),
      );
    },

    async cancelPayout(input: CancelPayoutActivityInput): Promise<CancelPayoutStep> {
      // GrantPayout hands its processing data to the CUWO before any provider call: without it nothing was sent.
      if (!input.processingData) return { status: 'CANCELED', message: 'no payout processing data: no payout request was ever sent' };
      const request = `payout:${input.payoutRequestID}` as const;
      const opened = seal.open(input.processingData, request);
      if (!opened.ok) {
        return {
          status: 'FAILED',
          reason: 'INVALID_PROCESSING_DATA',
          failureCode: 'INVALID_PROCESSING_DATA',
          message: `${opened.problem}; nothing was done, reconcile by hand`,
          processingData: input.processingData,
          needsReconciliation: true,
        };
      }
      const accountName = String(opened.record.account ?? '');
      const provider = providers.payout(accountName);
      if (!provider) {
        return {
          status: 'FAILED',
          reason: 'CONFIGURATION_ERROR',
          failureCode: 'UNKNOWN_ACCOUNT',
          message: `payout processing data names account "${accountName}", which is not configured on this worker`,
          processingData: input.processingData,
          needsReconciliation: true,
        };
      }
      return withProviderContext({ provider: provider.name, notify: input.notify, request, seal }, (ctx) =>
        provider.cancel(opened.record, ctx),
      );
    },
  };
}
