/**
 * Payneteasy answers, parsed (docs/payneteasy.md, "Common rules" and "What an answer proves"): the
 * one decoder of an answer body, and whether an exchange brought a well-formed protocol answer at
 * all. Pure; what a well-formed answer proves is classified in outcome.ts.
 *
 * Well-formed: HTTP 200, or a 4xx other than 408 / 429; a body that ends with a newline (Payneteasy
 * ends every value with one, so a body that does not was cut off), parses as form pairs without a
 * repeated field, and names its `type`.
 */
import type { Exchange } from '../http';

/** The fields of an answer, by name (values trimmed of their newline). */
export type Fields = ReadonlyMap<string, string>;

/** An error answer: what the provider refused, and why. */
export interface Refusal {
  code: string;
  message: string;
}

/** The fields of an answer body, or (as the tail of a sentence) why the body is not a Payneteasy answer. */
export function decodeAnswer(body: string): { fields: Fields } | { why: string } {
  if (!body.endsWith('\n')) return { why: ` with ${body.trim() ? 'a cut-off or foreign body' : 'an empty body'}` };
  const fields = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(body.trim())) {
    const name = key.trim();
    if (fields.has(name)) return { why: `: field "${name}" appears twice` };
    fields.set(name, value.trim());
  }
  if (!fields.get('type')) return { why: ' without a Payneteasy answer type' };
  return { fields };
}

/** The fields of a well-formed answer body, as an object; throws on anything else (use read() on exchanges). */
export function parseAnswer(body: string): Record<string, string> {
  const decoded = decodeAnswer(body);
  if ('why' in decoded) throw new Error(`not a Payneteasy answer: body${decoded.why}`);
  return Object.fromEntries(decoded.fields);
}

/** HTTP statuses that say nothing about the request: the provider may or may not have processed it. */
const saysNothing = (httpStatus: number) =>
  httpStatus !== 200 && !(httpStatus >= 400 && httpStatus < 500 && httpStatus !== 408 && httpStatus !== 429);

/** A well-formed protocol answer, or why the exchange is not one. */
export function read(exchange: Exchange): { fields: Fields; httpStatus: number } | { why: string } {
  if (exchange.kind !== 'answer')
    return { why: exchange.kind === 'not-sent' ? `not sent (${exchange.error})` : `no answer (${exchange.error})` };
  const { httpStatus, body } = exchange;
  if (saysNothing(httpStatus)) return { why: `HTTP ${httpStatus}` };
  const decoded = decodeAnswer(body);
  return 'why' in decoded ? { why: `HTTP ${httpStatus}${decoded.why}` } : { fields: decoded.fields, httpStatus };
}

/** A non-empty field. */
export const field = (fields: Fields, name: string) => fields.get(name) || undefined;

/** The refusal an error answer (`type=error` or `validation-error` with an `error-code`) carries. */
export function refusalOf(fields: Fields): Refusal | undefined {
  const type = fields.get('type');
  const code = field(fields, 'error-code');
  return (type === 'error' || type === 'validation-error') && code ? { code, message: fields.get('error-message') ?? '' } : undefined;
}
