/**
 * Card payments through Payneteasy (docs/payneteasy.md, "Payments"): `sale-form` (capture at once) or
 * `preauth-form` (authorize only) so the customer enters card data on the provider's form, never with
 * us; the outcome by `/api/v2/status` (by the transaction's serial number) or callback; `capture` for
 * an authorization; `void` to release an authorization on its own provider day, `return` to release
 * it later (or when the void is refused as too late) and to refund a capture. This file says what a
 * payment is; the order life is orders.ts, the capture capture.ts, the return reversal.ts, and what
 * each answer proves outcome.ts and learn.ts.
 */
import { formatMoney, fromMinorUnits, type Money } from '../../../contracts/money';
import type { CaptureStep, PaymentStep, StartPaymentActivityInput } from '../../../contracts';
import type { PaymentProvider, ProviderContext } from '../types';
import { DEFAULT_NOT_VOIDABLE_CODES, DEFAULT_PROVIDER_TIME_ZONE, PROVIDER, type PayneteasyAccount } from './account';
import { PayneteasyAdapter } from './adapter';
import { PaymentCapture } from './capture';
import { known } from './learn';
import type { OrderFlow } from './orders';
import type { TransactionView } from './outcome';
import { majorAmount } from './protocol';
import { checkPaymentRecord, recordToWorkOn, type PaymentRecord } from './records';
import type { ReversalCommand, ReversalFlow } from './reversal';
import { canceled, invalidRecord, moneyFailed, needsPerson, type CancelStep } from './steps';

export class PayneteasyPayments
  extends PayneteasyAdapter<PaymentRecord, PaymentStep, 'CUSTOMER_DID_NOT_COMPLETE_FORM'>
  implements PaymentProvider
{
  private readonly captures: PaymentCapture;

  constructor(accountName: string, account: PayneteasyAccount) {
    super(accountName, account, PAYMENT, releaseOf(account));
    this.captures = new PaymentCapture(this.gateway, this.reversal, describe);
  }

  start(input: StartPaymentActivityInput, ctx: ProviderContext): Promise<PaymentStep> {
    const fresh: PaymentRecord = {
      ...this.newRecord('payment', input.paymentRequestID),
      command: input.mode === 'AUTHORIZE' ? 'preauth' : 'sale',
      requested: { amount: majorAmount(input.amount), currency: input.amount.currency },
      stage: 'SENDING',
    };
    return this.life.create(fresh, ctx, (sending) =>
      this.gateway.paymentForm(sending.command, {
        clientOrderId: sending.clientOrderId,
        amount: sending.requested,
        description: input.description,
        email: input.customerEmail,
        callbackUrl: this.gateway.callbackUrl(ctx.workflowId),
      }),
    );
  }

  async capture(data: Record<string, unknown>, ctx: ProviderContext): Promise<CaptureStep> {
    const checked = recordToWorkOn(data, ctx, checkPaymentRecord);
    if (!checked.ok) return invalidRecord(`${checked.problem}; nothing was captured`, {});
    return this.captures.capture(checked.record, ctx);
  }

  protected cancelOwnStage(record: PaymentRecord, ctx: ProviderContext): CancelStep | Promise<CancelStep> | undefined {
    switch (record.stage) {
      case 'AUTHORIZED':
      case 'CAPTURED':
        return this.reversal.reverse(record, ctx);
      case 'RELEASE_SENDING':
      case 'RELEASE_PROCESSING':
        return this.reversal.resume(record, ctx);
      case 'CAPTURE_SENDING':
      case 'CAPTURE_PROCESSING':
        return this.captures.cancelAfterCapture(record, ctx);
      case 'RELEASED':
      case 'REFUNDED':
        return canceled(record, ctx.seal, `payment ${record.orderId} was ${record.stage.toLowerCase()}`);
      case 'RELEASE_DECLINED': {
        const code = record.errorCode ?? 'RETURN_DECLINED';
        return needsPerson(record, ctx.seal, 'REVERSAL_DECLINED', code, `Payneteasy refused to release/refund ${describe(record)}`);
      }
      default:
        return undefined;
    }
  }
}

/** What a payment order is, for the shared order life (exported for its unit test). */
export const PAYMENT: OrderFlow<PaymentRecord, PaymentStep, 'CUSTOMER_DID_NOT_COMPLETE_FORM'> = {
  noun: 'payment',
  check: checkPaymentRecord,
  describe,
  createsForm: true,
  // The customer may change the amount on the form, so an amount alone never proves the order is another's.
  expected: (record) => ({ type: record.command, amount: record.requested, amountMayChange: true }),
  shown: (view) => `${view.orderId}: ${view.type} ${view.amount ?? '?'} ${view.currency ?? ''}`,
  asked: (record) => `${record.command} of ${formatMoney(record.requested)}`,
  approved: (record, paid) => {
    const processed = processedOf(paid);
    return {
      ...record,
      stage: record.command === 'preauth' ? 'AUTHORIZED' : 'CAPTURED',
      ...(processed ? { processedAmount: processed } : {}),
    };
  },
  approvedStep: (record, paid, seal) => {
    const processed = processedOf(paid);
    if (!processed) {
      const message = `Payneteasy approved ${describe(record)} with an amount that cannot be read`;
      return moneyFailed(record, seal, 'AMOUNT_MISMATCH', 'AMOUNT_MISMATCH', message, false);
    }
    const mode = record.command === 'preauth' ? 'AUTHORIZE' : 'CAPTURE';
    return {
      status: 'APPROVED',
      provider: PROVIDER,
      mode,
      processedAmount: processed,
      reference: record.orderId!,
      processingData: seal(record),
    };
  },
  abandoned: (record) => ({
    cancelation: 'CUSTOMER_DID_NOT_COMPLETE_FORM',
    message: `the customer never completed the payment form; Payneteasy confirms nothing was authorized (order ${record.orderId})`,
  }),
  words: {
    nothingMovedHere: 'nothing was taken by this one',
    mayHaveMoved: 'money may have been taken',
    nothingMoved: 'nothing was authorized or captured',
    notUndone: 'may have taken money; nothing was released or refunded',
  },
};

