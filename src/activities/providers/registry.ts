/**
 * The providers this worker speaks, by descriptor: the accounts' schema (read by src/config.ts), the
 * adapter for an account (read by the activities) and callback verification (read by the receiver).
 * A new provider: a new folder with a descriptor, one line in `descriptorOf` and one in `accountSchema`.
 */
import { z } from 'zod';
import { disburseFunds } from './disburse-funds/descriptor';
import { payneteasy } from './payneteasy/descriptor';
import { PayneteasyReconciler } from './payneteasy/reconcile';
import type { CallbackCheck, PaymentProvider, PayoutProvider, ProviderDescriptor, ProviderReconciler } from './types';

export const accountSchema = z.discriminatedUnion('provider', [disburseFunds.accountSchema, payneteasy.accountSchema]);
export const accountsSchema = z.record(z.string().min(1), accountSchema);
export type Account = z.infer<typeof accountSchema>;
export type Accounts = z.infer<typeof accountsSchema>;

/** A descriptor with its account bound: what the rest of the worker uses. */
export interface BoundProvider {
  name: string;
  payouts?: () => PayoutProvider;
  payments?: () => PaymentProvider;
  verifyCallback?: (query: Record<string, string | undefined>) => CallbackCheck;
  /** Status queries for the reconciler, where the protocol can answer them. */
  reconcile?: () => ProviderReconciler;
}

function bind<S extends z.ZodObject>(descriptor: ProviderDescriptor<S>, accountName: string, account: z.infer<S>): BoundProvider {
  const { payouts, payments, callbacks } = descriptor;
  return {
    name: descriptor.name,
    payouts: payouts && (() => payouts(accountName, account)),
    payments: payments && (() => payments(accountName, account)),
    verifyCallback: callbacks && ((query) => callbacks.verify(query, account)),
  };
}

/** The provider of a configured account, bound to that account's credentials. */
export function providerFor(accountName: string, account: Account): BoundProvider {
  switch (account.provider) {
    case 'disburse-funds':
      return bind(disburseFunds, accountName, account);
    case 'payneteasy':
      return { ...bind(payneteasy, accountName, account), reconcile: () => new PayneteasyReconciler(accountName, account) };
  }
}

/** Resolves an account name to the adapter of its protocol, bound to that account's credentials. */
export class ProviderRegistry {
  constructor(private readonly accounts: Accounts) {}

  /** The account's provider, or undefined when no account has that name. */
  provider(accountName: string): BoundProvider | undefined {
    const account = this.accounts[accountName];
    return account ? providerFor(accountName, account) : undefined;
  }

  payout(accountName: string): PayoutProvider | undefined {
    return this.provider(accountName)?.payouts?.();
  }

  payment(accountName: string): PaymentProvider | undefined {
    return this.provider(accountName)?.payments?.();
  }
}
