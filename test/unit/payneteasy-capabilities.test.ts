/**
 * Which operations Payneteasy supports, at a glance: the simulator's `capabilities` must be exactly
 * the commands the adapter sends (requests.ts SENT_COMMANDS), and SENT_COMMANDS exactly what the
 * request builders produce, so neither side can drift from the other.
 */
import {
  orderCommandRequest,
  paymentFormRequest,
  payoutRequest,
  SENT_COMMANDS,
  statusRequest,
} from '../../src/activities/providers/payneteasy/requests';
import { capabilities } from '../../src/simulators/payneteasy';

const keys = { endpointId: '1', login: 'l', controlKey: 'k' };
const money = { amount: '1.00', currency: 'EUR' };
const ids = { clientOrderId: 'c', orderId: 'o' };

test("the simulator's operations are the adapter's commands", () => {
  expect([...capabilities.operations].sort()).toEqual([...SENT_COMMANDS].sort());
  expect(capabilities.routes).toEqual(['endpoint', 'group']);
});

test('SENT_COMMANDS is what the request builders produce', () => {
  const built = [
    payoutRequest({ clientOrderId: 'c', amount: money, description: 'd' }),
    payoutRequest({ clientOrderId: 'c', amount: money, description: 'd', destination: 'card' }),
    paymentFormRequest(keys, 'sale', { clientOrderId: 'c', amount: money, description: 'd' }),
    paymentFormRequest(keys, 'preauth', { clientOrderId: 'c', amount: money, description: 'd' }),
    orderCommandRequest(keys, 'capture', ids),
    orderCommandRequest(keys, 'return', ids),
    orderCommandRequest(keys, 'void', ids),
    statusRequest(keys, { ...ids, type: 'payout' }),
  ].map((r) => r.command);
  expect(new Set(built)).toEqual(new Set(SENT_COMMANDS));
});
