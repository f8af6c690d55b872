/**
 * Payouts through Payneteasy (seed 003, reference/payneteasy.md): `/api/v4/payout` signed with OAuth
 * RSA-SHA256, the final status learned by polling `/api/v2/status` (SHA-1 control) on the provider's
 * cadence or sooner when its callback arrives, the receiver's form exposed while it waits, and an
 * approved payout reversed with `/api/v2/return` where the endpoint allows it.
 */
import { formatMoney, toMinorUnits, type Money } from '../../../contracts/money';
import { outcomeUnknown } from '../../errors';
import type { CancelPayoutStep, GrantPayoutActivityInput, PayoutStep } from '../../types';
import { providerKey } from '../keys';
import type { PayoutProvider, ProviderContext } from '../types';
import { PROVIDER, type PayneteasyAccount } from './account';
import { FINAL_STATUS_REASONS, PENDING_STATUSES } from './codes';
import { PayneteasyGateway, ownRecord, refusedCreation, refusedStatus, type OrderFields } from './gateway';
import { majorAmount, oauthHeader } from './protocol';

export { PROVIDER, payneteasyAccountSchema, type PayneteasyAccount } from './account';

/** The customer identifier naming a stored destination card; without one the receiver fills the provider's form. */
export const CARD_REFERENCE_IDENTIFIER = 'CARD_REFERENCE';

type Stage =
  | 'SENDING' // the payout request may have reached the provider; no answer yet
  | 'PROCESSING'
  | 'APPROVED'
  | 'DECLINED'
  | 'ERROR'
  | 'FILTERED'
  | 'REJECTED' // the request itself was refused: no order
  | 'RETURN_SENDING'
  | 'RETURN_PROCESSING'
  | 'RETURNED'
  | 'RETURN_DECLINED';

/** The payout processing data: everything CancelPayout and a person need; no secrets. */
interface PayoutRecord extends OrderFields {
  v: 1;
  provider: typeof PROVIDER;
  account: string;
  amount: Money;
  destination?: string;
  stage: Stage;
  returnSerialNumber?: string;
}

