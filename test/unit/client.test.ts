/** Client-side checks that need no server: parameter validation beyond the schema, and naming what differs. */
import { InvalidParametersError, differingFields, validateCuwoParams } from '../../src/client';
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
