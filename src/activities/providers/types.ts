import type {
  CancelPaymentStep,
  CancelPayoutStep,
  CaptureStep,
  GrantPayoutActivityInput,
  PaymentStep,
  PayoutStep,
  ProcessingDataUpdate,
  StartPaymentActivityInput,
} from '../../contracts';

/** What a provider call may use besides its input: persistence of processing data and resumption. */
export interface ProviderContext {
  /**
   * Heartbeats the update and hands it to the CUWO (and its orchestrator) before the call goes on.
   * Report stage SENDING (moneyMayHaveMoved true) before every money-moving request: when a cancel
   * request reached the CUWO first, this throws a non-retryable CanceledBeforeSending and nothing is sent.
   */
  report(update: Omit<ProcessingDataUpdate, 'provider'>): Promise<void>;
  /** Aborted when the activity is canceled or times out. */
  signal: AbortSignal;
  /** 1 on the first try; a higher attempt may follow a request whose outcome was never learned. */
  attempt: number;
  /**
   * The record an earlier attempt of this activity last reported (heartbeat details, seal verified):
   * a retried attempt resumes from it, not from its original input.
   */
  resumed?: Record<string, unknown>;
  /** Processing data for a record: sealed and bound to this request. Use it for every processingData string. */
  seal(record: object): string;
  /** The workflow id of the CUWO the call runs for (callbacks are addressed to it). */
  workflowId: string;
}

/** One payout protocol behind the provider-neutral steps. Unknown outcomes are thrown, never returned. */
export interface PayoutProvider {
  readonly name: string;
  grant(input: GrantPayoutActivityInput, ctx: ProviderContext): Promise<PayoutStep>;
  /** Asynchronous providers: the current state of a payout whose grant answered PENDING. */
  status?(processingData: Record<string, unknown>, ctx: ProviderContext): Promise<PayoutStep>;
  cancel(processingData: Record<string, unknown>, ctx: ProviderContext): Promise<CancelPayoutStep>;
}

/** One card-payment protocol behind the provider-neutral payment steps. */
export interface PaymentProvider {
  readonly name: string;
  /** Authorizes or captures (per input.mode); usually PENDING while the customer uses the provider's form. */
  start(input: StartPaymentActivityInput, ctx: ProviderContext): Promise<PaymentStep>;
  status(processingData: Record<string, unknown>, ctx: ProviderContext): Promise<PaymentStep>;
  capture(processingData: Record<string, unknown>, ctx: ProviderContext): Promise<CaptureStep>;
  /** Releases an authorization or refunds a capture; finds nothing to do when nothing was taken. */
  cancel(processingData: Record<string, unknown>, ctx: ProviderContext): Promise<CancelPaymentStep>;
}
