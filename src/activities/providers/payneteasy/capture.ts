/**
 * Capturing a Payneteasy authorization (docs/payneteasy.md, "Payments": `capture` of the whole
 * preauth, then its status by serial number), and CancelPayment while a capture may have been sent:
 * whether it exists decides between a refund and a release. What an answer means is learn.ts.
 */
import { outcomeUnknown } from '../../errors';
import type { CancelPaymentStep, CaptureStep } from '../../../contracts';
import type { ProviderContext } from '../types';
import { PROVIDER } from './account';
import { refusalReason } from './codes';
import type { PayneteasyGateway } from './gateway';
import { followUp, known } from './learn';
import { viewOf, type StatusOutcome } from './outcome';
import { orderOf, type PaymentRecord } from './records';
import type { Reversal } from './reversal';
import { needsPerson, pending } from './steps';

export class PaymentCapture {
  constructor(
    private readonly gateway: PayneteasyGateway,
    private readonly reversal: Reversal<PaymentRecord>,
    private readonly describe: (record: PaymentRecord) => string,
  ) {}

  /** CapturePayment of a checked record. */
  async capture(record: PaymentRecord, ctx: ProviderContext): Promise<CaptureStep> {
    switch (record.stage) {
      case 'CAPTURED':
        return { status: 'CAPTURED', provider: PROVIDER, processingData: ctx.seal(record) };
      case 'CAPTURE_PROCESSING':
      case 'CAPTURE_SENDING':
        // The capture may have been sent: its status once its serial is known, else the idempotent request again.
        return record.captureSerialNumber ? this.after(record, await this.status(record), ctx) : this.send(record, ctx, true);
      case 'AUTHORIZED':
        return this.send(record, ctx, ctx.attempt > 1);
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

  /** CancelPayment while a capture may have been sent: a release if none exists or it failed, else a refund. */
  async cancelAfterCapture(record: PaymentRecord, ctx: ProviderContext): Promise<CancelPaymentStep> {
    const bySerial = Boolean(record.captureSerialNumber);
    const answer = await this.status(record); // by its serial, else the order's latest transaction
    const view = viewOf(answer);
    if (!bySerial && view?.type === record.command && view.status === 'approved')
      return this.reversal.reverse({ ...record, stage: 'AUTHORIZED' }, ctx); // no capture exists
    const capture: PaymentRecord =
      !bySerial && view?.type === 'capture' ? { ...record, stage: 'CAPTURE_PROCESSING', captureSerialNumber: view.serialNumber } : record;
    const next = followUp(capture, answer, this.gateway.account);
    const notKnown = `whether ${this.describe(record)} was captured is not known`;
    switch (next.kind) {
      case 'done':
        return this.reversal.reverse(known({ ...capture, stage: 'CAPTURED' }), ctx);
      case 'not-done':
        return this.reversal.reverse(known({ ...capture, stage: 'AUTHORIZED' }), ctx);
      case 'retry':
        throw outcomeUnknown(`Payneteasy capture of ${record.orderId}: ${next.why}`);
      case 'refused':
        return needsPerson(record, ctx.seal, 'PROVIDER_ERROR', next.refusal.code, `${next.why}; ${notKnown}`);
      case 'pending':
        return pending(next.record, ctx.seal, this.gateway.account.polling.fastIntervalMs, { unknown: next.unknown });
      case 'gave-up': {
        const message = `${next.why}; ${notKnown}; nothing was released or refunded`;
        return needsPerson(next.record, ctx.seal, 'OUTCOME_UNKNOWN', 'OUTCOME_UNKNOWN', message);
      }
    }
  }

  /** `capture` of the whole authorization, reported first (with `sending`: a cancel request that came first stops it). */
  private async send(record: PaymentRecord, ctx: ProviderContext, mayHaveSent: boolean): Promise<CaptureStep> {
    const sending: PaymentRecord = { ...record, stage: 'CAPTURE_SENDING' };
    const report = { reference: record.orderId, order: orderOf(record) };
    await ctx.report({ processingData: ctx.seal(sending), moneyMayHaveMoved: true, sending: true, stage: 'CAPTURE_SENDING', ...report });
    const answer = await this.gateway.orderCommand('capture', { clientOrderId: record.clientOrderId, orderId: record.orderId! });
    if (answer.outcome === 'DONE') {
      const capturing: PaymentRecord = { ...sending, stage: 'CAPTURE_PROCESSING', captureSerialNumber: answer.done.serialNumber };
      await ctx.report({ processingData: ctx.seal(capturing), moneyMayHaveMoved: true, stage: 'CAPTURE_PROCESSING', ...report });
      return pending(capturing, ctx.seal, this.gateway.account.polling.fastIntervalMs);
    }
    if (answer.outcome === 'UNKNOWN') throw outcomeUnknown(`Payneteasy capture of ${record.orderId}: ${answer.why}`);
    const authorized: PaymentRecord = { ...record, stage: 'AUTHORIZED' };
    if ('notSent' in answer.notDone) {
      const { notSent } = answer.notDone;
      if (mayHaveSent)
        throw outcomeUnknown(
          `Payneteasy capture of ${record.orderId} not sent this time (${notSent}); an earlier attempt may have sent it`,
        );
      const message = `the capture of order ${record.orderId} was never sent: ${notSent}; nothing was captured`;
      return {
        status: 'FAILED',
        provider: PROVIDER,
        reason: 'PROVIDER_ERROR',
        failureCode: 'NOT_SENT',
        message,
        processingData: ctx.seal(authorized),
      };
    }
    const { refused } = answer.notDone;
    if (mayHaveSent) {
      // A repeat may be refused because our earlier capture exists: the order's latest transaction tells.
      const latest = await this.gateway.status({ clientOrderId: record.clientOrderId, orderId: record.orderId, type: 'capture' });
      const view = viewOf(latest);
      if (view?.type === 'capture')
        return this.after({ ...sending, stage: 'CAPTURE_PROCESSING', captureSerialNumber: view.serialNumber }, latest, ctx);
      if (view?.type !== record.command) return this.after(sending, latest, ctx);
    }
    return {
      status: 'FAILED',
      provider: PROVIDER,
      reason: refused.code === 'OPERATION_NOT_ALLOWED' ? 'NOT_AUTHORIZED' : refusalReason(refused.code),
      failureCode: refused.code,
      message: `Payneteasy refused to capture order ${record.orderId}: ${refused.message || refused.code}; nothing was captured`,
      processingData: ctx.seal({ ...authorized, errorCode: refused.code, errorMessage: refused.message }),
    };
  }

  /** The capture's status: by its serial number once known, else the order's latest transaction. */
  private status(record: PaymentRecord): Promise<StatusOutcome> {
    const { clientOrderId, orderId, captureSerialNumber } = record;
    return this.gateway.status({ clientOrderId, orderId, serialNumber: captureSerialNumber, type: 'capture' });
  }

  private after(record: PaymentRecord, answer: StatusOutcome, ctx: ProviderContext): CaptureStep {
    const next = followUp(record, answer, this.gateway.account);
    const notKnown = (r: PaymentRecord, why: string) => `${why}; whether ${this.describe(r)} was captured is not known`;
    switch (next.kind) {
      case 'done':
        return { status: 'CAPTURED', provider: PROVIDER, processingData: ctx.seal(known({ ...record, stage: 'CAPTURED' })) };
      case 'not-done': {
        const { errorCode, errorMessage } = next.view;
        const still: PaymentRecord = known({ ...record, stage: 'AUTHORIZED', errorCode, errorMessage });
        const why = still.errorMessage ?? still.errorCode ?? 'no reason given';
        return {
          status: 'FAILED',
          provider: PROVIDER,
          reason: 'DECLINED',
          failureCode: still.errorCode ?? 'CAPTURE_DECLINED',
          message: `Payneteasy declined the capture of order ${record.orderId}: ${why}; the authorization is still held`,
          processingData: ctx.seal(still),
        };
      }
      case 'retry':
        throw outcomeUnknown(`Payneteasy capture of ${record.orderId}: ${next.why}`);
      case 'refused':
        return needsPerson(record, ctx.seal, 'PROVIDER_ERROR', next.refusal.code, notKnown(record, next.why));
      case 'pending':
        return pending(next.record, ctx.seal, this.gateway.account.polling.fastIntervalMs, { unknown: next.unknown });
      case 'gave-up':
        return needsPerson(next.record, ctx.seal, 'OUTCOME_UNKNOWN', 'OUTCOME_UNKNOWN', notKnown(next.record, next.why));
    }
  }
}
