/**
 * A run's stored checkpoint restored into a model, for whatever looks at a trained model after
 * the fact (evaluation on demand, export, the reproduction's pictures). One place, so they all
 * restore onto the run's own backend and release the model the same way.
 */
import type { LoadedDataset } from '../../common/dataset.ts';
import type { CheckpointKind, RunRecord } from '../../common/run.ts';
import { selectBackend } from '../backend/backends.ts';
import { loadDataset } from '../data/catalog.ts';
import { Gmvae } from '../model/gmvae.ts';
import { requireRun } from '../../host/runs.ts';
import type { Store } from '../../host/store/index.ts';
import { MISSING_POSTERIOR_NETWORK, restoreWeights } from './state.ts';

export interface RestoredCheckpoint {
  run: RunRecord;
  model: Gmvae;
  data: LoadedDataset;
  epoch: number;
  /** The step counter at the checkpoint. */
  step: number;
  backend: string;
}

export class MissingCheckpointError extends Error {
  override name = 'MissingCheckpointError';
}

/** A checkpoint without every network of its model (see MISSING_POSTERIOR_NETWORK). */
export class IncompleteCheckpointError extends Error {
  override name = 'IncompleteCheckpointError';
}

export interface RestoreOptions {
  /**
   * Also restore a checkpoint that lacks Shu's q(x|y,z) network (left as initialised), for
   * callers that use only q(z|y) and the generative side: cluster members and samples.
   */
  withoutPosteriorNetwork?: boolean;
}

/**
 * Restores checkpoint `kind` of a run into a model on the run's backend, with its dataset, for
 * the time `fn` takes; the model is disposed afterwards.
 */
export async function withCheckpointModel<T>(
  store: Store,
  runId: number,
  kind: CheckpointKind,
  fn: (loaded: RestoredCheckpoint) => Promise<T>,
  options: RestoreOptions = {},
): Promise<T> {
  const run = requireRun(store, runId);
  const checkpoint = store.loadCheckpoint(run.id, kind);
  if (!checkpoint) throw new MissingCheckpointError(`run '${run.name}' has no '${kind}' checkpoint yet`);
  const data = await loadDataset(store, run.dataset);
  // Inference only, so a conv run restores on wasm or blas too.
  const selection = await selectBackend(run.config.backend, { trainsConv2d: false });
  const model = new Gmvae(run.config, { shape: data.info.shape });
  try {
    const missing = restoreWeights(model, checkpoint.weights);
    if (missing.length > 0 && !options.withoutPosteriorNetwork)
      throw new IncompleteCheckpointError(
        `run '${run.name}', checkpoint '${kind}': ${MISSING_POSTERIOR_NETWORK}, so its ELBO and ` +
          'reconstructions cannot be recomputed; the pictures stored when it was trained remain',
      );
    const { epoch, step } = checkpoint;
    return await fn({ run, model, data, epoch, step, backend: selection.backend });
  } finally {
    model.dispose();
  }
}
