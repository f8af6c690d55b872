/** What a person needs from a decline or a refusal: the limit field that matches the code, the error identifier. */
import { classifyDisburseFunds, parseReply } from '../../src/activities/providers/disburse-funds/transformers';

const reply = (result: object) =>
  JSON.stringify({ responseHeader: { responseTimestamp: '1' }, paymentIntegratorTransactionId: 'txn-1', disburseFundsResult: result });
const answer = (httpStatus: number, body: string) => ({ kind: 'answer' as const, httpStatus, body });

test.each([
  ['DISBURSEMENT_EXCEEDS_TRANSACTION_LIMIT', 'max', '1000000000'],
  ['DISBURSEMENT_UNDER_TRANSACTION_LIMIT', 'min', '1000000'],
])('%s keeps its own limit field (%s), not the other one', (code, kind, raw) => {
  const body = reply({
    disburseFundsResultCode: code,
    rawResult: { rawCode: 'L' },
    transactionMinLimit: '1000000',
    transactionMaxLimit: '1000000000',
  });
  expect(parseReply(body)).toMatchObject({ ok: true, reply: { limit: { kind, raw } } });
  const onlyOther = reply({
    disburseFundsResultCode: code,
    rawResult: { rawCode: 'L' },
    [kind === 'max' ? 'transactionMinLimit' : 'transactionMaxLimit']: '5',
  });
  const parsed = parseReply(onlyOther);
  expect(parsed.ok && parsed.reply.limit).toBeFalsy();
  // Still a decline: the limit informs, it never decides.
  expect(classifyDisburseFunds(answer(200, onlyOther))).toMatchObject({ outcome: 'NOT_DONE', notDone: { kind: 'declined' } });
});

test('a refusal keeps paymentIntegratorErrorIdentifier; an unknown HTTP status shows it in the reason', () => {
  const error = (code: string) =>
    JSON.stringify({ responseHeader: { responseTimestamp: '1' }, errorResponseCode: code, paymentIntegratorErrorIdentifier: 'err-42' });
  expect(classifyDisburseFunds(answer(401, error('INVALID_PAYLOAD_SIGNATURE')))).toMatchObject({
    outcome: 'NOT_DONE',
    notDone: { kind: 'refused', code: 'INVALID_PAYLOAD_SIGNATURE', errorIdentifier: 'err-42' },
  });
  expect(classifyDisburseFunds(answer(423, error('USER_ACTION_IN_PROGRESS')))).toMatchObject({
    outcome: 'UNKNOWN',
    why: expect.stringContaining('err-42'),
  });
});

test('an answer that cannot be opened is UNKNOWN, never a decline', () => {
  expect(classifyDisburseFunds({ kind: 'unreadable', httpStatus: 200, error: 'the PGP message is not signed' })).toEqual({
    outcome: 'UNKNOWN',
    why: 'HTTP 200 answer that cannot be opened: the PGP message is not signed',
  });
});
