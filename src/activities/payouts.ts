import type { ProviderRegistry } from './providers/registry';
import { withProviderContext } from './reporting';
import type { ProcessingDataSeal } from './sealing';
import { callScope, cannotAskStatusStep, cannotCompensateStep, providerOfProcessingData, unknownAccountStep } from './provider-lookup';
import type { PayoutProvider } from './providers/types';
import type {
  CancelPayoutActivityInput,
  CancelPayoutStep,
  GrantPayoutActivityInput,
  PayoutStatusActivityInput,
  PayoutStep,
} from '../contracts';

export type PayoutActivities = ReturnType<typeof createPayoutActivities>;

export function createPayoutActivities(providers: ProviderRegistry, seal: ProcessingDataSeal) {
  const request = (input: { payoutRequestID: string }) => `payout:${input.payoutRequestID}` as const;
  const fromProcessingData = (
    input: { payoutRequestID: string; processingData?: string },
    find: (account: string) => PayoutProvider | undefined,
    purpose?: string,
  ) => providerOfProcessingData(seal, request(input), input.processingData, find, purpose);
  const scope = (provider: PayoutProvider, input: { notify: string[]; payoutRequestID: string }) =>
    callScope(provider, input.notify, request(input), seal);

  return {
    async grantPayout(input: GrantPayoutActivityInput): Promise<PayoutStep> {
      const provider = providers.payout(input.accountName);
      if (!provider) return unknownAccountStep(input.accountName, 'payout');
      return withProviderContext(scope(provider, input), (ctx) => provider.grant(input, ctx));
    },

    /** The current state of a payout an asynchronous provider is still processing. */
    async payoutStatus(input: PayoutStatusActivityInput): Promise<PayoutStep> {
      const withStatus = (account: string) => (providers.payout(account)?.status ? providers.payout(account) : undefined);
      const found = fromProcessingData(input, withStatus, 'payout status queries');
      if (!found.ok) return cannotAskStatusStep(found, input.processingData);
      return withProviderContext(scope(found.provider, input), (ctx) => found.provider.status!(found.data, ctx));
    },

    async cancelPayout(input: CancelPayoutActivityInput): Promise<CancelPayoutStep> {
      // GrantPayout hands its processing data to the CUWO before any provider call: without it nothing was sent.
      if (!input.processingData) return { status: 'CANCELED', message: 'no payout processing data: no payout request was ever sent' };
      const found = fromProcessingData(input, (account) => providers.payout(account));
      if (!found.ok) return cannotCompensateStep(found, input.processingData);
      return withProviderContext(scope(found.provider, input), (ctx) => found.provider.cancel(found.data, ctx));
    },
  };
}
