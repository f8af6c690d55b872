/**
 * The Payneteasy requests as built, without HTTP (src/activities/providers/payneteasy/requests.ts):
 * for each command the path, the fields in the order they are sent, and the SHA-1 control. The
 * expected controls were computed with Python's hashlib.sha1, independently of our code.
 */
import { createHash } from 'node:crypto';
import { payneteasyAccountSchema } from '../../src/activities/providers/payneteasy/account';
import { PayneteasyGateway } from '../../src/activities/providers/payneteasy/gateway';
import {
  commandPath,
  orderCommandRequest,
  paymentFormRequest,
  payoutRequest,
  statusRequest,
} from '../../src/activities/providers/payneteasy/requests';

const keys = { endpointId: '1001', login: 'demo-merchant', controlKey: 'dev-control-key' };
const body = (form: Record<string, string>) => new URLSearchParams(form).toString();

describe('v4/payout and v4/payout-by-ref', () => {
  test('to a stored card, with a callback: v4/payout-by-ref, OAuth-signed, no control, amount as the record holds it', () => {
    const request = payoutRequest({
      clientOrderId: 'payout:PR-1',
      amount: { amount: '25.00', currency: 'EUR' },
      description: 'Payout for CM-1',
      callbackUrl: 'https://cb/pne/grant-payout%3APR-1',
      destination: 'card-ref-1',
    });
    expect(request).toEqual({
      command: 'v4/payout-by-ref',
      oauth: true,
      form: {
        client_orderid: 'payout:PR-1',
        amount: '25.00',
        currency: 'EUR',
        order_desc: 'Payout for CM-1',
        server_callback_url: 'https://cb/pne/grant-payout%3APR-1',
        notify_url: 'https://cb/pne/grant-payout%3APR-1',
        'destination-card-ref-id': 'card-ref-1',
      },
    });
    expect(Object.keys(request.form)).toEqual([
      'client_orderid',
      'amount',
      'currency',
      'order_desc',
      'server_callback_url',
      'notify_url',
      'destination-card-ref-id',
    ]);
  });

  test('through the receiver form, without a callback receiver: v4/payout, neither field is sent', () => {
    const request = payoutRequest({ clientOrderId: 'payout:PR-1', amount: { amount: '1000', currency: 'JPY' }, description: 'd' });
    expect(request.command).toBe('v4/payout');
    expect(body(request.form)).toBe('client_orderid=payout%3APR-1&amount=1000&currency=JPY&order_desc=d');
  });

  test("the account's customer fields and redirect_url, in a fixed order before the callback and the card reference", () => {
    const request = payoutRequest(
      {
        clientOrderId: 'payout:PR-2',
        amount: { amount: '25.00', currency: 'EUR' },
        description: 'd',
        callbackUrl: 'https://cb/x',
        destination: 'card-ref-2',
      },
      {
        customerFields: { purpose: 'salary', ipaddress: '203.0.113.9', country: 'DE' },
        redirectUrl: 'https://shop.example/payout-done',
      },
    );
    expect(request.command).toBe('v4/payout-by-ref');
    expect(Object.keys(request.form)).toEqual([
      'client_orderid',
      'amount',
      'currency',
      'order_desc',
      'ipaddress',
      'purpose',
      'country',
      'redirect_url',
      'server_callback_url',
      'notify_url',
      'destination-card-ref-id',
    ]);
    expect(request.form).toMatchObject({ ipaddress: '203.0.113.9', purpose: 'salary', redirect_url: 'https://shop.example/payout-done' });
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
      'notify_url',
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

describe('routes: per endpoint and per endpoint group', () => {
  test('commandPath: <command>/<endpointId> or <command>/group/<endpointGroupId>, the id URL-encoded', () => {
    expect(commandPath({ kind: 'endpoint', id: '1001' }, 'v2/status')).toBe('v2/status/1001');
    expect(commandPath({ kind: 'group', id: '77' }, 'v4/payout-by-ref')).toBe('v4/payout-by-ref/group/77');
    expect(commandPath({ kind: 'group', id: 'a/b' }, 'v2/void')).toBe('v2/void/group/a%2Fb');
  });

  test('the gateway sends every command to the route of its account', () => {
    const account = (ids: { endpointId?: string; endpointGroupId?: string }) =>
      payneteasyAccountSchema.parse({
        provider: 'payneteasy',
        baseUrl: 'https://gate.example/paynet',
        login: 'm',
        controlKey: 'k',
        privateKeyPem: '-----BEGIN PRIVATE KEY-----',
        ...ids,
      });
    expect(new PayneteasyGateway(account({ endpointId: '1001' })).commandUrl('v2/sale-form')).toBe(
      'https://gate.example/paynet/api/v2/sale-form/1001',
    );
    expect(new PayneteasyGateway(account({ endpointGroupId: '77' })).commandUrl('v4/payout-by-ref')).toBe(
      'https://gate.example/paynet/api/v4/payout-by-ref/group/77',
    );
  });

  test('sale-form control on a group route: SHA1(group id + client_orderid + minor amount + email + key)', () => {
    const group = { endpointGroupId: '77', login: 'demo-merchant', controlKey: 'dev-control-key' };
    const request = paymentFormRequest(group, 'sale', {
      clientOrderId: 'payment:PAY-1',
      amount: { amount: '10.15', currency: 'EUR' },
      description: 'Order 1',
      email: 'customer@example.com',
    });
    expect(request.form.control).toBe(createHash('sha1').update('77payment:PAY-11015customer@example.comdev-control-key').digest('hex'));
    expect(request.form.control).not.toBe('4af887e2d704cba722aedcbcdde1abc4f0038815'); // the endpoint 1001 one
  });

  test('sale-form and preauth-form carry the customer fields and redirect_url after the control (not part of it)', () => {
    const extras = {
      customerFields: { ipaddress: '2001:db8::1', purpose: 'order', city: 'Berlin' },
      redirectUrl: 'https://shop.example/back',
    };
    const fields = { clientOrderId: 'payment:PAY-1', amount: { amount: '10.15', currency: 'EUR' }, description: 'Order 1' };
    const request = paymentFormRequest(keys, 'preauth', fields, extras);
    expect(Object.keys(request.form)).toEqual([
      'client_orderid',
      'order_desc',
      'amount',
      'currency',
      'control',
      'ipaddress',
      'purpose',
      'city',
      'redirect_url',
    ]);
    expect(request.form.control).toBe(paymentFormRequest(keys, 'preauth', fields).form.control);
  });

  test('void: login, ids, comment, control over login + ids + key, no amount', () => {
    const request = orderCommandRequest(keys, 'void', { clientOrderId: 'payment:PAY-1', orderId: '8000001' }, { comment: 'release' });
    expect(request).toEqual({
      command: 'v2/void',
      oauth: false,
      form: {
        login: 'demo-merchant',
        client_orderid: 'payment:PAY-1',
        orderid: '8000001',
        comment: 'release',
        control: createHash('sha1').update('demo-merchantpayment:PAY-18000001dev-control-key').digest('hex'),
      },
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
