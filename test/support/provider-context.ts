/**
 * A ProviderContext for adapter tests without Temporal: reports are collected, processing data is
 * sealed with the test seal key, and `resumed` plays the heartbeat of an earlier attempt.
 */
import { parseCodecKeys } from '../../src/codec/codec';
import type { ProviderContext } from '../../src/activities/providers/types';
import { ProcessingDataSeal, type RequestBinding } from '../../src/activities/sealing';
import type { ProcessingDataUpdate } from '../../src/contracts';
import { TEST_SEAL_KEYS } from './codec-keys';

export const testSeal = () => new ProcessingDataSeal(parseCodecKeys(TEST_SEAL_KEYS, 'CUWO_SEAL_KEYS'));

export interface TestProviderContext extends ProviderContext {
  reports: Array<Omit<ProcessingDataUpdate, 'provider'>>;
  /** The record of the last report (what a retried attempt would resume from), opened. */
  lastRecord(): Record<string, unknown> | undefined;
}

export function testProviderContext(
  request: RequestBinding,
  options: { attempt?: number; resumed?: Record<string, unknown>; workflowId?: string; refuseSending?: boolean } = {},
): TestProviderContext {
  const seal = testSeal();
  const reports: TestProviderContext['reports'] = [];
  return {
    attempt: options.attempt ?? 1,
    signal: new AbortController().signal,
    resumed: options.resumed,
    workflowId: options.workflowId ?? 'test-cuwo',
    seal: (record) => seal.seal(request, record),
    report: async (update) => {
      if (update.sending && options.refuseSending) throw new Error('CanceledBeforeSending');
      reports.push(update);
    },
    reports,
    lastRecord() {
      const last = reports.at(-1);
      if (!last) return undefined;
      const opened = seal.open(last.processingData, request);
      return opened.ok ? opened.record : undefined;
    },
  };
}

/** Opens processing data an adapter returned (throws if it is not sealed for `request`). */
export function openRecord(processingData: string | undefined, request: RequestBinding): Record<string, unknown> {
  const opened = testSeal().open(processingData ?? '', request);
  if (!opened.ok) throw new Error(opened.problem);
  return opened.record;
}
