import { parseWith } from '../../src/contracts/common';
import {
  AuthorizeOrCapturePaymentTypes,
  AuthorizeOrCapturePaymentWorkflowCancelation,
  AuthorizeOrCapturePaymentWorkflowFailure,
  AuthorizeOrCapturePaymentWorkflowParameters,
  AuthorizeOrCapturePaymentWorkflowResult,
  CancelPaymentTypes,
  CancelPaymentWorkflowFailure,
  CancelPaymentWorkflowParameters,
  CancelPaymentWorkflowResult,
  CapturePaymentTypes,
  CapturePaymentWorkflowCancelation,
  CapturePaymentWorkflowFailure,
  CapturePaymentWorkflowParameters,
  CapturePaymentWorkflowResult,
} from '../../src/contracts/payment';
import {
  CancelPayoutTypes,
  CancelPayoutWorkflowFailure,
  CancelPayoutWorkflowParameters,
  CancelPayoutWorkflowResult,
  GrantPayoutTypes,
  GrantPayoutWorkflowCancelation,
  GrantPayoutWorkflowFailure,
  GrantPayoutWorkflowParameters,
  GrantPayoutWorkflowResult,
} from '../../src/contracts/payout';

/** Copied literally from docs/spec/{grant-payout,authorize-or-capture-payment,cancel-payment}.txt and docs/enfore-cuwo.md. */
const T = {
  grantPayout: {
    parameters: 'n4.cuwo.workflows.paymentsandpayouts.grantpayout.GrantPayoutWorkflowParameters',
    result: 'n4.cuwo.workflows.paymentsandpayouts.grantpayout.GrantPayoutWorkflowResult',
    failure: 'n4.cuwo.workflows.paymentsandpayouts.grantpayout.GrantPayoutWorkflowFailure',
    cancelation: 'n4.cuwo.workflows.paymentsandpayouts.grantpayout.GrantPayoutWorkflowCancelation',
  },
  cancelPayout: {
    parameters: 'n4.cuwo.workflows.paymentsandpayouts.cancelpayout.CancelPayoutWorkflowParameters',
    result: 'n4.cuwo.workflows.paymentsandpayouts.cancelpayout.CancelPayoutWorkflowResult',
    failure: 'n4.cuwo.workflows.paymentsandpayouts.cancelpayout.CancelPayoutWorkflowFailure',
  },
  authorizeOrCapturePayment: {
    parameters: 'n4.cuwo.workflows.paymentsandpayouts.authorizeorcapturepayment.AuthorizeOrCapturePaymentWorkflowParameters',
    result: 'n4.cuwo.workflows.paymentsandpayouts.authorizeorcapturepayment.AuthorizeOrCapturePaymentWorkflowResult',
    failure: 'n4.cuwo.workflows.paymentsandpayouts.authorizeorcapturepayment.AuthorizeOrCapturePaymentWorkflowFailure',
    cancelation: 'n4.cuwo.workflows.paymentsandpayouts.authorizeorcapturepayment.AuthorizeOrCapturePaymentWorkflowCancelation',
  },
  capturePayment: {
    parameters: 'n4.cuwo.workflows.paymentsandpayouts.capturepayment.CapturePaymentWorkflowParameters',
    result: 'n4.cuwo.workflows.paymentsandpayouts.capturepayment.CapturePaymentWorkflowResult',
    failure: 'n4.cuwo.workflows.paymentsandpayouts.capturepayment.CapturePaymentWorkflowFailure',
    cancelation: 'n4.cuwo.workflows.paymentsandpayouts.capturepayment.CapturePaymentWorkflowCancelation',
  },
  cancelPayment: {
    parameters: 'n4.cuwo.workflows.paymentsandpayouts.cancelpayment.CancelPaymentWorkflowParameters',
    result: 'n4.cuwo.workflows.paymentsandpayouts.cancelpayment.CancelPaymentWorkflowResult',
    failure: 'n4.cuwo.workflows.paymentsandpayouts.cancelpayment.CancelPaymentWorkflowFailure',
  },
};

