/** gmvae runs list | show, gmvae eval */
import type { Command } from 'commander';
import { warnableSilence, type CheckpointKind, type RunRecord } from '../../common/run.ts';
import {
  appliedValue,
  COLUMN_SETTINGS,
  formatSetting,
  notApplicable,
  SETTINGS,
} from '../../common/settings.ts';
import { evaluateCheckpoint } from '../../engine/evaluation/evaluate-checkpoint.ts';
import { requireRun, trainerSilence } from '../../host/runs.ts';
import type { Store } from '../../host/store/index.ts';
import { withStore, type GlobalOptions } from '../context.ts';
import { CliError, emitResult, formatNumber, table } from '../output.ts';
import { bestCheckpointLine, runSummary, storedRunSummary } from './train.ts';

/**
 * Seconds the trainer of a running run has been silent in training, once past
 * SILENT_AFTER_SECONDS (stopped or hung: its process is alive, so the run stays 'running'); else
 * null. This command trains nothing, so every trainer is another process.
 */
function silentInTraining(store: Store, run: RunRecord): number | null {
  const silence = trainerSilence(store, run);
  return silence === null ? null : warnableSilence(run.status, store.runProgress(run.id)?.phase, silence);
}

/** The settings with a runs-table column; epochs shows as progress in the EPOCH column instead. */
const LISTED = COLUMN_SETTINGS.filter((s) => s.key !== 'epochs');

export function registerRunCommands(program: Command, globals: () => GlobalOptions): void {
  const runs = program.command('runs').description('list and inspect runs');

  runs
    .command('list')
    .description('all runs, newest first')
    .option('--json', 'print one JSON object')
    .action(async (opts) => {
      const options = { ...globals(), ...opts };
      await withStore(options, async (store) => {
        const all = store.listRuns();
        const rows = all.map((r) => ({
          ...storedRunSummary(store, r),
          hyperparameters: r.config,
          trainer_silent_seconds: silentInTraining(store, r),
        }));
        emitResult(options, { runs: rows }, () =>
          all.length === 0
            ? 'no runs yet: start one with `gmvae train --dataset spiral`'
            : table(
                [
                  'ID',
                  'NAME',
                  'DATASET',
                  'STATUS',
                  'EPOCH',
                  // The scores before the settings, as in the app: they stay on screen when a
                  // narrow terminal wraps the row.
                  'ACC',
                  'ELBO',
                  ...LISTED.map((s) => (s.column.plain ?? s.column.header).toUpperCase()),
                  'BACKEND',
                ],
                rows.map((r) => [
                  r.run,
                  r.name,
                  r.dataset,
                  r.trainer_silent_seconds === null
                    ? r.status
                    : `running, silent ${Math.round(r.trainer_silent_seconds / 60)} min`,
                  `${r.epochs}/${r.config.epochs}`,
                  formatNumber(r.metrics.accuracy, 3),
                  formatNumber(r.metrics.elbo),
                  ...LISTED.map((s) => formatSetting(s.key, appliedValue(s.key, r.config))),
                  r.backend ?? '-',
                ]),
              ),
        );
      });
    });

  runs
    .command('show')
    .description('one run: configuration, status, latest metrics, checkpoints')
    .argument('<run>', 'run id or name')
    .option('--json', 'print one JSON object')
    .action(async (id: string, opts) => {
      const options = { ...globals(), ...opts };
      await withStore(options, async (store) => {
        const run = requireRun(store, id);
        const checkpoints = store.listCheckpoints(run.id);
        const summary = {
          ...storedRunSummary(store, run),
          notes: run.notes,
          tags: run.tags,
          created_at: run.createdAt,
          finished_at: run.finishedAt,
          checkpoints: checkpoints.map((c) => ({
            kind: c.kind,
            epoch: c.epoch,
            step: c.step,
            score: c.score,
          })),
          latest: store.latestMetrics(run.id),
        };
        emitResult(options, summary, () =>
          [
            `run ${run.id} '${run.name}' on ${run.dataset}: ${run.status}${run.error ? ` (${run.error})` : ''}`,
            `backend: ${run.backend ?? '-'} ${run.device ? `(${run.device})` : ''}`,
            `epochs: ${run.epoch}/${run.config.epochs}, steps ${run.step}, ${run.trainSeconds.toFixed(1)} s training`,
            table(
              ['SETTING', 'OPTION', 'VALUE'],
              SETTINGS.map((spec) => {
                const value = formatSetting(spec.key, run.config[spec.key]);
                const unused = notApplicable(spec.key, run.config);
                return [spec.label, spec.flag, unused ? `${value} (not used: ${unused})` : value];
              }),
            ),
            `checkpoints: ${checkpoints.map((c) => `${c.kind} (epoch ${c.epoch})`).join(', ') || 'none'}`,
            ...(summary.best_checkpoint ? [bestCheckpointLine(summary.best_checkpoint)] : []),
            table(
              ['METRIC', 'VALUE'],
              Object.entries(summary.latest).map(([k, v]) => [k, formatNumber(v)]),
            ),
          ].join('\n'),
        );
      });
    });

  program
    .command('eval')
    .description(
      "evaluate a run's checkpoint on the test split and store its projection, reconstructions and samples",
    )
    .argument('<run>', 'run id or name')
    .option('--checkpoint <kind>', 'last or best', 'last')
    .option('--json', 'print one JSON object')
    .action(async (id: string, opts) => {
      const options = { ...globals(), ...opts };
      if (opts.checkpoint !== 'last' && opts.checkpoint !== 'best')
        throw new CliError(`--checkpoint must be 'last' or 'best', not '${opts.checkpoint}'`);
      await withStore(options, async (store) => {
        const run = requireRun(store, id);
        const result = await evaluateCheckpoint(store, run.id, opts.checkpoint as CheckpointKind);
        emitResult(
          options,
          {
            ...runSummary(result.run, result.metrics),
            backend: result.backend,
            checkpoint: opts.checkpoint,
            checkpoint_epoch: result.epoch,
          },
          () =>
            table(
              ['METRIC', 'VALUE'],
              Object.entries(result.metrics).map(([k, v]) => [k, formatNumber(v)]),
            ),
        );
      });
    });
}
