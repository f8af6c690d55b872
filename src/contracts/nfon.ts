import { z } from 'zod';

const PACKAGE = 'n4.cuwo.workflows.paymentsandpayouts';

/** The NFON `@type` of a CUWO structure, e.g. nfonType('grantpayout', 'GrantPayoutWorkflowResult'). */
export function nfonType<P extends string, C extends string>(pkg: P, cls: C): `${typeof PACKAGE}.${P}.${C}` {
  return `${PACKAGE}.${pkg}.${cls}`;
}

/** A CUWO structure: its exact `@type` first, then its fields. */
export function structure<T extends string, S extends z.ZodRawShape>(type: T, shape: S) {
  return z.object({ '@type': z.literal(type), ...shape });
}
