/**
 * The `gmvae` command line: the same engine the desktop app uses, for scripted sweeps.
 * Each command lives in commands/; this file wires them and turns errors into one line.
 */
import { Command, CommanderError } from 'commander';
import { registerBenchCommand } from './commands/bench.ts';
import { registerDatasetCommands } from './commands/datasets.ts';
import { registerExportCommand } from './commands/export.ts';
import { registerReproduceCommand } from './commands/reproduce.ts';
import { registerRunCommands } from './commands/runs.ts';
import { registerServeCommand } from './commands/serve.ts';
import { registerTrainCommand } from './commands/train.ts';
import type { GlobalOptions } from './context.ts';

const program = new Command('gmvae')
  .description('GMVAE Workbench: deep unsupervised clustering with Gaussian-mixture VAEs')
  .option('--home <dir>', 'folder holding runs and datasets (default: $GMVAE_HOME, else the app data folder)')
  .showHelpAfterError()
  .exitOverride();

const globals = (): GlobalOptions => program.opts<GlobalOptions>();
registerDatasetCommands(program, globals);
registerTrainCommand(program, globals);
registerRunCommands(program, globals);
registerExportCommand(program, globals);
registerServeCommand(program, globals);
registerBenchCommand(program, globals);
registerReproduceCommand(program, globals);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  const message = error instanceof Error ? error.message : String(error);
  const json = process.argv.includes('--json');
  if (json) process.stdout.write(`${JSON.stringify({ error: message })}\n`);
  process.stderr.write(`gmvae: error: ${message.split('\n')[0]}\n`);
  process.exit(1);
}
