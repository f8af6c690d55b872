/** disburseFunds (docs/disburse-funds.md): payouts only; no status query, no reversal, no callbacks. */
import type { ProviderDescriptor } from '../types';
import { PROVIDER, disburseFundsAccountSchema } from './account';
import { DisburseFundsPayouts } from './payouts';

export const disburseFunds: ProviderDescriptor<typeof disburseFundsAccountSchema> = {
  name: PROVIDER,
  accountSchema: disburseFundsAccountSchema,
  payouts: (accountName, account) => new DisburseFundsPayouts(accountName, account),
};
