/** Writes the workflow bundle a worker can load with CUWO_WORKFLOW_BUNDLE (used by the Docker image). */
import { writeFileSync } from 'node:fs';
import { bundleWorkflowCode } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../src/codec/data-converter';

async function main(out: string): Promise<void> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../src/workflows'),
    failureConverterPath: FAILURE_CONVERTER_PATH,
  });
  writeFileSync(out, code);
  console.error(`workflow bundle written to ${out}`);
}

main(process.argv[2] ?? 'dist/workflows.js').catch((err) => {
  console.error(err);
  process.exit(1);
});
