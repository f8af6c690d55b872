/**
 * Card payments through Payneteasy (reference/payneteasy.md, "Payments"): `sale-form` (capture at
 * once) or `preauth-form` (authorize only) so the customer enters card data on the provider's form,
 * never with us; the outcome by `/api/v2/status` polling or callback (shared machinery with payouts);
 * `capture` for an authorization; `return` to release an authorization or refund a capture.
 */
import { formatMoney, type Money } from '../../../contracts/money';
import { outcomeUnknown } from '../../errors';
import type { CancelPaymentStep, CaptureStep, PaymentStep, StartPaymentActivityInput } from '../../types';
import { providerKey } from '../keys';
import type { PaymentProvider, ProviderContext } from '../types';
import { PROVIDER, type PayneteasyAccount } from './account';
import { FINAL_STATUS_REASONS, PENDING_STATUSES } from './codes';
import { PayneteasyGateway, describeAnswer, ownRecord, refusedCreation, refusedStatus, type OrderFields } from './gateway';
import { control, majorAmount, minorAmount } from './protocol';

type Stage =
  | 'SENDING' // the sale/preauth request may have reached the provider; no answer yet
  | 'PROCESSING' // the order exists; the customer's form or the provider is still working
  | 'AUTHORIZED'
  | 'CAPTURED'
  | 'DECLINED'
  | 'ERROR'
  | 'FILTERED'
  | 'REJECTED' // the request itself was refused: no order
  | 'CAPTURE_PROCESSING'
  | 'RELEASE_SENDING' // a return (release of an authorization, or refund) may have been sent
  | 'RELEASE_PROCESSING'
  | 'RELEASED'
  | 'REFUNDED'
  | 'RELEASE_DECLINED';

/** The payment processing data: everything CapturePayment, CancelPayment and a person need; no secrets. */
interface PaymentRecord extends OrderFields {
  v: 1;
  provider: typeof PROVIDER;
  account: string;
  command: 'sale' | 'preauth';
  requested: Money;
  /** What the provider actually authorized or captured (the customer may change the tip on the form). */
  processedAmount?: Money;
  stage: Stage;
  captureSerialNumber?: string;
  releaseSerialNumber?: string;
  /** Whether the money had been captured when the release was sent: refund, not release. */
  releaseIsRefund?: boolean;
}

