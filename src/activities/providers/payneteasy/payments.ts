/**
 * Card payments through Payneteasy (reference/payneteasy.md, "Payments"): `sale-form` (capture at
 * once) or `preauth-form` (authorize only) so the customer enters card data on the provider's form,
 * never with us; the outcome by `/api/v2/status` (by the transaction's serial number) or callback;
 * `capture` for an authorization; `return` to release an authorization or refund a capture.
 * What each answer proves comes from outcome.ts; this file only acts on it.
 */
import { formatMoney, fromMinorUnits, type Money } from '../../../contracts/money';
import { outcomeUnknown } from '../../errors';
import type { CancelPaymentStep, CaptureStep, PaymentStep, StartPaymentActivityInput } from '../../../contracts';
import { providerKey } from '../keys';
import type { PaymentProvider, ProviderContext } from '../types';
import { PROVIDER, type PayneteasyAccount } from './account';
import { CONFIGURATION_ERROR_CODES, FINAL_STATUS_REASONS } from './codes';
import { PayneteasyGateway } from './gateway';
import { classifyCreation, classifyOrderCommand, viewOf, type Refusal, type StatusOutcome } from './outcome';
import { majorAmount } from './protocol';
import {
  checkPaymentRecord,
  known,
  nowIso,
  orderOf,
  ownership,
  resumeFrom,
  seen,
  stillUnknown,
  windowText,
  type PaymentRecord,
} from './records';

const FAILED_STAGE = { declined: 'DECLINED', error: 'ERROR', filtered: 'FILTERED' } as const;

/** Where the sale / preauth stands, as far as the provider told us. */
type Learned =
  | { kind: 'approved'; record: PaymentRecord; processed?: Money }
  | { kind: 'failed'; record: PaymentRecord; status: keyof typeof FAILED_STAGE }
  | { kind: 'pending'; record: PaymentRecord; unknown?: string }
  | { kind: 'gave-up'; record: PaymentRecord; why: string }
  | { kind: 'not-ours'; record: PaymentRecord; why: string; definite: boolean }
  | { kind: 'refused'; record: PaymentRecord; refusal: Refusal };

type CancelFailure = Extract<CancelPaymentStep, { status: 'FAILED' }>['reason'];

export class PayneteasyPayments implements PaymentProvider {
  readonly name = PROVIDER;
  private readonly gateway: PayneteasyGateway;

  constructor(
    private readonly accountName: string,
    private readonly account: PayneteasyAccount,
  ) {
    this.gateway = new PayneteasyGateway(account);
  }

