/**
 * Payouts through Payneteasy (seed 003, reference/payneteasy.md): `/api/v4/payout` signed with OAuth
 * RSA-SHA256, the final status learned by polling `/api/v2/status` (by the payout's serial number) on
 * the provider's cadence or sooner when its callback arrives, the receiver's form exposed while it
 * waits, and an approved payout reversed with `/api/v2/return` where the endpoint allows it.
 * What each answer proves comes from outcome.ts; this file only acts on it.
 */
import { formatMoney, toMinorUnits } from '../../../contracts/money';
import { outcomeUnknown } from '../../errors';
import type { CancelPayoutStep, GrantPayoutActivityInput, PayoutStep } from '../../../contracts';
import { providerKey } from '../keys';
import type { PayoutProvider, ProviderContext } from '../types';
import { PROVIDER, type PayneteasyAccount } from './account';
import { CONFIGURATION_ERROR_CODES, FINAL_STATUS_REASONS } from './codes';
import { PayneteasyGateway } from './gateway';
import { classifyCreation, classifyOrderCommand, viewOf, type Refusal, type StatusOutcome } from './outcome';
import { majorAmount } from './protocol';
import {
  checkPayoutRecord,
  known,
  nowIso,
  orderOf,
  ownership,
  resumeFrom,
  seen,
  stillUnknown,
  windowText,
  type PayoutRecord,
} from './records';

export { PROVIDER, payneteasyAccountSchema, type PayneteasyAccount } from './account';

/** The customer identifier naming a stored destination card; without one the receiver fills the provider's form. */
export const CARD_REFERENCE_IDENTIFIER = 'CARD_REFERENCE';

const FAILED_STAGE = { declined: 'DECLINED', error: 'ERROR', filtered: 'FILTERED' } as const;

/** Where a payout stands, as far as the provider told us (status and CancelPayout act on it). */
type Learned =
  | { kind: 'approved'; record: PayoutRecord }
  | { kind: 'failed'; record: PayoutRecord; status: keyof typeof FAILED_STAGE }
  | { kind: 'pending'; record: PayoutRecord; unknown?: string }
  | { kind: 'gave-up'; record: PayoutRecord; why: string }
  | { kind: 'not-ours'; record: PayoutRecord; why: string; definite: boolean }
  | { kind: 'amount-mismatch'; record: PayoutRecord; why: string }
  | { kind: 'refused'; record: PayoutRecord; refusal: Refusal };

export class PayneteasyPayouts implements PayoutProvider {
  readonly name = PROVIDER;
  private readonly gateway: PayneteasyGateway;

  constructor(
    private readonly accountName: string,
    private readonly account: PayneteasyAccount,
  ) {
    this.gateway = new PayneteasyGateway(account);
  }

