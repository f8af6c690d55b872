/**
 * The life of a Payneteasy order, shared by payouts and payments: its creation (sent once; a retried
 * attempt whose predecessor got an order asks about that order instead), learning where its creating
 * transaction stands, and the compensation of an order whose creation did not move money or has not
 * settled. The flows (payouts.ts, payments.ts) say what differs; what an answer means is learn.ts,
 * the CUWO steps are steps.ts, the reversal of what moved is reversal.ts.
 */
import { outcomeUnknown } from '../../errors';
import type { Classified } from '../outcome';
import type { ProviderContext } from '../types';
import { refusalReason } from './codes';
import type { PayneteasyGateway } from './gateway';
import { learnCreation, type CreationReading, type CreationType, type Learned } from './learn';
import type { Accepted, NotDone, TransactionView } from './outcome';
import { nowIso, orderOf, recordToWorkOn, type Checked, type OrderRecord } from './records';
import type { Reversal } from './reversal';
import {
  canceled,
  conflict,
  finalFailure,
  invalidRecord,
  moneyFailed,
  needsPerson,
  notSent,
  pending,
  refusedCreation,
  unexpectedStage,
  type CancelStep,
  type OrderStep,
  type Seal,
} from './steps';

/** What differs between a payout and a payment order; `S` is the flow's first step, `C` its cancelation. */
export interface OrderFlow<R extends OrderRecord, S, C extends string> extends CreationReading<R> {
  /** 'payout' or 'payment', in messages. */
  noun: string;
  check(data: unknown): Checked<R>;
  /** The order in words, for the person who reconciles. */
  describe(record: R): string;
  /** The creating answer carries the customer's form (sale-form, preauth-form): the record and the report keep its URL. */
  createsForm: boolean;
  /** The step once the creating transaction is approved. */
  approvedStep(record: R, paid: TransactionView, seal: Seal): S | OrderStep<C>;
  /** Why an approved order is not what this request asked for, so a compensation must not reverse it. */
  amountMismatch?(record: R, paid: TransactionView): string | undefined;
  /** The spec's cancelation when the customer or receiver never completed the provider's form. */
  abandoned(record: R): { cancelation: C; message: string };
  words: {
    /** After a conflict on the first send: 'nothing was paid by this one'. */
    nothingMovedHere: string;
    /** Of an outcome that stayed unknown: 'the payout may have been made'. */
    mayHaveMoved: string;
    /** A compensation that found nothing moved: 'nothing was paid out'. */
    nothingMoved: string;
    /** A compensation of an outcome that stayed unknown: 'may have been paid; nothing was reversed'. */
    notUndone: string;
  };
}

export class OrderLife<R extends OrderRecord, S, C extends string> {
  constructor(
    private readonly gateway: PayneteasyGateway,
    private readonly flow: OrderFlow<R, S, C>,
    private readonly reversal: Reversal<R>,
  ) {}

  /** The first call: SENDING is reported, then the creating request `send` builds goes out once. */
  async create(fresh: R, ctx: ProviderContext, send: (sending: R) => Promise<Classified<Accepted, NotDone>>): Promise<S | OrderStep<C>> {
    const resumed = ctx.resumed ? this.flow.check(ctx.resumed) : undefined;
    const earlier = resumed?.ok && resumed.record.clientOrderId === fresh.clientOrderId ? resumed.record : undefined;
    // A retried attempt whose predecessor already got an order resumes asking about that order.
    if (earlier?.orderId) return this.status(earlier, ctx);
    // No earlier attempt may have sent only on attempt 1: heartbeats can be lost with a worker.
    const mayHaveSent = ctx.attempt > 1 || earlier !== undefined;
    const what = this.typeOf(fresh);

    const sending: R = { ...fresh, sentAt: earlier?.sentAt ?? nowIso() };
    await ctx.report({
      processingData: ctx.seal(sending),
      moneyMayHaveMoved: true,
      sending: true,
      stage: 'SENDING',
      order: orderOf(sending),
    });
    const answer = await send(sending);

    if (answer.outcome === 'DONE') {
      const { orderId, serialNumber, redirectUrl } = answer.done;
      const form = this.flow.createsForm;
      const created: R = {
        ...sending,
        stage: 'PROCESSING',
        orderId,
        serialNumber,
        createdAt: nowIso(),
        ...(form ? { redirectUrl, formShown: Boolean(redirectUrl) } : {}),
      };
      await ctx.report({
        processingData: ctx.seal(created),
        moneyMayHaveMoved: true,
        stage: 'PROCESSING',
        reference: orderId,
        ...(form ? { redirectUrl } : {}),
        order: orderOf(created),
      });
      return pending(created, ctx.seal, this.gateway.pollAfter(created.createdAt), { form: true });
    }
    if (answer.outcome === 'UNKNOWN') throw outcomeUnknown(`Payneteasy ${what} ${sending.clientOrderId}: ${answer.why}`);
    if ('notSent' in answer.notDone) {
      if (mayHaveSent)
        throw outcomeUnknown(
          `Payneteasy ${what} ${sending.clientOrderId} not sent this time (${answer.notDone.notSent}); an earlier attempt may have sent it`,
        );
      return notSent(sending, ctx.seal, what, answer.notDone.notSent);
    }
    const { refused } = answer.notDone;
    if (refused.code === 'DUPLICATE_ORDER') {
      // After a possible earlier send of ours the order is adopted only if it provably is ours (not found yet: PENDING, asked on).
      if (mayHaveSent) return this.stepFor(await this.learn(sending), ctx);
      return conflict(
        sending,
        ctx.seal,
        false,
        `${refused.message || 'DUPLICATE_ORDER'} on the first send`,
        this.flow.words.nothingMovedHere,
      );
    }
    return refusedCreation(sending, ctx.seal, what, refused, mayHaveSent);
  }

