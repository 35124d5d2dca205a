/** Evaluating a stored checkpoint on demand: metrics on the test split, and fresh artefacts. */
import type { LoadedDataset } from '../../common/dataset.ts';
import type { MetricSummary } from '../../common/metric-names.ts';
import { deriveSeed } from '../../common/random.ts';
import type { CheckpointKind, RunRecord } from '../../common/run.ts';
import { selectBackend } from '../backend/backends.ts';
import { loadDataset } from '../data/catalog.ts';
import { Gmvae } from '../model/gmvae.ts';
import { requireRun } from '../runs.ts';
import type { Store } from '../store/index.ts';
import { SEED_STREAM } from '../training/batches.ts';
import { restoreWeights } from '../training/checkpoint-state.ts';
import { computeArtefacts } from './artefacts.ts';
import { evaluateSplit } from './evaluate.ts';

/** A run's checkpoint restored into a model on the run's backend, with its dataset, for the time `fn` takes. */
export async function withCheckpointModel<T>(
  store: Store,
  runId: number,
  kind: CheckpointKind,
  fn: (loaded: {
    run: RunRecord;
    model: Gmvae;
    data: LoadedDataset;
    epoch: number;
    backend: string;
  }) => Promise<T>,
): Promise<T> {
  const run = requireRun(store, runId);
  const checkpoint = store.loadCheckpoint(run.id, kind);
  if (!checkpoint) throw new Error(`run '${run.name}' has no '${kind}' checkpoint yet`);
  const data = await loadDataset(store, run.dataset);
  const selection = await selectBackend(run.config.backend, { trainsConv2d: false });
  const model = new Gmvae(run.config, { shape: data.info.shape });
  try {
    restoreWeights(model, checkpoint.weights);
    return await fn({ run, model, data, epoch: checkpoint.epoch, backend: selection.backend });
  } finally {
    model.dispose();
  }
}

/** Computes and stores the artefacts (projection, reconstructions, per-cluster samples) of a restored checkpoint. */
export async function saveCheckpointArtefacts(
  store: Store,
  loaded: { run: RunRecord; model: Gmvae; data: LoadedDataset; epoch: number },
  kind: CheckpointKind,
): Promise<void> {
  const { run, model, data, epoch } = loaded;
  const artefacts = await computeArtefacts(model, data, {
    seed: deriveSeed(run.config.seed, SEED_STREAM.artefacts),
  });
  const createdAt = new Date().toISOString();
  for (const a of artefacts) store.saveArtefact({ ...a, runId: run.id, checkpoint: kind, epoch, createdAt });
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
  return withCheckpointModel(store, runId, kind, async (loaded) => {
    const { run, model, data, epoch, backend } = loaded;
    const { metrics } = evaluateSplit(
      model,
      data.test,
      data.info.shape,
      data.info.numClasses,
      run.config.seed,
    );
    await saveCheckpointArtefacts(store, loaded, kind);
    return { run, epoch, backend, metrics };
  });
}
