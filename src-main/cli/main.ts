/**
 * The `gmvae` command line: the same engine the desktop app uses, for scripted sweeps.
 * Each command lives in commands/; this file wires them and turns errors into one line.
 */
import { Command, CommanderError } from 'commander';
import type { GlobalOptions } from './context.ts';

type Register = (program: Command, globals: () => GlobalOptions) => void;

/**
 * Each command's module, loaded only when that command runs (all of them for help or a
 * mistyped name). Most commands load TensorFlow.js; `gmvae serve` is the interface's process
 * in web mode and must not (docs/architecture.md), and the others start faster without it.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  datasets: async () => (await import('./commands/datasets.ts')).registerDatasetCommands,
  train: async () => (await import('./commands/train.ts')).registerTrainCommand,
  runs: async () => (await import('./commands/runs.ts')).registerRunCommands,
  eval: async () => (await import('./commands/runs.ts')).registerRunCommands,
  export: async () => (await import('./commands/export.ts')).registerExportCommand,
  serve: async () => (await import('./commands/serve.ts')).registerServeCommand,
  bench: async () => (await import('./commands/bench.ts')).registerBenchCommand,
  reproduce: async () => (await import('./commands/reproduce.ts')).registerReproduceCommand,
  sweep: async () => (await import('./commands/sweep.ts')).registerSweepCommand,
};

/** The command named on the command line: the first word that is not a global option or its value. */
function commandName(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--home') i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

const program = new Command('gmvae')
  .description('GMVAE Workbench: deep unsupervised clustering with Gaussian-mixture VAEs')
  .option('--home <dir>', 'folder holding runs and datasets (default: $GMVAE_HOME, else the app data folder)')
  .showHelpAfterError()
  .exitOverride();

const globals = (): GlobalOptions => program.opts<GlobalOptions>();
const named = commandName(process.argv.slice(2));
const load =
  named !== undefined && Object.hasOwn(COMMANDS, named) ? [COMMANDS[named]!] : Object.values(COMMANDS);
// A set: runs.ts registers both `runs` and `eval`.
for (const register of new Set(await Promise.all(load.map((l) => l())))) register(program, globals);

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