  /** The status call: where the creating transaction stands now. */
  async statusOf(data: Record<string, unknown>, ctx: ProviderContext): Promise<S | OrderStep<C>> {
    const checked = recordToWorkOn(data, ctx, this.flow.check);
    if (!checked.ok) return invalidRecord(checked.problem, { moneyMayHaveMoved: true });
    return this.status(checked.record, ctx);
  }

  private async status(record: R, ctx: ProviderContext): Promise<S | OrderStep<C>> {
    if (record.stage !== 'SENDING' && record.stage !== 'PROCESSING') {
      const message = `no ${this.flow.noun} status to ask in stage ${record.stage} (${this.flow.describe(record)})`;
      return unexpectedStage(record, ctx.seal, message);
    }
    return this.stepFor(await this.learn(record), ctx);
  }

  private stepFor(learned: Learned<R>, ctx: ProviderContext): S | OrderStep<C> {
    const { record } = learned;
    const { describe, words } = this.flow;
    switch (learned.kind) {
      case 'approved':
        return this.flow.approvedStep(record, learned.paid, ctx.seal);
      case 'pending':
        return pending(record, ctx.seal, this.gateway.pollAfter(record.createdAt), { unknown: learned.unknown, form: true });
      case 'failed': {
        const abandoned = record.formShown && this.gateway.account.receiverAbandonedCodes.includes(record.errorCode ?? '');
        return finalFailure(record, ctx.seal, learned.status, this.typeOf(record), abandoned ? this.flow.abandoned(record) : undefined);
      }
      case 'gave-up': {
        const message = `${learned.why}; ${describe(record)}: ${words.mayHaveMoved}, reconcile by hand`;
        return moneyFailed(record, ctx.seal, 'OUTCOME_UNKNOWN', 'OUTCOME_UNKNOWN', message, true);
      }
      case 'not-ours':
        return conflict(record, ctx.seal, !learned.definite, learned.why, words.nothingMovedHere);
      case 'refused': {
        const { code, message } = learned.refusal;
        return moneyFailed(
          record,
          ctx.seal,
          refusalReason(code),
          code,
          `Payneteasy refused the status of ${describe(record)}: ${message || code}`,
          true,
        );
      }
    }
  }

  /** Asks where the creating transaction stands: by its serial number when known, else the order's latest transaction. */
  private async learn(record: R): Promise<Learned<R>> {
    const type = this.typeOf(record);
    const serialNumber = record.orderId ? record.serialNumber : undefined;
    const answer = await this.gateway.status({ clientOrderId: record.clientOrderId, orderId: record.orderId, serialNumber, type });
    const learned = learnCreation(record, answer, this.flow, this.gateway.account);
    if (learned.kind === 'retry') throw outcomeUnknown(`Payneteasy ${type} ${record.clientOrderId}: ${learned.why}`);
    return learned;
  }

  /**
   * CancelPayout / CancelPayment: the flow acts on the stages only it has (`own` answers undefined for
   * the others), the stages every order shares are handled here.
   */
  async cancel(
    data: Record<string, unknown>,
    ctx: ProviderContext,
    own: (record: R) => CancelStep | Promise<CancelStep> | undefined,
  ): Promise<CancelStep> {
    const checked = recordToWorkOn(data, ctx, this.flow.check);
    if (!checked.ok) return invalidRecord(`${checked.problem}; nothing was done, reconcile by hand`, {});
    return this.cancelRecord(checked.record, ctx, own);
  }

