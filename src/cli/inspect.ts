/** `cuwo show`: one workflow's status, CUWO state and typed outcome, as a table or JSON. */
import { Command } from 'commander';
import { cuwoOutcome, cuwoState } from '../client';
import { table, webUiLink, withClient } from './common';

export function registerInspectCommands(program: Command): void {
  program
    .command('show')
    .description('show a workflow: status, CUWO state (stage, provider, reference) and, when closed, its typed outcome')
    .argument('<workflowId>')
    .option('--json', 'machine-readable output: the full state (with processing data) and the typed outcome')
    .action(async (workflowId: string, opts: { json?: boolean }) => {
      await withClient(async (client) => {
        const handle = client.workflow.getHandle(workflowId);
        const description = await handle.describe();
        const closed = description.status.name !== 'RUNNING';
        const outcome = closed
          ? await cuwoOutcome(handle).catch((err: Error) => ({ outcome: 'ABNORMAL' as const, message: err.message }))
          : undefined;
        const state = await cuwoState(handle);
        const view = { workflowId, type: description.type, status: description.status.name, state, outcome, webUi: webUiLink(workflowId) };
        if (opts.json) {
          console.log(JSON.stringify(view, null, 2));
          return;
        }
        const rows = table();
        const row = (label: string, value: string | undefined) => value && rows.push({ [label]: value });
        row('workflow id', workflowId);
        row('type', description.type);
        row('status', description.status.name);
        row('stage', state?.stage);
        row('provider', state?.provider);
        row('reference', state?.reference);
        row('redirect URL', state?.redirectUrl);
        row('compensation', state?.compensationWorkflowId);
        row('outcome', outcome?.outcome);
        if (outcome?.outcome === 'FAILURE') {
          const failure = outcome.failure as { failureReason?: string; failureCode?: string };
          row(
            'failure',
            [failure.failureReason, failure.failureCode && failure.failureCode !== failure.failureReason && `(${failure.failureCode})`]
              .filter(Boolean)
              .join(' '),
          );
          row('message', outcome.message);
        }
        if (outcome?.outcome === 'CANCELED') row('cancelation', (outcome.cancelation as { cancelationReason?: string }).cancelationReason);
        if (outcome?.outcome === 'ABNORMAL') row('message', outcome.message);
        row('Web UI', view.webUi);
        console.log(rows.toString());
      });
    });
}
