/**
 * Payouts through Payneteasy (docs/spec/payneteasy-server-to-server-payout.txt, docs/payneteasy.md):
 * `/api/v4/payout` signed with OAuth RSA-SHA256, the final status learned by polling `/api/v2/status`
 * (by the payout's serial number) on the provider's cadence or sooner when its callback arrives, the
 * receiver's form exposed while it waits, and an approved payout reversed with `/api/v2/return` where
 * the endpoint allows it. This file says what a payout is; the order life is orders.ts, the reversal
 * reversal.ts, and what each answer proves outcome.ts and learn.ts.
 */
import { formatMoney, toMinorUnits } from '../../../contracts/money';
import type { GrantPayoutActivityInput, PayoutStep } from '../../../contracts';
import type { PayoutProvider, ProviderContext } from '../types';
import { PROVIDER, type PayneteasyAccount } from './account';
import { PayneteasyAdapter } from './adapter';
import { known } from './learn';
import type { OrderFlow } from './orders';
import type { TransactionView } from './outcome';
import { majorAmount } from './protocol';
import { checkPayoutRecord, type PayoutRecord } from './records';
import type { ReversalFlow } from './reversal';
import { canceled, moneyFailed, needsPerson, type CancelStep, type Seal } from './steps';

/** The customer identifier naming a stored destination card; without one the receiver fills the provider's form. */
export const CARD_REFERENCE_IDENTIFIER = 'CARD_REFERENCE';

export class PayneteasyPayouts extends PayneteasyAdapter<PayoutRecord, PayoutStep, 'RECEIVER_DID_NOT_CONFIRM'> implements PayoutProvider {
  constructor(accountName: string, account: PayneteasyAccount) {
    super(accountName, account, PAYOUT, reversalOf(account));
  }

  grant(input: GrantPayoutActivityInput, ctx: ProviderContext): Promise<PayoutStep> {
    const destination = input.destinations.find((d) => d.identifierType === CARD_REFERENCE_IDENTIFIER)?.identifier;
    const fresh: PayoutRecord = {
      ...this.newRecord('payout', input.payoutRequestID),
      amount: { amount: majorAmount(input.amount), currency: input.amount.currency },
      destination,
      stage: 'SENDING',
    };
    const callbackUrl = this.gateway.callbackUrl(ctx.workflowId);
    return this.life.create(fresh, ctx, ({ clientOrderId, amount }) =>
      this.gateway.payout({ clientOrderId, amount, description: input.description, callbackUrl, destination }),
    );
  }

  protected cancelOwnStage(record: PayoutRecord, ctx: ProviderContext): CancelStep | Promise<CancelStep> | undefined {
    switch (record.stage) {
      case 'APPROVED':
        return this.reversal.reverse(record, ctx);
      case 'RETURN_SENDING':
      case 'RETURN_PROCESSING':
        return this.reversal.resume(record, ctx);
      case 'RETURNED':
        return canceled(record, ctx.seal, `payout ${record.orderId} was reversed`);
      case 'RETURN_DECLINED':
        return reversalDeclined(record, ctx.seal);
      default:
        return undefined;
    }
  }
}

