/**
 * An orchestrator that finds its compensation already started (by the CUWO itself) cannot await a
 * workflow it did not start from workflow code; this activity follows that workflow to its end, so the
 * orchestrator knows whether money is still out (and flags it) in every case.
 */
import { Context } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import { CUWO_MEMO_KEY, decodeCuwoFailure, type CuwoEnd, type CuwoState } from '../contracts';

export type CompensationEnd = CuwoEnd<unknown, unknown>;

const HEARTBEAT_MS = 5_000;

export function createCompensationActivities() {
  return {
    /**
     * The processing data a CUWO last accepted, from its memo: the CUWO records every update in the
     * same workflow task that accepts it, so its memo is never behind what its activities sent, even
     * when the orchestrator missed a notification. Used after the CUWO ended abnormally.
     */
    async cuwoProcessingData(input: { workflowId: string }): Promise<string | undefined> {
      const description = await Context.current().client.workflow.getHandle(input.workflowId).describe();
      return (description.memo?.[CUWO_MEMO_KEY] as CuwoState | undefined)?.processingData;
    },

    /** Waits for the compensation `workflowId` to close and says how it ended. Long-running; heartbeats. */
    async compensationEnd(input: { workflowId: string; failureType: string }): Promise<CompensationEnd> {
      const context = Context.current();
      const keepAlive = setInterval(() => context.heartbeat(), HEARTBEAT_MS);
      try {
        const result = await context.client.workflow.getHandle(input.workflowId).result();
        return { outcome: 'SUCCESS', workflowId: input.workflowId, result };
      } catch (err) {
        if (!(err instanceof WorkflowFailedError)) throw err; // not closed yet, or Temporal unreachable: retried
        return decodeCuwoFailure(input.workflowId, err.cause, { failure: input.failureType }, err.message);
      } finally {
        clearInterval(keepAlive);
      }
    },
  };
}
export type CompensationActivities = ReturnType<typeof createCompensationActivities>;
