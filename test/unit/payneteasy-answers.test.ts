/**
 * Payneteasy answer parsing, without HTTP (src/activities/providers/payneteasy/answers.ts): the one
 * decoder of a body, and which exchanges are well-formed answers at all. What they prove is the
 * outcome table's (payneteasy-outcome.test.ts).
 */
import { decodeAnswer, field, parseAnswer, read, refusalOf } from '../../src/activities/providers/payneteasy/answers';

const answer = (body: string, httpStatus = 200) => ({ kind: 'answer' as const, httpStatus, body });
const ACCEPT = 'type=async-response\n&serial-number=sn-1\n&paynet-order-id=4711\n&merchant-order-id=payout%3APR-1\n';

describe('decodeAnswer: the one decoder', () => {
  test('newline-terminated form pairs, trimmed', () => {
    const decoded = decodeAnswer(ACCEPT);
    expect('fields' in decoded && Object.fromEntries(decoded.fields)).toEqual({
      type: 'async-response',
      'serial-number': 'sn-1',
      'paynet-order-id': '4711',
      'merchant-order-id': 'payout:PR-1',
    });
  });

  test.each([
    ['a body cut off before its last newline', ACCEPT.slice(0, -1), ' with a cut-off or foreign body'],
    ['an empty body', '', ' with an empty body'],
    ['whitespace only', '  ', ' with an empty body'],
    ['a field twice', 'type=error\n&type=async-response\n', ': field "type" appears twice'],
    ['no type', 'serial-number=sn-1\n', ' without a Payneteasy answer type'],
    ['an empty type', 'type=\n&serial-number=sn-1\n', ' without a Payneteasy answer type'],
  ])('%s is not an answer', (_name, body, why) => {
    expect(decodeAnswer(body)).toEqual({ why });
  });

  test('parseAnswer agrees with it: the fields of a well-formed body, a throw for anything else', () => {
    expect(parseAnswer(ACCEPT)).toEqual({
      type: 'async-response',
      'serial-number': 'sn-1',
      'paynet-order-id': '4711',
      'merchant-order-id': 'payout:PR-1',
    });
    expect(() => parseAnswer(ACCEPT.slice(0, -1))).toThrow(/cut-off/);
    expect(() => parseAnswer('type=a\n&type=b\n')).toThrow(/appears twice/);
  });
});

describe('read: which exchanges are well-formed answers', () => {
  test('transport facts are never answers', () => {
    expect(read({ kind: 'not-sent', error: 'ECONNREFUSED' })).toEqual({ why: 'not sent (ECONNREFUSED)' });
    expect(read({ kind: 'no-answer', error: 'timeout' })).toEqual({ why: 'no answer (timeout)' });
  });

  test.each([200, 400, 403, 404, 422])('HTTP %i with a well-formed body is an answer', (httpStatus) => {
    const read_ = read(answer(ACCEPT, httpStatus));
    expect(read_).toMatchObject({ httpStatus });
    expect('fields' in read_ && read_.fields.get('type')).toBe('async-response');
  });

  test.each([201, 302, 408, 429, 500, 502, 503])('HTTP %i says nothing about the request', (httpStatus) => {
    expect(read(answer(ACCEPT, httpStatus))).toEqual({ why: `HTTP ${httpStatus}` });
  });

  test('a body that is not an answer says why, after the HTTP status', () => {
    expect(read(answer('<html>'))).toEqual({ why: 'HTTP 200 with a cut-off or foreign body' });
    expect(read(answer('', 400))).toEqual({ why: 'HTTP 400 with an empty body' });
    expect(read(answer('type=a\n&type=b\n'))).toEqual({ why: 'HTTP 200: field "type" appears twice' });
  });
});

describe('fields of an answer', () => {
  const fieldsOf = (body: string) => {
    const decoded = decodeAnswer(body);
    if ('why' in decoded) throw new Error(decoded.why);
    return decoded.fields;
  };

  test('an empty field counts as absent', () => {
    expect(field(fieldsOf('type=status-response\n&amount=\n'), 'amount')).toBeUndefined();
    expect(field(fieldsOf('type=status-response\n&amount=1.00\n'), 'amount')).toBe('1.00');
  });

  test('a refusal is an error type with an error code; its message may be empty', () => {
    expect(refusalOf(fieldsOf('type=validation-error\n&error-code=DUPLICATE_ORDER\n&error-message=dup\n'))).toEqual({
      code: 'DUPLICATE_ORDER',
      message: 'dup',
    });
    expect(refusalOf(fieldsOf('type=error\n&error-code=X\n'))).toEqual({ code: 'X', message: '' });
    expect(refusalOf(fieldsOf('type=error\n&error-message=no code\n'))).toBeUndefined();
    expect(refusalOf(fieldsOf('type=status-response\n&error-code=FORM_EXPIRED\n'))).toBeUndefined();
  });
});
