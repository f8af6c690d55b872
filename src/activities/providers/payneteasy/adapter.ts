/**
 * What the Payneteasy payout and payment adapters (payouts.ts, payments.ts) share as providers: one
 * gateway for the account, the order life (orders.ts) and the reversal (reversal.ts) of their flow,
 * the status call, the compensation's entry, and the fields every new processing record starts with.
 */
import { providerKey } from '../keys';
import type { ProviderContext } from '../types';
import { PROVIDER, type PayneteasyAccount } from './account';
import { PayneteasyGateway } from './gateway';
import { OrderLife, type OrderFlow } from './orders';
import { RECORD_VERSION, type OrderRecord } from './records';
import { Reversal, type ReversalFlow } from './reversal';
import type { CancelStep, OrderStep } from './steps';

export abstract class PayneteasyAdapter<R extends OrderRecord, S, C extends string> {
  readonly name = PROVIDER;
  protected readonly gateway: PayneteasyGateway;
  protected readonly reversal: Reversal<R>;
  protected readonly life: OrderLife<R, S, C>;

  constructor(
    private readonly accountName: string,
    protected readonly account: PayneteasyAccount,
    flow: OrderFlow<R, S, C>,
    reversal: ReversalFlow<R>,
  ) {
    this.gateway = new PayneteasyGateway(account);
    this.reversal = new Reversal(this.gateway, reversal);
    this.life = new OrderLife(this.gateway, flow, this.reversal);
  }

  /** Where the order's creating transaction stands now (PayoutStatus, PaymentStatus). */
  status(data: Record<string, unknown>, ctx: ProviderContext): Promise<S | OrderStep<C>> {
    return this.life.statusOf(data, ctx);
  }

  /** CancelPayout / CancelPayment: learn where the money stands and give back what moved. */
  cancel(data: Record<string, unknown>, ctx: ProviderContext): Promise<CancelStep> {
    return this.life.cancel(data, ctx, (record) => this.cancelOwnStage(record, ctx));
  }

  /** A compensation in a stage only this flow has; undefined for the stages every order has (orders.ts). */
  protected abstract cancelOwnStage(record: R, ctx: ProviderContext): CancelStep | Promise<CancelStep> | undefined;

  /** The fields every new record starts with: version, provider, account, and the idempotency key of the request. */
  protected newRecord(kind: 'payout' | 'payment', requestId: string): Pick<OrderRecord, 'v' | 'provider' | 'account' | 'clientOrderId'> {
    return { v: RECORD_VERSION, provider: PROVIDER, account: this.accountName, clientOrderId: providerKey(kind, requestId, 128) };
  }
}