  /** A restart goes on from the record it is given, never back to a resumed one (a resumed REJECTED record would loop). */
  private cancelRecord(
    record: R,
    ctx: ProviderContext,
    own: (record: R) => CancelStep | Promise<CancelStep> | undefined,
  ): CancelStep | Promise<CancelStep> {
    return own(record) ?? this.cancelShared(record, ctx, (again) => this.cancelRecord(again, ctx, own));
  }

  /** `restart`: the whole cancel again (a record refused on its first send may be of an older version that took more for one). */
  private async cancelShared(
    record: R,
    ctx: ProviderContext,
    restart: (record: R) => CancelStep | Promise<CancelStep>,
  ): Promise<CancelStep> {
    const { describe, noun, words } = this.flow;
    const nothing = (why: string) => canceled(record, ctx.seal, `${words.nothingMoved} (${why})`);
    const type = this.typeOf(record);
    switch (record.stage) {
      case 'NOT_SENT':
        return nothing(`the ${type} request was never sent`);
      case 'REJECTED': {
        // Refused on its first send; records of older versions took more for a refusal, so look once.
        const answer = await this.gateway.status({ clientOrderId: record.clientOrderId, type });
        if (answer.outcome === 'UNKNOWN' && answer.kind === 'not-found')
          return nothing(`Payneteasy refused the ${type} request: ${record.errorCode ?? 'refused'}`);
        if (answer.outcome === 'UNKNOWN' && answer.kind === 'retry')
          throw outcomeUnknown(`Payneteasy ${type} ${record.clientOrderId}: ${answer.why}`);
        return restart({ ...record, stage: 'SENDING' });
      }
      case 'DECLINED':
      case 'ERROR':
      case 'FILTERED':
        return nothing(`the ${noun} ended ${record.stage.toLowerCase()}`);
      case 'CONFLICT':
        return needsPerson(
          record,
          ctx.seal,
          'DUPLICATE_REQUEST',
          'DUPLICATE_ORDER',
          `another execution owns ${describe(record)}; nothing was done`,
        );
      case 'SENDING':
      case 'PROCESSING':
        return this.cancelUnsettled(record, ctx);
      default:
        return needsPerson(
          record,
          ctx.seal,
          'INTERNAL_ERROR',
          'UNEXPECTED_STAGE',
          `no way to cancel a ${noun} in stage ${String(record.stage)}`,
        );
    }
  }

  /** First learn where the money stands (never send the creating request), then reverse what moved. */
  private async cancelUnsettled(record: R, ctx: ProviderContext): Promise<CancelStep> {
    const learned = await this.learn(record);
    const { describe, words } = this.flow;
    const { seal } = ctx;
    switch (learned.kind) {
      case 'approved': {
        const mismatch = this.flow.amountMismatch?.(learned.record, learned.paid);
        if (mismatch) return needsPerson(learned.record, seal, 'PROVIDER_ERROR', 'AMOUNT_MISMATCH', `${mismatch}; nothing was reversed`);
        return this.reversal.reverse(learned.record, ctx); // the return takes back everything, whatever amount it was
      }
      case 'failed':
        return canceled(learned.record, seal, `${words.nothingMoved} (Payneteasy ${learned.status} the ${this.typeOf(record)})`);
      case 'pending':
        return pending(learned.record, seal, this.gateway.pollAfter(learned.record.createdAt), { unknown: learned.unknown });
      case 'gave-up':
        return needsPerson(
          learned.record,
          seal,
          'OUTCOME_UNKNOWN',
          'OUTCOME_UNKNOWN',
          `${learned.why}; ${describe(learned.record)} ${words.notUndone}`,
        );
      case 'not-ours': {
        const reason = learned.definite ? 'DUPLICATE_REQUEST' : 'PROVIDER_ERROR';
        return needsPerson(learned.record, seal, reason, 'ORDER_MISMATCH', `${learned.why}; nothing was done`);
      }
      case 'refused': {
        const { code, message } = learned.refusal;
        return needsPerson(
          learned.record,
          seal,
          'PROVIDER_ERROR',
          code,
          `Payneteasy refused the status of ${describe(record)}: ${message || code}`,
        );
      }
    }
  }

  private typeOf(record: R): CreationType {
    return this.flow.expected(record).type;
  }
}
