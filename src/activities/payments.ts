import type { ProviderRegistry } from './providers/registry';
import type { PaymentProvider } from './providers/types';
import { withProviderContext } from './reporting';
import type { ProcessingDataSeal } from './sealing';
import { callScope, cannotAskStatusStep, cannotCompensateStep, providerOfProcessingData, unknownAccountStep } from './provider-lookup';
import type {
  CancelPaymentStep,
  CaptureStep,
  FollowUpPaymentActivityInput,
  PaymentStatusActivityInput,
  PaymentStep,
  StartPaymentActivityInput,
} from '../contracts';

export type PaymentActivities = ReturnType<typeof createPaymentActivities>;

export function createPaymentActivities(providers: ProviderRegistry, seal: ProcessingDataSeal) {
  const request = (input: { paymentRequestID: string }) => `payment:${input.paymentRequestID}` as const;
  const fromProcessingData = (input: { paymentRequestID: string; processingData?: string }) =>
    providerOfProcessingData(seal, request(input), input.processingData, (account) => providers.payment(account));
  const scope = (provider: PaymentProvider, input: { notify: string[]; paymentRequestID: string }) =>
    callScope(provider, input.notify, request(input), seal);

  return {
    async startPayment(input: StartPaymentActivityInput): Promise<PaymentStep> {
      const provider = providers.payment(input.accountName);
      if (!provider) return unknownAccountStep(input.accountName, 'payment');
      return withProviderContext(scope(provider, input), (ctx) => provider.start(input, ctx));
    },

    async paymentStatus(input: PaymentStatusActivityInput): Promise<PaymentStep> {
      const found = fromProcessingData(input);
      if (!found.ok) return cannotAskStatusStep(found, input.processingData);
      return withProviderContext(scope(found.provider, input), (ctx) => found.provider.status(found.data, ctx));
    },

    async capturePayment(input: FollowUpPaymentActivityInput): Promise<CaptureStep> {
      const found = fromProcessingData(input);
      if (!found.ok) {
        return {
          status: 'FAILED',
          reason: found.code === 'INVALID_PROCESSING_DATA' ? 'INVALID_PROCESSING_DATA' : 'NOT_AUTHORIZED',
          failureCode: found.code,
          message: `cannot capture payment ${input.paymentRequestID}: ${found.problem}; nothing was captured`,
          processingData: input.processingData,
          needsReconciliation: found.code === 'INVALID_PROCESSING_DATA',
        };
      }
      return withProviderContext(scope(found.provider, input), (ctx) => found.provider.capture(found.data, ctx));
    },

    async cancelPayment(input: FollowUpPaymentActivityInput): Promise<CancelPaymentStep> {
      // AuthorizeOrCapturePayment hands processing data to the CUWO before any provider call: without it nothing was sent.
      if (!input.processingData) return { status: 'CANCELED', message: 'no payment processing data: no payment request was ever sent' };
      const found = fromProcessingData(input);
      if (!found.ok) return cannotCompensateStep(found, input.processingData);
      return withProviderContext(scope(found.provider, input), (ctx) => found.provider.cancel(found.data, ctx));
    },
  };
}