  async grant(input: GrantPayoutActivityInput, ctx: ProviderContext): Promise<PayoutStep> {
    const destination = input.destinations.find((d) => d.identifierType === CARD_REFERENCE_IDENTIFIER)?.identifier;
    const fresh: PayoutRecord = {
      v: 1,
      provider: PROVIDER,
      account: this.accountName,
      clientOrderId: providerKey('payout', input.payoutRequestID, 128),
      amount: { amount: majorAmount(input.amount), currency: input.amount.currency },
      destination,
      stage: 'SENDING',
    };
    const resumed = ctx.resumed ? checkPayoutRecord(ctx.resumed) : undefined;
    const earlier = resumed?.ok && resumed.record.clientOrderId === fresh.clientOrderId ? resumed.record : undefined;
    // A retried attempt whose predecessor already got an order resumes polling that order.
    if (earlier?.orderId) return this.status(earlier as unknown as Record<string, unknown>, ctx);
    // No earlier attempt may have sent only on attempt 1: heartbeats can be lost with a worker.
    const mayHaveSent = ctx.attempt > 1 || earlier !== undefined;

    const sending: PayoutRecord = { ...fresh, sentAt: earlier?.sentAt ?? nowIso() };
    await ctx.report({
      processingData: ctx.seal(sending),
      moneyMayHaveMoved: true,
      sending: true,
      stage: 'SENDING',
      order: orderOf(sending),
    });
    const form: Record<string, string> = {
      client_orderid: sending.clientOrderId,
      amount: sending.amount.amount,
      currency: sending.amount.currency,
      order_desc: input.description,
    };
    const callbackUrl = this.gateway.callbackUrl(ctx.workflowId);
    if (callbackUrl) form.server_callback_url = callbackUrl;
    if (destination) form['destination-card-ref-id'] = destination;
    const answer = classifyCreation(await this.gateway.payout(form), { clientOrderId: sending.clientOrderId, form: false });

    if (answer.outcome === 'DONE') {
      const created: PayoutRecord = {
        ...sending,
        stage: 'PROCESSING',
        orderId: answer.done.orderId,
        serialNumber: answer.done.serialNumber,
        createdAt: nowIso(),
      };
      await ctx.report({
        processingData: ctx.seal(created),
        moneyMayHaveMoved: true,
        stage: 'PROCESSING',
        reference: created.orderId,
        order: orderOf(created),
      });
      return this.pending(created, ctx);
    }
    if (answer.outcome === 'UNKNOWN') throw outcomeUnknown(`Payneteasy payout ${sending.clientOrderId}: ${answer.why}`);
    if ('notSent' in answer.notDone) {
      if (mayHaveSent)
        throw outcomeUnknown(
          `Payneteasy payout ${sending.clientOrderId} not sent this time (${answer.notDone.notSent}); an earlier attempt may have sent it`,
        );
      return {
        status: 'FAILED',
        provider: PROVIDER,
        reason: 'PROVIDER_ERROR',
        failureCode: 'NOT_SENT',
        moneyMayHaveMoved: false,
        message: `the payout request ${sending.clientOrderId} was never sent: ${answer.notDone.notSent}`,
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
      message: `Payneteasy refused payout ${sending.clientOrderId}: ${refused.message || refused.code}`,
      processingData: ctx.seal({
        ...sending,
        stage: mayHaveSent ? 'SENDING' : 'REJECTED',
        errorCode: refused.code,
        errorMessage: refused.message,
      }),
      moneyMayHaveMoved: mayHaveSent,
    };
  }

  private conflict(record: PayoutRecord, ctx: ProviderContext, moneyMayHaveMoved: boolean, why: string): PayoutStep {
    return {
      status: 'FAILED',
      provider: PROVIDER,
      reason: 'DUPLICATE_REQUEST',
      failureCode: 'DUPLICATE_ORDER',
      moneyMayHaveMoved,
      needsReconciliation: true,
      message: `another execution owns Payneteasy order ${record.clientOrderId} (${why}); ${moneyMayHaveMoved ? 'our own request may have been sent too' : 'nothing was paid by this one'}; reconcile by hand`,
      processingData: ctx.seal({ ...record, stage: 'CONFLICT' }),
    };
  }

  async status(data: Record<string, unknown>, ctx: ProviderContext): Promise<PayoutStep> {
    const checked = resumeFrom(checkPayoutRecord(data), ctx, checkPayoutRecord);
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
        message: `no payout status to ask in stage ${record.stage} (${describe(record)})`,
        processingData: ctx.seal(record),
        moneyMayHaveMoved: true,
        needsReconciliation: true,
      };
    }
    return this.stepFor(await this.learn(record), ctx);
  }

  private stepFor(learned: Learned, ctx: ProviderContext): PayoutStep {
    const { record } = learned;
    const processingData = ctx.seal(record);
    const failed = (
      reason: 'OUTCOME_UNKNOWN' | 'PROVIDER_ERROR' | 'CONFIGURATION_ERROR',
      failureCode: string,
      message: string,
    ): PayoutStep => ({
      status: 'FAILED',
      provider: PROVIDER,
      reason,
      failureCode,
      message,
      processingData,
      moneyMayHaveMoved: true,
      needsReconciliation: true,
    });
    switch (learned.kind) {
      case 'approved':
        return { status: 'PAID', provider: PROVIDER, reference: record.orderId!, processedAmount: record.amount, processingData };
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
            ? `the receiver never completed the payout form; Payneteasy confirms nothing was paid (order ${record.orderId})`
            : `Payneteasy ${learned.status} payout ${record.orderId}: ${record.errorMessage ?? record.errorCode ?? 'no reason given'}`,
          processingData,
          moneyMayHaveMoved: false,
          ...(abandoned ? { cancelation: 'RECEIVER_DID_NOT_CONFIRM' as const } : {}),
        };
      }
      case 'amount-mismatch':
        return {
          status: 'FAILED',
          provider: PROVIDER,
          reason: 'PROVIDER_ERROR',
          failureCode: 'AMOUNT_MISMATCH',
          message: learned.why,
          processingData,
          moneyMayHaveMoved: true,
        };
      case 'gave-up':
        return failed(
          'OUTCOME_UNKNOWN',
          'OUTCOME_UNKNOWN',
          `${learned.why}; ${describe(record)}: the payout may have been made, reconcile by hand`,
        );
      case 'not-ours':
        return this.conflict(record, ctx, !learned.definite, learned.why);
      case 'refused':
        return failed(
          CONFIGURATION_ERROR_CODES.has(learned.refusal.code) ? 'CONFIGURATION_ERROR' : 'PROVIDER_ERROR',
          learned.refusal.code,
          `Payneteasy refused the status of ${describe(record)}: ${learned.refusal.message || learned.refusal.code}`,
        );
    }
  }

  /**
   * Asks where the payout stands: by its serial number when known, else the order's latest
   * transaction for our client_orderid, adopted only when it provably is our request's order.
   */
  private async learn(record: PayoutRecord): Promise<Learned> {
    const answer = await this.gateway.status({
      clientOrderId: record.clientOrderId,
      orderId: record.orderId,
      serialNumber: record.orderId ? record.serialNumber : undefined,
      type: 'payout',
    });
    if (answer.outcome === 'UNKNOWN') {
      if (answer.kind === 'retry') throw outcomeUnknown(`Payneteasy payout ${record.clientOrderId}: ${answer.why}`);
      if (answer.kind === 'refused') return { kind: 'refused', record, refusal: answer.refusal! };
    }
    const view = viewOf(answer);
    let current = record;
    if (view && !record.orderId) {
      const owner = ownership({ type: 'payout', amount: record.amount, destination: record.destination, amountMayChange: false }, view);
      if (owner !== 'ours') {
        return {
          kind: 'not-ours',
          record,
          definite: owner === 'not-ours',
          why: `the order Payneteasy shows for ${record.clientOrderId} (${view.orderId}: ${view.type} ${view.amount ?? '?'} ${view.currency ?? ''}${view.destination ? ` to ${view.destination}` : ''}) ${owner === 'not-ours' ? 'is not' : 'cannot be shown to be'} this request's payout of ${formatMoney(record.amount)}${record.destination ? ` to ${record.destination}` : ''}`,
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
    if (view && view.type === 'payout') current = seen(current, view);
    if (answer.outcome === 'UNKNOWN') {
      if (answer.kind === 'in-progress') return { kind: 'pending', record: known({ ...current, stage: 'PROCESSING' }) };
      const unknown = stillUnknown(current, answer.why, this.account, answer.kind === 'not-found');
      return unknown.over
        ? { kind: 'gave-up', record: unknown.record, why: `${answer.why}, for longer than the ${windowText(this.account)} window` }
        : { kind: 'pending', record: unknown.record, unknown: answer.why };
    }
    if (answer.outcome === 'NOT_DONE')
      return { kind: 'failed', record: known({ ...current, stage: FAILED_STAGE[answer.notDone.status] }), status: answer.notDone.status };
    const approved = known({ ...current, stage: 'APPROVED' as const });
    const paid = answer.done;
    if (paid.currency !== record.amount.currency || paid.minor !== toMinorUnits(record.amount)) {
      return {
        kind: 'amount-mismatch',
        record: approved,
        why: `Payneteasy approved ${paid.amount ?? 'an unreadable amount'} ${paid.currency ?? ''} for payout order ${paid.orderId}, requested ${formatMoney(record.amount)}`,
      };
    }
    return { kind: 'approved', record: approved };
  }

  async cancel(data: Record<string, unknown>, ctx: ProviderContext): Promise<CancelPayoutStep> {
    const checked = resumeFrom(checkPayoutRecord(data), ctx, checkPayoutRecord);
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
    const nothingPaid = (r: PayoutRecord, why: string): CancelPayoutStep => ({
      status: 'CANCELED',
      provider: PROVIDER,
      processingData: ctx.seal(r),
      message: `nothing was paid out (${why})`,
    });

    switch (record.stage) {
      case 'NOT_SENT':
        return nothingPaid(record, 'the payout request was never sent');
      case 'REJECTED': {
        // Refused on its first send; records of older versions took more for a refusal, so look once.
        const answer = await this.gateway.status({ clientOrderId: record.clientOrderId, type: 'payout' });
        if (answer.outcome === 'UNKNOWN' && answer.kind === 'not-found')
          return nothingPaid(record, `Payneteasy refused the payout request: ${record.errorCode ?? 'refused'}`);
        if (answer.outcome === 'UNKNOWN' && answer.kind === 'retry')
          throw outcomeUnknown(`Payneteasy payout ${record.clientOrderId}: ${answer.why}`);
        return this.cancel({ ...record, stage: 'SENDING' }, ctx);
      }
      case 'DECLINED':
      case 'ERROR':
      case 'FILTERED':
        return nothingPaid(record, `the payout ended ${record.stage.toLowerCase()}`);
      case 'CONFLICT':
        return this.needsPerson(
          record,
          ctx,
          'DUPLICATE_REQUEST',
          'DUPLICATE_ORDER',
          `another execution owns ${describe(record)}; nothing was done`,
        );
      case 'RETURNED':
        return {
          status: 'CANCELED',
          provider: PROVIDER,
          processingData: ctx.seal(record),
          message: `payout ${record.orderId} was reversed`,
        };
      case 'RETURN_DECLINED':
        return this.reversalFailed(record, ctx);
      case 'APPROVED':
        return this.reverse(record, ctx);
      case 'RETURN_SENDING':
        return record.returnSerialNumber ? this.returnStatus(record, ctx) : this.findReturn(record, ctx);
      case 'RETURN_PROCESSING':
        return this.returnStatus(record, ctx);
      case 'SENDING':
      case 'PROCESSING':
        break;
      default:
        return this.needsPerson(
          record,
          ctx,
          'INTERNAL_ERROR',
          'UNEXPECTED_STAGE',
          `no way to cancel a payout in stage ${String(record.stage)}`,
        );
    }
    // Learn the payout's outcome by asking; never send the payout request itself.
    const learned = await this.learn(record);
    switch (learned.kind) {
      case 'approved':
        return this.reverse(learned.record, ctx);
      case 'failed':
        return nothingPaid(learned.record, `Payneteasy ${learned.status} the payout`);
      case 'pending':
        return {
          status: 'PENDING',
          provider: PROVIDER,
          processingData: ctx.seal(learned.record),
          pollAfterMs: this.gateway.pollAfter(learned.record.createdAt),
          reference: learned.record.orderId,
          order: orderOf(learned.record),
          ...(learned.unknown ? { unknown: learned.unknown } : {}),
        };
      case 'gave-up':
        return this.needsPerson(
          learned.record,
          ctx,
          'OUTCOME_UNKNOWN',
          'OUTCOME_UNKNOWN',
          `${learned.why}; ${describe(learned.record)} may have been paid; nothing was reversed`,
        );
      case 'not-ours':
        return this.needsPerson(
          learned.record,
          ctx,
          learned.definite ? 'DUPLICATE_REQUEST' : 'PROVIDER_ERROR',
          'ORDER_MISMATCH',
          `${learned.why}; nothing was done`,
        );
      case 'amount-mismatch':
        return this.needsPerson(learned.record, ctx, 'PROVIDER_ERROR', 'AMOUNT_MISMATCH', `${learned.why}; nothing was reversed`);
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

  /** An approved payout: reverse it. A retried attempt first looks for a return an earlier one may have created. */
  private reverse(record: PayoutRecord, ctx: ProviderContext): Promise<CancelPayoutStep> {
    return ctx.attempt > 1 ? this.findReturn(record, ctx) : this.sendReturn(record, ctx);
  }

  /** Reverses an approved payout (`return` on its order). Reported first, so a retry knows it may exist. */
  private async sendReturn(record: PayoutRecord, ctx: ProviderContext): Promise<CancelPayoutStep> {
    if (!this.account.payoutReversal) {
      return this.needsPerson(
        { ...record, stage: 'APPROVED' },
        ctx,
        'NOT_REVERSIBLE',
        'PAID',
        `${describe(record)} was paid and this endpoint does not allow reversing payouts`,
      );
    }
    const sending: PayoutRecord = { ...record, stage: 'RETURN_SENDING' };
    await ctx.report({
      processingData: ctx.seal(sending),
      moneyMayHaveMoved: true,
      stage: 'RETURN_SENDING',
      reference: record.orderId,
      order: orderOf(record),
    });
    const ids = { clientOrderId: record.clientOrderId, orderId: record.orderId! };
    const answer = classifyOrderCommand(
      await this.gateway.orderCommand('return', ids, { comment: `reversal of payout ${record.clientOrderId}` }),
      ids,
    );
    if (answer.outcome === 'UNKNOWN') throw outcomeUnknown(`Payneteasy return of payout ${record.orderId}: ${answer.why}`);
    if (answer.outcome === 'NOT_DONE') {
      if ('notSent' in answer.notDone)
        throw outcomeUnknown(`Payneteasy return of payout ${record.orderId} not sent (${answer.notDone.notSent})`);
      const { code, message } = answer.notDone.refused;
      return this.reversalFailed({ ...record, stage: 'APPROVED', errorCode: code, errorMessage: message }, ctx);
    }
    const processing: PayoutRecord = { ...sending, stage: 'RETURN_PROCESSING', returnSerialNumber: answer.done.serialNumber };
    await ctx.report({
      processingData: ctx.seal(processing),
      moneyMayHaveMoved: true,
      stage: 'RETURN_PROCESSING',
      reference: record.orderId,
      order: orderOf(record),
    });
    return {
      status: 'PENDING',
      provider: PROVIDER,
      processingData: ctx.seal(processing),
      pollAfterMs: this.account.polling.fastIntervalMs,
      reference: record.orderId,
      order: orderOf(record),
    };
  }

  /** A return may have been sent but its serial is unknown: the order's latest transaction tells. */
  private async findReturn(record: PayoutRecord, ctx: ProviderContext): Promise<CancelPayoutStep> {
    const answer = await this.gateway.status({ clientOrderId: record.clientOrderId, orderId: record.orderId, type: 'return' });
    const view = viewOf(answer);
    if (view?.type === 'payout' && view.status === 'approved') return this.sendReturn({ ...record, stage: 'APPROVED' }, ctx); // no return yet
    if (view?.type === 'return')
      return this.afterReturnStatus({ ...record, stage: 'RETURN_PROCESSING', returnSerialNumber: view.serialNumber }, answer, ctx);
    return this.afterReturnStatus(record, answer, ctx);
  }

  private async returnStatus(record: PayoutRecord, ctx: ProviderContext): Promise<CancelPayoutStep> {
    const answer = await this.gateway.status({
      clientOrderId: record.clientOrderId,
      orderId: record.orderId,
      serialNumber: record.returnSerialNumber,
      type: 'return',
    });
    return this.afterReturnStatus(record, answer, ctx);
  }

  private afterReturnStatus(record: PayoutRecord, answer: StatusOutcome, ctx: ProviderContext): CancelPayoutStep {
    if (answer.outcome === 'DONE') {
      const returned = known({ ...record, stage: 'RETURNED' as const });
      return {
        status: 'CANCELED',
        provider: PROVIDER,
        processingData: ctx.seal(returned),
        message: `payout ${record.orderId} (${formatMoney(record.amount)}) was reversed`,
      };
    }
    if (answer.outcome === 'NOT_DONE')
      return this.reversalFailed(
        known({ ...record, stage: 'RETURN_DECLINED', errorCode: answer.notDone.errorCode, errorMessage: answer.notDone.errorMessage }),
        ctx,
      );
    if (answer.kind === 'retry') throw outcomeUnknown(`Payneteasy return of payout ${record.orderId}: ${answer.why}`);
    if (answer.kind === 'refused')
      return this.needsPerson(
        record,
        ctx,
        'PROVIDER_ERROR',
        answer.refusal!.code,
        `${answer.why}; the reversal of ${describe(record)} is not known`,
      );
    const pending = (r: PayoutRecord, unknown?: string): CancelPayoutStep => ({
      status: 'PENDING',
      provider: PROVIDER,
      processingData: ctx.seal(r),
      pollAfterMs: this.account.polling.fastIntervalMs,
      reference: r.orderId,
      order: orderOf(r),
      ...(unknown ? { unknown } : {}),
    });
    if (answer.kind === 'in-progress') return pending(known(record));
    const unknown = stillUnknown(record, answer.why, this.account, false);
    return unknown.over
      ? this.needsPerson(
          unknown.record,
          ctx,
          'OUTCOME_UNKNOWN',
          'OUTCOME_UNKNOWN',
          `${answer.why}; whether ${describe(record)} was reversed is not known`,
        )
      : pending(unknown.record, answer.why);
  }

  private reversalFailed(record: PayoutRecord, ctx: ProviderContext): CancelPayoutStep {
    return this.needsPerson(
      record,
      ctx,
      'REVERSAL_DECLINED',
      record.errorCode ?? 'RETURN_REFUSED',
      `Payneteasy refused to reverse ${describe(record)}: ${record.errorMessage ?? record.errorCode ?? 'no reason given'}`,
    );
  }

  private needsPerson(
    record: PayoutRecord,
    ctx: ProviderContext,
    reason: Extract<CancelPayoutStep, { status: 'FAILED' }>['reason'],
    failureCode: string,
    message: string,
  ): CancelPayoutStep {
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

  private pending(record: PayoutRecord, ctx: ProviderContext, unknown?: string): PayoutStep {
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

/** The payout in words, for the person who reconciles. */
function describe(record: PayoutRecord): string {
  return `payout ${record.clientOrderId} (Payneteasy order ${record.orderId ?? 'unknown'}, ${formatMoney(record.amount)}${record.destination ? ` to card reference ${record.destination}` : ' through the receiver form'})`;
}
