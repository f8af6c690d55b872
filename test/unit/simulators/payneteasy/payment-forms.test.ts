/** Payneteasy simulator, payments: sale-form / preauth-form, the customer's form, capture, and the control of every payment command. */
import {
  approvedPayment,
  asyncShape,
  capture,
  formControl,
  money,
  paymentForm,
  refund,
  saleFields,
  startPayment,
  typesOf,
  voidTx,
} from './payment-support';
import {
  CONTROL_A,
  CONTROL_B,
  EP_A,
  EP_B,
  finalStatus,
  FORM_TTL_MS,
  ledgerFor,
  LOGIN_A,
  LOGIN_B,
  ordersFor,
  payout,
  payoutFields,
  refOf,
  sha1,
  sim,
  status,
  useSimulator,
  v2,
  waitFor,
} from './support';

useSimulator();

describe('payments', () => {
  describe('sale-form / preauth-form', () => {
    test('sale-form: async-form-response with the form URL; the customer pays there; approved, taken = amount', async () => {
      const fields = saleFields();
      const a = await paymentForm('sale', fields);
      expect(a.status).toBe(200);
      expect(a.text).toMatch(
        /^type=async-form-response\n&serial-number=[0-9a-f-]+\n&merchant-order-id=[^&\n]+\n&paynet-order-id=\d+\n&redirect-url=[^&\n]+\n$/,
      );
      const ref = refOf(fields.client_orderid, a);
      const formUrl = `${sim.url}/paynet/form/${ref.orderId}`;
      expect(a.fields).toMatchObject({ 'merchant-order-id': fields.client_orderid, 'redirect-url': formUrl });

      const waiting = await status(ref);
      expect(waiting.fields).toMatchObject({
        type: 'status-response',
        status: 'processing',
        'transaction-type': 'sale',
        'order-stage': 'sale_processing',
        amount: '25.00',
        currency: 'EUR',
        'serial-number': a.fields['serial-number'],
        'redirect-to': formUrl,
      });
      const page = await fetch(formUrl);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain(`<form method="post" action="/paynet/form/${ref.orderId}"`);
      expect(html).toContain('name="amount" value="25.00"');
      money(ref, {});

      sim.completeForm(ref.orderId);
      expect((await status(ref)).fields['redirect-to']).toBeUndefined();
      const done = await finalStatus(ref);
      expect(done.fields).toMatchObject({
        status: 'approved',
        'transaction-type': 'sale',
        'order-stage': 'sale_approved',
        amount: '25.00',
      });
      expect(done.fields['error-code']).toBeUndefined();
      money(ref, { captured: '2500', taken: '2500' });
      expect(ledgerFor(ref.clientOrderId)).toEqual([]); // the payout ledger is for payouts only
      expect(ordersFor(ref.clientOrderId)[0]).toMatchObject({
        kind: 'sale',
        amountMinor: '2500',
        email: 'buyer@example.com',
        redirectUrl: 'https://shop.example/back',
        formUrl,
        formCompleted: true,
      });
    });

    test('preauth-form approved holds the amount; a full capture takes it', async () => {
      const ref = await approvedPayment('preauth');
      const preauthStatus = await status(ref);
      expect(preauthStatus.fields).toMatchObject({ status: 'approved', 'order-stage': 'preauth_approved' });
      money(ref, { authorized: '2500', held: '2500' });

      const c = await capture(ref);
      expect(c.text).toMatch(asyncShape);
      expect(c.fields['serial-number']).not.toBe(preauthStatus.fields['serial-number']);
      expect((await status(ref)).fields).toMatchObject({
        status: 'processing',
        'transaction-type': 'capture',
        'order-stage': 'capture_processing',
      });
      money(ref, { authorized: '2500', held: '2500' }); // nothing captured before it is approved
      const done = await finalStatus(ref);
      expect(done.fields).toMatchObject({
        status: 'approved',
        'transaction-type': 'capture',
        'order-stage': 'capture_approved',
        amount: '25.00',
        'serial-number': c.fields['serial-number'],
      });
      money(ref, { authorized: '2500', captured: '2500', taken: '2500' });
      const byPreauthSn = await status(ref, { 'by-request-sn': preauthStatus.fields['serial-number'] });
      expect(byPreauthSn.fields).toMatchObject({ 'transaction-type': 'preauth', status: 'approved' });

      const again = await capture(ref); // idempotent
      expect(again.fields).toEqual(c.fields);
      expect(typesOf(ref)).toEqual(['preauth:approved', 'capture:approved']);
    });

    test('a partial capture keeps the rest held; more than authorized or another currency is refused', async () => {
      const ref = await approvedPayment('preauth');
      expect((await capture(ref, { amount: '30.00' })).fields).toMatchObject({ type: 'validation-error', 'error-code': 'INVALID_FIELD' });
      expect((await capture(ref, { amount: '10.00', currency: 'USD' })).fields).toMatchObject({
        type: 'validation-error',
        'error-code': 'INVALID_FIELD',
      });
      const c = await capture(ref, { amount: '10.00' });
      expect(c.fields.type).toBe('async-response');
      expect((await finalStatus(ref)).fields).toMatchObject({ status: 'approved', 'transaction-type': 'capture', amount: '10.00' });
      money(ref, { authorized: '2500', captured: '1000', held: '1500', taken: '1000' });
    });

    test('the customer changes the amount on the form: what they submit is what gets authorized / captured', async () => {
      // a tip on a sale (completeForm option)
      const sale = await approvedPayment('sale', {}, { amountMinor: '2750' });
      expect((await status(sale)).fields).toMatchObject({ status: 'approved', amount: '27.50' });
      money(sale, { captured: '2750', taken: '2750' });
      expect(ordersFor(sale.clientOrderId)[0]).toMatchObject({
        amountMinor: '2500',
        transactions: [expect.objectContaining({ amountMinor: '2750' })],
      });

      // a partial payment on a preauth: the default capture takes the submitted amount, no more
      const pre = await approvedPayment('preauth', {}, { amountMinor: '2000' });
      money(pre, { authorized: '2000', held: '2000' });
      expect((await capture(pre, { amount: '25.00' })).fields['error-code']).toBe('INVALID_FIELD');
      await capture(pre);
      expect((await finalStatus(pre)).fields).toMatchObject({ 'transaction-type': 'capture', status: 'approved', amount: '20.00' });
      money(pre, { authorized: '2000', captured: '2000', taken: '2000' });

      // the HTML form itself: the amount field (major units) and the outcome
      const html = await startPayment('sale');
      const post = (body: string) =>
        fetch(`${sim.url}/paynet/form/${html.orderId}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body,
        });
      expect((await post('amount=30.001&card_number=4111111111111111')).status).toBe(400);
      const ok = await post('amount=30.00&card_number=4111111111111111&card_expiry=12%2F30&cvv2=123&outcome=approve');
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('href="https://shop.example/back"');
      expect((await finalStatus(html)).fields).toMatchObject({ status: 'approved', amount: '30.00' });
      money(html, { captured: '3000', taken: '3000' });

      // the admin endpoint takes the same options as JSON
      const admin = await startPayment('sale');
      const complete = (body?: string) =>
        fetch(`${sim.url}/_sim/orders/${admin.orderId}/complete-form`, {
          method: 'POST',
          ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body } : {}),
        });
      expect((await complete('{"amountMinor":"12.50"}')).status).toBe(400);
      expect((await complete('{"outcome":"maybe"}')).status).toBe(400);
      expect((await complete('{"amountMinor":"1250","outcome":"approve"}')).status).toBe(204);
      expect((await finalStatus(admin)).fields).toMatchObject({ status: 'approved', amount: '12.50' });
      expect(() => sim.completeForm(admin.orderId, { amountMinor: '0' })).toThrow(/amountMinor/);
    });

    test.each([
      ['decline', 'declined', 'DECLINED', 'Card declined'],
      ['error', 'error', 'PROCESSING_ERROR', undefined],
      ['filtered', 'filtered', 'FRAUD_FILTER', undefined],
    ] as const)(
      'outcome %s on the form -> %s %s: nothing held or taken, nothing to capture, return or void',
      async (outcome, state, code, message) => {
        const ref = await startPayment('preauth');
        sim.completeForm(ref.orderId, { outcome });
        const done = await finalStatus(ref);
        expect(done.fields).toMatchObject({ status: state, 'error-code': code, 'order-stage': `preauth_${state}` });
        expect(done.fields['error-message']).toEqual(message ?? expect.any(String));
        money(ref, {});
        for (const a of [await capture(ref), await refund(ref), await voidTx(ref)]) {
          expect(a.fields).toMatchObject({ type: 'error', 'error-code': 'OPERATION_NOT_ALLOWED' });
        }
        expect(typesOf(ref)).toEqual([`preauth:${state}`]);
      },
    );

    test('a form not completed within formTtlMs declines with FORM_EXPIRED; nothing authorized', async () => {
      const ref = await startPayment('preauth');
      const done = await waitFor(
        () => status(ref),
        (a) => a.fields.status !== 'processing',
        FORM_TTL_MS + 1_000,
      );
      expect(done.fields).toMatchObject({ status: 'declined', 'error-code': 'FORM_EXPIRED', 'transaction-type': 'preauth' });
      expect(done.fields['redirect-to']).toBeUndefined();
      money(ref, {});
      expect(() => sim.completeForm(ref.orderId)).toThrow(/closed/);
      expect((await fetch(`${sim.url}/paynet/form/${ref.orderId}`)).status).toBe(410);
      expect((await capture(ref)).fields['error-code']).toBe('OPERATION_NOT_ALLOWED');
    });

    test('idempotent on (endpoint, client_orderid): the same fields get the same answer; a change is DUPLICATE_ORDER', async () => {
      const fields = saleFields();
      const first = await paymentForm('sale', fields);
      const again = await paymentForm('sale', { ...fields, order_desc: 'retry' });
      expect(again.fields).toEqual(first.fields);
      expect(again.fields['redirect-url']).toBe(`${sim.url}/paynet/form/${first.fields['paynet-order-id']}`);

      const changes: Array<[string, Record<string, string>]> = [
        ['amount', { amount: '26.00' }],
        ['currency', { currency: 'USD' }],
      ];
      for (const [what, change] of changes) {
        const dup = await paymentForm('sale', { ...fields, ...change });
        expect(dup.fields).toMatchObject({
          type: 'validation-error',
          'error-code': 'DUPLICATE_ORDER',
          'error-message': expect.stringContaining(what),
        });
      }
      const asPreauth = await paymentForm('preauth', fields);
      expect(asPreauth.fields).toMatchObject({ 'error-code': 'DUPLICATE_ORDER', 'error-message': expect.stringContaining('command') });
      const asPayout = await payout(payoutFields({ client_orderid: fields.client_orderid, amount: '25.00' }));
      expect(asPayout.fields).toMatchObject({ 'error-code': 'DUPLICATE_ORDER', 'error-message': expect.stringContaining('command') });
      expect(ordersFor(fields.client_orderid)).toHaveLength(1);
      expect(typesOf(refOf(fields.client_orderid, first))).toEqual(['sale:processing']);
      // the same client_orderid on another endpoint is another order
      const other = await paymentForm('sale', fields, EP_B, CONTROL_B);
      expect(other.fields.type).toBe('async-form-response');
      expect(other.fields['paynet-order-id']).not.toBe(first.fields['paynet-order-id']);
    });

    test('email is optional (an empty email in the control); fields are validated', async () => {
      const fields = saleFields();
      delete fields.email;
      const a = await v2('sale-form', EP_A, { ...fields, control: sha1(EP_A + fields.client_orderid + '2500' + CONTROL_A) });
      expect(a.fields.type).toBe('async-form-response');
      const cases: Array<[Record<string, string>, string, string]> = [
        [{ amount: '25.001' }, 'INVALID_FIELD', 'amount'],
        [{ amount: '' }, 'MISSING_FIELD', 'amount'],
        [{ currency: 'eur' }, 'INVALID_FIELD', 'currency'],
        [{ client_orderid: '' }, 'MISSING_FIELD', 'client_orderid'],
        [{ redirect_url: 'javascript:alert(1)' }, 'INVALID_FIELD', 'redirect_url'],
        [{ server_callback_url: '/cb' }, 'INVALID_FIELD', 'server_callback_url'],
      ];
      for (const [overrides, code, field] of cases) {
        const bad = await v2('sale-form', EP_A, { ...saleFields(overrides), control: 'x' });
        expect({ overrides, ...bad.fields }).toMatchObject({
          overrides,
          type: 'validation-error',
          'error-code': code,
          'error-message': expect.stringContaining(field),
        });
      }
    });
  });

  test('a wrong control is CONTROL_INVALID for every payment command, and changes nothing', async () => {
    const invalid = { type: 'validation-error', 'error-code': 'CONTROL_INVALID' };
    for (const kind of ['sale', 'preauth'] as const) {
      const fields = saleFields();
      const wrongs = [
        formControl(EP_A, fields, CONTROL_B), // another merchant's key
        formControl(EP_A, fields, CONTROL_A, '25.00'), // amount in major units
        sha1(EP_A + fields.client_orderid + '2500' + CONTROL_A), // email left out
        formControl(EP_B, fields), // another endpoint id
      ];
      for (const control of wrongs) expect((await v2(`${kind}-form`, EP_A, { ...fields, control })).fields).toMatchObject(invalid);
      expect(ordersFor(fields.client_orderid)).toHaveLength(0);
    }

    const pre = await approvedPayment('preauth');
    expect((await capture(pre, { control: CONTROL_B })).fields).toMatchObject(invalid);
    expect((await capture(pre, { login: LOGIN_B })).fields).toMatchObject(invalid);
    expect((await capture(pre, { amount: '10.00', amountMinor: '10.00' })).fields).toMatchObject(invalid);
    expect((await refund(pre, { control: CONTROL_B })).fields).toMatchObject(invalid);
    expect((await refund(pre, { amount: '10.00', amountMinor: '10.00' })).fields).toMatchObject(invalid);
    expect((await voidTx(pre, { control: CONTROL_B })).fields).toMatchObject(invalid);
    expect((await voidTx(pre, { login: LOGIN_B })).fields).toMatchObject(invalid);
    const voidSignedLikeCapture = await v2('void', EP_A, {
      login: LOGIN_A,
      client_orderid: pre.clientOrderId,
      orderid: pre.orderId,
      control: sha1(LOGIN_A + pre.clientOrderId + pre.orderId + '2500EUR' + CONTROL_A),
    });
    expect(voidSignedLikeCapture.fields).toMatchObject(invalid);
    expect(typesOf(pre)).toEqual(['preauth:approved']);
    money(pre, { authorized: '2500', held: '2500' });
  });
});
