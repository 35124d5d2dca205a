/** gmvae train: a new run, or --resume of a stopped or interrupted one. Trains in this process. */
import type { Command } from 'commander';
import { slowFallbackWarnings } from '../../common/backends.ts';
import { BACKEND_CHOICES } from '../../common/config.ts';
import type { MetricSummary } from '../../common/metric-names.ts';
import type { RunRecord } from '../../common/run.ts';
import type { TrainEvent } from '../../common/training-events.ts';
import { loadDataset } from '../../engine/data/catalog.ts';
import { assertTrainable, createRun, latestTestMetrics, requireRun } from '../../host/runs.ts';
import { trainRun, type TrainControl } from '../../engine/training/trainer.ts';
import { withStore, type GlobalOptions } from '../context.ts';
import { integer, number } from '../options.ts';
import { CliError, emitResult, formatNumber, note } from '../output.ts';

/** Command-line flag -> GmvaeConfig key. */
const CONFIG_FLAGS = {
  k: 'k',
  mcSamples: 'mcSamples',
  lambda: 'lambda',
  zPriorGradient: 'zPriorGradient',
  epochs: 'epochs',
  batchSize: 'batchSize',
  lr: 'lr',
  arch: 'arch',
  hidden: 'hidden',
  xDim: 'xDim',
  wDim: 'wDim',
  seed: 'seed',
  backend: 'backend',
  likelihood: 'likelihood',
  checkpointMinutes: 'checkpointMinutes',
} as const;

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
  program
    .command('train')
    .description('train a GMVAE run (defaults follow the dataset: see README)')
    .option('--dataset <name>', 'dataset to train on (gmvae datasets list)')
    .option('--resume <run>', 'resume a stopped, paused or interrupted run from its last checkpoint')
    .option('--name <name>', 'run name (default run-<id>)')
    .option('--k <n>', 'number of clusters K', integer)
    .option('--mc-samples <n>', 'Monte Carlo samples M', integer)
    .option('--lambda <nats>', 'minimum information constraint (0 = off)', number)
    .option(
      '--z-prior-gradient <exact|authors>',
      "p(z|x,w)'s gradient: the objective's, or the authors' code's",
    )
    .option('--epochs <n>', 'training epochs', integer)
    .option('--batch-size <n>', 'batch size', integer)
    .option('--lr <rate>', 'Adam learning rate', number)
    .option('--arch <mlp|conv>', 'network architecture')
    .option('--hidden <n>', 'hidden units', integer)
    .option('--x-dim <n>', 'size of the latent x', integer)
    .option('--w-dim <n>', 'size of the latent w', integer)
    .option('--likelihood <bernoulli|gaussian>', 'p(y|x)')
    .option('--seed <n>', 'random seed', integer)
    .option('--checkpoint-minutes <m>', 'checkpoint within an epoch this often', number)
    .option('--backend <name>', `compute backend: ${BACKEND_CHOICES.join('|')}`)
    .option('--json', 'print one JSON object')
    .action(async (opts) => {
      const options = { ...globals(), ...opts };
      await withStore(options, async (store) => {
        let run: RunRecord;
        if (opts.resume) {
          if (opts.dataset) throw new CliError('--resume continues an existing run; do not pass --dataset');
          run = requireRun(store, opts.resume);
          assertTrainable(run);
        } else {
          if (!opts.dataset) throw new CliError('pass --dataset NAME (or --resume RUN)');
          const overrides: Record<string, unknown> = {};
          for (const [flag, key] of Object.entries(CONFIG_FLAGS)) overrides[key] = opts[flag];
          run = createRun(store, { dataset: opts.dataset, name: opts.name, overrides });
          note(`created run ${run.id} '${run.name}' on ${run.dataset}`);
        }
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
        const metrics = latestTestMetrics(store, final.id);
        emitResult(options, runSummary(final, metrics), () => {
          const acc = metrics.accuracy_majority;
          return `run ${final.id} '${final.name}' ${final.status} after ${final.epoch} epochs on ${final.backend}: test elbo ${formatNumber(metrics.elbo)}, accuracy ${formatNumber(metrics.accuracy, 3)} (majority ${formatNumber(acc, 3)}), nmi ${formatNumber(metrics.nmi, 3)}`;
        });
      });
    });
}
