import type { ProviderRegistry } from './providers/registry';
import type { PaymentProvider } from './providers/types';
import { withProviderContext } from './reporting';
import type { Opened, ProcessingDataSeal } from './sealing';
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
  /** The provider named in processing data this worker sealed for this payment request, or why not. */
  const fromProcessingData = (
    processingData: string | undefined,
    paymentRequestID: string,
  ): { provider: PaymentProvider; data: Record<string, unknown> } | { problem: string; code: string } => {
    if (!processingData) return { problem: 'no payment processing data', code: 'NO_PROCESSING_DATA' };
    const opened: Opened = seal.open(processingData, `payment:${paymentRequestID}`);
    if (!opened.ok) return { problem: opened.problem, code: 'INVALID_PROCESSING_DATA' };
    const provider = providers.payment(String(opened.record.account ?? ''));
    return provider
      ? { provider, data: opened.record }
      : {
          problem:
            `payment processing data names account "${String(opened.record.account)}", ` +
            'which is not configured for payments on this worker',
          code: 'UNKNOWN_ACCOUNT',
        };
  };
  const scope = (provider: PaymentProvider, input: { notify: string[]; paymentRequestID: string }) => ({
    provider: provider.name,
    notify: input.notify,
    request: `payment:${input.paymentRequestID}` as const,
    seal,
  });

  return {
    async startPayment(input: StartPaymentActivityInput): Promise<PaymentStep> {
      const provider = providers.payment(input.accountName);
      if (!provider) {
        return {
          status: 'FAILED',
          provider: 'none',
          reason: 'CONFIGURATION_ERROR',
          failureCode: 'UNKNOWN_ACCOUNT',
          message: `no payment account named "${input.accountName}" is configured on this worker`,
          moneyMayHaveMoved: false,
        };
      }
      return withProviderContext(scope(provider, input), (ctx) => provider.start(input, ctx));
    },

    async paymentStatus(input: PaymentStatusActivityInput): Promise<PaymentStep> {
      const found = fromProcessingData(input.processingData, input.paymentRequestID);
      if ('problem' in found) {
        // Only a changed worker configuration (keys, accounts) gets here: money may be out, a person must look.
        return {
          status: 'FAILED',
          provider: 'none',
          reason: found.code === 'INVALID_PROCESSING_DATA' ? 'INVALID_PROCESSING_DATA' : 'CONFIGURATION_ERROR',
          failureCode: found.code,
          message: found.problem,
          processingData: input.processingData,
          moneyMayHaveMoved: true,
          needsReconciliation: true,
        };
      }
      return withProviderContext(scope(found.provider, input), (ctx) => found.provider.status(found.data, ctx));
    },

    async capturePayment(input: FollowUpPaymentActivityInput): Promise<CaptureStep> {
      const found = fromProcessingData(input.processingData, input.paymentRequestID);
      if ('problem' in found) {
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
      const found = fromProcessingData(input.processingData, input.paymentRequestID);
      if ('problem' in found) {
        return {
          status: 'FAILED',
          reason: found.code === 'INVALID_PROCESSING_DATA' ? 'INVALID_PROCESSING_DATA' : 'CONFIGURATION_ERROR',
          failureCode: found.code,
          message: `${found.problem}; nothing was done, reconcile by hand`,
          processingData: input.processingData,
          needsReconciliation: true,
        };
      }
      return withProviderContext(scope(found.provider, input), (ctx) => found.provider.cancel(found.data, ctx));
    },
  };
}