type Parsed = { ok: true; value: unknown } | { ok: false; message: string };
function messageOf(result: Parsed): string {
  if (result.ok) throw new Error('expected the input to be rejected, but it parsed');
  return result.message;
}

describe('@type strings match the specification', () => {
  test('GrantPayout', () => {
    expect({ ...GrantPayoutTypes }).toEqual(T.grantPayout);
  });
  test('CancelPayout (no cancelation)', () => {
    expect({ ...CancelPayoutTypes }).toEqual(T.cancelPayout);
  });
  test('AuthorizeOrCapturePayment', () => {
    expect({ ...AuthorizeOrCapturePaymentTypes }).toEqual(T.authorizeOrCapturePayment);
  });
  test('CapturePayment', () => {
    expect({ ...CapturePaymentTypes }).toEqual(T.capturePayment);
  });
  test('CancelPayment (no cancelation)', () => {
    expect({ ...CancelPaymentTypes }).toEqual(T.cancelPayment);
  });

  test('each schema demands its own @type literally', () => {
    const cases: Array<[{ safeParse(x: unknown): { success: boolean } }, string, Record<string, unknown>]> = [
      [GrantPayoutWorkflowResult, T.grantPayout.result, { processedAmount: { amount: '1.00', currency: 'EUR' }, payoutReference: 'r' }],
      [GrantPayoutWorkflowFailure, T.grantPayout.failure, { failureReason: 'DECLINED' }],
      [GrantPayoutWorkflowCancelation, T.grantPayout.cancelation, { cancelationReason: 'CANCELED_BY_REQUEST' }],
      [CancelPayoutWorkflowParameters, T.cancelPayout.parameters, { payoutRequestID: 'p-1' }],
      [CancelPayoutWorkflowResult, T.cancelPayout.result, {}],
      [CancelPayoutWorkflowFailure, T.cancelPayout.failure, { failureReason: 'NOT_REVERSIBLE' }],
      [
        AuthorizeOrCapturePaymentWorkflowResult,
        T.authorizeOrCapturePayment.result,
        { status: 'CAPTURED', processedAmount: { amount: '1.00', currency: 'EUR' }, paymentReference: 'r' },
      ],
      [AuthorizeOrCapturePaymentWorkflowFailure, T.authorizeOrCapturePayment.failure, { failureReason: 'DECLINED' }],
      [AuthorizeOrCapturePaymentWorkflowCancelation, T.authorizeOrCapturePayment.cancelation, { cancelationReason: 'CANCELED_BY_REQUEST' }],
      [CapturePaymentWorkflowParameters, T.capturePayment.parameters, { paymentRequestID: 'p-1' }],
      [CapturePaymentWorkflowResult, T.capturePayment.result, {}],
      [CapturePaymentWorkflowFailure, T.capturePayment.failure, { failureReason: 'NOT_AUTHORIZED' }],
      [CapturePaymentWorkflowCancelation, T.capturePayment.cancelation, { cancelationReason: 'CANCELED_BY_REQUEST' }],
      [CancelPaymentWorkflowParameters, T.cancelPayment.parameters, { paymentRequestID: 'p-1' }],
      [CancelPaymentWorkflowResult, T.cancelPayment.result, {}],
      [CancelPaymentWorkflowFailure, T.cancelPayment.failure, { failureReason: 'REVERSAL_DECLINED' }],
    ];
    for (const [schema, type, fields] of cases) {
      expect({ type, ok: schema.safeParse({ '@type': type, ...fields }).success }).toEqual({ type, ok: true });
      // a different structure's @type, and no @type at all, are rejected
      expect({ type, ok: schema.safeParse({ '@type': T.grantPayout.parameters, ...fields }).success }).toEqual({ type, ok: false });
      expect({ type, ok: schema.safeParse(fields).success }).toEqual({ type, ok: false });
    }
  });
});

