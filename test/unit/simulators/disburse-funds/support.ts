/**
 * What the disburseFunds simulator tests share: two accounts (EUR with limits, INR without), one
 * closed receiver, request builders, a caller, and useSimulator() (one simulator per test file).
 */
import { startDisburseFundsSimulator, type DisburseFundsSimulator } from '../../../../src/simulators/disburse-funds';
import type { DisburseFundsResult } from '../../../../src/simulators/disburse-funds/model';

export const ACCOUNT = 'acct-EUR';
export const TOKEN = 'token-eur';
export const OTHER_ACCOUNT = 'acct-INR';
export const OTHER_TOKEN = 'token-inr';
export const MIN = '1000000'; // 1.00
export const MAX = '500000000'; // 500.00

export let sim: DisburseFundsSimulator;
let seq = 0;
const newRequestId = () => `req-${Date.now()}-${++seq}`;

/** A disburseFunds request body as the tests build it, and break it: fields may be removed, emptied or of the wrong type. */
export interface Body {
  requestHeader: {
    protocolVersion: { major: number; minor?: number; revision: number };
    requestId?: string;
    requestTimestamp?: string;
  };
  paymentIntegratorAccountId?: string;
  upiDetails?: { vpa?: string };
  transactionDescription?: string;
  currencyCode?: string;
  amount?: string | number;
}
/** A request as request() and retryOf() build it: its request id and timestamp are there. */
export type FullBody = Body & { requestHeader: { requestId: string; requestTimestamp: string } };

/**
 * The simulator's JSON answer as the tests read it: a result (paymentIntegratorTransactionId, disburseFundsResult) or an
 * ErrorResponse (errorResponseCode, errorDescription). Each test knows which one it expects, so both are typed as present.
 */
export interface Reply {
  responseHeader: { responseTimestamp: string };
  paymentIntegratorTransactionId: string;
  disburseFundsResult: DisburseFundsResult;
  errorResponseCode: string;
  errorDescription: string;
}

export function request(overrides: Partial<FullBody> = {}, requestId = newRequestId()): FullBody {
  return {
    requestHeader: {
      protocolVersion: { major: 1, minor: 0, revision: 0 },
      requestId,
      requestTimestamp: String(Date.now()),
    },
    paymentIntegratorAccountId: ACCOUNT,
    upiDetails: { vpa: 'alice@bank' },
    transactionDescription: 'enfore payout',
    currencyCode: 'EUR',
    amount: '2080000',
    ...overrides,
  };
}
/** The same request again, as a retry would send it: only requestTimestamp is fresh. */
export function retryOf(body: FullBody, timestamp = Date.now()): FullBody {
  return { ...body, requestHeader: { ...body.requestHeader, requestTimestamp: String(timestamp) } };
}

export async function call(body: unknown, token: string | null = TOKEN): Promise<{ status: number; json: Reply }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${sim.url}/v1/disburseFunds`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Reply };
}
export const ledgerFor = (requestId: string) => sim.ledger().filter((d) => d.requestId === requestId);
export const requestsFor = (requestId: string) => sim.requests().filter((r) => r.requestId === requestId);

/** Starts the simulator for this test file and stops it after it. */
export function useSimulator(): void {
  beforeAll(async () => {
    sim = await startDisburseFundsSimulator({
      accounts: {
        [ACCOUNT]: { bearerToken: TOKEN, minMicros: MIN, maxMicros: MAX },
        [OTHER_ACCOUNT]: { bearerToken: OTHER_TOKEN },
      },
      receivers: { 'closed@bank': 'ACCOUNT_CLOSED' },
    });
  });
  afterAll(async () => {
    await sim.close();
  });
}