  async start(input: StartPaymentActivityInput, ctx: ProviderContext): Promise<PaymentStep> {
    const fresh: PaymentRecord = {
      v: 1,
      provider: PROVIDER,
      account: this.accountName,
      clientOrderId: providerKey('payment', input.paymentRequestID, 128),
      command: input.mode === 'AUTHORIZE' ? 'preauth' : 'sale',
      requested: { amount: majorAmount(input.amount), currency: input.amount.currency },
      stage: 'SENDING',
    };
    const resumed = ctx.resumed ? checkPaymentRecord(ctx.resumed) : undefined;
    const earlier = resumed?.ok && resumed.record.clientOrderId === fresh.clientOrderId ? resumed.record : undefined;
    if (earlier?.orderId) return this.status(earlier as unknown as Record<string, unknown>, ctx);
    // No earlier attempt may have sent only on attempt 1: heartbeats can be lost with a worker.
    const mayHaveSent = ctx.attempt > 1 || earlier !== undefined;

    const sending: PaymentRecord = { ...fresh, sentAt: earlier?.sentAt ?? nowIso() };
    await ctx.report({
      processingData: ctx.seal(sending),
      moneyMayHaveMoved: true,
      sending: true,
      stage: 'SENDING',
      order: orderOf(sending),
    });
    const exchange = await this.gateway.paymentForm(sending.command, {
      clientOrderId: sending.clientOrderId,
      amount: sending.requested,
      description: input.description,
      email: input.customerEmail,
      callbackUrl: this.gateway.callbackUrl(ctx.workflowId),
    });
    const answer = classifyCreation(exchange, { clientOrderId: sending.clientOrderId, form: true });

    if (answer.outcome === 'DONE') {
      const { orderId, serialNumber, redirectUrl } = answer.done;
      const created: PaymentRecord = {
        ...sending,
        stage: 'PROCESSING',
        orderId,
        serialNumber,
        createdAt: nowIso(),
        redirectUrl,
        formShown: Boolean(redirectUrl),
      };
      await ctx.report({
        processingData: ctx.seal(created),
        moneyMayHaveMoved: true,
        stage: 'PROCESSING',
        reference: orderId,
        redirectUrl,
        order: orderOf(created),
      });
      return this.pending(created, ctx);
    }
    if (answer.outcome === 'UNKNOWN') throw outcomeUnknown(`Payneteasy ${sending.command} ${sending.clientOrderId}: ${answer.why}`);
    if ('notSent' in answer.notDone) {
      if (mayHaveSent)
        throw outcomeUnknown(
          `Payneteasy ${sending.command} ${sending.clientOrderId} not sent this time (${answer.notDone.notSent}); an earlier attempt may have sent it`,
        );
      return {
        status: 'FAILED',
        provider: PROVIDER,
        reason: 'PROVIDER_ERROR',
        failureCode: 'NOT_SENT',
        moneyMayHaveMoved: false,
        message: `the ${sending.command} request ${sending.clientOrderId} was never sent: ${answer.notDone.notSent}`,
        processingData: ctx.seal({ ...sending, stage: 'NOT_SENT' }),
      };
    }
    const { refused } = answer.notDone;
    if (refused.code === 'DUPLICATE_ORDER') {
      // After a possible earlier send of ours the order is adopted only if it provably is ours (not found yet: PENDING, asked on).
      return mayHaveSent
        ? this.stepFor(await this.learn(sending), ctx)
        : this.conflict(sending, ctx, false, `${refused.message || 'DUPLICATE_ORDER'} on the first send`);
    }
    return {
      // After a possible earlier send the order may exist anyway: the record stays SENDING, the compensation asks.
      status: 'FAILED',
      provider: PROVIDER,
      reason: CONFIGURATION_ERROR_CODES.has(refused.code) ? 'CONFIGURATION_ERROR' : 'PROVIDER_ERROR',
      failureCode: refused.code,
      message: `Payneteasy refused ${sending.command} ${sending.clientOrderId}: ${refused.message || refused.code}`,
      processingData: ctx.seal({
        ...sending,
        stage: mayHaveSent ? 'SENDING' : 'REJECTED',
        errorCode: refused.code,
        errorMessage: refused.message,
      }),
      moneyMayHaveMoved: mayHaveSent,
    };
  }

  private conflict(record: PaymentRecord, ctx: ProviderContext, moneyMayHaveMoved: boolean, why: string): PaymentStep {
    return {
      status: 'FAILED',
      provider: PROVIDER,
      reason: 'DUPLICATE_REQUEST',
      failureCode: 'DUPLICATE_ORDER',
      moneyMayHaveMoved,
      needsReconciliation: true,
      message: `another execution owns Payneteasy order ${record.clientOrderId} (${why}); ${moneyMayHaveMoved ? 'our own request may have been sent too' : 'nothing was taken by this one'}; reconcile by hand`,
      processingData: ctx.seal({ ...record, stage: 'CONFLICT' }),
    };
  }

  async status(data: Record<string, unknown>, ctx: ProviderContext): Promise<PaymentStep> {
    const checked = resumeFrom(checkPaymentRecord(data), ctx, checkPaymentRecord);
    if (!checked.ok) {
      return {
        status: 'FAILED',
        provider: PROVIDER,
        reason: 'INVALID_PROCESSING_DATA',
        failureCode: 'INVALID_PROCESSING_DATA',
        message: checked.problem,
        moneyMayHaveMoved: true,
        needsReconciliation: true,
      };
    }
    const { record } = checked;
    if (record.stage !== 'SENDING' && record.stage !== 'PROCESSING') {
      return {
        status: 'FAILED',
        provider: PROVIDER,
        reason: 'INTERNAL_ERROR',
        failureCode: 'UNEXPECTED_STAGE',
        message: `no payment status to ask in stage ${record.stage} (${describe(record)})`,
        processingData: ctx.seal(record),
        moneyMayHaveMoved: true,
        needsReconciliation: true,
      };
    }
    return this.stepFor(await this.learn(record), ctx);
  }

