/** gmvae train: a new run, or --resume of a stopped or interrupted one (with --epochs, a run trained further). Trains in this process. */
import { Option, type Command } from 'commander';
import { slowFallbackWarnings } from '../../common/backends.ts';
import type { MetricSummary } from '../../common/metric-names.ts';
import type { RunRecord } from '../../common/run.ts';
import { SETTINGS, type SettingKey } from '../../common/settings.ts';
import { plural } from '../../common/text.ts';
import type { TrainEvent } from '../../common/training-events.ts';
import { loadDataset } from '../../engine/data/catalog.ts';
import type { CheckpointScores } from '../../common/api/contract.ts';
import { bestCheckpointScores, createRun, latestTestMetrics, requireRun } from '../../host/runs.ts';
import type { Store } from '../../host/store/index.ts';
import { trainRun, type TrainControl } from '../../engine/training/trainer.ts';
import { withStore, type GlobalOptions } from '../context.ts';
import { integer, number } from '../options.ts';
import { CliError, emitResult, formatNumber, note } from '../output.ts';

/** The `gmvae train` option of each run setting, from the settings table. */
export function settingOptions(): { option: Option; key: SettingKey }[] {
  return SETTINGS.map((spec) => {
    const value = spec.placeholder ?? (spec.kind === 'choice' ? `<${spec.choices.join('|')}>` : '<n>');
    // A choice shown by a placeholder still lists its choices in the help.
    const choices = spec.kind === 'choice' && spec.placeholder ? ` (${spec.choices.join('|')})` : '';
    const option = new Option(`${spec.flag} ${value}`, spec.help + choices);
    if (spec.kind === 'int') option.argParser(integer);
    else if (spec.kind === 'float') option.argParser(number);
    return { option, key: spec.key };
  });
}

/** The settings given on the command line, by config key (undefined where not given). */
export function settingOverrides(
  settings: readonly { option: Option; key: SettingKey }[],
  opts: Record<string, unknown>,
): Record<string, unknown> {
  return Object.fromEntries(settings.map(({ option, key }) => [key, opts[option.attributeName()]]));
}

export function runSummary(run: RunRecord, metrics: MetricSummary) {
  return {
    run: run.id,
    name: run.name,
    dataset: run.dataset,
    status: run.status,
    backend: run.backend,
    device: run.device,
    epochs: run.epoch,
    steps: run.step,
    train_seconds: Math.round(run.trainSeconds * 10) / 10,
    error: run.error,
    config: run.config,
    metrics,
  };
}

/** A stored run as the CLI reports it: its latest test metrics, and its best checkpoint's. */
export function storedRunSummary(store: Store, run: RunRecord) {
  return {
    ...runSummary(run, latestTestMetrics(store, run.id)),
    best_checkpoint: bestCheckpointScores(store, run.id),
  };
}

/** One line on the best checkpoint (the highest test ELBO) and its scores. */
export function bestCheckpointLine(best: CheckpointScores): string {
  return (
    `best checkpoint (highest test ELBO): epoch ${best.epoch}, test accuracy ${formatNumber(best.metrics.accuracy, 3)}, ` +
    `test elbo ${formatNumber(best.metrics.elbo)}`
  );
}

