/**
 * Payneteasy (docs/payneteasy.md): card payouts and card payments, status polling, and signed
 * final-status callbacks.
 *
 * The folder, from the wire up:
 *   account.ts    the account schema                   codes.ts     provider codes -> CUWO reasons
 *   protocol.ts   control (SHA-1), OAuth, amounts      requests.ts  the request of each command (pure)
 *   answers.ts    answer decoding (pure)               outcome.ts   DONE / NOT_DONE / UNKNOWN per answer (pure)
 *   gateway.ts    HTTP and signing: sends a request, hands its answer to outcome.ts
 *   records.ts    the processing records (zod, versioned)
 *   learn.ts      what a status answer means for a record (pure)   steps.ts  the CUWO steps (pure)
 *   orders.ts     the order life both flows share: create, learn, resume, compensate
 *   reversal.ts   `return` of what moved               capture.ts   capture of an authorization
 *   adapter.ts    what both adapters share             payouts.ts / payments.ts  what a payout / payment is
 *   callbacks.ts  the final-status callback, verified
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