  private stepFor(learned: Learned, ctx: ProviderContext): PaymentStep {
    const { record } = learned;
    const processingData = ctx.seal(record);
    const failed = (
      reason: 'OUTCOME_UNKNOWN' | 'PROVIDER_ERROR' | 'CONFIGURATION_ERROR' | 'AMOUNT_MISMATCH',
      failureCode: string,
      message: string,
      needsReconciliation: boolean,
    ): PaymentStep => ({
      status: 'FAILED',
      provider: PROVIDER,
      reason,
      failureCode,
      message,
      processingData,
      moneyMayHaveMoved: true,
      ...(needsReconciliation ? { needsReconciliation } : {}),
    });
    switch (learned.kind) {
      case 'approved':
        if (!learned.processed)
          return failed(
            'AMOUNT_MISMATCH',
            'AMOUNT_MISMATCH',
            `Payneteasy approved ${describe(record)} with an amount that cannot be read`,
            false,
          );
        return {
          status: 'APPROVED',
          provider: PROVIDER,
          mode: record.command === 'preauth' ? 'AUTHORIZE' : 'CAPTURE',
          processedAmount: learned.processed,
          reference: record.orderId!,
          processingData,
        };
      case 'pending':
        return this.pending(record, ctx, learned.unknown);
      case 'failed': {
        const abandoned = record.formShown && this.account.receiverAbandonedCodes.includes(record.errorCode ?? '');
        return {
          status: 'FAILED',
          provider: PROVIDER,
          reason: FINAL_STATUS_REASONS[learned.status],
          failureCode: record.errorCode ?? learned.status.toUpperCase(),
          message: abandoned
            ? `the customer never completed the payment form; Payneteasy confirms nothing was authorized (order ${record.orderId})`
            : `Payneteasy ${learned.status} ${record.command} ${record.orderId}: ${record.errorMessage ?? record.errorCode ?? 'no reason given'}`,
          processingData,
          moneyMayHaveMoved: false,
          ...(abandoned ? { cancelation: 'CUSTOMER_DID_NOT_COMPLETE_FORM' as const } : {}),
        };
      }
      case 'gave-up':
        return failed(
          'OUTCOME_UNKNOWN',
          'OUTCOME_UNKNOWN',
          `${learned.why}; ${describe(record)}: money may have been taken, reconcile by hand`,
          true,
        );
      case 'not-ours':
        return this.conflict(record, ctx, !learned.definite, learned.why);
      case 'refused':
        return failed(
          CONFIGURATION_ERROR_CODES.has(learned.refusal.code) ? 'CONFIGURATION_ERROR' : 'PROVIDER_ERROR',
          learned.refusal.code,
          `Payneteasy refused the status of ${describe(record)}: ${learned.refusal.message || learned.refusal.code}`,
          true,
        );
    }
  }

  /** Asks about the sale/preauth by its serial (else the order's latest), adopting an order only when provably ours. */
  private async learn(record: PaymentRecord): Promise<Learned> {
    const answer = await this.gateway.status({
      clientOrderId: record.clientOrderId,
      orderId: record.orderId,
      serialNumber: record.orderId ? record.serialNumber : undefined,
      type: record.command,
    });
    if (answer.outcome === 'UNKNOWN' && answer.kind === 'retry')
      throw outcomeUnknown(`Payneteasy ${record.command} ${record.clientOrderId}: ${answer.why}`);
    if (answer.outcome === 'UNKNOWN' && answer.kind === 'refused') return { kind: 'refused', record, refusal: answer.refusal! };
    const view = viewOf(answer);
    let current = record;
    if (view && !record.orderId) {
      // The customer may change the amount on the form, so an amount alone never proves the order is another's.
      const owner = ownership({ type: record.command, amount: record.requested, amountMayChange: true }, view);
      if (owner !== 'ours') {
        return {
          kind: 'not-ours',
          record,
          definite: owner === 'not-ours',
          why: `the order Payneteasy shows for ${record.clientOrderId} (${view.orderId}: ${view.type} ${view.amount ?? '?'} ${view.currency ?? ''}) ${owner === 'not-ours' ? 'is not' : 'cannot be shown to be'} this request's ${record.command} of ${formatMoney(record.requested)}`,
        };
      }
      current = {
        ...record,
        stage: 'PROCESSING',
        orderId: view.orderId,
        serialNumber: view.serialNumber,
        createdAt: record.createdAt ?? nowIso(),
      };
    }
    if (view?.type === record.command) current = seen(current, view);
    if (answer.outcome === 'UNKNOWN') {
      if (answer.kind === 'in-progress') return { kind: 'pending', record: known({ ...current, stage: 'PROCESSING' }) };
      const unknown = stillUnknown(current, answer.why, this.account, answer.kind === 'not-found');
      return unknown.over
        ? { kind: 'gave-up', record: unknown.record, why: `${answer.why}, for longer than the ${windowText(this.account)} window` }
        : { kind: 'pending', record: unknown.record, unknown: answer.why };
    }
    if (answer.outcome === 'NOT_DONE')
      return { kind: 'failed', record: known({ ...current, stage: FAILED_STAGE[answer.notDone.status] }), status: answer.notDone.status };
    const paid = answer.done;
    // Canonical form of what the provider says it took; unreadable stays undefined (a mismatch).
    const processed = paid.minor !== undefined && paid.currency ? fromMinorUnits(paid.minor, paid.currency) : undefined;
    const approved: PaymentRecord = known({
      ...current,
      stage: record.command === 'preauth' ? 'AUTHORIZED' : 'CAPTURED',
      ...(processed ? { processedAmount: processed } : {}),
    });
    return { kind: 'approved', record: approved, processed };
  }