const common = {
  invoiceOrCreditMemoInformation: [{ documentType: 'INVOICE', documentID: 'inv-1' }],
  customerInformation: { name: 'Alice' },
  customerIdentifiers: [{ identifierType: 'UPI_VPA', identifier: 'alice@bank' }],
  cuwoContextInformation: { tenantID: 't-1' },
  paymentMethodConfiguration: { paymentMethodID: 'pm-1', accountName: 'main' },
};

const grantPayout = () => ({
  '@type': 'n4.cuwo.workflows.paymentsandpayouts.grantpayout.GrantPayoutWorkflowParameters',
  payoutRequestID: 'payout-1',
  requestedAmount: { amount: '10.15', currency: 'EUR' },
  ...common,
});

const authorizeOrCapture = () => ({
  '@type': 'n4.cuwo.workflows.paymentsandpayouts.authorizeorcapturepayment.AuthorizeOrCapturePaymentWorkflowParameters',
  paymentRequestID: 'payment-1',
  requestedAmount: { amount: '12.50', currency: 'EUR' },
  includedTipAmount: { amount: '1.50', currency: 'EUR' },
  ...common,
});

describe('minimal valid parameters parse', () => {
  test('GrantPayout', () => {
    const parsed = parseWith(GrantPayoutWorkflowParameters, grantPayout());
    expect(parsed).toEqual({ ok: true, value: grantPayout() });
  });

  test('GrantPayout with empty lists and objects', () => {
    const input = {
      ...grantPayout(),
      invoiceOrCreditMemoInformation: [],
      customerInformation: {},
      customerIdentifiers: [],
      cuwoContextInformation: {},
    };
    expect(parseWith(GrantPayoutWorkflowParameters, input).ok).toBe(true);
  });

  test('CancelPayout', () => {
    const input = {
      '@type': 'n4.cuwo.workflows.paymentsandpayouts.cancelpayout.CancelPayoutWorkflowParameters',
      payoutRequestID: 'payout-1',
    };
    expect(parseWith(CancelPayoutWorkflowParameters, input)).toEqual({ ok: true, value: input });
  });

  test('AuthorizeOrCapturePayment', () => {
    expect(parseWith(AuthorizeOrCapturePaymentWorkflowParameters, authorizeOrCapture())).toEqual({ ok: true, value: authorizeOrCapture() });
  });

  test('CapturePayment', () => {
    const input = {
      '@type': 'n4.cuwo.workflows.paymentsandpayouts.capturepayment.CapturePaymentWorkflowParameters',
      paymentRequestID: 'payment-1',
      paymentReference: 'ref-1',
      paymentProcessingData: '{"v":1}',
    };
    expect(parseWith(CapturePaymentWorkflowParameters, input)).toEqual({ ok: true, value: input });
  });

  test('CancelPayment with only @type and paymentRequestID', () => {
    const input = {
      '@type': 'n4.cuwo.workflows.paymentsandpayouts.cancelpayment.CancelPaymentWorkflowParameters',
      paymentRequestID: 'payment-1',
    };
    expect(parseWith(CancelPaymentWorkflowParameters, input)).toEqual({ ok: true, value: input });
  });
});

