/**
 * The provider behind the HTTP face, as the protocol says it must behave (docs/disburse-funds.md):
 * a valid request is answered from the idempotency store (key: requestId + paymentIntegratorAccountId;
 * a replay gets the stored reply, declines included, and money moves once; other parameters: 412) or
 * decided now and, on SUCCESS, written to the ledger. Synchronous, so requests never interleave.
 */
import { randomBytes } from 'node:crypto';
import {
  RECEIVER_STATES,
  accountLimits,
  decide,
  type DisburseFundsResult,
  type Disbursement,
  type ReceiverState,
  type SimulatedIntegratorAccount,
} from './model';
import { ProtocolError, errorBody, parseRequest, resultAnswer, type Answer, type ParsedRequest } from './protocol';

export interface DisburseFundsProvider {
  /** Validates, then answers from the idempotency store or processes the disbursement. */
  handle(body: unknown, authorization: string | undefined, authenticatedAccount?: string): Answer;
  ledger(): Disbursement[];
  setReceiverState(vpa: string, state: ReceiverState | undefined): void;
}

export function createDisburseFundsProvider(options: {
  accounts: Record<string, SimulatedIntegratorAccount>;
  receivers?: Record<string, ReceiverState>;
  timestampToleranceMs?: number;
}): DisburseFundsProvider {
  const toleranceMs = options.timestampToleranceMs ?? 60_000;
  const limits = accountLimits(options.accounts);
  const receivers = new Map<string, ReceiverState>(Object.entries(options.receivers ?? {}));
  const ledger: Disbursement[] = [];
  // Idempotency store: key -> parameters of the first call and its reply.
  const replies = new Map<string, { params: ParsedRequest['params']; transactionId: string; result: DisburseFundsResult }>();

  function handle(body: unknown, authorization: string | undefined, authenticatedAccount?: string): Answer {
    let req: ParsedRequest;
    try {
      req = parseRequest(body, authorization, options.accounts, toleranceMs, authenticatedAccount);
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      return err.answer();
    }
    // JSON array as key: requestId may contain ':' so plain concatenation could collide.
    const key = JSON.stringify([req.requestId, req.accountId]);
    const stored = replies.get(key);
    if (stored) {
      const changed = (Object.keys(req.params) as (keyof ParsedRequest['params'])[]).filter((k) => req.params[k] !== stored.params[k]);
      if (changed.length > 0) {
        const description = `requestId ${req.requestId} was already used with different ${changed.join(', ')}`;
        return { status: 412, body: errorBody('IDEMPOTENCY_VIOLATION', description), resultCode: 'IDEMPOTENCY_VIOLATION' };
      }
      return resultAnswer(stored.transactionId, stored.result);
    }
    const transactionId = randomBytes(18).toString('base64url');
    const result = decide(receivers.get(req.params.vpa), BigInt(req.params.amount), limits.get(req.accountId)!);
    replies.set(key, { params: req.params, transactionId, result }); // declines are stored too: a replay must see the same decline
    if (result.disburseFundsResultCode === 'SUCCESS') {
      ledger.push({
        requestId: req.requestId,
        paymentIntegratorAccountId: req.accountId,
        paymentIntegratorTransactionId: transactionId,
        amountMicros: req.params.amount,
        currencyCode: req.params.currencyCode,
        vpa: req.params.vpa,
        transactionDescription: req.params.transactionDescription,
        ...(req.params.userLocale ? { userLocale: req.params.userLocale } : {}),
        at: new Date().toISOString(),
      });
    }
    return resultAnswer(transactionId, result);
  }

  return {
    handle,
    ledger: () => ledger.map((d) => ({ ...d })),
    setReceiverState: (vpa, state) => {
      if (state === undefined) receivers.delete(vpa);
      else if ((RECEIVER_STATES as readonly string[]).includes(state)) receivers.set(vpa, state);
      else throw new Error(`unknown receiver state ${String(state)}`);
    },
  };
}
