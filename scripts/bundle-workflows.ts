/** Writes the workflow bundle a worker can load with CUWO_WORKFLOW_BUNDLE (used by the Docker image). */
import { writeFileSync } from 'node:fs';
import { bundleCuwoWorkflows } from '../src/workflow-bundle';

async function main(out: string): Promise<void> {
  writeFileSync(out, await bundleCuwoWorkflows({ verbose: true }));
  console.error(`workflow bundle written to ${out}`);
}

main(process.argv[2] ?? 'dist/workflows.js').catch((err) => {
  console.error(err);
  process.exit(1);
});