const FAILED_STAGE: Record<string, Stage> = { declined: 'DECLINED', error: 'ERROR', filtered: 'FILTERED' };

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
    const resumed = ownRecord<PaymentRecord>(ctx.resumed?.processingData, (r) => Boolean(r.command));
    if (resumed?.orderId) return this.status(resumed as unknown as Record<string, unknown>, ctx);

    const record: PaymentRecord = {
      v: 1, provider: PROVIDER, account: this.accountName,
      clientOrderId: providerKey('payment', input.paymentRequestID, 128),
      command: input.mode === 'AUTHORIZE' ? 'preauth' : 'sale',
      requested: { amount: majorAmount(input.amount), currency: input.amount.currency },
      stage: 'SENDING',
    };
    await ctx.report({ processingData: JSON.stringify(record), moneyMayHaveMoved: true, stage: 'SENDING' });

    const email = input.customerEmail ?? '';
    const form: Record<string, string> = {
      client_orderid: record.clientOrderId,
      order_desc: input.description,
      amount: record.requested.amount,
      currency: record.requested.currency,
      control: control(this.account.endpointId, record.clientOrderId, minorAmount(record.requested), email, this.account.controlKey),
    };
    if (email) form.email = email;
    const callbackUrl = this.gateway.callbackUrl(ctx.workflowId);
    if (callbackUrl) form.server_callback_url = callbackUrl;
    const answer = await this.gateway.post(this.gateway.commandUrl(`v2/${record.command}-form`), form, ctx);

    if (answer.type === 'async-form-response' || answer.type === 'async-response') {
      const redirectUrl = answer['redirect-url'] || undefined;
      const created: PaymentRecord = {
        ...record, stage: 'PROCESSING', orderId: answer['paynet-order-id'], serialNumber: answer['serial-number'],
        createdAt: new Date().toISOString(), redirectUrl, formShown: Boolean(redirectUrl),
      };
      await ctx.report({ processingData: JSON.stringify(created), moneyMayHaveMoved: true, stage: 'PROCESSING', reference: created.orderId, redirectUrl });
      return this.pending(created);
    }
    return refusedCreation(record, answer, record.command, ctx.attempt);
  }

  async status(data: Record<string, unknown>, ctx: ProviderContext): Promise<PaymentStep> {
    const record = data as unknown as PaymentRecord;
    const answer = await this.gateway.status(record, ctx);
    if (answer.kind === 'refused') return refusedStatus(record, answer);
    if (answer.kind === 'not-found') throw outcomeUnknown(`Payneteasy has no order ${record.clientOrderId} yet`);
    if (PENDING_STATUSES.has(answer.status)) return this.pending({ ...answer.record, stage: 'PROCESSING' });
    if (answer.status === 'approved') {
      if (!answer.amount) {
        const unknownAmount: PaymentRecord = { ...answer.record, stage: record.command === 'preauth' ? 'AUTHORIZED' : 'CAPTURED' };
        return {
          status: 'FAILED', provider: PROVIDER, reason: 'PROVIDER_ERROR', failureCode: 'AMOUNT_MISSING', moneyMayHaveMoved: true,
          message: `Payneteasy approved order ${answer.record.orderId} without saying which amount`, processingData: JSON.stringify(unknownAmount),
        };
      }
      const approved: PaymentRecord = { ...answer.record, stage: record.command === 'preauth' ? 'AUTHORIZED' : 'CAPTURED', processedAmount: answer.amount };
      return {
        status: 'APPROVED', provider: PROVIDER, mode: record.command === 'preauth' ? 'AUTHORIZE' : 'CAPTURE',
        processedAmount: answer.amount, reference: approved.orderId!, processingData: JSON.stringify(approved),
      };
    }
    const failed: PaymentRecord = { ...answer.record, stage: FAILED_STAGE[answer.status] ?? 'ERROR' };
    const abandoned = failed.formShown && this.account.receiverAbandonedCodes.includes(failed.errorCode ?? '');
    return {
      status: 'FAILED', provider: PROVIDER, reason: FINAL_STATUS_REASONS[answer.status] ?? 'PROVIDER_ERROR',
      failureCode: failed.errorCode ?? answer.status.toUpperCase(),
      message: abandoned
        ? `the customer never completed the payment form; Payneteasy confirms nothing was authorized (order ${failed.orderId})`
        : `Payneteasy ${answer.status} ${record.command} ${failed.orderId}: ${failed.errorMessage ?? failed.errorCode ?? 'no reason given'}`,
      processingData: JSON.stringify(failed), moneyMayHaveMoved: false,
      ...(abandoned ? { cancelation: 'CUSTOMER_DID_NOT_COMPLETE_FORM' as const } : {}),
    };
  }

  async capture(data: Record<string, unknown>, ctx: ProviderContext): Promise<CaptureStep> {
    const record = data as unknown as PaymentRecord;
    if (record.stage === 'CAPTURED') return { status: 'CAPTURED', provider: PROVIDER, processingData: JSON.stringify(record) };
    if (record.stage === 'CAPTURE_PROCESSING') {
      const answer = await this.gateway.status(record, ctx, record.captureSerialNumber);
      if (answer.kind !== 'status') throw outcomeUnknown(`Payneteasy did not answer the status of capture ${record.captureSerialNumber}`);
      if (PENDING_STATUSES.has(answer.status)) return { status: 'PENDING', provider: PROVIDER, processingData: JSON.stringify(record), pollAfterMs: this.account.polling.fastIntervalMs, reference: record.orderId };
      if (answer.status === 'approved') return { status: 'CAPTURED', provider: PROVIDER, processingData: JSON.stringify({ ...record, stage: 'CAPTURED' }) };
      const still: PaymentRecord = { ...record, stage: 'AUTHORIZED', errorCode: answer.record.errorCode, errorMessage: answer.record.errorMessage };
      return {
        status: 'FAILED', provider: PROVIDER, reason: 'DECLINED', failureCode: still.errorCode ?? 'CAPTURE_DECLINED',
        message: `Payneteasy declined the capture of order ${record.orderId}: ${still.errorMessage ?? still.errorCode ?? 'no reason given'}; the authorization is still held`,
        processingData: JSON.stringify(still),
      };
    }
    if (record.stage !== 'AUTHORIZED') {
      return {
        status: 'FAILED', provider: PROVIDER, reason: 'NOT_AUTHORIZED', failureCode: record.stage,
        message: `payment ${record.clientOrderId} is ${record.stage}, not AUTHORIZED: nothing to capture`, processingData: JSON.stringify(record),
      };
    }
    // Capture is idempotent per order at the provider, so a retried attempt names the same capture.
    const answer = await this.gateway.orderCommand('capture', record, ctx);
    if (answer.type !== 'async-response') {
      return {
        status: 'FAILED', provider: PROVIDER, reason: answer['error-code'] === 'OPERATION_NOT_ALLOWED' ? 'NOT_AUTHORIZED' : 'PROVIDER_ERROR',
        failureCode: answer['error-code'] ?? answer.type, message: `Payneteasy refused to capture order ${record.orderId}: ${answer['error-message'] ?? describeAnswer(answer)}`,
        processingData: JSON.stringify(record),
      };
    }
    const capturing: PaymentRecord = { ...record, stage: 'CAPTURE_PROCESSING', captureSerialNumber: answer['serial-number'] };
    await ctx.report({ processingData: JSON.stringify(capturing), moneyMayHaveMoved: true, stage: 'CAPTURE_PROCESSING', reference: record.orderId });
    return { status: 'PENDING', provider: PROVIDER, processingData: JSON.stringify(capturing), pollAfterMs: this.account.polling.fastIntervalMs, reference: record.orderId };
  }

  async cancel(data: Record<string, unknown>, ctx: ProviderContext): Promise<CancelPaymentStep> {
    let record = data as unknown as PaymentRecord;
    const done = (r: PaymentRecord, message: string): CancelPaymentStep => ({ status: 'CANCELED', provider: PROVIDER, processingData: JSON.stringify(r), message });
    const pending = (r: PaymentRecord): CancelPaymentStep => ({ status: 'PENDING', provider: PROVIDER, processingData: JSON.stringify(r), pollAfterMs: this.gateway.pollAfter(r) });

    // First learn where the money stands; never send a sale or preauth.
    if (record.stage === 'SENDING' || record.stage === 'PROCESSING') {
      const answer = await this.gateway.status(record, ctx);
      if (answer.kind === 'refused') return this.needsPerson(record, 'PROVIDER_ERROR', answer.code, `Payneteasy refused the status of ${record.clientOrderId}: ${answer.message}`);
      if (answer.kind === 'not-found') return done(record, `nothing was authorized: Payneteasy has no order ${record.clientOrderId}`);
      if (PENDING_STATUSES.has(answer.status)) return pending({ ...answer.record, stage: 'PROCESSING' });
      record = answer.status === 'approved'
        ? { ...answer.record, stage: record.command === 'preauth' ? 'AUTHORIZED' : 'CAPTURED', processedAmount: answer.amount ?? record.requested }
        : { ...answer.record, stage: FAILED_STAGE[answer.status] ?? 'ERROR' };
    }
    if (record.stage === 'CAPTURE_PROCESSING') {
      const answer = await this.gateway.status(record, ctx, record.captureSerialNumber);
      if (answer.kind !== 'status') throw outcomeUnknown(`Payneteasy did not answer the status of capture ${record.captureSerialNumber}`);
      if (PENDING_STATUSES.has(answer.status)) return pending(record);
      record = { ...record, stage: answer.status === 'approved' ? 'CAPTURED' : 'AUTHORIZED' };
    }
    switch (record.stage) {
      case 'DECLINED':
      case 'ERROR':
      case 'FILTERED':
      case 'REJECTED':
        return done(record, `nothing was authorized or captured (the payment ended ${record.stage.toLowerCase()})`);
      case 'RELEASED':
      case 'REFUNDED':
        return done(record, `payment ${record.orderId} was ${record.stage.toLowerCase()}`);
      case 'RELEASE_DECLINED':
        return this.needsPerson(record, 'REVERSAL_DECLINED', record.errorCode ?? 'RETURN_DECLINED', `Payneteasy refused to release/refund order ${record.orderId}`);
      case 'AUTHORIZED':
      case 'CAPTURED':
      case 'RELEASE_SENDING':
        return this.sendRelease(record, ctx);
      case 'RELEASE_PROCESSING':
        return this.releaseStatus(record, ctx);
      default:
        throw new Error(`unexpected Payneteasy payment stage ${record.stage}`);
    }
  }

  /** `return` releases an uncaptured authorization or refunds a capture; idempotent per order at the provider. */
  private async sendRelease(record: PaymentRecord, ctx: ProviderContext): Promise<CancelPaymentStep> {
    const releaseIsRefund = record.stage === 'RELEASE_SENDING' ? Boolean(record.releaseIsRefund) : record.stage === 'CAPTURED';
    const sending: PaymentRecord = { ...record, stage: 'RELEASE_SENDING', releaseIsRefund };
    await ctx.report({ processingData: JSON.stringify(sending), moneyMayHaveMoved: true, stage: 'RELEASE_SENDING', reference: record.orderId });
    const answer = await this.gateway.orderCommand('return', record, ctx, { comment: `CancelPayment for ${record.clientOrderId}` });
    if (answer.type !== 'async-response') {
      return this.needsPerson(
        { ...sending, stage: releaseIsRefund ? 'CAPTURED' : 'AUTHORIZED' }, 'REVERSAL_DECLINED', answer['error-code'] ?? answer.type,
        `Payneteasy refused to ${releaseIsRefund ? 'refund' : 'release'} order ${record.orderId}: ${answer['error-message'] ?? describeAnswer(answer)}`,
      );
    }
    const processing: PaymentRecord = { ...sending, stage: 'RELEASE_PROCESSING', releaseSerialNumber: answer['serial-number'] };
    await ctx.report({ processingData: JSON.stringify(processing), moneyMayHaveMoved: true, stage: 'RELEASE_PROCESSING', reference: record.orderId });
    return { status: 'PENDING', provider: PROVIDER, processingData: JSON.stringify(processing), pollAfterMs: this.account.polling.fastIntervalMs };
  }

  private async releaseStatus(record: PaymentRecord, ctx: ProviderContext): Promise<CancelPaymentStep> {
    const answer = await this.gateway.status(record, ctx, record.releaseSerialNumber);
    if (answer.kind !== 'status') throw outcomeUnknown(`Payneteasy did not answer the status of return ${record.releaseSerialNumber}`);
    if (PENDING_STATUSES.has(answer.status)) return { status: 'PENDING', provider: PROVIDER, processingData: JSON.stringify(record), pollAfterMs: this.account.polling.fastIntervalMs };
    if (answer.status === 'approved') {
      const released: PaymentRecord = { ...record, stage: record.releaseIsRefund ? 'REFUNDED' : 'RELEASED' };
      const amount = record.processedAmount ?? record.requested;
      return { status: 'CANCELED', provider: PROVIDER, processingData: JSON.stringify(released), message: `${formatMoney(amount)} ${record.releaseIsRefund ? 'refunded' : 'released'} (order ${record.orderId})` };
    }
    const refused: PaymentRecord = { ...record, stage: 'RELEASE_DECLINED', errorCode: answer.record.errorCode, errorMessage: answer.record.errorMessage };
    return this.needsPerson(refused, 'REVERSAL_DECLINED', refused.errorCode ?? 'RETURN_DECLINED', `Payneteasy declined the ${record.releaseIsRefund ? 'refund' : 'release'} of order ${record.orderId}: ${refused.errorMessage ?? 'no reason given'}`);
  }

  private needsPerson(record: PaymentRecord, reason: 'PROVIDER_ERROR' | 'REVERSAL_DECLINED', failureCode: string, message: string): CancelPaymentStep {
    return { status: 'FAILED', provider: PROVIDER, reason, failureCode, message: `${message}; reconcile by hand`, processingData: JSON.stringify(record), needsReconciliation: true };
  }

  private pending(record: PaymentRecord): PaymentStep {
    return {
      status: 'PENDING', provider: PROVIDER, processingData: JSON.stringify(record), pollAfterMs: this.gateway.pollAfter(record),
      reference: record.orderId, redirectUrl: record.redirectUrl,
    };
  }
}
