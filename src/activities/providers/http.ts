/**
 * The one HTTP helper of the provider adapters. It never throws: every exchange ends as one of
 * three transport facts, which each protocol's outcome table turns into DONE / NOT_DONE / UNKNOWN.
 * Only a connection that was refused (or a host that could not be resolved) proves the request
 * never left; a timeout, a reset or an abort may have reached the provider.
 */
export type Exchange =
  /** Provably never left: nothing was connected, so no byte reached the provider. */
  | { kind: 'not-sent'; error: string }
  /** May have reached the provider: timeout, reset, closed connection, abort. */
  | { kind: 'no-answer'; error: string }
  | { kind: 'answer'; httpStatus: number; body: string; contentType?: string };

/** Errors raised before a connection existed (undici reports them as the `cause` of a fetch TypeError). */
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

export async function exchange(
  url: string,
  init: { method?: 'POST' | 'GET'; headers?: Record<string, string>; body?: string },
  timeoutMs: number,
): Promise<Exchange> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method ?? 'POST',
      headers: init.headers,
      body: init.body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const code = errorCode(err);
    const error = `${(err as Error).message}${code ? ` (${code})` : ''}`;
    return code && NEVER_CONNECTED.has(code) ? { kind: 'not-sent', error } : { kind: 'no-answer', error };
  }
  try {
    const body = await response.text();
    return { kind: 'answer', httpStatus: response.status, body, contentType: response.headers.get('content-type') ?? undefined };
  } catch (err) {
    // The provider began answering and the body broke off: it did get the request.
    return { kind: 'no-answer', error: `answer broke off after HTTP ${response.status}: ${(err as Error).message}` };
  }
}

function errorCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