  async capture(data: Record<string, unknown>, ctx: ProviderContext): Promise<CaptureStep> {
    const checked = resumeFrom(checkPaymentRecord(data), ctx, checkPaymentRecord);
    if (!checked.ok)
      return {
        status: 'FAILED',
        provider: PROVIDER,
        reason: 'INVALID_PROCESSING_DATA',
        failureCode: 'INVALID_PROCESSING_DATA',
        message: `${checked.problem}; nothing was captured`,
        needsReconciliation: true,
      };
    const record = checked.record;
    switch (record.stage) {
      case 'CAPTURED':
        return { status: 'CAPTURED', provider: PROVIDER, processingData: ctx.seal(record) };
      case 'CAPTURE_PROCESSING':
        return this.afterCaptureStatus(record, await this.captureStatus(record), ctx);
      case 'CAPTURE_SENDING':
        // The capture may have been sent: the idempotent request again, or its status when its serial is known.
        return record.captureSerialNumber
          ? this.afterCaptureStatus(record, await this.captureStatus(record), ctx)
          : this.sendCapture(record, ctx, true);
      case 'AUTHORIZED':
        return this.sendCapture(record, ctx, ctx.attempt > 1);
      default:
        return {
          status: 'FAILED',
          provider: PROVIDER,
          reason: 'NOT_AUTHORIZED',
          failureCode: record.stage,
          message: `payment ${record.clientOrderId} is ${record.stage}, not AUTHORIZED: nothing to capture`,
          processingData: ctx.seal(record),
        };
    }
  }

  private async sendCapture(record: PaymentRecord, ctx: ProviderContext, mayHaveSent: boolean): Promise<CaptureStep> {
    const sending: PaymentRecord = { ...record, stage: 'CAPTURE_SENDING' };
    await ctx.report({
      processingData: ctx.seal(sending),
      moneyMayHaveMoved: true,
      sending: true,
      stage: 'CAPTURE_SENDING',
      reference: record.orderId,
      order: orderOf(record),
    });
    const ids = { clientOrderId: record.clientOrderId, orderId: record.orderId! };
    const answer = classifyOrderCommand(await this.gateway.orderCommand('capture', ids), ids);
    if (answer.outcome === 'DONE') {
      const capturing: PaymentRecord = { ...sending, stage: 'CAPTURE_PROCESSING', captureSerialNumber: answer.done.serialNumber };
      await ctx.report({
        processingData: ctx.seal(capturing),
        moneyMayHaveMoved: true,
        stage: 'CAPTURE_PROCESSING',
        reference: record.orderId,
        order: orderOf(record),
      });
      return {
        status: 'PENDING',
        provider: PROVIDER,
        processingData: ctx.seal(capturing),
        pollAfterMs: this.account.polling.fastIntervalMs,
        reference: record.orderId,
        order: orderOf(record),
      };
    }
    if (answer.outcome === 'UNKNOWN') throw outcomeUnknown(`Payneteasy capture of ${record.orderId}: ${answer.why}`);
    const authorized: PaymentRecord = { ...record, stage: 'AUTHORIZED' };
    if ('notSent' in answer.notDone) {
      if (mayHaveSent)
        throw outcomeUnknown(
          `Payneteasy capture of ${record.orderId} not sent this time (${answer.notDone.notSent}); an earlier attempt may have sent it`,
        );
      return {
        status: 'FAILED',
        provider: PROVIDER,
        reason: 'PROVIDER_ERROR',
        failureCode: 'NOT_SENT',
        message: `the capture of order ${record.orderId} was never sent: ${answer.notDone.notSent}; nothing was captured`,
        processingData: ctx.seal(authorized),
      };
    }
    const { refused } = answer.notDone;
    if (mayHaveSent) {
      // A repeat may be refused because our earlier capture exists: the order's latest transaction tells.
      const latest = await this.gateway.status({ clientOrderId: record.clientOrderId, orderId: record.orderId, type: 'capture' });
      const view = viewOf(latest);
      if (view?.type === 'capture')
        return this.afterCaptureStatus({ ...sending, stage: 'CAPTURE_PROCESSING', captureSerialNumber: view.serialNumber }, latest, ctx);
      if (view?.type !== record.command) return this.afterCaptureStatus(sending, latest, ctx);
    }
    return {
      status: 'FAILED',
      provider: PROVIDER,
      reason:
        refused.code === 'OPERATION_NOT_ALLOWED'
          ? 'NOT_AUTHORIZED'
          : CONFIGURATION_ERROR_CODES.has(refused.code)
            ? 'CONFIGURATION_ERROR'
            : 'PROVIDER_ERROR',
      failureCode: refused.code,
      message: `Payneteasy refused to capture order ${record.orderId}: ${refused.message || refused.code}; nothing was captured`,
      processingData: ctx.seal({ ...authorized, errorCode: refused.code, errorMessage: refused.message }),
    };
  }

