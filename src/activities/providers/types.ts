import type { z } from 'zod';
import type {
  CancelPaymentStep,
  CancelPayoutStep,
  CaptureStep,
  GrantPayoutActivityInput,
  PaymentStep,
  PayoutStep,
  ProcessingDataUpdate,
  ProviderCallback,
  StartPaymentActivityInput,
} from '../../contracts';
import type { ProviderAnswer } from '../../contracts/reconciliation';

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

/**
 * What the reconciler may ask a provider about a request's order (docs/reconciliation.md): status
 * queries only, never a command. A provider without one (disburseFunds) is left to a person.
 */
export interface ProviderReconciler {
  inspect(record: Record<string, unknown>, flow: 'payout' | 'payment'): Promise<ProviderAnswer>;
}

/** What a provider's callback proves once checked against the account's secret. */
export type CallbackCheck =
  | { ok: true; callback: ProviderCallback }
  | { ok: false; httpStatus: 400; reason: string; result: 'malformed' }
  | { ok: false; httpStatus: 403; reason: string; result: 'forged' };

/**
 * A provider, as the config, the registry and the callback receiver see it: its name, the account
 * it needs (secrets resolved by src/config.ts), and what it can do per flow. A new provider is a new
 * folder with a descriptor, added to the registry; no workflow changes.
 */
export interface ProviderDescriptor<S extends z.ZodObject> {
  readonly name: string;
  /** One member of the accounts' discriminated union (discriminator `provider`). */
  readonly accountSchema: S;
  /** GrantPayout / CancelPayout, when the provider pays out. */
  readonly payouts?: (accountName: string, account: z.infer<S>) => PayoutProvider;
  /** AuthorizeOrCapturePayment / CapturePayment / CancelPayment, when it takes card payments. */
  readonly payments?: (accountName: string, account: z.infer<S>) => PaymentProvider;
  /** Signed status callbacks (GET query parameters) the receiver verifies before waking the CUWO. */
  readonly callbacks?: { verify(query: Record<string, string | undefined>, account: z.infer<S>): CallbackCheck };
}
