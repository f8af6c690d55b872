/**
 * The reversal of what a Payneteasy order moved, shared by CancelPayout and CancelPayment: `return` on
 * the order (a payout reversed, an authorization released, a capture refunded), or `void` where the
 * flow chooses it (an authorization on its own provider day), reported before it is sent so that a
 * retry knows it may exist; a retried attempt first looks for the return or void an earlier one
 * created; then its status until it settles. A void may only give way to a return once the provider
 * said it will not void (refused or declined with a not-voidable code): a void whose outcome is unknown
 * is asked about or re-sent (one void per order), never followed by a return. The flows say what
 * differs (stages, serial, command, words).
 */
import { outcomeUnknown } from '../../errors';
import type { ProviderContext } from '../types';
import type { PayneteasyGateway } from './gateway';
import { followUp } from './learn';
import { viewOf, type Refusal, type StatusOutcome, type TransactionView } from './outcome';
import { orderOf, type OrderRecord } from './records';
import { needsPerson, pending, type CancelStep, type Seal } from './steps';

/** What differs between reversing a payout and releasing or refunding a payment. */
export interface ReversalFlow<R extends OrderRecord> {
  /** A reversal this account may not send (payouts: the endpoint does not allow it), as the step that says so. */
  blocked?(record: R, seal: Seal): CancelStep | undefined;
  /** The record as the return may be sent (stage RETURN_SENDING / RELEASE_SENDING). */
  sending(record: R): R;
  /** The record once the provider accepted the return as transaction `serial`. */
  processing(sending: R, serial: string): R;
  /** The record once a return or void `serial` an earlier attempt sent was found on the order. */
  found(record: R, serial: string, command: ReversalCommand): R;
  /** The command the sending record carries; absent: always `return`. */
  command?(record: R): ReversalCommand;
  /** After a void the provider refused or declined with `code`: the record to send a `return` from, when the code says "too late to void". */
  notVoided?(record: R, code: string | undefined): R | undefined;
  /** The serial number of the return, once known. */
  serial(record: R): string | undefined;
  /** The record to send the return from when the order's latest transaction is an approved one, not a return. */
  unreturned(record: R, view: TransactionView): R | undefined;
  /** For messages: 'return of payout', 'refund of', 'release of'. */
  label(record: R): string;
  /** The `comment` field of the return. */
  comment(record: R): string;
  /** The provider refused the return request. */
  refused(record: R, refusal: Refusal, seal: Seal): CancelStep;
  /** The return is approved: what moved came back. */
  returned(record: R, seal: Seal): CancelStep;
  /** The return ended declined, error or filtered. */
  declined(record: R, view: TransactionView, seal: Seal): CancelStep;
  /** What is not known once the provider refused to tell, or the window to learn it is over. */
  notKnown(record: R, after: 'refusal' | 'window'): string;
}

export type ReversalCommand = 'return' | 'void';

export class Reversal<R extends OrderRecord> {
  constructor(
    private readonly gateway: PayneteasyGateway,
    private readonly flow: ReversalFlow<R>,
  ) {}

  /** Gives back what an approved order moved. A retried attempt first looks for a return an earlier one may have created. */
  reverse(record: R, ctx: ProviderContext): Promise<CancelStep> {
    return ctx.attempt > 1 ? this.find(record, ctx) : this.send(record, ctx);
  }

  /** A return or void that may have been sent: its status by serial number once known, else the order's latest transaction. */
  async resume(record: R, ctx: ProviderContext): Promise<CancelStep> {
    const serialNumber = this.flow.serial(record);
    if (!serialNumber) return this.find(record, ctx);
    const answer = await this.gateway.status({
      clientOrderId: record.clientOrderId,
      orderId: record.orderId,
      serialNumber,
      type: this.commandOf(record),
    });
    return this.after(record, answer, ctx);
  }

  private commandOf(record: R): ReversalCommand {
    return this.flow.command?.(record) ?? 'return';
  }