describe('invalid parameters are rejected with a message naming the field', () => {
  test('wrong @type', () => {
    const message = messageOf(
      parseWith(GrantPayoutWorkflowParameters, {
        ...grantPayout(),
        '@type': 'n4.cuwo.workflows.paymentsandpayouts.grantpayout.GrantPayoutWorkflowResult',
      }),
    );
    expect(message).toMatch(/^@type: /);
    expect(message).toContain('n4.cuwo.workflows.paymentsandpayouts.grantpayout.GrantPayoutWorkflowParameters');
  });

  test('missing @type', () => {
    const { '@type': _ignored, ...input } = grantPayout();
    expect(messageOf(parseWith(GrantPayoutWorkflowParameters, input))).toMatch(/^@type: /);
  });

  test.each(['payoutRequestID', 'requestedAmount', 'customerIdentifiers', 'paymentMethodConfiguration'])('missing %s', (field) => {
    const input: Record<string, unknown> = grantPayout();
    delete input[field];
    expect(messageOf(parseWith(GrantPayoutWorkflowParameters, input))).toMatch(new RegExp(`^${field}: `));
  });

  test('empty payoutRequestID', () => {
    expect(messageOf(parseWith(GrantPayoutWorkflowParameters, { ...grantPayout(), payoutRequestID: '' }))).toBe(
      'payoutRequestID: must not be empty',
    );
  });

  test('empty payoutRequestID in CancelPayout, empty paymentRequestID in CancelPayment', () => {
    const cancelPayout = {
      '@type': 'n4.cuwo.workflows.paymentsandpayouts.cancelpayout.CancelPayoutWorkflowParameters',
      payoutRequestID: '',
    };
    expect(messageOf(parseWith(CancelPayoutWorkflowParameters, cancelPayout))).toBe('payoutRequestID: must not be empty');
    const cancelPayment = {
      '@type': 'n4.cuwo.workflows.paymentsandpayouts.cancelpayment.CancelPaymentWorkflowParameters',
      paymentRequestID: '',
    };
    expect(messageOf(parseWith(CancelPaymentWorkflowParameters, cancelPayment))).toBe('paymentRequestID: must not be empty');
  });

  test('negative requestedAmount', () => {
    const input = { ...grantPayout(), requestedAmount: { amount: '-10.00', currency: 'EUR' } };
    expect(messageOf(parseWith(GrantPayoutWorkflowParameters, input))).toBe('requestedAmount.amount: negative amount "-10.00"');
  });

  test.each(['12,50', '1e3', ' 1', '01.00', ''])('malformed requestedAmount %j', (amount) => {
    const input = { ...grantPayout(), requestedAmount: { amount, currency: 'EUR' } };
    expect(messageOf(parseWith(GrantPayoutWorkflowParameters, input))).toBe(
      `requestedAmount.amount: malformed amount "${amount}" (expected a decimal string such as "12.50")`,
    );
  });

  test('amount as a number instead of a string', () => {
    const input = { ...grantPayout(), requestedAmount: { amount: 10.15, currency: 'EUR' } };
    expect(messageOf(parseWith(GrantPayoutWorkflowParameters, input))).toMatch(/^requestedAmount\.amount: /);
  });

  test('too many decimals', () => {
    const input = { ...grantPayout(), requestedAmount: { amount: '10', currency: 'JPY' } };
    expect(parseWith(GrantPayoutWorkflowParameters, input).ok).toBe(true);
    const bad = { ...grantPayout(), requestedAmount: { amount: '10.5', currency: 'JPY' } };
    expect(messageOf(parseWith(GrantPayoutWorkflowParameters, bad))).toBe(
      'requestedAmount.amount: amount "10.5" has 1 decimal places, JPY allows 0',
    );
  });

  test.each(['EUX', 'eur', 'XXX'])('unknown currency %j', (currency) => {
    const input = { ...grantPayout(), requestedAmount: { amount: '10.00', currency } };
    expect(messageOf(parseWith(GrantPayoutWorkflowParameters, input))).toMatch(/^requestedAmount\.amount: unknown currency /);
  });

  test('zero requestedAmount is rejected, zero tip is fine', () => {
    const zero = { ...grantPayout(), requestedAmount: { amount: '0.00', currency: 'EUR' } };
    expect(messageOf(parseWith(GrantPayoutWorkflowParameters, zero))).toBe('requestedAmount.amount: amount must be greater than zero');
    const noTip = { ...authorizeOrCapture(), includedTipAmount: { amount: '0.00', currency: 'EUR' } };
    expect(parseWith(AuthorizeOrCapturePaymentWorkflowParameters, noTip).ok).toBe(true);
  });

  test('the included tip cannot exceed the requested amount it is part of', () => {
    const requested = authorizeOrCapture().requestedAmount;
    const tooMuchTip = { ...authorizeOrCapture(), includedTipAmount: { amount: '100000.00', currency: requested.currency } };
    expect(messageOf(parseWith(AuthorizeOrCapturePaymentWorkflowParameters, tooMuchTip))).toMatch(
      /^includedTipAmount\.amount: tip 100000\.00 exceeds requestedAmount /,
    );
    const allTip = { ...authorizeOrCapture(), includedTipAmount: requested };
    expect(parseWith(AuthorizeOrCapturePaymentWorkflowParameters, allTip).ok).toBe(true);
  });

  test('the message names a nested list field', () => {
    const input = { ...grantPayout(), customerIdentifiers: [{ identifierType: 'UPI_VPA', identifier: '' }] };
    expect(messageOf(parseWith(GrantPayoutWorkflowParameters, input))).toBe('customerIdentifiers.0.identifier: must not be empty');
  });

  test('every offending field is named', () => {
    const input = { ...grantPayout(), payoutRequestID: '', requestedAmount: { amount: '1,00', currency: 'EUR' } };
    const message = messageOf(parseWith(GrantPayoutWorkflowParameters, input));
    expect(message).toContain('payoutRequestID: must not be empty');
    expect(message).toContain('requestedAmount.amount: malformed amount "1,00"');
  });

  test('AuthorizeOrCapturePayment: includedTipAmount currency must match requestedAmount currency', () => {
    const input = { ...authorizeOrCapture(), includedTipAmount: { amount: '1.50', currency: 'USD' } };
    expect(messageOf(parseWith(AuthorizeOrCapturePaymentWorkflowParameters, input))).toBe(
      'includedTipAmount.currency: must equal requestedAmount.currency (EUR)',
    );
  });

  test('AuthorizeOrCapturePayment: malformed includedTipAmount', () => {
    const input = { ...authorizeOrCapture(), includedTipAmount: { amount: '-1.50', currency: 'EUR' } };
    expect(messageOf(parseWith(AuthorizeOrCapturePaymentWorkflowParameters, input))).toBe(
      'includedTipAmount.amount: negative amount "-1.50"',
    );
  });

  test('AuthorizeOrCapturePayment: missing includedTipAmount', () => {
    const { includedTipAmount: _ignored, ...input } = authorizeOrCapture();
    expect(messageOf(parseWith(AuthorizeOrCapturePaymentWorkflowParameters, input))).toMatch(/^includedTipAmount: /);
  });
});

