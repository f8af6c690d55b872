/**
 * Every signal, query and update of the project, defined once. Workflows register handlers for them;
 * activities, the callback receiver, the client, the CLI, the demo and the tests send them through
 * these definitions, never by name.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ProviderEventSignal, ProviderEventsState, ReconcileFindingSignal } from './reconciliation';
import type { CuwoStage, CuwoState, ProviderOrder } from './state';

/** What an activity reports the moment it knows it (heartbeat + update to its CUWO + signal to the orchestrator). */
export interface ProcessingDataUpdate {
  provider: string;
  /** Sealed, provider-owned JSON (src/activities/sealing.ts): everything a cancel needs, never a secret. */
  processingData: string;
  /** True from the moment a money-moving request may have reached the provider. */
  moneyMayHaveMoved: boolean;
  /**
   * This update precedes a money-moving request (payout, sale/preauth, capture). A cancellable CUWO
   * that already has a cancel request answers `proceed: false`, and the request is not sent.
   */
  sending?: boolean;
  stage: CuwoStage;
  reference?: string;
  /** A form the customer or receiver must complete at the provider. */
  redirectUrl?: string;
  order?: ProviderOrder;
}

/** The CUWO's answer to an update: `proceed: false` means a cancel request came first; do not send. */
export interface ProcessingDataAck {
  proceed: boolean;
}

/** A verified provider callback: it only tells the CUWO to ask the provider now rather than later. */
export interface ProviderCallback {
  provider: string;
  orderId: string;
  clientOrderId: string;
  status: string;
  type: string;
}

/** Why a CUWO refused a callback (the ApplicationFailure type the callback receiver sees). */
export const CALLBACK_REFUSALS = {
  notThisOrder: 'CallbackNotForThisOrder',
  orderNotYetKnown: 'CallbackOrderNotYetKnown',
  duplicate: 'CallbackDuplicate',
  limit: 'CallbackLimitReached',
} as const;

/** Activities hand processing data to their own CUWO by this update; the answer says whether they may send. */
export const processingDataUpdate = defineUpdate<ProcessingDataAck, [ProcessingDataUpdate]>('reportProcessingData');
/** Activities hand processing data to the orchestrator (and, in older histories, to the CUWO) by this signal. */
export const processingDataSignal = defineSignal<[ProcessingDataUpdate]>('processingData');
/** The CUWO summary: state and the processing data it last accepted. */
export const cuwoStateQuery = defineQuery<CuwoState>('cuwoState');
/** The callback receiver delivers by update: a callback that is not for this CUWO's order never enters its history. */
export const providerCallbackUpdate = defineUpdate<{ accepted: true }, [ProviderCallback]>('deliverProviderCallback');
/** Older histories: callbacks arrived as signals. */
export const providerCallbackSignal = defineSignal<[ProviderCallback]>('providerCallback');

/** PaymentRequest: the POS side gave up on the sale after the payment went through; undo it. */
export const abortSignal = defineSignal<[{ reason?: string }?]>('abort');
/** PaymentRequest: the POS side completed the sale; the payment stays. */
export const completeSignal = defineSignal('complete');

/** ProviderEvents: a verified provider event for the CUWO (the receiver signals it with start). */
export const providerEventSignal = defineSignal<[ProviderEventSignal]>('providerEvent');
/** ProviderEvents: what a Reconcile run found (signal with start, so a closed flagged request gets its case). */
export const reconcileFindingSignal = defineSignal<[ReconcileFindingSignal]>('reconcileFinding');
/** ProviderEvents: its events, flag, reason and findings. */
export const providerEventsQuery = defineQuery<ProviderEventsState>('providerEventsState');
