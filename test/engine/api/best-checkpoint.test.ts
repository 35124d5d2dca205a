/**
 * Beside a run's latest test metrics the interface gets its best checkpoint's: the epoch with the
 * highest test ELBO and the metrics recorded with it, never the epoch of the highest accuracy.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SYNTHETIC_PRESET } from '../../../src-main/common/config.ts';
import type { CheckpointData, MetricPoint } from '../../../src-main/common/run.ts';
import { bestCheckpointScores } from '../../../src-main/host/runs.ts';
import { serviceClient } from '../../helpers/service-client.ts';

const STEPS_PER_EPOCH = 40;

test("a run lists with its best-ELBO checkpoint's epoch and test metrics", async (t) => {
  const back = await serviceClient();
  t.after(back.close);
  const { store } = back;
  const config = { ...SYNTHETIC_PRESET, seed: 1, backend: 'cpu' as const };
  const run = store.createRun({ dataset: 'spiral', config, status: 'interrupted', pid: null });
  const listed = async () => (await back.api.listRuns()).find((r) => r.id === run.id)!;
  assert.equal((await listed()).bestCheckpoint, null, 'no checkpoint, no best');

  // Epoch 2 has the highest test ELBO; epoch 3 the highest accuracy, and it is the latest.
  const epochs = [
    { elbo: -120, accuracy: 0.5 },
    { elbo: -100, accuracy: 0.6 },
    { elbo: -110, accuracy: 0.9 },
  ];
  let bestElbo = -Infinity;
  epochs.forEach(({ elbo, accuracy }, i) => {
    const epoch = i + 1;
    const step = epoch * STEPS_PER_EPOCH;
    const point = (name: string, value: number): MetricPoint => ({
      runId: run.id,
      step,
      epoch,
      name,
      value,
      time: 0,
    });
    const checkpoint: CheckpointData = {
      runId: run.id,
      kind: 'last',
      epoch,
      step,
      batchInEpoch: 0,
      createdAt: new Date(0).toISOString(),
      score: elbo,
      trainSeconds: epoch,
      weights: [],
      optimizer: [],
    };
    store.commitCheckpoint({
      checkpoint,
      alsoBest: elbo > bestElbo,
      metrics: [point('test/elbo', elbo), point('test/accuracy', accuracy), point('train/accuracy', 1)],
      run: { epoch, step, trainSeconds: epoch },
    });
    bestElbo = Math.max(bestElbo, elbo);
  });

  const summary = await listed();
  assert.deepEqual(summary.metrics, { elbo: -110, accuracy: 0.9 }, 'the latest epoch');
  assert.deepEqual(summary.bestCheckpoint, { epoch: 2, metrics: { elbo: -100, accuracy: 0.6 } });
  assert.deepEqual((await back.api.getRun(run.id)).bestCheckpoint, summary.bestCheckpoint, 'the run detail');
  assert.deepEqual(bestCheckpointScores(store, run.id), summary.bestCheckpoint);
});