/** What a payout order is, for the shared order life (exported for its unit test). */
export const PAYOUT: OrderFlow<PayoutRecord, PayoutStep, 'RECEIVER_DID_NOT_CONFIRM'> = {
  noun: 'payout',
  check: checkPayoutRecord,
  describe,
  createsForm: false,
  expected: (record) => ({ type: 'payout', amount: record.amount, destination: record.destination, amountMayChange: false }),
  shown: (view) =>
    `${view.orderId}: ${view.type} ${view.amount ?? '?'} ${view.currency ?? ''}${view.destination ? ` to ${view.destination}` : ''}`,
  asked: (record) => `payout of ${formatMoney(record.amount)}${record.destination ? ` to ${record.destination}` : ''}`,
  approved: (record) => ({ ...record, stage: 'APPROVED' }),
  approvedStep: (record, paid, seal) => {
    const mismatch = amountMismatch(record, paid);
    if (mismatch) return moneyFailed(record, seal, 'PROVIDER_ERROR', 'AMOUNT_MISMATCH', mismatch, false);
    return { status: 'PAID', provider: PROVIDER, reference: record.orderId!, processedAmount: record.amount, processingData: seal(record) };
  },
  amountMismatch,
  abandoned: (record) => ({
    cancelation: 'RECEIVER_DID_NOT_CONFIRM',
    message: `the receiver never completed the payout form; Payneteasy confirms nothing was paid (order ${record.orderId})`,
  }),
  words: {
    nothingMovedHere: 'nothing was paid by this one',
    mayHaveMoved: 'the payout may have been made',
    nothingMoved: 'nothing was paid out',
    notUndone: 'may have been paid; nothing was reversed',
  },
};

/** Reversing a payout (`return`), where the account's endpoint allows it. */
function reversalOf(account: PayneteasyAccount): ReversalFlow<PayoutRecord> {
  return {
    blocked: (record, seal) =>
      account.payoutReversal
        ? undefined
        : needsPerson(
            { ...record, stage: 'APPROVED' },
            seal,
            'NOT_REVERSIBLE',
            'PAID',
            `${describe(record)} was paid and this endpoint does not allow reversing payouts`,
          ),
    sending: (record) => ({ ...record, stage: 'RETURN_SENDING' }),
    processing: (sending, serial) => ({ ...sending, stage: 'RETURN_PROCESSING', returnSerialNumber: serial }),
    found: (record, serial) => ({ ...record, stage: 'RETURN_PROCESSING', returnSerialNumber: serial }),
    serial: (record) => record.returnSerialNumber,
    unreturned: (record, view) => (view.type === 'payout' && view.status === 'approved' ? { ...record, stage: 'APPROVED' } : undefined),
    label: () => 'return of payout',
    comment: (record) => `reversal of payout ${record.clientOrderId}`,
    refused: (record, { code, message }, seal) =>
      reversalDeclined({ ...record, stage: 'APPROVED', errorCode: code, errorMessage: message }, seal),
    returned: (record, seal) =>
      canceled(known({ ...record, stage: 'RETURNED' }), seal, `payout ${record.orderId} (${formatMoney(record.amount)}) was reversed`),
    declined: (record, view, seal) =>
      reversalDeclined(known({ ...record, stage: 'RETURN_DECLINED', errorCode: view.errorCode, errorMessage: view.errorMessage }), seal),
    notKnown: (record, after) =>
      after === 'refusal' ? `the reversal of ${describe(record)} is not known` : `whether ${describe(record)} was reversed is not known`,
  };
}

/** Payneteasy refused the reversal, or declined it. */
function reversalDeclined(record: PayoutRecord, seal: Seal) {
  const why = record.errorMessage ?? record.errorCode ?? 'no reason given';
  return needsPerson(
    record,
    seal,
    'REVERSAL_DECLINED',
    record.errorCode ?? 'RETURN_REFUSED',
    `Payneteasy refused to reverse ${describe(record)}: ${why}`,
  );
}

/** Why an approved payout is not the one asked for (amount or currency), or undefined when it is. */
function amountMismatch(record: PayoutRecord, paid: TransactionView): string | undefined {
  if (paid.currency === record.amount.currency && paid.minor === toMinorUnits(record.amount)) return undefined;
  const approved = `${paid.amount ?? 'an unreadable amount'} ${paid.currency ?? ''}`;
  return `Payneteasy approved ${approved} for payout order ${paid.orderId}, requested ${formatMoney(record.amount)}`;
}

/** The payout in words, for the person who reconciles. */
function describe(record: PayoutRecord): string {
  const to = record.destination ? ` to card reference ${record.destination}` : ' through the receiver form';
  return `payout ${record.clientOrderId} (Payneteasy order ${record.orderId ?? 'unknown'}, ${formatMoney(record.amount)}${to})`;
}
