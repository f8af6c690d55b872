/**
 * The Payneteasy requests as built, without HTTP (src/activities/providers/payneteasy/requests.ts):
 * for each command the path, the fields in the order they are sent, and the SHA-1 control. The
 * expected controls were computed with Python's hashlib.sha1, independently of our code.
 */
import { orderCommandRequest, paymentFormRequest, payoutRequest, statusRequest } from '../../src/activities/providers/payneteasy/requests';

const keys = { endpointId: '1001', login: 'demo-merchant', controlKey: 'dev-control-key' };
const body = (form: Record<string, string>) => new URLSearchParams(form).toString();

describe('v4/payout', () => {
  test('to a stored card, with a callback: OAuth-signed, no control, amount as the record holds it', () => {
    const request = payoutRequest({
      clientOrderId: 'payout:PR-1',
      amount: { amount: '25.00', currency: 'EUR' },
      description: 'Payout for CM-1',
      callbackUrl: 'https://cb/pne/grant-payout%3APR-1',
      destination: 'card-ref-1',
    });
    expect(request).toEqual({
      command: 'v4/payout',
      oauth: true,
      form: {
        client_orderid: 'payout:PR-1',
        amount: '25.00',
        currency: 'EUR',
        order_desc: 'Payout for CM-1',
        server_callback_url: 'https://cb/pne/grant-payout%3APR-1',
        'destination-card-ref-id': 'card-ref-1',
      },
    });
    expect(Object.keys(request.form)).toEqual([
      'client_orderid',
      'amount',
      'currency',
      'order_desc',
      'server_callback_url',
      'destination-card-ref-id',
    ]);
  });

  test('through the receiver form, without a callback receiver: neither field is sent', () => {
    const { form } = payoutRequest({ clientOrderId: 'payout:PR-1', amount: { amount: '1000', currency: 'JPY' }, description: 'd' });
    expect(body(form)).toBe('client_orderid=payout%3APR-1&amount=1000&currency=JPY&order_desc=d');
  });
});

describe('v2/sale-form and v2/preauth-form', () => {
  const fields = { clientOrderId: 'payment:PAY-1', amount: { amount: '10.15', currency: 'EUR' }, description: 'Order 1' };

  test('control = SHA1(endpoint + client_orderid + minor amount + email + key); email and callback sent when given', () => {
    const request = paymentFormRequest(keys, 'sale', { ...fields, email: 'customer@example.com', callbackUrl: 'https://cb/x' });
    expect(request.command).toBe('v2/sale-form');
    expect(request.oauth).toBe(false);
    expect(Object.keys(request.form)).toEqual([
      'client_orderid',
      'order_desc',
      'amount',
      'currency',
      'control',
      'email',
      'server_callback_url',
    ]);
    expect(request.form).toMatchObject({ amount: '10.15', currency: 'EUR', control: '4af887e2d704cba722aedcbcdde1abc4f0038815' });
  });

  test('without an email the control takes an empty one, and no email field is sent', () => {
    const request = paymentFormRequest(keys, 'preauth', fields);
    expect(request.command).toBe('v2/preauth-form');
    expect(request.form).toEqual({
      client_orderid: 'payment:PAY-1',
      order_desc: 'Order 1',
      amount: '10.15',
      currency: 'EUR',
      control: '6e1118104a4a67013eb8507eac44c2bb71bdc383',
    });
  });
});

describe('commands on an order (capture, return)', () => {
  test('login, ids, extra fields, then control = SHA1(login + client_orderid + orderid + key); never an amount', () => {
    const ids = { clientOrderId: 'payout:PR-2026-0001', orderId: '4711' };
    const request = orderCommandRequest(keys, 'return', ids, { comment: 'reversal of payout payout:PR-2026-0001' });
    expect(request).toEqual({
      command: 'v2/return',
      oauth: false,
      form: {
        login: 'demo-merchant',
        client_orderid: 'payout:PR-2026-0001',
        orderid: '4711',
        comment: 'reversal of payout payout:PR-2026-0001',
        control: '7271f4c10c0bfe24db7abd539794b9b972f0048d',
      },
    });
    expect(Object.keys(request.form).at(-1)).toBe('control');
    expect(orderCommandRequest(keys, 'capture', ids)).toEqual({
      command: 'v2/capture',
      oauth: false,
      form: {
        login: 'demo-merchant',
        client_orderid: 'payout:PR-2026-0001',
        orderid: '4711',
        control: '7271f4c10c0bfe24db7abd539794b9b972f0048d',
      },
    });
  });
});

describe('v2/status', () => {
  test('by serial number: orderid and by-request-sn after the control', () => {
    const request = statusRequest(keys, { clientOrderId: 'payout:PR-2026-0001', orderId: '4711', serialNumber: 'sn-1', type: 'return' });
    expect(request.command).toBe('v2/status');
    expect(body(request.form)).toBe(
      'login=demo-merchant&client_orderid=payout%3APR-2026-0001' +
        '&control=7271f4c10c0bfe24db7abd539794b9b972f0048d&orderid=4711&by-request-sn=sn-1',
    );
  });

  test('before the order id is known: the control takes an empty one, no orderid field', () => {
    const request = statusRequest(keys, { clientOrderId: 'payout:PR-2026-0001', type: 'payout' });
    expect(request.form).toEqual({
      login: 'demo-merchant',
      client_orderid: 'payout:PR-2026-0001',
      control: '34c93bee7d69e5a5af9849cd9ea8f7a184ced224',
    });
  });
});
