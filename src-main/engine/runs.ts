/**
 * Operations on runs shared by every front end (CLI, desktop app, web mode): creating a run
 * with a resolved configuration, and evaluating a stored checkpoint on demand.
 */
import { resolveConfig } from '../common/config.ts';
import type { MetricSummary } from '../common/metric-names.ts';
import { deriveSeed } from '../common/random.ts';
import type { CheckpointKind, RunRecord } from '../common/run.ts';
import { selectBackend } from './backend/backends.ts';
import { datasetInfo, loadDataset } from './data/catalog.ts';
import { computeArtefacts } from './evaluation/artefacts.ts';
import { evaluateSplit } from './evaluation/evaluate.ts';
import { Gmvae } from './model/gmvae.ts';
import type { Store } from './store/index.ts';
import { SEED_STREAM } from './training/batches.ts';
import { restoreWeights } from './training/checkpoint-state.ts';

export interface NewRunInput {
  dataset: string;
  name?: string;
  /** Settings that differ from the dataset's defaults (see common/config.ts). */
  overrides: Record<string, unknown>;
}

/** Creates a run (status 'interrupted' until a trainer claims it, so nothing is ever orphaned as 'running'). */
export function createRun(store: Store, input: NewRunInput): RunRecord {
  const info = datasetInfo(store, input.dataset);
  const config = resolveConfig(info, input.overrides);
  return store.createRun({ name: input.name, dataset: info.name, config, status: 'interrupted', pid: null });
}

export function requireRun(store: Store, idOrName: string | number): RunRecord {
  const run = store.getRun(idOrName);
  if (!run) throw new Error(`no run '${idOrName}'`);
  return run;
}

/**
 * Evaluates a run's checkpoint on the test split, stores its artefacts (projection,
 * reconstructions, per-cluster samples) and returns the metrics.
 */
export async function evaluateCheckpoint(
  store: Store,
  runId: number,
  kind: CheckpointKind,
): Promise<{ run: RunRecord; epoch: number; backend: string; metrics: MetricSummary }> {
  const run = requireRun(store, runId);
  const checkpoint = store.loadCheckpoint(run.id, kind);
  if (!checkpoint) throw new Error(`run '${run.name}' has no '${kind}' checkpoint yet`);
  const data = await loadDataset(store, run.dataset);
  const selection = await selectBackend(run.config.backend, { trainsConv2d: false });
  const model = new Gmvae(run.config, { shape: data.info.shape });
  try {
    restoreWeights(model, checkpoint.weights);
    const { metrics } = evaluateSplit(
      model,
      data.test,
      data.info.shape,
      data.info.numClasses,
      run.config.seed,
    );
    const artefacts = await computeArtefacts(model, data, {
      seed: deriveSeed(run.config.seed, SEED_STREAM.artefacts),
    });
    const createdAt = new Date().toISOString();
    for (const a of artefacts)
      store.saveArtefact({ ...a, runId: run.id, checkpoint: kind, epoch: checkpoint.epoch, createdAt });
    return { run, epoch: checkpoint.epoch, backend: selection.backend, metrics };
  } finally {
    model.dispose();
  }
}
