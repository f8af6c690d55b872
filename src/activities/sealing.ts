/**
 * Processing data is handed to the platform, stored opaquely and handed back to later CUWOs
 * (CapturePayment, CancelPayment, CancelPayout). The worker must be able to trust what it wrote, so
 * every record leaves sealed: an HMAC-SHA256 over the request it belongs to and the record, under a
 * worker key whose id travels inside (rotation like the codec keys: the first key seals, any
 * configured key verifies). The record stays readable JSON for the person who reconciles.
 *
 *   CUWO_SEAL_KEYS="s2026b:<base64 32 bytes>,s2026a:<base64 32 bytes>"
 *   CUWO_ACCEPT_UNSEALED_PROCESSING_DATA=true   accept records written before sealing (migration only)
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { CodecKeyError, parseCodecKeys, type CodecKey } from '../codec/codec';

const SEAL_VERSION = 'cuwo-seal-1';

/** What a sealed processing data string holds. `request` binds the record to one payment/payout request. */
interface SealedEnvelope {
  seal: { v: typeof SEAL_VERSION; kid: string; mac: string };
  request: string;
  record: Record<string, unknown>;
}

export type Opened = { ok: true; record: Record<string, unknown>; sealed: boolean } | { ok: false; problem: string };

/** "payout:<payoutRequestID>" / "payment:<paymentRequestID>": the request a record belongs to. */
export type RequestBinding = `payout:${string}` | `payment:${string}`;

export class ProcessingDataSeal {
  private readonly byId: Map<string, Buffer>;

  constructor(
    private readonly keys: CodecKey[],
    private readonly acceptUnsealed = false,
  ) {
    if (!keys.length) throw new CodecKeyError('no processing data seal key');
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  seal(request: RequestBinding, record: object): string {
    const [current] = this.keys;
    const envelope: SealedEnvelope = {
      seal: { v: SEAL_VERSION, kid: current.id, mac: mac(current.key, request, record) },
      request,
      record: record as Record<string, unknown>,
    };
    return JSON.stringify(envelope);
  }

  /** The record, if this worker sealed it for `request`; otherwise why not. Never throws. */
  open(processingData: string, request: RequestBinding): Opened {
    let parsed: unknown;
    try {
      parsed = JSON.parse(processingData);
    } catch {
      return { ok: false, problem: 'processing data is not JSON' };
    }
    if (!isObject(parsed)) return { ok: false, problem: 'processing data is not a JSON object' };
    if (!isObject(parsed.seal)) {
      if (!this.acceptUnsealed)
        return {
          ok: false,
          problem: 'processing data carries no seal (records from before sealing need CUWO_ACCEPT_UNSEALED_PROCESSING_DATA=true)',
        };
      return { ok: true, record: parsed, sealed: false };
    }
    const { seal, request: sealedFor, record } = parsed as Partial<SealedEnvelope> & { seal: Record<string, unknown> };
    const key = typeof seal.kid === 'string' ? this.byId.get(seal.kid) : undefined;
    if (seal.v !== SEAL_VERSION || !key)
      return { ok: false, problem: `processing data is sealed with a key this worker does not have (${String(seal.kid)})` };
    if (
      typeof sealedFor !== 'string' ||
      !isObject(record) ||
      typeof seal.mac !== 'string' ||
      !sameText(seal.mac, mac(key, sealedFor, record))
    ) {
      return { ok: false, problem: 'processing data seal does not verify: it was changed after the worker wrote it' };
    }
    if (sealedFor !== request) return { ok: false, problem: `processing data belongs to ${sealedFor}, not to ${request}` };
    return { ok: true, record, sealed: true };
  }
}

/** From CUWO_SEAL_KEYS; refuses to run without (processing data must never be trusted unsealed). */
export function sealFromEnv(env: NodeJS.ProcessEnv = process.env): ProcessingDataSeal {
  if (!env.CUWO_SEAL_KEYS) {
    throw new CodecKeyError(
      'CUWO_SEAL_KEYS is not set: the worker cannot seal or verify processing data (see README, "Processing data is sealed")',
    );
  }
  return new ProcessingDataSeal(parseCodecKeys(env.CUWO_SEAL_KEYS, 'CUWO_SEAL_KEYS'), env.CUWO_ACCEPT_UNSEALED_PROCESSING_DATA === 'true');
}

function mac(key: Buffer, request: string, record: object): string {
  return createHmac('sha256', key)
    .update(`${SEAL_VERSION}\n${request}\n${JSON.stringify(record)}`)
    .digest('base64url');
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
