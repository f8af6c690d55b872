/**
 * What the disburseFunds simulator tests share: two accounts (EUR with limits, INR without), one
 * closed receiver, request builders, a caller, and useSimulator() (one simulator per test file).
 */
import { startDisburseFundsSimulator, type DisburseFundsSimulator } from '../../../../src/simulators/disburse-funds';

export const ACCOUNT = 'acct-EUR';
export const TOKEN = 'token-eur';
export const OTHER_ACCOUNT = 'acct-INR';
export const OTHER_TOKEN = 'token-inr';
export const MIN = '1000000'; // 1.00
export const MAX = '500000000'; // 500.00

export let sim: DisburseFundsSimulator;
let seq = 0;
const newRequestId = () => `req-${Date.now()}-${++seq}`;

export type Body = Record<string, any>;
export function request(overrides: Partial<Body> = {}, requestId = newRequestId()): Body {
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
export function retryOf(body: Body, timestamp = Date.now()): Body {
  return { ...body, requestHeader: { ...body.requestHeader, requestTimestamp: String(timestamp) } };
}

export async function call(body: unknown, token: string | null = TOKEN): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${sim.url}/v1/disburseFunds`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
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
