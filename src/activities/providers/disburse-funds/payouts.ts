/**
 * GrantPayout and CancelPayout over disburseFunds: the wiring. Requests are built and answers
 * classified in transformers.ts; the body travels through the account's transport (transport.ts: plain
 * JSON, PGP or JWE over mutual TLS, keys resolved at send time); every step is
 * reported to the CUWO through ctx; the record is record.ts. This file only acts on what an exchange
 * (or, for CancelPayout, a record) proves.
 * Idempotency key: requestId (derived from the payout request) + paymentIntegratorAccountId. The
 * protocol has neither a status query nor a reversal (docs/disburse-funds.md): GrantPayout learns an
 * unknown outcome by re-sending the identical request (it means to pay anyway); CancelPayout never sends,
 * because when the original never arrived a "re-send" is the first payout.
 */
import { formatMoney, type Money } from '../../../contracts/money';
import type { CancelPayoutStep, GrantPayoutActivityInput, PayoutStep } from '../../../contracts';
import { outcomeUnknown } from '../../errors';
import type { PayoutProvider, ProviderContext } from '../types';
import { PROVIDER, type DisburseFundsAccount } from './account';
import { TransportConfigError, plainTransport, type DisburseFundsTransport, type PreparedTransport } from './transport';
import { jweTransport } from './transport-jwe';
import { pgpTransport } from './transport-pgp';
import {
  declineMessage,
  describePayout,
  errorFields,
  nothingPaidBecause,
  parseRecord,
  provenOutcome,
  recordedLimit,
  sendableAmount,
  type DisburseRecord,
} from './record';
import { DESTINATION_IDENTIFIER, classifyDisburseFunds, disburseFundsRequest, firstRecord, type NotDisbursed } from './transformers';

/** The account's transport (absent: plain). */
export function transportFor(accountName: string, account: DisburseFundsAccount): DisburseFundsTransport {
  const transport = account.transport;
  if (transport?.mode === 'pgp') return pgpTransport(accountName, transport);
  if (transport?.mode === 'jwe') return jweTransport(accountName, transport);
  return plainTransport(account);
}

export class DisburseFundsPayouts implements PayoutProvider {
  readonly name = PROVIDER;
  private readonly transport: DisburseFundsTransport;

  constructor(
    private readonly accountName: string,
    private readonly account: DisburseFundsAccount,
  ) {
    this.transport = transportFor(accountName, account);
  }

  async grant(input: GrantPayoutActivityInput, ctx: ProviderContext): Promise<PayoutStep> {
    const first = firstRecord(input, this.accountName, this.account);
    if (!first) {
      return {
        status: 'FAILED',
        provider: PROVIDER,
        reason: 'RECEIVER_NOT_IDENTIFIED',
        failureCode: 'NO_UPI_VPA',
        message: `no customer identifier of type ${DESTINATION_IDENTIFIER} names the payout destination`,
        moneyMayHaveMoved: false,
      };
    }
    const parsed = parseRecord(ctx.resumed);
    const resumed = parsed.ok ? parsed.record : undefined;
    // A retry sends exactly what an earlier attempt may have sent (same key, same parameters), even if
    // the input or the account configuration changed since: another key could pay a second time.
    const record = resumed ?? first;
    // Only a record saying NOT_SENT proves that no earlier attempt reached the provider.
    const earlierMayHaveSent = resumed ? resumed.stage !== 'NOT_SENT' : ctx.attempt > 1;

    const amount = sendableAmount(record);
    if (!amount) {
      // This code refuses before any I/O, so only a record resumed from an older version can have been sent.
      const mayHaveSent = resumed !== undefined && earlierMayHaveSent;
      return {
        status: 'FAILED',
        provider: PROVIDER,
        reason: 'INVALID_PARAMETERS',
        failureCode: 'AMOUNT_OUT_OF_RANGE',
        message:
          `payout of ${formatMoney(input.amount)} is not a positive whole number of minor units ` +
          "within disburseFunds' int64 micros; nothing was sent",
        processingData: ctx.seal({ ...record, stage: mayHaveSent ? 'SENDING' : 'NOT_SENT' }),
        moneyMayHaveMoved: mayHaveSent,
      };
    }

    // Keys are read now, before the record says SENDING: one that cannot be read proves nothing left.
    let sender: PreparedTransport;
    try {
      sender = await this.transport.prepare();
    } catch (err) {
      if (!(err instanceof TransportConfigError)) throw err;
      return this.misconfigured(record, err.message, earlierMayHaveSent, ctx);
    }

    // Before every send: from here on a crash leaves CancelPayout everything it needs, and a cancel
    // request that came first makes this throw, so nothing is sent (never catch it).
    await ctx.report({
      sending: true,
      moneyMayHaveMoved: true,
      stage: 'SENDING',
      processingData: ctx.seal({ ...record, stage: 'SENDING' }),
    });
    const { url, body } = disburseFundsRequest(record, this.account, Date.now());
    const outcome = classifyDisburseFunds(await sender.send(url, body, this.account.timeoutMs));

    if (outcome.outcome === 'DONE') {
      const paid: DisburseRecord = {
        ...record,
        stage: 'PAID',
        paymentIntegratorTransactionId: outcome.done.transactionId,
        resultCode: 'SUCCESS',
      };
      return {
        status: 'PAID',
        provider: PROVIDER,
        reference: outcome.done.transactionId,
        processedAmount: amount,
        processingData: ctx.seal(paid),
      };
    }
    if (outcome.outcome === 'UNKNOWN') return this.retry({ ...record, stage: 'SENDING', lastSeen: outcome.why }, ctx);
    return this.notDone(record, outcome.notDone, earlierMayHaveSent, amount, ctx);
  }