describe('failure and cancelation structures', () => {
  test.each([
    [GrantPayoutWorkflowFailure, 'n4.cuwo.workflows.paymentsandpayouts.grantpayout.GrantPayoutWorkflowFailure'],
    [CancelPayoutWorkflowFailure, 'n4.cuwo.workflows.paymentsandpayouts.cancelpayout.CancelPayoutWorkflowFailure'],
    [
      AuthorizeOrCapturePaymentWorkflowFailure,
      'n4.cuwo.workflows.paymentsandpayouts.authorizeorcapturepayment.AuthorizeOrCapturePaymentWorkflowFailure',
    ],
    [CapturePaymentWorkflowFailure, 'n4.cuwo.workflows.paymentsandpayouts.capturepayment.CapturePaymentWorkflowFailure'],
    [CancelPaymentWorkflowFailure, 'n4.cuwo.workflows.paymentsandpayouts.cancelpayment.CancelPaymentWorkflowFailure'],
  ] as const)('%#: an unknown failureReason is rejected, a common one accepted', (schema, type) => {
    expect(parseWith(schema, { '@type': type, failureReason: 'PROVIDER_ERROR', failureCode: 'E42' }).ok).toBe(true);
    expect(messageOf(parseWith(schema, { '@type': type, failureReason: 'SOMETHING_ELSE' }))).toMatch(/^failureReason: /);
    expect(messageOf(parseWith(schema, { '@type': type }))).toMatch(/^failureReason: /);
  });

  test('reasons are specific to their CUWO', () => {
    const grantFailure = 'n4.cuwo.workflows.paymentsandpayouts.grantpayout.GrantPayoutWorkflowFailure';
    expect(parseWith(GrantPayoutWorkflowFailure, { '@type': grantFailure, failureReason: 'CANCELED_AFTER_PAYOUT' }).ok).toBe(true);
    expect(parseWith(GrantPayoutWorkflowFailure, { '@type': grantFailure, failureReason: 'NOT_AUTHORIZED' }).ok).toBe(false);
    const captureFailure = 'n4.cuwo.workflows.paymentsandpayouts.capturepayment.CapturePaymentWorkflowFailure';
    expect(parseWith(CapturePaymentWorkflowFailure, { '@type': captureFailure, failureReason: 'NOT_AUTHORIZED' }).ok).toBe(true);
  });

  test('an unknown cancelationReason is rejected', () => {
    const type = 'n4.cuwo.workflows.paymentsandpayouts.grantpayout.GrantPayoutWorkflowCancelation';
    expect(parseWith(GrantPayoutWorkflowCancelation, { '@type': type, cancelationReason: 'RECEIVER_DID_NOT_CONFIRM' }).ok).toBe(true);
    expect(messageOf(parseWith(GrantPayoutWorkflowCancelation, { '@type': type, cancelationReason: 'BORED' }))).toMatch(
      /^cancelationReason: /,
    );
  });

  test('AuthorizeOrCapturePayment result status is AUTHORIZED or CAPTURED', () => {
    const base = {
      '@type': 'n4.cuwo.workflows.paymentsandpayouts.authorizeorcapturepayment.AuthorizeOrCapturePaymentWorkflowResult',
      processedAmount: { amount: '12.50', currency: 'EUR' },
      paymentReference: 'ref-1',
    };
    expect(parseWith(AuthorizeOrCapturePaymentWorkflowResult, { ...base, status: 'AUTHORIZED' }).ok).toBe(true);
    expect(parseWith(AuthorizeOrCapturePaymentWorkflowResult, { ...base, status: 'CAPTURED' }).ok).toBe(true);
    expect(messageOf(parseWith(AuthorizeOrCapturePaymentWorkflowResult, { ...base, status: 'PENDING' }))).toMatch(/^status: /);
  });
});

