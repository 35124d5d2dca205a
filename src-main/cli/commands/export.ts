/** gmvae export RUN --out DIR */
import type { Command } from 'commander';
import { exportRun } from '../../engine/export/export-run.ts';
import { requireRun } from '../../host/runs.ts';
import { withStore, type GlobalOptions } from '../context.ts';
import { emitResult } from '../output.ts';

export function registerExportCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('export')
    .description(
      "export a run's networks (TensorFlow.js layers format), a manifest and its cluster assignments",
    )
    .argument('<run>', 'run id or name')
    .requiredOption('--out <dir>', 'folder to write (created if missing; must be empty)')
    .option('--checkpoint <kind>', 'last or best', 'last')
    .option('--json', 'print one JSON object')
    .action(async (id: string, opts) => {
      const options = { ...globals(), ...opts };
      await withStore(options, async (store) => {
        const run = requireRun(store, id);
        const result = await exportRun(store, run.id, { outDir: opts.out, checkpoint: opts.checkpoint });
        emitResult(
          options,
          result,
          () => `exported run '${run.name}' to ${result.out}:\n  ${result.files.join('\n  ')}`,
        );
      });
    });
}