  /**
   * CancelPayout. Never sends a disburseFunds request: only the record says what happened. Whatever it
   * cannot prove ends FAILED for a person, with everything needed to reconcile.
   */
  async cancel(data: Record<string, unknown>, ctx: ProviderContext): Promise<CancelPayoutStep> {
    const parsed = parseRecord(data);
    if (!parsed.ok) {
      return {
        status: 'FAILED',
        provider: PROVIDER,
        reason: 'INVALID_PROCESSING_DATA',
        failureCode: 'INVALID_PROCESSING_DATA',
        message: 'payout processing data is not a disburseFunds record; nothing was done, reconcile by hand',
        needsReconciliation: true,
      };
    }
    const { record } = parsed;
    const processingData = ctx.seal(record);
    const payout = describePayout(record);
    switch (provenOutcome(record)) {
      case 'PAID':
        return {
          status: 'FAILED',
          provider: PROVIDER,
          reason: 'NOT_REVERSIBLE',
          failureCode: 'DISBURSED',
          processingData,
          needsReconciliation: true,
          message:
            `${payout} was disbursed (transaction ${record.paymentIntegratorTransactionId}); ` +
            'disburseFunds has no reversal: reconcile by hand',
        };
      case 'NOTHING_PAID':
        return { status: 'CANCELED', provider: PROVIDER, processingData, message: `nothing was disbursed: ${nothingPaidBecause(record)}` };
      case 'CONFLICT':
        // Not "nothing to do": the key and its compensation belong to the other execution, which a person must match up.
        return {
          status: 'FAILED',
          provider: PROVIDER,
          reason: 'DUPLICATE_REQUEST',
          failureCode: 'IDEMPOTENCY_VIOLATION',
          processingData,
          needsReconciliation: true,
          message:
            `${payout}: the key is owned by another execution with other parameters (HTTP 412 IDEMPOTENCY_VIOLATION); ` +
            'this one disbursed nothing and compensates nothing: reconcile by hand',
        };
      default:
        return {
          status: 'FAILED',
          provider: PROVIDER,
          reason: 'OUTCOME_UNKNOWN',
          failureCode: 'OUTCOME_UNKNOWN',
          processingData,
          needsReconciliation: true,
          message:
            `${payout} may have been disbursed; last seen: ` +
            `${record.lastSeen ?? `stage ${record.stage}, the request may have reached the provider and no answer was read`}. ` +
            'disburseFunds has no status query and CancelPayout never re-sends (a re-send would be the first payout ' +
            'if the original never arrived): reconcile by hand with the provider',
        };
    }
  }

