/** Payneteasy simulator, payouts: creation, amounts, repeats, the receiver's form, and the return (payout reversal). */
import { sign } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import {
  callbacksFor,
  callbackUrl,
  CONTROL_A,
  CONTROL_B,
  createPayout,
  delay,
  EP_A,
  EP_B,
  finalStatus,
  FORM_TTL_MS,
  keyA,
  ledgerFor,
  LOGIN_A,
  LOGIN_B,
  ordersFor,
  payout,
  payoutFields,
  PROCESSING_MS,
  refOf,
  reverse,
  sha1,
  sim,
  status,
  toAnswer,
  useSimulator,
  waitFor,
} from './support';

useSimulator();

describe('payout', () => {
  test('approved after processingMs: async-response, status processing then approved, ledger paid', async () => {
    const fields = payoutFields();
    const a = await payout(fields);
    expect(a.status).toBe(200);
    // Payneteasy's shape: a "\n" after every value, i.e. before every '&'.
    expect(a.text).toMatch(/^type=async-response\n&serial-number=[0-9a-f-]+\n&merchant-order-id=[^&\n]+\n&paynet-order-id=\d+\n$/);
    expect(a.text.split('&').every((part) => part.endsWith('\n'))).toBe(true);
    expect(a.fields['merchant-order-id']).toBe(fields.client_orderid);
    const ref = refOf(fields.client_orderid, a);

    const first = await status(ref);
    expect(first.text.split('&').every((part) => part.endsWith('\n'))).toBe(true);
    expect(first.fields).toMatchObject({
      type: 'status-response',
      status: 'processing',
      'transaction-type': 'payout',
      'order-stage': 'payout_processing',
      amount: '25.00',
      currency: 'EUR',
      'paynet-order-id': ref.orderId,
      'merchant-order-id': fields.client_orderid,
      'serial-number': a.fields['serial-number'],
    });
    expect(first.fields['redirect-to']).toBeUndefined();
    expect(ledgerFor(fields.client_orderid)).toEqual([]);

    const done = await finalStatus(ref);
    expect(done.fields).toMatchObject({ status: 'approved', 'order-stage': 'payout_approved', 'serial-number': a.fields['serial-number'] });
    expect(done.fields['error-code']).toBeUndefined();
    expect(ledgerFor(fields.client_orderid)).toEqual([
      { orderId: ref.orderId, clientOrderId: fields.client_orderid, paidMinor: '2500', reversedMinor: '0', currency: 'EUR' },
    ]);
    const [order] = ordersFor(fields.client_orderid);
    expect(order).toMatchObject({ endpointId: EP_A, amountMinor: '2500', currency: 'EUR', destination: 'card-ok-1', formCompleted: false });
    expect(order.transactions).toEqual([
      expect.objectContaining({ type: 'payout', status: 'approved', amountMinor: '2500', finalAt: expect.any(String) }),
    ]);
  });

  test('paynet-order-ids are numeric and increasing', async () => {
    const a = await createPayout();
    const b = await createPayout();
    expect(BigInt(b.orderId)).toBeGreaterThan(BigInt(a.orderId));
  });

  test.each([
    ['decline-', 'declined', 'DECLINED', "Receiver's issuer declined"],
    ['error-', 'error', 'PROCESSING_ERROR', undefined],
    ['filtered-', 'filtered', 'FRAUD_FILTER', undefined],
  ])('destination %s -> %s with %s, nothing paid', async (prefix, finalState, code, message) => {
    const ref = await createPayout({ 'destination-card-ref-id': `${prefix}card-7` });
    const done = await finalStatus(ref);
    expect(done.fields).toMatchObject({ status: finalState, 'error-code': code, 'order-stage': `payout_${finalState}` });
    expect(done.fields['error-message']).toEqual(message ?? expect.any(String));
    expect(ledgerFor(ref.clientOrderId)).toEqual([]);
  });

  test('amounts are converted exactly with the currency exponent; invalid fields are validation errors', async () => {
    const big = await createPayout({ amount: '123456789012345.67' }); // beyond float precision
    expect(ordersFor(big.clientOrderId)[0].amountMinor).toBe('12345678901234567');
    expect((await status(big)).fields.amount).toBe('123456789012345.67');
    const jpy = await createPayout({ amount: '1500', currency: 'JPY' });
    expect(ordersFor(jpy.clientOrderId)[0].amountMinor).toBe('1500');
    const kwd = await createPayout({ amount: '12.345', currency: 'KWD' });
    expect(ordersFor(kwd.clientOrderId)[0].amountMinor).toBe('12345');
    expect((await status(kwd)).fields.amount).toBe('12.345');
    const short = await createPayout({ amount: '7.5' });
    expect(ordersFor(short.clientOrderId)[0].amountMinor).toBe('750');

    const cases: Array<[Record<string, string>, string, string]> = [
      [{ amount: '25.001' }, 'INVALID_FIELD', 'amount'],
      [{ amount: '1.5', currency: 'JPY' }, 'INVALID_FIELD', 'amount'],
      [{ amount: '25,00' }, 'INVALID_FIELD', 'amount'],
      [{ amount: '0.00' }, 'INVALID_FIELD', 'amount'],
      [{ amount: '-5.00' }, 'INVALID_FIELD', 'amount'],
      [{ amount: '' }, 'MISSING_FIELD', 'amount'],
      [{ currency: 'eur' }, 'INVALID_FIELD', 'currency'],
      [{ currency: '' }, 'MISSING_FIELD', 'currency'],
      [{ client_orderid: '' }, 'MISSING_FIELD', 'client_orderid'],
      [{ client_orderid: 'x'.repeat(129) }, 'INVALID_FIELD', 'client_orderid'],
      [{ server_callback_url: 'ftp://merchant.example/cb' }, 'INVALID_FIELD', 'server_callback_url'],
      [{ server_callback_url: '/relative/cb' }, 'INVALID_FIELD', 'server_callback_url'],
    ];
    const before = sim.orders().length;
    for (const [overrides, code, field] of cases) {
      const a = await payout(payoutFields(overrides));
      expect({ overrides, status: a.status, ...a.fields }).toMatchObject({
        overrides,
        status: 200,
        type: 'validation-error',
        'error-code': code,
        'error-message': expect.stringContaining(field),
      });
    }
    expect(sim.orders().length).toBe(before);
  });

  test('a repeat with identical fields returns the same answer; a changed amount or destination is DUPLICATE_ORDER', async () => {
    const fields = payoutFields();
    const first = await payout(fields);
    const again = await payout({ ...fields, order_desc: 'retry' }); // new nonce, same order data
    expect(again.fields).toEqual(first.fields);
    const sameAmountOtherSpelling = await payout({ ...fields, amount: '25' });
    expect(sameAmountOtherSpelling.fields['paynet-order-id']).toBe(first.fields['paynet-order-id']);

    for (const changed of [{ amount: '26.00' }, { currency: 'USD' }, { 'destination-card-ref-id': 'card-other' }]) {
      const dup = await payout({ ...fields, ...changed });
      expect(dup.fields).toMatchObject({ type: 'validation-error', 'error-code': 'DUPLICATE_ORDER' });
    }
    expect(ordersFor(fields.client_orderid)).toHaveLength(1);
    expect(ordersFor(fields.client_orderid)[0].transactions).toHaveLength(1);
    await finalStatus(refOf(fields.client_orderid, first));
    expect(ledgerFor(fields.client_orderid)).toEqual([expect.objectContaining({ paidMinor: '2500' })]);
    // the same client_orderid on another endpoint is another order
    const other = await payout(fields, { endpoint: EP_B, consumerKey: LOGIN_B });
    expect(other.fields.type).toBe('async-response');
    expect(other.fields['paynet-order-id']).not.toBe(first.fields['paynet-order-id']);
  });

  test('the signature covers characters that need percent-encoding', async () => {
    const ref = await createPayout({ order_desc: "Auszahlung für Ωmega & co: 100% *fair* ~ (1+1=2) 'quoted'" });
    expect(ordersFor(ref.clientOrderId)).toHaveLength(1);
  });

  test('a request signed by the oauth-1.0a library is accepted too', async () => {
    const client = new OAuth({
      consumer: { key: LOGIN_A, secret: '' },
      signature_method: 'RSA-SHA256',
      hash_function: (base) => sign('sha256', Buffer.from(base, 'utf8'), keyA.privateKey).toString('base64'),
    });
    const fields = payoutFields({ order_desc: 'signed by a library: ä + ~' });
    const url = `${sim.url}/paynet/api/v4/payout-by-ref/${EP_A}`; // a stored card
    const header = client.toHeader(client.authorize({ url, method: 'POST', data: fields }));
    const res = await fetch(url, {
      method: 'POST',
      headers: { ...header, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    expect((await toAnswer(res)).fields.type).toBe('async-response');
  });
});

describe('receiver form', () => {
  test('redirect-to while waiting; completeForm -> approved after processingMs', async () => {
    const ref = await createPayout({ 'destination-card-ref-id': '' });
    const waiting = await status(ref);
    expect(waiting.fields).toMatchObject({ status: 'processing', 'redirect-to': `${sim.url}/paynet/form/${ref.orderId}` });
    const page = await fetch(waiting.fields['redirect-to']);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`<form method="post" action="/paynet/form/${ref.orderId}"`);
    await delay(PROCESSING_MS + 50);
    expect((await status(ref)).fields.status).toBe('processing'); // nothing happens until the receiver acts

    sim.completeForm(ref.orderId);
    const submitted = await status(ref);
    expect(submitted.fields.status).toBe('processing');
    expect(submitted.fields['redirect-to']).toBeUndefined();
    expect((await finalStatus(ref)).fields.status).toBe('approved');
    expect(ordersFor(ref.clientOrderId)[0]).toMatchObject({ formCompleted: true, formUrl: `${sim.url}/paynet/form/${ref.orderId}` });
    expect(ledgerFor(ref.clientOrderId)).toEqual([expect.objectContaining({ paidMinor: '2500' })]);
    await delay(FORM_TTL_MS); // the expiry timer was cancelled
    expect((await status(ref)).fields.status).toBe('approved');
  });

  test('submitting the HTML form (POST /paynet/form/:orderId) completes it', async () => {
    const ref = await createPayout({ 'destination-card-ref-id': '' });
    const res = await fetch(`${sim.url}/paynet/form/${ref.orderId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(res.status).toBe(200);
    expect((await finalStatus(ref)).fields.status).toBe('approved');
  });

  test('a form not completed within formTtlMs declines the payout with FORM_EXPIRED', async () => {
    const ref = await createPayout({ 'destination-card-ref-id': '' });
    const done = await waitFor(
      () => status(ref),
      (a) => a.fields.status !== 'processing',
      FORM_TTL_MS + 1_000,
    );
    expect(done.fields).toMatchObject({ status: 'declined', 'error-code': 'FORM_EXPIRED' });
    expect(done.fields['redirect-to']).toBeUndefined();
    expect(ledgerFor(ref.clientOrderId)).toEqual([]);
    expect(() => sim.completeForm(ref.orderId)).toThrow(/closed/);
    const late = await fetch(`${sim.url}/paynet/form/${ref.orderId}`, { method: 'POST' });
    expect(late.status).toBe(409);
    expect((await status(ref)).fields.status).toBe('declined');
  });
});

describe('return (payout reversal)', () => {
  test('reverses an approved payout when the endpoint allows it; idempotent', async () => {
    const ref = await createPayout({ server_callback_url: callbackUrl });
    const payoutStatus = await finalStatus(ref);
    expect(payoutStatus.fields.status).toBe('approved');

    const r = await reverse(ref);
    expect(r.text).toMatch(/^type=async-response\n&serial-number=[0-9a-f-]+\n&merchant-order-id=[^&\n]+\n&paynet-order-id=\d+\n$/);
    expect(r.fields['paynet-order-id']).toBe(ref.orderId);
    expect(r.fields['serial-number']).not.toBe(payoutStatus.fields['serial-number']);
    expect((await status(ref)).fields).toMatchObject({
      status: 'processing',
      'transaction-type': 'return',
      'order-stage': 'return_processing',
    });

    const done = await finalStatus(ref);
    expect(done.fields).toMatchObject({
      status: 'approved',
      'transaction-type': 'return',
      'order-stage': 'return_approved',
      'serial-number': r.fields['serial-number'],
      amount: '25.00',
    });
    const byPayoutSn = await status(ref, { 'by-request-sn': payoutStatus.fields['serial-number'] });
    expect(byPayoutSn.fields).toMatchObject({
      status: 'approved',
      'transaction-type': 'payout',
      'serial-number': payoutStatus.fields['serial-number'],
    });
    expect(ledgerFor(ref.clientOrderId)).toEqual([
      { orderId: ref.orderId, clientOrderId: ref.clientOrderId, paidMinor: '2500', reversedMinor: '2500', currency: 'EUR' },
    ]);

    const again = await reverse(ref);
    expect(again.fields).toEqual(r.fields);
    expect(ordersFor(ref.clientOrderId)[0].transactions.map((t) => t.type)).toEqual(['payout', 'return']);

    const returnCb = await waitFor(
      () => callbacksFor(ref.clientOrderId).filter((c) => c.query.type === 'return'),
      (c) => c.length > 0,
    );
    expect(returnCb[0].query).toMatchObject({ status: 'approved', type: 'return', amount: '25.00' });
    checkReturnControl(returnCb[0].query);
  });

  function checkReturnControl(q: Record<string, string>) {
    expect(q.control).toBe(sha1(q.status + q.orderid + q.client_orderid + CONTROL_A));
  }

  test('a partial amount is part of the control; a wrong control is refused', async () => {
    const ref = await createPayout();
    await finalStatus(ref);
    const wrong = await reverse(ref, { amount: '10.00', currency: 'EUR', amountMinor: '10.00' }); // major units in the control: wrong
    expect(wrong.fields).toMatchObject({ type: 'validation-error', 'error-code': 'CONTROL_INVALID' });
    const tooMuch = await reverse(ref, { amount: '30.00', currency: 'EUR', amountMinor: '3000' });
    expect(tooMuch.fields).toMatchObject({ type: 'validation-error', 'error-code': 'INVALID_FIELD' });
    const ok = await reverse(ref, { amount: '10.00', currency: 'EUR', amountMinor: '1000' });
    expect(ok.fields.type).toBe('async-response');
    await finalStatus(ref);
    expect(ledgerFor(ref.clientOrderId)).toEqual([expect.objectContaining({ paidMinor: '2500', reversedMinor: '1000' })]);
  });

  test('refused with OPERATION_NOT_ALLOWED without payoutReversal or when the payout is not approved', async () => {
    const onB = await createPayout({}, { endpoint: EP_B, consumerKey: LOGIN_B });
    await finalStatus(onB, {}, EP_B, LOGIN_B, CONTROL_B);
    const refusedB = await reverse(onB, { endpoint: EP_B, login: LOGIN_B, control: CONTROL_B });
    expect(refusedB.fields).toMatchObject({ type: 'error', 'error-code': 'OPERATION_NOT_ALLOWED' });

    const processing = await createPayout();
    expect((await reverse(processing)).fields['error-code']).toBe('OPERATION_NOT_ALLOWED');
    const declined = await createPayout({ 'destination-card-ref-id': 'decline-x' });
    await finalStatus(declined);
    expect((await reverse(declined)).fields['error-code']).toBe('OPERATION_NOT_ALLOWED');
    for (const ref of [onB, processing, declined]) {
      expect(ordersFor(ref.clientOrderId)[0].transactions.map((t) => t.type)).toEqual(['payout']);
    }
    expect(ledgerFor(onB.clientOrderId)).toEqual([expect.objectContaining({ paidMinor: '2500', reversedMinor: '0' })]);
  });
});
