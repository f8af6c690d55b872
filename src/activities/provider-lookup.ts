/**
 * Which provider an activity talks to. The first call of a flow names an account; every later call
 * (status, capture, cancel) reads the account from the processing data this worker sealed for the same
 * request, so a record cannot be replayed against another request or account. A problem is data: each
 * activity answers it as its own FAILED step.
 */
import type { ProviderCallScope } from './reporting';
import type { ProcessingDataSeal, RequestBinding } from './sealing';

export type Lookup<P> =
  | { ok: true; provider: P; data: Record<string, unknown> }
  | { ok: false; code: 'NO_PROCESSING_DATA' | 'INVALID_PROCESSING_DATA' | 'UNKNOWN_ACCOUNT'; problem: string };

/** `find` resolves an account name to the provider that serves `purpose` on this worker, if any. */
export function providerOfProcessingData<P>(
  seal: ProcessingDataSeal,
  request: RequestBinding,
  processingData: string | undefined,
  find: (accountName: string) => P | undefined,
  purpose = `${request.slice(0, request.indexOf(':'))}s`,
): Lookup<P> {
  const flow = request.slice(0, request.indexOf(':'));
  if (!processingData) return { ok: false, code: 'NO_PROCESSING_DATA', problem: `no ${flow} processing data` };
  const opened = seal.open(processingData, request);
  if (!opened.ok) return { ok: false, code: 'INVALID_PROCESSING_DATA', problem: opened.problem };
  const accountName = String(opened.record.account ?? '');
  const provider = find(accountName);
  if (!provider) {
    const problem = `${flow} processing data names account "${accountName}", which is not configured for ${purpose} on this worker`;
    return { ok: false, code: 'UNKNOWN_ACCOUNT', problem };
  }
  return { ok: true, provider, data: opened.record };
}

/** The scope of one provider call: whom it notifies, which request its processing data is sealed for. */
export function callScope(
  provider: { name: string },
  notify: string[],
  request: RequestBinding,
  seal: ProcessingDataSeal,
): ProviderCallScope {
  return { provider: provider.name, notify, request, seal };
}

/** The first call names an account this worker does not serve for the flow: FAILED, nothing was sent. */
export function unknownAccountStep(accountName: string, flow: 'payout' | 'payment') {
  return {
    status: 'FAILED',
    provider: 'none',
    reason: 'CONFIGURATION_ERROR',
    failureCode: 'UNKNOWN_ACCOUNT',
    message: `no ${flow} account named "${accountName}" is configured on this worker`,
    moneyMayHaveMoved: false,
  } as const;
}

/**
 * A status query whose processing data this worker cannot act on. Only a changed worker configuration
 * (keys, accounts) gets here: money may be out, a person must look.
 */
export function cannotAskStatusStep(found: Extract<Lookup<unknown>, { ok: false }>, processingData: string) {
  return {
    status: 'FAILED',
    provider: 'none',
    reason: found.code === 'INVALID_PROCESSING_DATA' ? 'INVALID_PROCESSING_DATA' : 'CONFIGURATION_ERROR',
    failureCode: found.code,
    message: found.problem,
    processingData,
    moneyMayHaveMoved: true,
    needsReconciliation: true,
  } as const;
}

/** A compensation whose processing data this worker cannot act on: nothing was done; a person must reconcile. */
export function cannotCompensateStep(found: Extract<Lookup<unknown>, { ok: false }>, processingData: string) {
  return {
    status: 'FAILED',
    reason: found.code === 'INVALID_PROCESSING_DATA' ? 'INVALID_PROCESSING_DATA' : 'CONFIGURATION_ERROR',
    failureCode: found.code,
    message: `${found.problem}; nothing was done, reconcile by hand`,
    processingData,
    needsReconciliation: true,
  } as const;
}