  private notDone(
    record: DisburseRecord,
    notDone: NotDisbursed,
    earlierMayHaveSent: boolean,
    amount: Money,
    ctx: ProviderContext,
  ): Promise<PayoutStep> | PayoutStep {
    switch (notDone.kind) {
      case 'not-sent':
        // Nothing left this time; the record says NOT_SENT only while no earlier send may have left either.
        return this.retry({ ...record, stage: earlierMayHaveSent ? 'SENDING' : 'NOT_SENT', lastSeen: `not sent: ${notDone.error}` }, ctx);
      case 'declined': {
        // A decline is the stored reply for the key: it settles earlier sends too.
        const declined: DisburseRecord = {
          ...record,
          stage: 'DECLINED',
          paymentIntegratorTransactionId: notDone.transactionId,
          resultCode: notDone.resultCode,
          rawResult: notDone.rawResult,
          ...(notDone.limit ? { limit: recordedLimit(notDone.limit, record.currencyCode) } : {}),
        };
        return {
          status: 'FAILED',
          provider: PROVIDER,
          reason: notDone.reason,
          failureCode: notDone.resultCode,
          message: declineMessage(declined, amount),
          processingData: ctx.seal(declined),
          moneyMayHaveMoved: false,
        };
      }
      case 'conflict': {
        const conflict: DisburseRecord = { ...record, stage: 'CONFLICT', ...errorFields(notDone) };
        const description = notDone.description ? `: ${notDone.description}` : '';
        return {
          status: 'FAILED',
          provider: PROVIDER,
          reason: 'DUPLICATE_REQUEST',
          failureCode: notDone.code,
          processingData: ctx.seal(conflict),
          message:
            `${describePayout(record)}: another execution owns this key with other parameters ` +
            `(HTTP 412 IDEMPOTENCY_VIOLATION${description}); nothing was disbursed by this one: reconcile by hand`,
          moneyMayHaveMoved: false,
          needsReconciliation: true,
        };
      }
      case 'refused': {
        const id = notDone.errorIdentifier ? ` (error id ${notDone.errorIdentifier})` : '';
        const seen = `HTTP ${notDone.httpStatus} ${notDone.code}${id}${notDone.description ? `: ${notDone.description}` : ''}`;
        if (earlierMayHaveSent) {
          // A refusal of this send proves nothing about an earlier one that may have been processed.
          const unknown: DisburseRecord = { ...record, stage: 'SENDING', ...errorFields(notDone), lastSeen: `${seen} (on a retry)` };
          return {
            status: 'FAILED',
            provider: PROVIDER,
            reason: 'OUTCOME_UNKNOWN',
            failureCode: notDone.code,
            processingData: ctx.seal(unknown),
            message:
              `disburseFunds refused the retry of ${describePayout(record)} (${seen}); ` +
              'an earlier send may have been processed: reconcile by hand',
            moneyMayHaveMoved: true,
            needsReconciliation: true,
          };
        }
        const rejected: DisburseRecord = { ...record, stage: 'REJECTED', ...errorFields(notDone) };
        return {
          status: 'FAILED',
          provider: PROVIDER,
          reason: notDone.configuration ? 'CONFIGURATION_ERROR' : 'PROVIDER_ERROR',
          failureCode: notDone.code,
          message: `disburseFunds refused to process payout ${record.requestId} (${seen}); nothing was disbursed`,
          processingData: ctx.seal(rejected),
          moneyMayHaveMoved: false,
        };
      }
    }
  }

  /**
   * The transport's keys or certificates cannot be read or used: nothing left this time. Without an
   * earlier send that may have arrived, that is the end (CONFIGURATION_ERROR, nothing moved); otherwise
   * the outcome of that send is still unknown, so keep retrying until the keys are fixed.
   */
  private misconfigured(record: DisburseRecord, problem: string, earlierMayHaveSent: boolean, ctx: ProviderContext) {
    if (earlierMayHaveSent) return this.retry({ ...record, stage: 'SENDING', lastSeen: `not sent this time: ${problem}` }, ctx);
    return {
      status: 'FAILED',
      provider: PROVIDER,
      reason: 'CONFIGURATION_ERROR',
      failureCode: 'TRANSPORT_KEYS',
      message: `disburseFunds payout ${record.requestId} was not sent: ${problem}`,
      processingData: ctx.seal({ ...record, stage: 'NOT_SENT', lastSeen: `not sent: ${problem}` }),
      moneyMayHaveMoved: false,
    } satisfies PayoutStep;
  }

  /** Hands the record to the CUWO, then has the activity retry the identical request. */
  private async retry(record: DisburseRecord, ctx: ProviderContext): Promise<never> {
    const notSent = record.stage === 'NOT_SENT';
    await ctx.report({ moneyMayHaveMoved: !notSent, stage: notSent ? 'NOT_SENT' : 'OUTCOME_UNKNOWN', processingData: ctx.seal(record) });
    throw outcomeUnknown(`disburseFunds ${record.requestId}: ${record.lastSeen}; retrying the identical request`);
  }
}