describe('bounds: every string and amount has a documented limit (defects 8 and 16)', () => {
  test.each([
    ['a blank request id', { payoutRequestID: '   ' }, 'payoutRequestID: must not be empty'],
    ['a request id over 128 characters', { payoutRequestID: 'R'.repeat(129) }, 'payoutRequestID: must be at most 128 characters'],
    [
      'a 26-digit amount',
      { requestedAmount: { amount: '12345678901234567890123456', currency: 'EUR' } },
      'requestedAmount.amount: must be at most 20 characters',
    ],
    [
      'an amount of a trillion',
      { requestedAmount: { amount: '1000000000000.00', currency: 'EUR' } },
      'requestedAmount.amount: must be below 10^12 EUR',
    ],
    [
      'the amount whose micros overflow int64',
      { requestedAmount: { amount: '99999999999999999999.99', currency: 'EUR' } },
      'requestedAmount.amount: must be at most 20 characters',
    ],
    [
      'a document number of a million characters',
      { invoiceOrCreditMemoInformation: [{ documentType: 'CREDIT_MEMO', documentID: 'cm', documentNumber: 'N'.repeat(1_000_000) }] },
      'invoiceOrCreditMemoInformation.0.documentNumber: must be at most 64 characters',
    ],
    [
      '21 customer identifiers',
      { customerIdentifiers: Array.from({ length: 21 }, () => ({ identifierType: 'UPI_VPA', identifier: 'a@b' })) },
      'customerIdentifiers: must have at most 20 entries',
    ],
  ])('%s is refused, naming the field, without echoing the value', (_name, change, message) => {
    const result = messageOf(parseWith(GrantPayoutWorkflowParameters, { ...grantPayout(), ...change }));
    expect(result).toBe(message);
  });

  test('the largest accepted amount fits disburseFunds micros for every currency exponent up to 6', () => {
    expect(
      parseWith(GrantPayoutWorkflowParameters, { ...grantPayout(), requestedAmount: { amount: '999999999999.99', currency: 'EUR' } }).ok,
    ).toBe(true);
    expect(999_999_999_999n * 10n ** 6n < 2n ** 63n).toBe(true);
  });
});
