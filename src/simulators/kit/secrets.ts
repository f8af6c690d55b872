/** Comparing a presented credential with the configured one (bearer token, OAuth consumer key, SHA-1 control). */
import { createHash, timingSafeEqual } from 'node:crypto';

// Hash first so timingSafeEqual gets equal lengths and the comparison leaks no timing on the secret.
export const sameSecret = (a: string, b: string) =>
  timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
