/**
 * The request mix of a chaos run: which requests, with which amounts, destinations and form and POS
 * behaviour. Pure and seeded: the same seed plans the same requests.
 */
import { DEMO_PAYNETEASY_ACCOUNT, DEMO_RECEIVERS, DEMO_UPI_ACCOUNT } from '../dev/stack';
import { AuthorizeOrCapturePaymentTypes, type AuthorizeOrCapturePaymentWorkflowParameters } from '../contracts/payment';
import { GrantPayoutTypes, type GrantPayoutWorkflowParameters } from '../contracts/payout';
import { fromMinorUnits } from '../contracts/money';
import { createRng, deriveSeed } from './rng';

export const REQUEST_KINDS = ['payout-disburse', 'payout-pne-card', 'payout-pne-form', 'payment-capture', 'payment-authorize'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

/** What the receiver (payout form) or the customer (payment form) does with the provider's form. */
export type FormPlan =
  | { action: 'complete'; afterMs: number; outcome?: 'approve' | 'decline' | 'error' | 'filtered'; amountMinor?: string }
  | { action: 'never' };

interface PlanBase {
  index: number;
  requestId: string;
  kind: RequestKind;
  /** Requested amount in EUR minor units. */
  amountMinor: bigint;
  /** Milliseconds after the run's start before the request may start (spreads the load a little). */
  notBeforeMs: number;
}

export interface PayoutPlan extends PlanBase {
  kind: 'payout-disburse' | 'payout-pne-card' | 'payout-pne-form';
  /** disburseFunds: the receiver's VPA; Payneteasy card: the stored card reference (its prefix picks the outcome). */
  destination?: string;
  form?: FormPlan;
  /** What we expect without disruptions, for the report. */
  note: string;
}

export interface PaymentPlan extends PlanBase {
  kind: 'payment-capture' | 'payment-authorize';
  amountPolicy: 'EXACT' | 'ALLOW_MORE' | 'ALLOW_LESS';
  form: FormPlan;
  /** What the POS side does once the payment went through. */
  pos: { action: 'complete' | 'abort'; afterMs: number };
  note: string;
}

export type RequestPlan = PayoutPlan | PaymentPlan;

export const KIND_WEIGHTS: Record<RequestKind, number> = {
  'payout-disburse': 25,
  'payout-pne-card': 20,
  'payout-pne-form': 15,
  'payment-capture': 20,
  'payment-authorize': 20,
};

/** Plans `count` requests; request ids are `<prefix>-<n>` (readable provider keys). */
export function planRequests(seed: number, count: number, prefix: string, spreadMs: number): RequestPlan[] {
  const plans: RequestPlan[] = [];
  for (let index = 0; index < count; index++) {
    const rng = createRng(deriveSeed(seed, `request-${index}`));
    const kind = rng.weighted(KIND_WEIGHTS);
    const requestId = `${prefix}-${String(index + 1).padStart(4, '0')}`;
    const notBeforeMs = Math.floor((spreadMs * index) / Math.max(1, count));
    const amountMinor = BigInt(rng.int(5, 400)) * 100n + BigInt(rng.pick([0, 0, 50, 99, 1]));
    const base = { index, requestId, amountMinor, notBeforeMs };
    if (kind === 'payout-disburse') {
      const variant = rng.weighted({ ok: 74, above: 8, below: 5, closed: 8, hold: 5 });
      plans.push({
        ...base,
        kind,
        amountMinor: variant === 'above' ? 150_000n : variant === 'below' ? 50n : amountMinor,
        destination: variant === 'closed' ? DEMO_RECEIVERS.closed : variant === 'hold' ? DEMO_RECEIVERS.onHold : `r${index + 1}@okbank`,
        note: {
          ok: 'paid',
          above: 'AMOUNT_ABOVE_LIMIT',
          below: 'AMOUNT_BELOW_LIMIT',
          closed: 'RECEIVER_ACCOUNT_CLOSED',
          hold: 'RECEIVER_ACCOUNT_ON_HOLD',
        }[variant],
      });
    } else if (kind === 'payout-pne-card') {
      const prefixKind = rng.weighted({ approve: 70, decline: 10, error: 10, filtered: 10 });
      plans.push({
        ...base,
        kind,
        destination: `${prefixKind}-card-${index + 1}`,
        note: prefixKind === 'approve' ? 'paid' : prefixKind.toUpperCase(),
      });
    } else if (kind === 'payout-pne-form') {
      const form: FormPlan = rng.chance(0.8) ? { action: 'complete', afterMs: rng.int(300, 6_000) } : { action: 'never' };
      plans.push({ ...base, kind, form, note: form.action === 'complete' ? 'paid after the form' : 'form never filled: canceled' });
    } else {
      const outcome = rng.weighted({ approve: 75, decline: 7, error: 5, filtered: 4, never: 9 });
      const tip = rng.weighted({ none: 80, allowedTip: 10, exactTip: 5, allowedLess: 5 });
      const amountPolicy = tip === 'allowedTip' ? 'ALLOW_MORE' : tip === 'allowedLess' ? 'ALLOW_LESS' : 'EXACT';
      const submitted =
        tip === 'allowedTip' || tip === 'exactTip'
          ? (amountMinor + BigInt(rng.int(50, 900))).toString()
          : tip === 'allowedLess'
            ? (amountMinor - 100n).toString()
            : undefined;
      const form: FormPlan =
        outcome === 'never'
          ? { action: 'never' }
          : {
              action: 'complete',
              afterMs: rng.int(200, 4_000),
              ...(outcome !== 'approve' ? { outcome } : {}),
              ...(submitted ? { amountMinor: submitted } : {}),
            };
      const pos = { action: rng.chance(0.7) ? ('complete' as const) : ('abort' as const), afterMs: rng.int(0, 3_000) };
      const note =
        outcome === 'never'
          ? 'form never completed: canceled'
          : outcome !== 'approve'
            ? `form ${outcome}: failed`
            : tip === 'exactTip'
              ? 'AMOUNT_MISMATCH: refunded'
              : pos.action === 'abort'
                ? 'POS abort: refunded'
                : 'booked';
      plans.push({ ...base, kind: kind as PaymentPlan['kind'], amountPolicy, form, pos, note });
    }
  }
  return plans;
}

const money = (minor: bigint) => fromMinorUnits(minor, 'EUR');

export function payoutParameters(plan: PayoutPlan): GrantPayoutWorkflowParameters {
  const id = plan.requestId;
  return {
    '@type': GrantPayoutTypes.parameters,
    payoutRequestID: id,
    requestedAmount: money(plan.amountMinor),
    invoiceOrCreditMemoInformation: [{ documentType: 'CREDIT_MEMO', documentID: `cm-${id}`, documentNumber: `CM-${id}` }],
    customerInformation: { customerID: `chaos-customer-${plan.index + 1}`, name: 'Chaos Customer' },
    customerIdentifiers:
      plan.kind === 'payout-disburse'
        ? [{ identifierType: 'UPI_VPA', identifier: plan.destination! }]
        : plan.kind === 'payout-pne-card'
          ? [{ identifierType: 'CARD_REFERENCE', identifier: plan.destination! }]
          : [],
    cuwoContextInformation: { tenantID: 'chaos', storeID: 'chaos-store', terminalID: 'chaos-pos' },
    paymentMethodConfiguration:
      plan.kind === 'payout-disburse'
        ? { paymentMethodID: 'pm-upi', accountName: DEMO_UPI_ACCOUNT }
        : { paymentMethodID: 'pm-card-payout', accountName: DEMO_PAYNETEASY_ACCOUNT },
  };
}

export function paymentParameters(plan: PaymentPlan): AuthorizeOrCapturePaymentWorkflowParameters {
  const id = plan.requestId;
  return {
    '@type': AuthorizeOrCapturePaymentTypes.parameters,
    paymentRequestID: id,
    requestedAmount: money(plan.amountMinor),
    includedTipAmount: { amount: '0.00', currency: 'EUR' },
    invoiceOrCreditMemoInformation: [{ documentType: 'INVOICE', documentID: `inv-${id}`, documentNumber: `INV-${id}` }],
    customerInformation: { customerID: `chaos-customer-${plan.index + 1}`, name: 'Chaos Customer', email: 'chaos@example.com' },
    customerIdentifiers: [],
    cuwoContextInformation: { tenantID: 'chaos', storeID: 'chaos-store', terminalID: 'chaos-pos' },
    paymentMethodConfiguration: {
      paymentMethodID: 'pm-card',
      accountName: DEMO_PAYNETEASY_ACCOUNT,
      options: { captureMode: plan.kind === 'payment-authorize' ? 'AUTHORIZE' : 'CAPTURE', amountPolicy: plan.amountPolicy },
    },
  };
}

export const isPayout = (plan: RequestPlan): plan is PayoutPlan => plan.kind.startsWith('payout');