/** Ctrl-C once: stop at the next step with a checkpoint. Twice: exit now (the run shows as interrupted). */
function interruptControl(): TrainControl & { dispose(): void } {
  let stop = false;
  const onSignal = () => {
    if (stop) process.exit(130);
    stop = true;
    note('stopping after this step (press Ctrl-C again to quit at once)...');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    stopRequested: () => stop,
    pauseRequested: () => false,
    waitForResume: async () => {},
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** A progress line for the terminal, or null for events it does not show. `tagged` names the run (several train at once). */
export function eventLine(event: TrainEvent, tagged = false): string | null {
  const prefix = tagged ? `run ${event.runId} ` : '';
  switch (event.type) {
    case 'started':
      return [
        ...event.skipped.map((line) => `backend skipped: ${line}`),
        ...slowFallbackWarnings(event.backend, event.skipped),
        ...event.warnings.map((line) => `warning: ${line}`),
        `run ${event.runId}: training on ${event.backend} (${event.device})` +
          (event.resumedFrom
            ? `, resuming at epoch ${event.resumedFrom.epoch}, step ${event.resumedFrom.step}`
            : ''),
      ].join('\n');
    case 'epoch': {
      const m = event.metrics;
      return (
        `${prefix}epoch ${event.epoch}: test elbo ${formatNumber(m['test/elbo'])}  ` +
        `acc ${formatNumber(m['test/accuracy'], 3)} (majority ${formatNumber(m['test/accuracy_majority'], 3)}, ` +
        `hungarian ${formatNumber(m['test/accuracy_hungarian'], 3)})  nmi ${formatNumber(m['test/nmi'], 3)}  ` +
        `clusters ${m['test/clusters_used'] ?? '-'}  ${event.seconds.toFixed(1)} s`
      );
    }
    case 'status':
      return event.error ? `run ${event.runId} ${event.status}: ${event.error}` : null;
    default:
      return null;
  }
}

function reportEvent(event: TrainEvent): void {
  const line = eventLine(event);
  if (line !== null) note(line);
}

export function registerTrainCommand(program: Command, globals: () => GlobalOptions): void {
  const settings = settingOptions();
  const command = program
    .command('train')
    .description('train a GMVAE run (defaults follow the dataset: see README)')
    .option('--dataset <name>', 'dataset to train on (gmvae datasets list)')
    .option(
      '--resume <run>',
      'resume a stopped, paused or interrupted run from its last checkpoint; with --epochs, train a run further',
    )
    .option('--name <name>', 'run name (default run-<id>)');
  for (const { option } of settings) command.addOption(option);
  command.option('--json', 'print one JSON object').action(async (opts) => {
    const options = { ...globals(), ...opts };
    await withStore(options, async (store) => {
      let run: RunRecord;
      if (opts.resume) {
        if (opts.dataset) throw new CliError('--resume continues an existing run; do not pass --dataset');
        run = requireRun(store, opts.resume);
        const { epochs, ...others } = settingOverrides(settings, opts);
        const changed = settings.filter(({ key }) => others[key] !== undefined);
        if (changed.length > 0)
          throw new CliError(
            `--resume continues run '${run.name}' with its own settings; ${changed.map(({ option }) => option.long).join(', ')} ` +
              'cannot change them (only --epochs, to train it further)',
          );
        if (epochs !== undefined && epochs !== run.config.epochs) {
          run = store.extendRun(run.id, epochs as number);
          note(`run ${run.id} '${run.name}' now trains to epoch ${run.config.epochs}`);
        }
      } else {
        if (!opts.dataset) throw new CliError('pass --dataset NAME (or --resume RUN)');
        const overrides = settingOverrides(settings, opts);
        run = createRun(store, { dataset: opts.dataset, name: opts.name, overrides });
        note(`created run ${run.id} '${run.name}' on ${run.dataset}`);
      }
      // This process trains the run: claimed in one transaction, so a second `train --resume`
      // of the same run started at the same moment is refused instead of training it too.
      run = store.claimRun(run.id, process.pid);
      const control = interruptControl();
      let final: RunRecord;
      try {
        final = await trainRun({
          store,
          runId: run.id,
          loadDataset: (name) => loadDataset(store, name),
          control,
          onEvent: reportEvent,
        });
      } finally {
        control.dispose();
      }
      const summary = storedRunSummary(store, final);
      emitResult(options, summary, () => {
        const { metrics, best_checkpoint: best } = summary;
        const acc = metrics.accuracy_majority;
        return [
          `run ${final.id} '${final.name}' ${final.status} after ${plural(final.epoch, 'epoch')} on ${final.backend}: test elbo ${formatNumber(metrics.elbo)}, accuracy ${formatNumber(metrics.accuracy, 3)} (majority ${formatNumber(acc, 3)}), nmi ${formatNumber(metrics.nmi, 3)}`,
          ...(best ? [bestCheckpointLine(best)] : []),
        ].join('\n');
      });
    });
  });
}