const FINAL_STAGE: Record<string, Stage> = { approved: 'APPROVED', declined: 'DECLINED', error: 'ERROR', filtered: 'FILTERED' };

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
    // A retried attempt whose predecessor already got an order id resumes polling that order.
    const resumed = ownRecord<PayoutRecord>(ctx.resumed?.processingData, () => true);
    if (resumed?.orderId) return this.status(resumed as unknown as Record<string, unknown>, ctx);

    const destination = input.destinations.find((d) => d.identifierType === CARD_REFERENCE_IDENTIFIER)?.identifier;
    const record: PayoutRecord = {
      v: 1, provider: PROVIDER, account: this.accountName,
      clientOrderId: providerKey('payout', input.payoutRequestID, 128),
      amount: { amount: majorAmount(input.amount), currency: input.amount.currency },
      destination, stage: 'SENDING',
    };
    await ctx.report({ processingData: JSON.stringify(record), moneyMayHaveMoved: true, stage: 'SENDING' });

    const form: Record<string, string> = {
      client_orderid: record.clientOrderId,
      amount: record.amount.amount,
      currency: record.amount.currency,
      order_desc: input.description,
    };
    const callbackUrl = this.gateway.callbackUrl(ctx.workflowId);
    if (callbackUrl) form.server_callback_url = callbackUrl;
    if (destination) form['destination-card-ref-id'] = destination;
    const url = this.gateway.commandUrl('v4/payout');
    const answer = await this.gateway.post(url, form, ctx, { authorization: oauthHeader({ url, form, login: this.account.login, privateKeyPem: this.account.privateKeyPem }) });

    if (answer.type === 'async-response') {
      const created: PayoutRecord = {
        ...record, stage: 'PROCESSING', orderId: answer['paynet-order-id'], serialNumber: answer['serial-number'], createdAt: new Date().toISOString(),
      };
      await ctx.report({ processingData: JSON.stringify(created), moneyMayHaveMoved: true, stage: 'PROCESSING', reference: created.orderId });
      return this.pending(created);
    }
    return refusedCreation(record, answer, 'payout', ctx.attempt);
  }

  async status(data: Record<string, unknown>, ctx: ProviderContext): Promise<PayoutStep> {
    const record = data as unknown as PayoutRecord;
    const answer = await this.gateway.status(record, ctx);
    if (answer.kind === 'refused') return refusedStatus(record, answer);
    if (answer.kind === 'not-found') throw outcomeUnknown(`Payneteasy has no order ${record.clientOrderId} yet`);
    const updated: PayoutRecord = { ...answer.record, stage: FINAL_STAGE[answer.status] ?? 'PROCESSING' };
    if (PENDING_STATUSES.has(answer.status)) return this.pending(updated);
    const processingData = JSON.stringify(updated);
    if (answer.status === 'approved') {
      const paid = answer.amount;
      if (!paid || paid.currency !== record.amount.currency || toMinorUnits(paid) !== toMinorUnits(record.amount)) {
        return {
          status: 'FAILED', provider: PROVIDER, reason: 'PROVIDER_ERROR', failureCode: 'AMOUNT_MISMATCH', processingData, moneyMayHaveMoved: true,
          message: `Payneteasy approved ${paid ? formatMoney(paid) : 'an unknown amount'} for order ${updated.orderId}, requested ${formatMoney(record.amount)}`,
        };
      }
      return { status: 'PAID', provider: PROVIDER, reference: updated.orderId!, processedAmount: record.amount, processingData };
    }
    const abandoned = updated.formShown && this.account.receiverAbandonedCodes.includes(updated.errorCode ?? '');
    return {
      status: 'FAILED', provider: PROVIDER, reason: FINAL_STATUS_REASONS[answer.status] ?? 'PROVIDER_ERROR',
      failureCode: updated.errorCode ?? answer.status.toUpperCase(),
      message: abandoned
        ? `the receiver never completed the payout form; Payneteasy confirms nothing was paid (order ${updated.orderId})`
        : `Payneteasy ${answer.status} payout ${updated.orderId}: ${updated.errorMessage ?? updated.errorCode ?? 'no reason given'}`,
      processingData, moneyMayHaveMoved: false,
      ...(abandoned ? { cancelation: 'RECEIVER_DID_NOT_CONFIRM' as const } : {}),
    };
  }

  async cancel(data: Record<string, unknown>, ctx: ProviderContext): Promise<CancelPayoutStep> {
    let record = data as unknown as PayoutRecord;
    const nothingPaid = (r: PayoutRecord, why: string): CancelPayoutStep => ({ status: 'CANCELED', provider: PROVIDER, processingData: JSON.stringify(r), message: `nothing was paid out (${why})` });

    if (record.stage === 'SENDING' || record.stage === 'PROCESSING') {
      // Learn the payout's outcome by asking; never send the payout request itself.
      const answer = await this.gateway.status(record, ctx);
      if (answer.kind === 'refused') {
        return {
          status: 'FAILED', provider: PROVIDER, reason: 'PROVIDER_ERROR', failureCode: answer.code,
          message: `Payneteasy refused the status of ${record.clientOrderId}: ${answer.message}; reconcile by hand`,
          processingData: JSON.stringify(record), needsReconciliation: true,
        };
      }
      if (answer.kind === 'not-found') return nothingPaid(record, `Payneteasy has no order ${record.clientOrderId}`);
      record = { ...answer.record, stage: FINAL_STAGE[answer.status] ?? 'PROCESSING' };
      if (PENDING_STATUSES.has(answer.status)) return { status: 'PENDING', provider: PROVIDER, processingData: JSON.stringify(record), pollAfterMs: this.gateway.pollAfter(record) };
    }
    switch (record.stage) {
      case 'DECLINED':
      case 'ERROR':
      case 'FILTERED':
      case 'REJECTED':
        return nothingPaid(record, `the payout ended ${record.stage.toLowerCase()}`);
      case 'RETURNED':
        return { status: 'CANCELED', provider: PROVIDER, processingData: JSON.stringify(record), message: `payout ${record.orderId} was reversed` };
      case 'RETURN_DECLINED':
        return this.reversalFailed(record);
      case 'APPROVED':
      case 'RETURN_SENDING':
        return this.sendReturn(record, ctx);
      case 'RETURN_PROCESSING':
        return this.returnStatus(record, ctx);
      default:
        throw new Error(`unexpected Payneteasy payout stage ${record.stage}`);
    }
  }

  /** Reverses an approved payout (`return` on its order); idempotent at the provider, so safe to re-send. */
  private async sendReturn(record: PayoutRecord, ctx: ProviderContext): Promise<CancelPayoutStep> {
    if (!this.account.payoutReversal) {
      return {
        status: 'FAILED', provider: PROVIDER, reason: 'NOT_REVERSIBLE', failureCode: 'PAID',
        message: `payout ${record.orderId} (${formatMoney(record.amount)}, client order ${record.clientOrderId}) was paid and this endpoint does not allow reversing payouts: reconcile by hand`,
        processingData: JSON.stringify(record), needsReconciliation: true,
      };
    }
    const sending: PayoutRecord = { ...record, stage: 'RETURN_SENDING' };
    await ctx.report({ processingData: JSON.stringify(sending), moneyMayHaveMoved: true, stage: 'RETURN_SENDING', reference: record.orderId });
    const answer = await this.gateway.orderCommand('return', record, ctx, { comment: `reversal of payout ${record.clientOrderId}` });
    if (answer.type !== 'async-response') {
      return this.reversalFailed({ ...sending, stage: 'APPROVED', errorCode: answer['error-code'], errorMessage: answer['error-message'] });
    }
    const processing: PayoutRecord = { ...sending, stage: 'RETURN_PROCESSING', returnSerialNumber: answer['serial-number'] };
    await ctx.report({ processingData: JSON.stringify(processing), moneyMayHaveMoved: true, stage: 'RETURN_PROCESSING', reference: record.orderId });
    return { status: 'PENDING', provider: PROVIDER, processingData: JSON.stringify(processing), pollAfterMs: this.account.polling.fastIntervalMs };
  }

  private async returnStatus(record: PayoutRecord, ctx: ProviderContext): Promise<CancelPayoutStep> {
    const answer = await this.gateway.status(record, ctx, record.returnSerialNumber);
    if (answer.kind !== 'status') return this.reversalFailed(record);
    if (PENDING_STATUSES.has(answer.status)) return { status: 'PENDING', provider: PROVIDER, processingData: JSON.stringify(record), pollAfterMs: this.account.polling.fastIntervalMs };
    if (answer.status === 'approved') {
      const returned: PayoutRecord = { ...record, stage: 'RETURNED' };
      return { status: 'CANCELED', provider: PROVIDER, processingData: JSON.stringify(returned), message: `payout ${record.orderId} was reversed` };
    }
    return this.reversalFailed({ ...record, stage: 'RETURN_DECLINED', errorCode: answer.record.errorCode, errorMessage: answer.record.errorMessage });
  }

  private reversalFailed(record: PayoutRecord): CancelPayoutStep {
    return {
      status: 'FAILED', provider: PROVIDER, reason: 'REVERSAL_DECLINED', failureCode: record.errorCode ?? 'RETURN_REFUSED',
      message: `Payneteasy refused to reverse payout ${record.orderId} (${formatMoney(record.amount)}): ${record.errorMessage ?? record.errorCode ?? 'no reason given'}; reconcile by hand`,
      processingData: JSON.stringify(record), needsReconciliation: true,
    };
  }

  private pending(record: PayoutRecord): PayoutStep {
    return {
      status: 'PENDING', provider: PROVIDER, processingData: JSON.stringify(record), pollAfterMs: this.gateway.pollAfter(record),
      reference: record.orderId, redirectUrl: record.redirectUrl,
    };
  }
}
