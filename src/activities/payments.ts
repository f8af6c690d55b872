import { ApplicationFailure } from '@temporalio/common';
import type { ProviderRegistry } from './providers/registry';
import type { PaymentProvider } from './providers/types';
import { withProviderContext } from './reporting';
import type { CancelPaymentStep, CaptureStep, FollowUpPaymentActivityInput, PaymentStatusActivityInput, PaymentStep, StartPaymentActivityInput } from './types';

export type PaymentActivities = ReturnType<typeof createPaymentActivities>;

export function createPaymentActivities(providers: ProviderRegistry) {
  /** The provider named in processing data this worker wrote; undefined when it cannot be read or is not configured. */
  const fromProcessingData = (processingData: string | undefined): { provider: PaymentProvider; data: Record<string, unknown> } | { problem: string } => {
    if (!processingData) return { problem: 'no payment processing data' };
    let data: Record<string, unknown>;
    try {
      data = JSON.parse(processingData);
    } catch {
      return { problem: 'paymentProcessingData is not the JSON this worker writes' };
    }
    const provider = providers.payment(String(data.account ?? ''));
    return provider ? { provider, data } : { problem: `payment processing data names account "${String(data.account)}", which is not configured for payments on this worker` };
  };

  return {
    async startPayment(input: StartPaymentActivityInput): Promise<PaymentStep> {
      const provider = providers.payment(input.accountName);
      if (!provider) {
        return {
          status: 'FAILED', provider: 'none', reason: 'CONFIGURATION_ERROR', failureCode: 'UNKNOWN_ACCOUNT',
          message: `no payment account named "${input.accountName}" is configured on this worker`, moneyMayHaveMoved: false,
        };
      }
      return withProviderContext(provider.name, input.notify, (ctx) => provider.start(input, ctx));
    },

    async paymentStatus(input: PaymentStatusActivityInput): Promise<PaymentStep> {
      const found = fromProcessingData(input.processingData);
      if ('problem' in found) throw ApplicationFailure.nonRetryable(found.problem, 'ConfigurationError');
      return withProviderContext(found.provider.name, input.notify, (ctx) => found.provider.status(found.data, ctx));
    },

    async capturePayment(input: FollowUpPaymentActivityInput): Promise<CaptureStep> {
      const found = fromProcessingData(input.processingData);
      if ('problem' in found) {
        return { status: 'FAILED', reason: 'NOT_AUTHORIZED', failureCode: 'NO_PROCESSING_DATA', message: `cannot capture payment ${input.paymentRequestID}: ${found.problem}`, processingData: input.processingData };
      }
      return withProviderContext(found.provider.name, input.notify, (ctx) => found.provider.capture(found.data, ctx));
    },

    async cancelPayment(input: FollowUpPaymentActivityInput): Promise<CancelPaymentStep> {
      // AuthorizeOrCapturePayment reports processing data before any provider call: without it nothing was sent.
      if (!input.processingData) return { status: 'CANCELED', message: 'no payment processing data: no payment request was ever sent' };
      const found = fromProcessingData(input.processingData);
      if ('problem' in found) {
        return { status: 'FAILED', reason: 'CONFIGURATION_ERROR', failureCode: 'UNREADABLE_PROCESSING_DATA', message: `${found.problem}; reconcile by hand`, processingData: input.processingData, needsReconciliation: true };
      }
      return withProviderContext(found.provider.name, input.notify, (ctx) => found.provider.cancel(found.data, ctx));
    },
  };
}
