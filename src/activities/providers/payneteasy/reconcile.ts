/**
 * What the reconciler asks Payneteasy (docs/reconciliation.md): the status of the transaction that
 * created the request's order (by its serial number when the record has it), then the order's latest
 * transaction, to learn whether a return, void or chargeback undid it. Only status queries: nothing
 * here sends a command. Every answer is one of MOVED / REVERSED / NOT_MOVED / UNKNOWN; what does not
 * read as a fact is UNKNOWN (the money rule), never "nothing moved".
 */
import { z } from 'zod';
import type { ProviderAnswer } from '../../../contracts/reconciliation';
import type { ProviderReconciler } from '../types';
import type { PayneteasyAccount } from './account';
import { PayneteasyGateway } from './gateway';
import { viewOf, type StatusOutcome, type TransactionType } from './outcome';

/** The fields of a payout or payment record the status query needs (records.ts has the full schemas). */
const orderRecord = z.object({
  clientOrderId: z.string().min(1),
  orderId: z.string().min(1).optional(),
  serialNumber: z.string().min(1).optional(),
  command: z.enum(['sale', 'preauth']).optional(),
});

const REVERSALS = new Set(['return', 'void', 'reversal', 'chargeback', 'refund']);

export class PayneteasyReconciler implements ProviderReconciler {
  private readonly gateway: PayneteasyGateway;

  constructor(
    readonly accountName: string,
    account: PayneteasyAccount,
  ) {
    this.gateway = new PayneteasyGateway(account);
  }

  async inspect(record: Record<string, unknown>, flow: 'payout' | 'payment'): Promise<ProviderAnswer> {
    const parsed = orderRecord.safeParse(record);
    if (!parsed.success) return { kind: 'CANNOT_ASK', detail: `the processing record names no order: ${z.prettifyError(parsed.error)}` };
    const { clientOrderId, orderId, serialNumber } = parsed.data;
    const type: TransactionType = flow === 'payout' ? 'payout' : (parsed.data.command ?? 'sale');
    const order = `${type} ${orderId ?? clientOrderId}`;
    const main = await this.gateway.status({ clientOrderId, orderId, serialNumber, type });
    if (main.outcome === 'NOT_DONE') return { kind: 'NOT_MOVED', detail: `${order} is ${main.notDone.status}` };
    if (main.outcome === 'UNKNOWN') return { kind: 'UNKNOWN', detail: main.why };
    // Approved: the order's latest transaction says whether something undid it since.
    const latest = await this.gateway.status({ clientOrderId, orderId: main.done.orderId, type: 'return' });
    return afterApproval(order, latest);
  }
}

/** Pure: the latest transaction of an order whose creating transaction was approved. */
export function afterApproval(order: string, latest: StatusOutcome): ProviderAnswer {
  if (latest.outcome === 'DONE') return { kind: 'REVERSED', detail: `${order} approved, then return ${latest.done.serialNumber} approved` };
  const view = viewOf(latest);
  if (!view) return { kind: 'UNKNOWN', detail: `${order} approved; its latest transaction is not known (${latestWhy(latest)})` };
  if (REVERSALS.has(view.type) && view.status === 'approved')
    return { kind: 'REVERSED', detail: `${order} approved, then ${view.type} ${view.serialNumber} approved` };
  if (REVERSALS.has(view.type) && view.status !== 'approved' && !['declined', 'error', 'filtered'].includes(view.status))
    return { kind: 'UNKNOWN', detail: `${order} approved; ${view.type} ${view.serialNumber} is ${view.status}` };
  return { kind: 'MOVED', detail: `${order} approved; latest transaction ${view.type} ${view.serialNumber} ${view.status}` };
}

function latestWhy(answer: StatusOutcome): string {
  return answer.outcome === 'UNKNOWN' ? answer.why : answer.outcome;
}
