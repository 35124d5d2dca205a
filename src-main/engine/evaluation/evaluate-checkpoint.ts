/** Evaluating a stored checkpoint on demand: metrics on the test split, and fresh artefacts. */
import type { MetricSummary } from '../../common/metric-names.ts';
import type { CheckpointKind, RunRecord } from '../../common/run.ts';
import { withCheckpointModel } from '../checkpoint/restore.ts';
import type { Store } from '../../host/store/index.ts';
import { saveCheckpointArtefacts, type ArtefactOptions } from './artefacts.ts';
import { evaluateSplit } from './evaluate.ts';

/**
 * Evaluates a run's checkpoint on the test split, stores its artefacts (projection,
 * reconstructions, per-cluster samples) and returns the metrics.
 */
export async function evaluateCheckpoint(
  store: Store,
  runId: number,
  kind: CheckpointKind,
  progress: Pick<ArtefactOptions, 'onStage' | 'signal'> = {},
): Promise<{ run: RunRecord; epoch: number; backend: string; metrics: MetricSummary }> {
  const { onStage, signal } = progress;
  onStage?.(0, 'loading the checkpoint and the dataset');
  return withCheckpointModel(store, runId, kind, async (loaded) => {
    const { run, model, data, epoch, backend } = loaded;
    signal?.throwIfAborted();
    onStage?.(0.05, 'metrics on the test set');
    const { metrics } = await evaluateSplit(
      model,
      data.test,
      data.info.shape,
      data.info.numClasses,
      run.config.seed,
    );
    // The artefacts' stages fill the rest of the bar.
    await saveCheckpointArtefacts(store, loaded, kind, {
      signal,
      onStage: onStage && ((fraction, message) => onStage(0.2 + 0.8 * fraction, message)),
    });
    return { run, epoch, backend, metrics };
  });
}
