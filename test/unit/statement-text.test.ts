/**
 * The statement text a CUWO hands its provider (src/workflows/inputs.ts documentsDescription): the
 * documents' numbers, in the customer's locale where the table has its language, English otherwise.
 */
import { documentsDescription } from '../../src/workflows/inputs';

const docs = [{ documentID: 'd-1', documentNumber: 'CM-1' }, { documentID: 'd-2' }];

test.each([
  [undefined, 'Payout for CM-1, d-2'],
  ['en-GB', 'Payout for CM-1, d-2'],
  ['de-DE', 'Auszahlung für CM-1, d-2'],
  ['de', 'Auszahlung für CM-1, d-2'],
  ['fr_FR', 'Versement pour CM-1, d-2'],
  ['it-IT', 'Accredito per CM-1, d-2'],
  ['pt-BR', 'Payout for CM-1, d-2'],
  ['', 'Payout for CM-1, d-2'],
])('locale %p: %p', (locale, text) => {
  expect(documentsDescription('Payout', docs, 'req-1', locale)).toBe(text);
});

test('without documents: the request id, in the locale too', () => {
  expect(documentsDescription('Payment', [], 'req-1', 'de-AT')).toBe('Zahlung req-1');
  expect(documentsDescription('Payment', [], 'req-1')).toBe('Payment req-1');
});
