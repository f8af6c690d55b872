import { createHash } from 'node:crypto';

/**
 * A provider idempotency key derived from a business id only (never from an attempt or run), so a
 * retried, resumed or compensating call names the same money movement. Readable when the id fits
 * the conservative alphabet; otherwise hashed under another prefix, so the two forms never collide.
 */
export function providerKey(kind: string, businessId: string, maxLength: number): string {
  const readable = `${kind}:${businessId}`;
  if (readable.length <= maxLength && /^[a-zA-Z0-9:_-]+$/.test(readable)) return readable;
  return `${kind}-sha256:${createHash('sha256').update(businessId).digest('hex')}`;
}
