/**
 * A run stopped mid-epoch and resumed repeats the uninterrupted run bit for bit on the CPU
 * backends whose kernels round differently from tfjs's 'cpu' (blas, wasm): the paper's spiral
 * settings, one epoch, stopped after 20 of its 50 steps. Before Adam's beta1^t and beta2^t were
 * kept in the checkpoint, the resumed run's step losses first differed at step 27 here (at step
 * 60 when killed after the first epoch), because a restored Adam recomputes them with pow().
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AUTHORS_V1, resolveConfig, type GmvaeConfig } from '../../../src-main/common/config.ts';
import { loadBuiltin } from '../../../src-main/engine/data/registry.ts';
import { builtinInfo } from '../../../src-main/host/datasets.ts';
import { Store } from '../../../src-main/host/store/index.ts';
import { trainRun } from '../../../src-main/engine/training/trainer.ts';
import { skipUnlessBlas } from '../backend/blas-helpers.ts';
import { metricSeries } from '../../helpers/metrics.ts';
import { tempDir } from '../../helpers/temp.ts';

const info = builtinInfo('spiral')!;
const loadSpiral = () => loadBuiltin('spiral');

async function spiralRun(backend: string, recipe: Partial<GmvaeConfig>) {
  const store = await Store.open(tempDir(), { staleGraceMs: 0 });
  const config = resolveConfig(info, { ...recipe, epochs: 1, backend, seed: 1 });
  const run = store.createRun({ dataset: 'spiral', config, status: 'interrupted', pid: null });
  return { store, run };
}

async function assertResumeIsExact(backend: string, recipe: Partial<GmvaeConfig> = {}): Promise<void> {
  const straight = await spiralRun(backend, recipe);
  await trainRun({ store: straight.store, runId: straight.run.id, loadDataset: loadSpiral });

  const resumed = await spiralRun(backend, recipe);
  const stopped = await trainRun({
    store: resumed.store,
    runId: resumed.run.id,
    loadDataset: loadSpiral,
    maxSteps: 20,
  });
  assert.equal(stopped.status, 'stopped');
  assert.equal(stopped.backend, backend);
  const final = await trainRun({ store: resumed.store, runId: resumed.run.id, loadDataset: loadSpiral });
  assert.equal(final.status, 'completed');

  assert.deepEqual(
    metricSeries(resumed.store, resumed.run.id),
    metricSeries(straight.store, straight.run.id),
  );
  const w1 = straight.store.loadCheckpoint(straight.run.id, 'last')!;
  const w2 = resumed.store.loadCheckpoint(resumed.run.id, 'last')!;
  w1.weights.forEach((t, i) => assert.deepEqual(w2.weights[i]!.data, t.data, t.name));
  // Everything but the clock: when the epoch began, in training seconds, differs between any two runs.
  const state = (c: typeof w1) => c.optimizer.filter((t) => t.name !== 'trainer/epoch_start_seconds');
  assert.equal(state(w2).length, state(w1).length);
  state(w1).forEach((t, i) => assert.deepEqual(state(w2)[i]!.data, t.data, t.name));
  straight.store.close();
  resumed.store.close();
}

describe('a resumed spiral run equals the uninterrupted one', () => {
  test('on wasm', () => assertResumeIsExact('wasm'));
  test('on blas', { skip: skipUnlessBlas }, () => assertResumeIsExact('blas'));
  // The recipe of the MNIST study's v1 runs: their Adam restarted each step, Torch
  // initialisation, the summed loss and the consistency term, on the backend they trained on.
  test("on blas, v1 with the authors' training", { skip: skipUnlessBlas }, () =>
    assertResumeIsExact('blas', { ...AUTHORS_V1, batchSize: 200 }),
  );
  test("on blas, Shu's GMVAE", { skip: skipUnlessBlas }, () => assertResumeIsExact('blas', { model: 'shu' }));
});
