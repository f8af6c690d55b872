/**
 * What CUWOs derive from their input before and beside the spec's structures: the request id for
 * search attributes (even from input that fails validation), the transaction description for the
 * provider, and the workflows an activity notifies of new processing data.
 */
import { workflowInfo } from '@temporalio/workflow';

/** The business id of an input that may not have passed validation, for search attributes only. */
export function requestIdOf(input: unknown, field: string): string | undefined {
  const value: unknown = typeof input === 'object' && input !== null ? Reflect.get(input, field) : undefined;
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** The words of the statement text per language (the locale's first part); English for any other. */
const STATEMENT_WORDS: Record<string, { Payout: string; Payment: string; for: string }> = {
  en: { Payout: 'Payout', Payment: 'Payment', for: 'for' },
  de: { Payout: 'Auszahlung', Payment: 'Zahlung', for: 'für' },
  fr: { Payout: 'Versement', Payment: 'Paiement', for: 'pour' },
  it: { Payout: 'Accredito', Payment: 'Pagamento', for: 'per' },
  es: { Payout: 'Pago', Payment: 'Cobro', for: 'por' },
  nl: { Payout: 'Uitbetaling', Payment: 'Betaling', for: 'voor' },
};

/**
 * "Payout for CM-1, CM-2" from the invoice/credit memo list, or "Payout <request id>" without one, in
 * the customer's locale (cuwoContextInformation.locale, e.g. "de-DE") where the table has its language.
 */
export function documentsDescription(
  what: 'Payout' | 'Payment',
  documents: Array<{ documentNumber?: string; documentID: string }>,
  requestId: string,
  locale?: string,
): string {
  const words = STATEMENT_WORDS[(locale ?? '').split(/[-_]/)[0].toLowerCase()] ?? STATEMENT_WORDS.en;
  const numbers = documents.map((doc) => doc.documentNumber ?? doc.documentID);
  return numbers.length ? `${words[what]} ${words.for} ${numbers.join(', ')}` : `${words[what]} ${requestId}`;
}

/** The CUWO itself and, when it runs under an orchestrator, the orchestrator: both keep the processing data. */
export function notifyTargets(): string[] {
  const info = workflowInfo();
  return [info.workflowId, ...(info.parent ? [info.parent.workflowId] : [])];
}
