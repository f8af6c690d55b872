import { AuthorizeOrCapturePaymentTypes, type AuthorizeOrCapturePaymentWorkflowParameters } from '../../src/contracts/payment';
import { GrantPayoutTypes, type GrantPayoutWorkflowParameters } from '../../src/contracts/payout';

export const UPI_ACCOUNT = 'upi-main';
export const INTEGRATOR_ACCOUNT_ID = 'integrator-EUR';
/** A secret that must never show up in a workflow history. */
export const BEARER_TOKEN = 'sk-test-9f8e7d6c5b4a';

export function grantPayoutParams(
  payoutRequestID: string,
  overrides: Partial<GrantPayoutWorkflowParameters> = {},
): GrantPayoutWorkflowParameters {
  return {
    '@type': GrantPayoutTypes.parameters,
    payoutRequestID,
    requestedAmount: { amount: '25.00', currency: 'EUR' },
    invoiceOrCreditMemoInformation: [{ documentType: 'CREDIT_MEMO', documentID: 'cm-1', documentNumber: 'CM-2026-0001' }],
    customerInformation: { customerID: 'cust-1', name: 'Asha Rao' },
    customerIdentifiers: [{ identifierType: 'UPI_VPA', identifier: 'asha@okbank' }],
    cuwoContextInformation: { tenantID: 'tenant-1', storeID: 'store-1', terminalID: 'pos-1' },
    paymentMethodConfiguration: { paymentMethodID: 'pm-upi', accountName: UPI_ACCOUNT },
    ...overrides,
  };
}

export function paymentParams(
  paymentRequestID: string,
  options: { accountName?: string; captureMode?: 'CAPTURE' | 'AUTHORIZE'; amountPolicy?: string; amount?: string; tip?: string } = {},
): AuthorizeOrCapturePaymentWorkflowParameters {
  return {
    '@type': AuthorizeOrCapturePaymentTypes.parameters,
    paymentRequestID,
    requestedAmount: { amount: options.amount ?? '50.00', currency: 'EUR' },
    includedTipAmount: { amount: options.tip ?? '5.00', currency: 'EUR' },
    invoiceOrCreditMemoInformation: [{ documentType: 'INVOICE', documentID: 'inv-1', documentNumber: 'INV-2026-0007' }],
    customerInformation: { customerID: 'cust-9', name: 'Mara Lind', email: 'mara@example.com' },
    customerIdentifiers: [],
    cuwoContextInformation: { tenantID: 'tenant-1', storeID: 'store-1', terminalID: 'pos-1' },
    paymentMethodConfiguration: {
      paymentMethodID: 'pm-card',
      accountName: options.accountName ?? 'pne-main',
      options: { captureMode: options.captureMode ?? 'CAPTURE', amountPolicy: options.amountPolicy ?? 'EXACT' },
    },
  };
}
