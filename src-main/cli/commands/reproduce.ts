/**
 * gmvae reproduce NAME: one of the paper's experiments end to end (engine/reproduce). Rerun the
 * same command after an interruption and it resumes; runs it finds completed are not retrained.
 */
import os from 'node:os';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { resolveHome } from '../../host/home.ts';
import { EXPERIMENTS, findExperiment } from '../../engine/reproduce/experiments.ts';
import { reproduce } from '../../engine/reproduce/reproduce.ts';
import { EngineSupervisor } from '../../host/supervisor.ts';
import { withStore, type GlobalOptions } from '../context.ts';
import { integer } from '../options.ts';
import { CliError, emitResult, note } from '../output.ts';
import { eventLine } from './train.ts';

function list(value: string): string[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new InvalidArgumentError('give a comma-separated list');
  return items;
}

const seedList = (value: string): number[] => list(value).map(integer);

export function registerReproduceCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('reproduce')
    .description(
      `rerun one of the paper's experiments and write its results and pictures (${EXPERIMENTS.map((e) => e.id).join(', ')})`,
    )
    .argument('[name]', 'experiment to run (omit with --list)')
    .option('--list', 'list the experiments and their runs')
    .option(
      '--epochs <n>',
      "train this many epochs instead of the paper's (a shortened reproduction)",
      integer,
    )
    .option('--seeds <list>', "seeds to train, e.g. 1,2,3 (default: the experiment's)", seedList)
    .option(
      '--variants <list>',
      'variants to train, e.g. k16-m1,k10-m10 (default: all but the optional ones)',
      list,
    )
    .option('--jobs <n>', 'runs training at once, each in its own process', integer, 1)
    .option('--out <dir>', 'folder for results and pictures (default: reproduce/NAME)')
    .option('--report-only', 'write results from the stored runs without training')
    .option('--json', 'print one JSON object')
    .action(async (name: string | undefined, opts) => {
      const options = { ...globals(), ...opts };
      if (opts.list) {
        emitResult(options, { experiments: EXPERIMENTS }, () =>
          EXPERIMENTS.map(
            (e) =>
              `${e.id}: ${e.title}\n  seeds ${e.seeds.join(', ')}; variants ` +
              e.variants.map((v) => `${v.id}${v.optional ? ' (optional)' : ''}`).join(', '),
          ).join('\n'),
        );
        return;
      }
      if (!name) throw new CliError('name an experiment (gmvae reproduce --list shows them)');
      const experiment = findExperiment(name);
      if (opts.jobs < 1) throw new CliError('--jobs must be at least 1');
      if (opts.epochs !== undefined && opts.epochs < 1) throw new CliError('--epochs must be at least 1');
      const outDir = path.resolve(opts.out ?? path.join('reproduce', experiment.id));
      // Several runs on one machine: share the cores rather than each OpenBLAS taking all of them.
      if (opts.jobs > 1 && !process.env.OPENBLAS_NUM_THREADS)
        process.env.OPENBLAS_NUM_THREADS = String(
          Math.max(1, Math.floor(os.availableParallelism() / opts.jobs)),
        );
      await withStore(options, async (store) => {
        const supervisor = new EngineSupervisor(store, resolveHome(options.home));
        const abort = new AbortController();
        const onSignal = () => {
          if (abort.signal.aborted) {
            supervisor.killAll();
            process.exit(130);
          }
          note('stopping every run at its next step (Ctrl-C again to quit at once); rerun to resume');
          abort.abort();
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        try {
          const outcome = await reproduce(store, supervisor, experiment, {
            outDir,
            jobs: opts.jobs,
            epochs: opts.epochs,
            seeds: opts.seeds,
            variants: opts.variants,
            reportOnly: opts.reportOnly,
            signal: abort.signal,
            onEvent: (event) => {
              const line = eventLine(event, true);
              if (line !== null) note(line);
            },
            onNote: note,
          });
          const { results } = outcome;
          emitResult(options, { ...results, out: outDir, files: outcome.files }, () =>
            [
              `${experiment.title}`,
              ...results.variants.map(
                (v) =>
                  `  ${v.label}: accuracy ${v.accuracy ? `${(100 * v.accuracy.mean).toFixed(2)} ± ${(100 * v.accuracy.sd).toFixed(2)} (best seed ${(100 * v.accuracy.best).toFixed(2)})` : '-'}` +
                  (v.accuracyBestElbo
                    ? `; best-ELBO checkpoints ${(100 * v.accuracyBestElbo.mean).toFixed(2)} ± ${(100 * v.accuracyBestElbo.sd).toFixed(2)}`
                    : '') +
                  (v.paper ? `; paper ${v.paper.best.toFixed(2)} best` : '') +
                  `; ${v.completed} of ${v.runs} runs completed`,
              ),
              abort.signal.aborted
                ? 'stopped: run the same command again to resume'
                : `results and pictures: ${outDir}`,
            ].join('\n'),
          );
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          await supervisor.shutdown();
        }
      });
    });
}