  /** `return` (or `void`) on the order, reported first, so a retry knows it may exist. */
  private async send(record: R, ctx: ProviderContext): Promise<CancelStep> {
    const blocked = this.flow.blocked?.(record, ctx.seal);
    if (blocked) return blocked;
    const sending = this.flow.sending(record);
    await ctx.report({
      processingData: ctx.seal(sending),
      moneyMayHaveMoved: true,
      stage: sending.stage,
      reference: record.orderId,
      order: orderOf(record),
    });
    const ids = { clientOrderId: record.clientOrderId, orderId: record.orderId! };
    const command = this.commandOf(sending);
    const answer = await this.gateway.orderCommand(command, ids, { comment: this.flow.comment(record) });
    const what = `Payneteasy ${this.flow.label(sending)} ${record.orderId}`;
    if (answer.outcome === 'UNKNOWN') throw outcomeUnknown(`${what}: ${answer.why}`);
    if (answer.outcome === 'NOT_DONE') {
      if ('notSent' in answer.notDone) throw outcomeUnknown(`${what} not sent (${answer.notDone.notSent})`);
      // Refused: no void exists (a repeat would get the existing one back), so a return cannot move the money twice.
      const instead = command === 'void' ? this.flow.notVoided?.(record, answer.notDone.refused.code) : undefined;
      if (instead) return this.send(instead, ctx);
      return this.flow.refused(record, answer.notDone.refused, ctx.seal);
    }
    const processing = this.flow.processing(sending, answer.done.serialNumber);
    await ctx.report({
      processingData: ctx.seal(processing),
      moneyMayHaveMoved: true,
      stage: processing.stage,
      reference: record.orderId,
      order: orderOf(record),
    });
    return pending(processing, ctx.seal, this.gateway.account.polling.fastIntervalMs);
  }

  /**
   * A return or void may have been sent but its serial is unknown: the order's latest transaction tells.
   * None yet: the same command again (the record keeps it, so a void that may be on its way is re-sent, never replaced).
   */
  private async find(record: R, ctx: ProviderContext): Promise<CancelStep> {
    const type = this.commandOf(record);
    const answer = await this.gateway.status({ clientOrderId: record.clientOrderId, orderId: record.orderId, type });
    const view = viewOf(answer);
    if (view?.type === 'return' || view?.type === 'void') {
      const found = this.flow.found(record, view.serialNumber, view.type);
      if (view.type === type) return this.after(found, answer, ctx);
      return this.resume(found, ctx); // asked about the other command: ask about this transaction by its serial
    }
    const unreturned = view && this.flow.unreturned(record, view);
    if (unreturned) return this.send(unreturned, ctx); // none yet
    return this.after(record, answer, ctx);
  }

  private async after(record: R, answer: StatusOutcome, ctx: ProviderContext): Promise<CancelStep> {
    const next = followUp(record, answer, this.gateway.account);
    switch (next.kind) {
      case 'done':
        return this.flow.returned(record, ctx.seal);
      case 'not-done': {
        // A void declined as too late moved nothing: release by return instead.
        const instead = this.commandOf(record) === 'void' ? this.flow.notVoided?.(record, next.view.errorCode) : undefined;
        if (instead) return this.send(instead, ctx);
        return this.flow.declined(record, next.view, ctx.seal);
      }
      case 'retry':
        throw outcomeUnknown(`Payneteasy ${this.flow.label(record)} ${record.orderId}: ${next.why}`);
      case 'refused':
        return needsPerson(record, ctx.seal, 'PROVIDER_ERROR', next.refusal.code, `${next.why}; ${this.flow.notKnown(record, 'refusal')}`);
      case 'pending':
        return pending(next.record, ctx.seal, this.gateway.account.polling.fastIntervalMs, { unknown: next.unknown });
      case 'gave-up':
        return needsPerson(
          next.record,
          ctx.seal,
          'OUTCOME_UNKNOWN',
          'OUTCOME_UNKNOWN',
          `${next.why}; ${this.flow.notKnown(record, 'window')}`,
        );
    }
  }
}
