/**
 * Payneteasy (docs/payneteasy.md): card payouts and card payments, status polling, and signed
 * final-status callbacks.
 */
import type { ProviderDescriptor } from '../types';
import { PROVIDER, payneteasyAccountSchema } from './account';
import { verifyCallback } from './callbacks';
import { PayneteasyPayments } from './payments';
import { PayneteasyPayouts } from './payouts';

export const payneteasy: ProviderDescriptor<typeof payneteasyAccountSchema> = {
  name: PROVIDER,
  accountSchema: payneteasyAccountSchema,
  payouts: (accountName, account) => new PayneteasyPayouts(accountName, account),
  payments: (accountName, account) => new PayneteasyPayments(accountName, account),
  callbacks: { verify: verifyCallback },
};
