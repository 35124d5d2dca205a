/** Evaluating a stored checkpoint on demand: metrics on the test split, and fresh artefacts. */
import type { MetricSummary } from '../../common/metric-names.ts';
import type { CheckpointKind, RunRecord } from '../../common/run.ts';
import { withCheckpointModel } from '../checkpoint/restore.ts';
import type { Store } from '../../host/store/index.ts';
import { saveCheckpointArtefacts } from './artefacts.ts';
import { evaluateSplit } from './evaluate.ts';

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
    const { metrics } = await evaluateSplit(
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
