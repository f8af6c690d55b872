/** Client-side checks that need no server: parameter validation beyond the schema, and naming what differs. */
import { InvalidParametersError, differingFields, startArguments, validateCuwoParams } from '../../src/client';
import { paymentParams } from '../support/fixtures';

test('bad payment options are refused by the client, naming the option (as the workflow would)', () => {
  const params = paymentParams('P-1');
  params.paymentMethodConfiguration.options = { captureMode: 'LATER' };
  expect(() => validateCuwoParams('PaymentRequest', params)).toThrow(InvalidParametersError);
  expect(() => validateCuwoParams('AuthorizeOrCapturePayment', params)).toThrow('paymentMethodConfiguration.options.captureMode');
  params.paymentMethodConfiguration.options = { captureMode: 'AUTHORIZE', capturemode: 'CAPTURE' };
  expect(() => validateCuwoParams('PaymentRequest', params)).toThrow('capturemode');
});

test('differingFields names every path where two parameter sets differ, and nothing when they are equal', () => {
  const a = { payoutRequestID: 'P', requestedAmount: { amount: '25.00', currency: 'EUR' }, customerIdentifiers: [{ identifier: 'a@b' }] };
  expect(differingFields(a, JSON.parse(JSON.stringify(a)))).toEqual([]);
  const b = { ...a, requestedAmount: { amount: '99.00', currency: 'EUR' }, customerIdentifiers: [{ identifier: 'm@b' }], extra: 1 };
  expect(differingFields(a, b)).toEqual(['customerIdentifiers[0].identifier', 'extra', 'requestedAmount.amount']);
});

test('PaymentRequest options reach the workflow as its second argument; bad ones are refused naming the option', () => {
  const params = paymentParams('P-2');
  expect(startArguments('PaymentRequest', params)).toEqual([params]);
  expect(startArguments('PaymentRequest', params, { paymentRequest: { capture: false, completionTimeoutMs: 60_000 } })).toEqual([
    params,
    { capture: false, completionTimeoutMs: 60_000 },
  ]);
  expect(() => startArguments('AuthorizeOrCapturePayment', params, { paymentRequest: { capture: false } })).toThrow(
    'PaymentRequest options given for AuthorizeOrCapturePayment',
  );
  const bad = (paymentRequest: object) => () => startArguments('PaymentRequest', params, { paymentRequest });
  expect(bad({ capture: 'no' })).toThrow(/options\.capture/);
  expect(bad({ completionTimeoutMs: 5 })).toThrow(/options\.completionTimeoutMs/);
  expect(bad({ completionTimeoutMs: 1.5e12 })).toThrow(/options\.completionTimeoutMs/);
  expect(bad({ captur: false })).toThrow(/captur/);
});