  private captureStatus(record: PaymentRecord): Promise<StatusOutcome> {
    return this.gateway.status({
      clientOrderId: record.clientOrderId,
      orderId: record.orderId,
      serialNumber: record.captureSerialNumber,
      type: 'capture',
    });
  }

  private afterCaptureStatus(record: PaymentRecord, answer: StatusOutcome, ctx: ProviderContext): CaptureStep {
    const pending = (r: PaymentRecord, unknown?: string): CaptureStep => ({
      status: 'PENDING',
      provider: PROVIDER,
      processingData: ctx.seal(r),
      pollAfterMs: this.account.polling.fastIntervalMs,
      reference: r.orderId,
      order: orderOf(r),
      ...(unknown ? { unknown } : {}),
    });
    if (answer.outcome === 'DONE')
      return { status: 'CAPTURED', provider: PROVIDER, processingData: ctx.seal(known({ ...record, stage: 'CAPTURED' as const })) };
    if (answer.outcome === 'NOT_DONE') {
      const still: PaymentRecord = known({
        ...record,
        stage: 'AUTHORIZED',
        errorCode: answer.notDone.errorCode,
        errorMessage: answer.notDone.errorMessage,
      });
      return {
        status: 'FAILED',
        provider: PROVIDER,
        reason: 'DECLINED',
        failureCode: still.errorCode ?? 'CAPTURE_DECLINED',
        message: `Payneteasy declined the capture of order ${record.orderId}: ${still.errorMessage ?? still.errorCode ?? 'no reason given'}; the authorization is still held`,
        processingData: ctx.seal(still),
      };
    }
    if (answer.kind === 'retry') throw outcomeUnknown(`Payneteasy capture of ${record.orderId}: ${answer.why}`);
    const needsPerson = (r: PaymentRecord, reason: 'OUTCOME_UNKNOWN' | 'PROVIDER_ERROR', code: string, why: string): CaptureStep => ({
      status: 'FAILED',
      provider: PROVIDER,
      reason,
      failureCode: code,
      message: `${why}; whether ${describe(r)} was captured is not known; reconcile by hand`,
      processingData: ctx.seal(r),
      needsReconciliation: true,
    });
    if (answer.kind === 'refused') return needsPerson(record, 'PROVIDER_ERROR', answer.refusal!.code, answer.why);
    if (answer.kind === 'in-progress') return pending(known(record));
    const unknown = stillUnknown(record, answer.why, this.account, false);
    return unknown.over
      ? needsPerson(unknown.record, 'OUTCOME_UNKNOWN', 'OUTCOME_UNKNOWN', answer.why)
      : pending(unknown.record, answer.why);
  }

