/**
 * Failure messages and stack traces go into the (encrypted) encoded attributes: a failure message
 * may name an amount or a customer. Loaded by path, so the workflow bundle uses it too.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