/** Canonical form of what the provider says it took; unreadable stays undefined (a mismatch). */
function processedOf(paid: TransactionView): Money | undefined {
  return paid.minor !== undefined && paid.currency ? fromMinorUnits(paid.minor, paid.currency) : undefined;
}

/** Whether a return sent now refunds a capture (else it releases an authorization). */
const refunds = (record: PaymentRecord) =>
  record.stage === 'RELEASE_SENDING' ? Boolean(record.releaseIsRefund) : record.stage === 'CAPTURED';
const what = (record: PaymentRecord) => (record.releaseIsRefund ? 'refund' : record.releaseCommand === 'void' ? 'void' : 'release');

/** The calendar day of an instant in a time zone, `YYYY-MM-DD`; undefined for an unreadable instant. */
export function providerDay(instant: string | number | undefined, timeZone: string): string | undefined {
  const at = typeof instant === 'string' ? Date.parse(instant) : instant;
  if (at === undefined || Number.isNaN(at)) return undefined;
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/**
 * Whether an authorization created at `createdAt` may still be voided at `now`: the same calendar day
 * in the provider's time zone (account `providerTimeZone`, default UTC). Unknown creation: no (return).
 */
export function voidable(createdAt: string | undefined, now: number, account: Pick<PayneteasyAccount, 'providerTimeZone'>): boolean {
  const zone = account.providerTimeZone ?? DEFAULT_PROVIDER_TIME_ZONE;
  const day = providerDay(createdAt, zone);
  return day !== undefined && day === providerDay(now, zone);
}

/**
 * Releasing an authorization (`void` on its own provider day, else `return`) or refunding a capture
 * (`return`). The record keeps the command once it may have been sent.
 */
const releaseOf = (account: PayneteasyAccount): ReversalFlow<PaymentRecord> => ({
  sending: (record) => {
    const refund = refunds(record);
    const command: ReversalCommand = refund
      ? 'return'
      : (record.releaseCommand ?? (voidable(record.createdAt, Date.now(), account) ? 'void' : 'return'));
    return { ...record, stage: 'RELEASE_SENDING', releaseIsRefund: refund, releaseCommand: command };
  },
  command: (record) => record.releaseCommand ?? 'return',
  notVoided: (record, code) =>
    (account.notVoidableCodes ?? DEFAULT_NOT_VOIDABLE_CODES).includes(code ?? '')
      ? { ...known(record), stage: 'AUTHORIZED', releaseCommand: 'return', releaseSerialNumber: undefined, releaseIsRefund: false }
      : undefined,
  processing: (sending, serial) => ({ ...sending, stage: 'RELEASE_PROCESSING', releaseSerialNumber: serial }),
  found: (record, serial, command) => ({
    ...record,
    stage: 'RELEASE_PROCESSING',
    releaseIsRefund: record.stage === 'RELEASE_SENDING' ? record.releaseIsRefund : record.stage === 'CAPTURED',
    releaseCommand: command,
    releaseSerialNumber: serial,
  }),
  serial: (record) => record.releaseSerialNumber,
  // No return yet: the latest approved transaction says whether the return refunds or releases.
  unreturned: (record, view) =>
    view.status === 'approved' && (view.type === record.command || view.type === 'capture')
      ? { ...record, stage: view.type === 'capture' || record.command === 'sale' ? 'CAPTURED' : 'AUTHORIZED' }
      : undefined,
  label: (record) => `${what(record)} of`,
  comment: (record) => `CancelPayment for ${record.clientOrderId}`,
  refused: (record, { code, message }, seal) => {
    const refund = refunds(record);
    const before: PaymentRecord = { ...record, stage: refund ? 'CAPTURED' : 'AUTHORIZED', errorCode: code, errorMessage: message };
    const why = `Payneteasy refused to ${refund ? 'refund' : 'release'} ${describe(record)}: ${message || code}`;
    return needsPerson(before, seal, 'REVERSAL_DECLINED', code, why);
  },
  returned: (record, seal) => {
    const released = known({ ...record, stage: record.releaseIsRefund ? 'REFUNDED' : 'RELEASED' });
    const amount = formatMoney(record.processedAmount ?? record.requested);
    const how = record.releaseIsRefund ? 'refunded' : `released by ${record.releaseCommand ?? 'return'}`;
    return canceled(released, seal, `${amount} ${how} (order ${record.orderId})`);
  },
  declined: (record, view, seal) => {
    const refused = known({ ...record, stage: 'RELEASE_DECLINED', errorCode: view.errorCode, errorMessage: view.errorMessage });
    const why = `Payneteasy declined the ${what(record)} of ${describe(record)}: ${refused.errorMessage ?? 'no reason given'}`;
    return needsPerson(refused, seal, 'REVERSAL_DECLINED', refused.errorCode ?? 'RETURN_DECLINED', why);
  },
  notKnown: (record) => `whether the ${what(record)} of ${describe(record)} happened is not known`,
});

/** The payment in words, for the person who reconciles. */
function describe(record: PaymentRecord): string {
  const amount = record.processedAmount ?? record.requested;
  return `${record.command} ${record.clientOrderId} (Payneteasy order ${record.orderId ?? 'unknown'}, ${formatMoney(amount)})`;
}