  async cancel(data: Record<string, unknown>, ctx: ProviderContext): Promise<CancelPaymentStep> {
    const checked = resumeFrom(checkPaymentRecord(data), ctx, checkPaymentRecord);
    if (!checked.ok)
      return {
        status: 'FAILED',
        provider: PROVIDER,
        reason: 'INVALID_PROCESSING_DATA',
        failureCode: 'INVALID_PROCESSING_DATA',
        message: `${checked.problem}; nothing was done, reconcile by hand`,
        needsReconciliation: true,
      };
    const record = checked.record;
    const nothingTaken = (r: PaymentRecord, why: string): CancelPaymentStep => ({
      status: 'CANCELED',
      provider: PROVIDER,
      processingData: ctx.seal(r),
      message: `nothing was authorized or captured (${why})`,
    });

    switch (record.stage) {
      case 'NOT_SENT':
        return nothingTaken(record, `the ${record.command} request was never sent`);
      case 'REJECTED': {
        // Refused on its first send; records of older versions took more for a refusal, so look once.
        const answer = await this.gateway.status({ clientOrderId: record.clientOrderId, type: record.command });
        if (answer.outcome === 'UNKNOWN' && answer.kind === 'not-found')
          return nothingTaken(record, `Payneteasy refused the ${record.command} request: ${record.errorCode ?? 'refused'}`);
        if (answer.outcome === 'UNKNOWN' && answer.kind === 'retry')
          throw outcomeUnknown(`Payneteasy ${record.command} ${record.clientOrderId}: ${answer.why}`);
        return this.cancel({ ...record, stage: 'SENDING' }, ctx);
      }
      case 'DECLINED':
      case 'ERROR':
      case 'FILTERED':
        return nothingTaken(record, `the payment ended ${record.stage.toLowerCase()}`);
      case 'CONFLICT':
        return this.needsPerson(
          record,
          ctx,
          'DUPLICATE_REQUEST',
          'DUPLICATE_ORDER',
          `another execution owns ${describe(record)}; nothing was done`,
        );
      case 'RELEASED':
      case 'REFUNDED':
        return {
          status: 'CANCELED',
          provider: PROVIDER,
          processingData: ctx.seal(record),
          message: `payment ${record.orderId} was ${record.stage.toLowerCase()}`,
        };
      case 'RELEASE_DECLINED':
        return this.needsPerson(
          record,
          ctx,
          'REVERSAL_DECLINED',
          record.errorCode ?? 'RETURN_DECLINED',
          `Payneteasy refused to release/refund ${describe(record)}`,
        );
      case 'AUTHORIZED':
      case 'CAPTURED':
        return this.reverse(record, ctx);
      case 'RELEASE_SENDING':
        return record.releaseSerialNumber
          ? this.afterReleaseStatus(record, await this.releaseStatus(record), ctx)
          : this.findRelease(record, ctx);
      case 'RELEASE_PROCESSING':
        return this.afterReleaseStatus(record, await this.releaseStatus(record), ctx);
      case 'CAPTURE_SENDING':
      case 'CAPTURE_PROCESSING':
        return this.cancelAfterCapture(record, ctx);
      case 'SENDING':
      case 'PROCESSING':
        break;
      default:
        return this.needsPerson(
          record,
          ctx,
          'INTERNAL_ERROR',
          'UNEXPECTED_STAGE',
          `no way to cancel a payment in stage ${String(record.stage)}`,
        );
    }
    // First learn where the money stands; never send a sale or preauth.
    const learned = await this.learn(record);
    switch (learned.kind) {
      case 'approved':
        return this.reverse(learned.record, ctx); // the return takes back everything, whatever amount it was
      case 'failed':
        return nothingTaken(learned.record, `Payneteasy ${learned.status} the ${record.command}`);
      case 'pending':
        return this.cancelPending(learned.record, ctx, learned.unknown, this.gateway.pollAfter(learned.record.createdAt));
      case 'gave-up':
        return this.needsPerson(
          learned.record,
          ctx,
          'OUTCOME_UNKNOWN',
          'OUTCOME_UNKNOWN',
          `${learned.why}; ${describe(learned.record)} may have taken money; nothing was released or refunded`,
        );
      case 'not-ours':
        return this.needsPerson(
          learned.record,
          ctx,
          learned.definite ? 'DUPLICATE_REQUEST' : 'PROVIDER_ERROR',
          'ORDER_MISMATCH',
          `${learned.why}; nothing was done`,
        );
      case 'refused':
        return this.needsPerson(
          learned.record,
          ctx,
          'PROVIDER_ERROR',
          learned.refusal.code,
          `Payneteasy refused the status of ${describe(record)}: ${learned.refusal.message || learned.refusal.code}`,
        );
    }
  }

