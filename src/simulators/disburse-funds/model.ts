/**
 * The disburseFunds simulator's model: integrator accounts (bearer token, per-transaction limits in
 * micros), receiver states, the ledger entry of a disbursement (the one truth of money moved), and
 * the provider's verdict on a valid request: SUCCESS, a receiver decline or a limit decline, with
 * the `rawResult` every non-SUCCESS result must carry (docs/disburse-funds.md).
 */

export type ReceiverState = 'ACCOUNT_CLOSED' | 'ACCOUNT_CLOSED_ACCOUNT_TAKEN_OVER' | 'ACCOUNT_CLOSED_FRAUD' | 'ACCOUNT_ON_HOLD';

export const RECEIVER_STATES = [
  'ACCOUNT_CLOSED',
  'ACCOUNT_CLOSED_ACCOUNT_TAKEN_OVER',
  'ACCOUNT_CLOSED_FRAUD',
  'ACCOUNT_ON_HOLD',
] as const satisfies readonly ReceiverState[];

/**
 * How an account's requests and answers are protected (envelopes.ts). Absent or plain: JSON with a
 * bearer token. Keys are PEM (jwe) or armored (pgp) text; several of each for rotation.
 */
export type SimulatedTransport =
  | { mode: 'plain' }
  | { mode: 'pgp'; providerPrivateKeys: string[]; integratorPublicKeys: string[] }
  | {
      mode: 'jwe';
      providerPrivateKeys: string[];
      integratorPublicKeys: string[];
      sign?: boolean;
      compress?: boolean;
      enc?: 'A128CBC-HS256' | 'A256CBC-HS512';
    };

export interface SimulatedIntegratorAccount {
  bearerToken?: string; // plain accounts: requests must carry `Authorization: Bearer <token>`
  transport?: SimulatedTransport;
  minMicros?: string; // inclusive per-transaction minimum, micros
  maxMicros?: string; // inclusive per-transaction maximum, micros
}

export interface Disbursement {
  requestId: string;
  paymentIntegratorAccountId: string;
  paymentIntegratorTransactionId: string;
  amountMicros: string;
  currencyCode: string;
  vpa: string;
  transactionDescription: string;
  userLocale?: string; // requestHeader.userLocale, the customer's locale the description is written in
  at: string;
}

/** The `disburseFundsResult` of an answer. */
export interface DisburseFundsResult {
  disburseFundsResultCode: string;
  rawResult?: { scope: 'simulator'; rawCode: string };
  transactionMinLimit?: string;
  transactionMaxLimit?: string;
}

export interface AccountLimits {
  min?: bigint;
  max?: bigint;
}

// rawResult is mandatory for every non-SUCCESS result; these are the simulator's "network" codes.
const RAW_CODES: Record<ReceiverState | 'UNDER' | 'OVER', string> = {
  ACCOUNT_CLOSED: 'CLOSED',
  ACCOUNT_CLOSED_ACCOUNT_TAKEN_OVER: 'TAKEN_OVER',
  ACCOUNT_CLOSED_FRAUD: 'FRAUD',
  ACCOUNT_ON_HOLD: 'ON_HOLD',
  UNDER: 'LIMIT_MIN',
  OVER: 'LIMIT_MAX',
};

function parseMicrosOption(value: string | undefined, what: string): bigint | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,19}$/.test(value)) throw new Error(`${what} must be a decimal integer string, got ${JSON.stringify(value)}`);
  return BigInt(value);
}

/** Each account's limits as BigInt; throws on a bad configuration (at start-up rather than on the first request). */
export function accountLimits(accounts: Record<string, SimulatedIntegratorAccount>): Map<string, AccountLimits> {
  const limits = new Map<string, AccountLimits>();
  for (const [id, acct] of Object.entries(accounts)) {
    const plain = !acct.transport || acct.transport.mode === 'plain';
    if (plain && !acct.bearerToken) throw new Error(`account ${id}: bearerToken must not be empty`);
    limits.set(id, {
      min: parseMicrosOption(acct.minMicros, `account ${id}: minMicros`),
      max: parseMicrosOption(acct.maxMicros, `account ${id}: maxMicros`),
    });
  }
  return limits;
}

/** The verdict on a valid, new request: the receiver's state first, then the account's limits. */
export function decide(receiver: ReceiverState | undefined, amountMicros: bigint, { min, max }: AccountLimits): DisburseFundsResult {
  if (receiver) return { disburseFundsResultCode: receiver, rawResult: { scope: 'simulator', rawCode: RAW_CODES[receiver] } };
  if (min !== undefined && amountMicros < min) {
    return {
      disburseFundsResultCode: 'DISBURSEMENT_UNDER_TRANSACTION_LIMIT',
      rawResult: { scope: 'simulator', rawCode: RAW_CODES.UNDER },
      transactionMinLimit: String(min),
    };
  }
  if (max !== undefined && amountMicros > max) {
    return {
      disburseFundsResultCode: 'DISBURSEMENT_EXCEEDS_TRANSACTION_LIMIT',
      rawResult: { scope: 'simulator', rawCode: RAW_CODES.OVER },
      transactionMaxLimit: String(max),
    };
  }
  return { disburseFundsResultCode: 'SUCCESS' };
}
