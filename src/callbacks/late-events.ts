/**
 * A verified provider callback for a CUWO that already ended (a late approval, a reversal or
 * chargeback sent to notify_url, a retried final callback): recorded on the request's ProviderEvents
 * workflow by signal-with-start, with the outcome Temporal recorded for the request, so the workflow
 * can judge it (docs/reconciliation.md). Only events about the order the CUWO's own processing data
 * names are recorded: a callback replayed to another workflow changes nothing.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { orderOfProcessingData, readRecordedRequest } from '../activities/recorded-outcome';
import { PROVIDER_EVENTS_WORKFLOW, providerEventSignal, workflowIds, type ProviderCallback, type ProviderEventsInput } from '../contracts';

export type LateEventResult =
  | { kind: 'recorded'; caseWorkflowId: string }
  | { kind: 'no-workflow' }
  | { kind: 'not-this-order'; reason: string }
  | { kind: 'no-order'; reason: string };

export async function recordLateEvent(
  client: Client,
  input: { accountName: string; workflowId: string; callback: ProviderCallback; amount?: string },
): Promise<LateEventResult> {
  const { callback, workflowId } = input;
  let read;
  try {
    read = await readRecordedRequest(client, workflowId);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { kind: 'no-workflow' };
    throw err;
  }
  const order = orderOfProcessingData(read.state?.processingData);
  if (!order?.clientOrderId)
    return { kind: 'no-order', reason: `${workflowId} recorded no provider order: nothing to attach the event to` };
  if (order.clientOrderId !== callback.clientOrderId || (order.orderId !== undefined && order.orderId !== callback.orderId))
    return { kind: 'not-this-order', reason: `the callback names another order than ${workflowId} recorded: rejected` };
  const caseWorkflowId = workflowIds.providerEvents(workflowId);
  const args: ProviderEventsInput = { cuwoWorkflowId: workflowId, requestId: read.requestId, provider: callback.provider };
  await client.workflow.signalWithStart(PROVIDER_EVENTS_WORKFLOW, {
    workflowId: caseWorkflowId,
    taskQueue: read.taskQueue,
    args: [args],
    signal: providerEventSignal,
    signalArgs: [
      {
        event: {
          provider: callback.provider,
          account: input.accountName,
          orderId: callback.orderId,
          clientOrderId: callback.clientOrderId,
          status: callback.status,
          type: callback.type,
          ...(input.amount ? { amount: input.amount } : {}),
          receivedAt: new Date().toISOString(),
        },
        recorded: read.recorded,
      },
    ],
  });
  return { kind: 'recorded', caseWorkflowId };
}