  /** A capture may have been sent: whether it exists decides between a refund and a release. */
  private async cancelAfterCapture(record: PaymentRecord, ctx: ProviderContext): Promise<CancelPaymentStep> {
    const bySerial = Boolean(record.captureSerialNumber);
    const answer = bySerial
      ? await this.captureStatus(record)
      : await this.gateway.status({ clientOrderId: record.clientOrderId, orderId: record.orderId, type: 'capture' });
    const view = viewOf(answer);
    if (!bySerial && view?.type === record.command && view.status === 'approved')
      return this.reverse({ ...record, stage: 'AUTHORIZED' }, ctx); // no capture exists
    const capture =
      !bySerial && view?.type === 'capture'
        ? { ...record, stage: 'CAPTURE_PROCESSING' as const, captureSerialNumber: view.serialNumber }
        : record;
    if (answer.outcome === 'DONE') return this.reverse(known({ ...capture, stage: 'CAPTURED' }), ctx);
    if (answer.outcome === 'NOT_DONE') return this.reverse(known({ ...capture, stage: 'AUTHORIZED' }), ctx);
    if (answer.kind === 'retry') throw outcomeUnknown(`Payneteasy capture of ${record.orderId}: ${answer.why}`);
    if (answer.kind === 'refused')
      return this.needsPerson(
        record,
        ctx,
        'PROVIDER_ERROR',
        answer.refusal!.code,
        `${answer.why}; whether ${describe(record)} was captured is not known`,
      );
    if (answer.kind === 'in-progress') return this.cancelPending(known(capture), ctx, undefined, this.account.polling.fastIntervalMs);
    const unknown = stillUnknown(capture, answer.why, this.account, false);
    return unknown.over
      ? this.needsPerson(
          unknown.record,
          ctx,
          'OUTCOME_UNKNOWN',
          'OUTCOME_UNKNOWN',
          `${answer.why}; whether ${describe(record)} was captured is not known; nothing was released or refunded`,
        )
      : this.cancelPending(unknown.record, ctx, answer.why, this.account.polling.fastIntervalMs);
  }

  /** Authorized or captured money: give it back. A retried attempt first looks for a return an earlier one created. */
  private reverse(record: PaymentRecord, ctx: ProviderContext): Promise<CancelPaymentStep> {
    return ctx.attempt > 1 ? this.findRelease(record, ctx) : this.sendRelease(record, ctx);
  }

  /** `return` releases an uncaptured authorization or refunds a capture. Reported first, so a retry knows it may exist. */
  private async sendRelease(record: PaymentRecord, ctx: ProviderContext): Promise<CancelPaymentStep> {
    const releaseIsRefund = record.stage === 'RELEASE_SENDING' ? Boolean(record.releaseIsRefund) : record.stage === 'CAPTURED';
    const before: PaymentRecord = { ...record, stage: releaseIsRefund ? 'CAPTURED' : 'AUTHORIZED' };
    const sending: PaymentRecord = { ...record, stage: 'RELEASE_SENDING', releaseIsRefund };
    await ctx.report({
      processingData: ctx.seal(sending),
      moneyMayHaveMoved: true,
      stage: 'RELEASE_SENDING',
      reference: record.orderId,
      order: orderOf(record),
    });
    const ids = { clientOrderId: record.clientOrderId, orderId: record.orderId! };
    const answer = classifyOrderCommand(
      await this.gateway.orderCommand('return', ids, { comment: `CancelPayment for ${record.clientOrderId}` }),
      ids,
    );
    const what = releaseIsRefund ? 'refund' : 'release';
    if (answer.outcome === 'UNKNOWN') throw outcomeUnknown(`Payneteasy ${what} of ${record.orderId}: ${answer.why}`);
    if (answer.outcome === 'NOT_DONE') {
      if ('notSent' in answer.notDone) throw outcomeUnknown(`Payneteasy ${what} of ${record.orderId} not sent (${answer.notDone.notSent})`);
      const { code, message } = answer.notDone.refused;
      return this.needsPerson(
        { ...before, errorCode: code, errorMessage: message },
        ctx,
        'REVERSAL_DECLINED',
        code,
        `Payneteasy refused to ${what} ${describe(record)}: ${message || code}`,
      );
    }
    const processing: PaymentRecord = { ...sending, stage: 'RELEASE_PROCESSING', releaseSerialNumber: answer.done.serialNumber };
    await ctx.report({
      processingData: ctx.seal(processing),
      moneyMayHaveMoved: true,
      stage: 'RELEASE_PROCESSING',
      reference: record.orderId,
      order: orderOf(record),
    });
    return this.cancelPending(processing, ctx, undefined, this.account.polling.fastIntervalMs);
  }

  /** A return may have been sent but its serial is unknown: the order's latest transaction tells. */
  private async findRelease(record: PaymentRecord, ctx: ProviderContext): Promise<CancelPaymentStep> {
    const answer = await this.gateway.status({ clientOrderId: record.clientOrderId, orderId: record.orderId, type: 'return' });
    const view = viewOf(answer);
    if (view?.type === 'return')
      return this.afterReleaseStatus(
        {
          ...record,
          stage: 'RELEASE_PROCESSING',
          releaseIsRefund: record.stage === 'RELEASE_SENDING' ? record.releaseIsRefund : record.stage === 'CAPTURED',
          releaseSerialNumber: view.serialNumber,
        },
        answer,
        ctx,
      );
    if (view && view.status === 'approved' && (view.type === record.command || view.type === 'capture')) {
      // No return yet: the latest approved transaction says whether the return refunds or releases.
      return this.sendRelease({ ...record, stage: view.type === 'capture' || record.command === 'sale' ? 'CAPTURED' : 'AUTHORIZED' }, ctx);
    }
    return this.afterReleaseStatus(record, answer, ctx);
  }

