import type { CancelPayoutStep, GrantPayoutActivityInput, PayoutStep, ProcessingDataUpdate } from '../types';

/** What a provider call may use besides its input: persistence of processing data and resumption. */
export interface ProviderContext {
  /** Heartbeats the update and signals it to the CUWO (and orchestrator) before the call goes on. */
  report(update: Omit<ProcessingDataUpdate, 'provider'>): Promise<void>;
  /** Aborted when the activity is canceled or times out. */
  signal: AbortSignal;
  /** 1 on the first try; a higher attempt may follow a request whose outcome was never learned. */
  attempt: number;
  /** The last update an earlier attempt of this activity reported (heartbeat details), to resume from. */
  resumed?: ProcessingDataUpdate;
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
