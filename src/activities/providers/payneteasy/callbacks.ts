/**
 * Payneteasy's final-status callback (docs/payneteasy.md): GET with status, orderid, client_orderid
 * and control = SHA-1(status + orderid + client_orderid + control key). Only a matching control
 * makes it a callback; it then merely tells the CUWO to ask the provider now.
 */
import { timingSafeEqual } from 'node:crypto';
import type { CallbackCheck } from '../types';
import type { PayneteasyAccount } from './account';
import { PROVIDER } from './account';
import { control } from './protocol';

const REQUIRED = ['status', 'orderid', 'client_orderid', 'control'] as const;

export function verifyCallback(query: Record<string, string | undefined>, account: PayneteasyAccount): CallbackCheck {
  const missing = REQUIRED.filter((name) => !query[name]);
  if (missing.length)
    return { ok: false, httpStatus: 400, reason: `missing callback parameter(s): ${missing.join(', ')}`, result: 'malformed' };
  const expected = control(query.status!, query.orderid!, query.client_orderid!, account.controlKey);
  if (!sameText(expected, query.control!.toLowerCase())) {
    return { ok: false, httpStatus: 403, reason: 'control does not match: callback rejected', result: 'forged' };
  }
  return {
    ok: true,
    callback: {
      provider: PROVIDER,
      orderId: query.orderid!,
      clientOrderId: query.client_orderid!,
      status: query.status!,
      type: query.type ?? '',
    },
  };
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
