/**
 * The Payneteasy processing records (src/activities/providers/payneteasy/records.ts): every record
 * sealed by earlier code into the recorded replay histories still parses, unchanged; the version,
 * the stage rules, and which record a retried activity works from.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Payload } from '@temporalio/common';
import { AesGcmCodec, parseCodecKeys } from '../../src/codec/codec';
import { checkPaymentRecord, checkPayoutRecord, recordToWorkOn } from '../../src/activities/providers/payneteasy/records';
import { TEST_CODEC_KEYS } from '../support/codec-keys';
import { testProviderContext } from '../support/provider-context';

const HISTORIES = join(__dirname, '../replay/histories');

/** Every Payneteasy record inside the payloads of the recorded histories (decrypted with the test codec key). */
async function recordedRecords(): Promise<Array<Record<string, unknown>>> {
  const codec = new AesGcmCodec(parseCodecKeys(TEST_CODEC_KEYS));
  const found = new Map<string, Record<string, unknown>>();
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      if (!value.includes('payneteasy')) return;
      try {
        visit(JSON.parse(value));
      } catch {
        return; // not JSON: no record in it
      }
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      const object = value as Record<string, unknown>;
      if (object.provider === 'payneteasy' && typeof object.stage === 'string' && 'clientOrderId' in object)
        found.set(JSON.stringify(object), object);
      Object.values(object).forEach(visit);
    }
  };
  const files = [HISTORIES, join(HISTORIES, 'money-safety')].flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => join(dir, f)),
  );
  for (const file of files) {
    const payloads: Array<{ metadata: Record<string, string>; data?: string }> = [];
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (value && typeof value === 'object') {
        const object = value as { metadata?: Record<string, string>; data?: string };
        if (object.metadata?.encoding) payloads.push({ metadata: object.metadata, data: object.data });
        else Object.values(object).forEach(collect);
      }
    };
    collect(JSON.parse(readFileSync(file, 'utf8')).history);
    for (const { metadata, data } of payloads) {
      const payload: Payload = {
        metadata: Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
        data: Buffer.from(data ?? '', 'base64'),
      };
      const encrypted = Buffer.from(metadata.encoding, 'base64').toString() === 'binary/encrypted';
      const [plain] = encrypted ? await codec.decode([payload]) : [payload];
      visit(Buffer.from(plain.data ?? new Uint8Array()).toString());
    }
  }
  return [...found.values()];
}

const payout = {
  v: 1,
  provider: 'payneteasy',
  account: 'pne',
  clientOrderId: 'payout:PR-1',
  amount: { amount: '25.00', currency: 'EUR' },
  stage: 'PROCESSING',
  orderId: '4711',
  serialNumber: 'sn-1',
};

test('every Payneteasy record sealed into the recorded histories parses, unchanged', async () => {
  const records = await recordedRecords();
  expect(records.length).toBeGreaterThanOrEqual(100);
  expect(records.some((r) => 'command' in r)).toBe(true);
  expect(records.some((r) => !('command' in r))).toBe(true);
  for (const record of records) {
    const checked = 'command' in record ? checkPaymentRecord(record) : checkPayoutRecord(record);
    expect(checked).toEqual({ ok: true, record });
  }
});

describe('a record is checked, never trusted', () => {
  test('version 1 is read; a record without a version or of another one is not', () => {
    expect(checkPayoutRecord(payout).ok).toBe(true);
    const { v: _v, ...unversioned } = payout;
    expect(checkPayoutRecord(unversioned)).toMatchObject({
      ok: false,
      problem: expect.stringContaining('not a usable Payneteasy payout record'),
    });
    expect(checkPayoutRecord({ ...payout, v: 2 }).ok).toBe(false);
  });

  test('fields this version does not know are kept', () => {
    expect(checkPayoutRecord({ ...payout, note: 'kept' })).toEqual({ ok: true, record: { ...payout, note: 'kept' } });
  });

  test('stages that name an order need its id, and the serial of their transaction', () => {
    expect(checkPayoutRecord({ ...payout, orderId: undefined })).toMatchObject({
      ok: false,
      problem: expect.stringContaining('needs an orderId'),
    });
    expect(checkPayoutRecord({ ...payout, stage: 'RETURN_PROCESSING' })).toMatchObject({
      ok: false,
      problem: expect.stringContaining('needs returnSerialNumber'),
    });
    expect(checkPayoutRecord({ ...payout, stage: 'RETURN_PROCESSING', returnSerialNumber: 'sn-2' }).ok).toBe(true);
    expect(checkPayoutRecord({ ...payout, stage: 'SENDING', orderId: undefined }).ok).toBe(true);
  });

  test('a payout record is not a payment record', () => {
    expect(checkPaymentRecord(payout).ok).toBe(false);
    expect(checkPayoutRecord({ ...payout, amount: { amount: '1.005', currency: 'EUR' } }).ok).toBe(false);
  });
});

describe('the record a retried activity works from', () => {
  const ctx = (resumed?: Record<string, unknown>) => testProviderContext('payout:PR-1', { attempt: 2, resumed });
  const sent = { ...payout, stage: 'RETURN_SENDING' };

  test('what the earlier attempt reported about the same order, over what the activity was handed', () => {
    expect(recordToWorkOn(payout, ctx(sent), checkPayoutRecord)).toEqual({ ok: true, record: sent });
    expect(recordToWorkOn({ clientOrderId: 'garbage' }, ctx(sent), checkPayoutRecord)).toEqual({ ok: true, record: sent });
  });

  test('never a report about another order, nor an unusable one', () => {
    expect(recordToWorkOn(payout, ctx({ ...sent, clientOrderId: 'payout:PR-2' }), checkPayoutRecord)).toEqual({ ok: true, record: payout });
    expect(recordToWorkOn(payout, ctx({ ...sent, v: 7 }), checkPayoutRecord)).toEqual({ ok: true, record: payout });
    expect(recordToWorkOn(payout, ctx(), checkPayoutRecord)).toEqual({ ok: true, record: payout });
  });
});
