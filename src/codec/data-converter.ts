/** The data converter every client and worker of this project uses (see codec.ts). */
import type { DataConverter } from '@temporalio/common';
import { AesGcmCodec, CodecKeyError, parseCodecKeys } from './codec';

/** By path, so the workflow sandbox (and its bundle) loads the same failure converter. */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/**
 * From CUWO_CODEC_KEYS. Without keys it refuses, unless CUWO_PLAINTEXT_PAYLOADS=true says plaintext
 * is intended (a throwaway dev setup): payment data must never land in history unencrypted by accident.
 */
export function cuwoDataConverter(env: NodeJS.ProcessEnv = process.env): DataConverter {
  if (!env.CUWO_CODEC_KEYS) {
    if (env.CUWO_PLAINTEXT_PAYLOADS === 'true') return {};
    throw new CodecKeyError(
      'CUWO_CODEC_KEYS is not set: payloads would be stored in plaintext. ' +
        'Set it (see README, "Encryption"), or CUWO_PLAINTEXT_PAYLOADS=true for a throwaway setup',
    );
  }
  return { payloadCodecs: [new AesGcmCodec(parseCodecKeys(env.CUWO_CODEC_KEYS))], failureConverterPath: FAILURE_CONVERTER_PATH };
}