  private releaseStatus(record: PaymentRecord): Promise<StatusOutcome> {
    return this.gateway.status({
      clientOrderId: record.clientOrderId,
      orderId: record.orderId,
      serialNumber: record.releaseSerialNumber,
      type: 'return',
    });
  }

  private afterReleaseStatus(record: PaymentRecord, answer: StatusOutcome, ctx: ProviderContext): CancelPaymentStep {
    const what = record.releaseIsRefund ? 'refund' : 'release';
    if (answer.outcome === 'DONE') {
      const released = known({ ...record, stage: record.releaseIsRefund ? ('REFUNDED' as const) : ('RELEASED' as const) });
      const amount = record.processedAmount ?? record.requested;
      return {
        status: 'CANCELED',
        provider: PROVIDER,
        processingData: ctx.seal(released),
        message: `${formatMoney(amount)} ${record.releaseIsRefund ? 'refunded' : 'released'} (order ${record.orderId})`,
      };
    }
    if (answer.outcome === 'NOT_DONE') {
      const refused = known({
        ...record,
        stage: 'RELEASE_DECLINED' as const,
        errorCode: answer.notDone.errorCode,
        errorMessage: answer.notDone.errorMessage,
      });
      return this.needsPerson(
        refused,
        ctx,
        'REVERSAL_DECLINED',
        refused.errorCode ?? 'RETURN_DECLINED',
        `Payneteasy declined the ${what} of ${describe(record)}: ${refused.errorMessage ?? 'no reason given'}`,
      );
    }
    if (answer.kind === 'retry') throw outcomeUnknown(`Payneteasy ${what} of ${record.orderId}: ${answer.why}`);
    if (answer.kind === 'refused')
      return this.needsPerson(
        record,
        ctx,
        'PROVIDER_ERROR',
        answer.refusal!.code,
        `${answer.why}; whether the ${what} of ${describe(record)} happened is not known`,
      );
    if (answer.kind === 'in-progress') return this.cancelPending(known(record), ctx, undefined, this.account.polling.fastIntervalMs);
    const unknown = stillUnknown(record, answer.why, this.account, false);
    return unknown.over
      ? this.needsPerson(
          unknown.record,
          ctx,
          'OUTCOME_UNKNOWN',
          'OUTCOME_UNKNOWN',
          `${answer.why}; whether the ${what} of ${describe(record)} happened is not known`,
        )
      : this.cancelPending(unknown.record, ctx, answer.why, this.account.polling.fastIntervalMs);
  }

  private cancelPending(record: PaymentRecord, ctx: ProviderContext, unknown: string | undefined, pollAfterMs: number): CancelPaymentStep {
    return {
      status: 'PENDING',
      provider: PROVIDER,
      processingData: ctx.seal(record),
      pollAfterMs,
      reference: record.orderId,
      order: orderOf(record),
      ...(unknown ? { unknown } : {}),
    };
  }

  private needsPerson(
    record: PaymentRecord,
    ctx: ProviderContext,
    reason: CancelFailure,
    failureCode: string,
    message: string,
  ): CancelPaymentStep {
    return {
      status: 'FAILED',
      provider: PROVIDER,
      reason,
      failureCode,
      message: `${message}; reconcile by hand`,
      processingData: ctx.seal(record),
      needsReconciliation: true,
    };
  }

  private pending(record: PaymentRecord, ctx: ProviderContext, unknown?: string): PaymentStep {
    return {
      status: 'PENDING',
      provider: PROVIDER,
      processingData: ctx.seal(record),
      pollAfterMs: this.gateway.pollAfter(record.createdAt),
      reference: record.orderId,
      redirectUrl: record.redirectUrl,
      order: orderOf(record),
      ...(unknown ? { unknown } : {}),
    };
  }
}

/** The payment in words, for the person who reconciles. */
function describe(record: PaymentRecord): string {
  const amount = record.processedAmount ?? record.requested;
  return `${record.command} ${record.clientOrderId} (Payneteasy order ${record.orderId ?? 'unknown'}, ${formatMoney(amount)})`;
}
