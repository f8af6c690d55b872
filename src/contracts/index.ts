/**
 * The one contract module: what workflows, activities, the callback receiver, the client, the CLI and
 * the demo share. The spec's structures (payout.ts, payment.ts, reasons.ts, common.ts, money.ts), the
 * workflow ids, the messages (signals, queries, updates), the activity steps, the CUWO state and the
 * one decoder of how a CUWO ended. Nothing here imports from another layer.
 */
export * from './common';
export * from './ids';
export * from './messages';
export * from './money';
export * from './outcome';
export * from './payment';
export * from './payment-options';
export * from './payout';
export * from './reasons';
export * from './reconciliation';
export * from './state';
export * from './steps';
export * from './metrics';
