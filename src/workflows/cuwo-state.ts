/**
 * What a CUWO execution knows about itself: its state (processing data in by update or signal, out by
 * query and memo), its search attributes, the handlers of the messages in src/contracts/messages.ts,
 * and whether a cancel request reached it. The other files of this folder act on a CuwoRecord.
 */
import { CancellationScope, setHandler, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import {
  CUWO_MEMO_KEY,
  MAX_REQUEST_ID_LENGTH,
  cuwoStateQuery,
  processingDataSignal,
  processingDataUpdate,
  providerCallbackSignal,
  providerCallbackUpdate,
  type CuwoOutcome,
  type CuwoStage,
  type CuwoState,
  type ProcessingDataUpdate,
} from '../contracts';
import {
  CuwoFailureReason,
  CuwoNeedsReconciliation,
  CuwoOutcome as CuwoOutcomeAttribute,
  CuwoProvider,
  CuwoRequestId,
  CuwoType,
} from '../contracts/search-attributes';
import { CallbackWakeups } from './polling';

export interface CuwoRunOptions {
  /**
   * The CUWO may end Canceled (GrantPayout, AuthorizeOrCapturePayment, CapturePayment): a cancel request
   * that arrives before a money-moving request was handed over stops that request. Compensations and
   * orchestrators are not cancellable.
   */
  cancellable?: boolean;
}

/** What an activity reports (update or signal) or returns: `stage` always, the rest when known. */
export type RecordedFields = Partial<Omit<ProcessingDataUpdate, 'sending'>> & { stage: CuwoStage; sending?: boolean };

export class CuwoRecord {
  readonly state: CuwoState;
  /** Verified provider callbacks; each new one wakes the polling loop (polling.ts). */
  readonly wakeups = new CallbackWakeups();
  private readonly rootScope: CancellationScope;
  private readonly cancellable: boolean;

  /** `moneySafety`: false when replaying an execution recorded before MONEY_SAFETY_PATCH (cuwo-run.ts). */
  constructor(
    cuwo: string,
    requestId: string | undefined,
    readonly moneySafety: boolean,
    options: CuwoRunOptions = {},
  ) {
    this.cancellable = options.cancellable ?? false;
    // An id too long for a search attribute is refused by the CUWO's validation; never written anywhere.
    const shownId = requestId && requestId.length <= MAX_REQUEST_ID_LENGTH ? requestId : undefined;
    this.state = { cuwo, requestId: shownId, stage: 'STARTED', moneyMayHaveMoved: false };
    setHandler(processingDataSignal, (update) => this.record(update));
    setHandler(processingDataUpdate, (update) => {
      // The gate of defect "cancel before the first send": nothing recorded, nothing sent.
      if (update.sending && this.cancellable && this.cancelRequested) return { proceed: false };
      this.record(update);
      return { proceed: true };
    });
    setHandler(cuwoStateQuery, () => ({ ...this.state, cancelRequested: this.cancelRequested }));
    setHandler(providerCallbackSignal, (callback) => this.wakeups.addSignaled(callback));
    setHandler(
      providerCallbackUpdate,
      (callback) => {
        this.wakeups.add(callback);
        return { accepted: true } as const;
      },
      { validator: (callback) => this.wakeups.check(callback, this.state.order) },
    );
    // Provider calls run non-cancellable; the CUWO reads the root scope afterwards to decide whether
    // it may still end Canceled (only if no money moved). A cancel that came with the start is already set.
    this.rootScope = CancellationScope.current();
    upsertSearchAttributes([{ key: CuwoType, value: cuwo }, ...(shownId ? [{ key: CuwoRequestId, value: shownId }] : [])]);
    this.publish();
  }

  get cancelRequested(): boolean {
    return this.rootScope.consideredCancelled;
  }

  /** Processing data reported by an activity (update or signal) or returned by it (result). */
  record(update: RecordedFields): void {
    const { provider } = update;
    const providerIsNew = provider !== undefined && provider !== this.state.provider;
    const { sending: _sending, ...fields } = update;
    Object.assign(this.state, Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)));
    if (providerIsNew) upsertSearchAttributes([{ key: CuwoProvider, value: provider }]);
    this.publish();
  }

  /** The end of the execution in state, memo and search attributes (endings.ts says when). */
  recordEnd(outcome: CuwoOutcome, failureReason: string | undefined, needsReconciliation: boolean): void {
    this.state.outcome = outcome;
    this.state.stage = outcome;
    upsertSearchAttributes([
      { key: CuwoOutcomeAttribute, value: outcome },
      ...(failureReason ? [{ key: CuwoFailureReason, value: failureReason }] : []),
      ...(needsReconciliation ? [{ key: CuwoNeedsReconciliation, value: true }] : []),
    ]);
    this.publish();
  }

  /** The memo: what the Web UI, the CLI and the client read without a running worker. */
  publish(): void {
    upsertMemo({ [CUWO_MEMO_KEY]: { ...this.state } });
  }
}
