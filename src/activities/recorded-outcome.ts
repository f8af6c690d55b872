/**
 * What Temporal recorded about a request, read with a client (the callback receiver and the
 * reconciliation activities): the CUWO's status and search attributes (CuwoOutcome, CuwoFailureReason),
 * its memo, and its compensation when one was started. Reads only.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { CUWO_MEMO_KEY, workflowIds, type CuwoState, type RecordedOutcome } from '../contracts';
import { CuwoFailureReason, CuwoOutcome } from '../contracts/search-attributes';

/** The CUWO that moves the money of a request, from any workflow id of that request (orchestrator, CUWO, compensation). */
export function moneyCuwoOf(workflowId: string): { cuwoWorkflowId: string; flow: 'payout' | 'payment'; requestId: string } | undefined {
  const colon = workflowId.indexOf(':');
  const prefix = workflowId.slice(0, colon);
  const requestId = workflowId.slice(colon + 1);
  if (colon < 0 || !requestId) return undefined;
  if (['grant-payout', 'cancel-payout', 'payout-request'].includes(prefix))
    return { cuwoWorkflowId: workflowIds.grantPayout(requestId), flow: 'payout', requestId };
  if (['authorize-or-capture-payment', 'capture-payment', 'cancel-payment', 'payment-request'].includes(prefix))
    return { cuwoWorkflowId: workflowIds.authorizeOrCapturePayment(requestId), flow: 'payment', requestId };
  return undefined;
}

/** The compensation of a request, by the spec: CancelPayout for payouts, CancelPayment for payments. */
export function compensationOf(
  flow: 'payout' | 'payment',
  requestId: string,
): { type: 'CancelPayout' | 'CancelPayment'; workflowId: string } {
  return flow === 'payout'
    ? { type: 'CancelPayout', workflowId: workflowIds.cancelPayout(requestId) }
    : { type: 'CancelPayment', workflowId: workflowIds.cancelPayment(requestId) };
}

export interface RecordedRequest {
  recorded: RecordedOutcome;
  state?: CuwoState;
  taskQueue: string;
  flow?: 'payout' | 'payment';
  requestId?: string;
}

/** Describes the CUWO (throws WorkflowNotFoundError when there is none) and its compensation. */
export async function readRecordedRequest(client: Client, cuwoWorkflowId: string): Promise<RecordedRequest> {
  const description = await client.workflow.getHandle(cuwoWorkflowId).describe();
  const attributes = description.typedSearchAttributes;
  const recorded: RecordedOutcome = {
    cuwoWorkflowId,
    cuwoType: description.type,
    status: description.status.name,
    outcome: attributes.get(CuwoOutcome),
    failureReason: attributes.get(CuwoFailureReason),
  };
  const request = moneyCuwoOf(cuwoWorkflowId);
  if (request) {
    const { workflowId } = compensationOf(request.flow, request.requestId);
    try {
      const compensation = await client.workflow.getHandle(workflowId).describe();
      recorded.compensation = {
        workflowId,
        status: compensation.status.name,
        failureReason: compensation.typedSearchAttributes.get(CuwoFailureReason),
      };
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }
  return {
    recorded,
    state: description.memo?.[CUWO_MEMO_KEY] as CuwoState | undefined,
    taskQueue: description.taskQueue,
    flow: request?.flow,
    requestId: request?.requestId,
  };
}

/** The order named by processing data, as the memo shows it (a sealed envelope's record, else the JSON itself). */
export function orderOfProcessingData(processingData: string | undefined): { clientOrderId?: string; orderId?: string } | undefined {
  if (!processingData) return undefined;
  try {
    const parsed = JSON.parse(processingData) as Record<string, unknown>;
    const record = (parsed && typeof parsed.record === 'object' && parsed.record ? parsed.record : parsed) as Record<string, unknown>;
    const text = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
    return { clientOrderId: text(record.clientOrderId), orderId: text(record.orderId) };
  } catch {
    return undefined;
  }
}
