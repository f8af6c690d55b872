import type { Accounts } from '../../config';
import { DisburseFundsPayouts } from './disburse-funds/adapter';
import { PayneteasyPayments } from './payneteasy/payments';
import { PayneteasyPayouts } from './payneteasy/payouts';
import type { PaymentProvider, PayoutProvider } from './types';

/** Resolves an account name to the adapter of its protocol, bound to that account's credentials. */
export class ProviderRegistry {
  constructor(private readonly accounts: Accounts) {}

  payout(accountName: string): PayoutProvider | undefined {
    const account = this.accounts[accountName];
    if (!account) return undefined;
    switch (account.provider) {
      case 'disburse-funds':
        return new DisburseFundsPayouts(accountName, account);
      case 'payneteasy':
        return new PayneteasyPayouts(accountName, account);
    }
  }

  /** Payment protocols: only Payneteasy speaks card payments among the configured providers. */
  payment(accountName: string): PaymentProvider | undefined {
    const account = this.accounts[accountName];
    return account?.provider === 'payneteasy' ? new PayneteasyPayments(accountName, account) : undefined;
  }
}
