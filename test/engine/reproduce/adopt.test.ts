/** A reproduction adopts the stored run with its exact settings, whoever started it, and never trains twice. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolveConfig } from '../../../src-main/common/config.ts';
import { datasetInfo } from '../../../src-main/host/datasets.ts';
import { adoptOrCreateRun, reproduceTag } from '../../../src-main/engine/reproduce/adopt.ts';
import { findExperiment, planRuns } from '../../../src-main/engine/reproduce/experiments.ts';
import { requireDatasets } from '../../../src-main/engine/reproduce/reproduce.ts';
import { createRun } from '../../../src-main/host/runs.ts';
import { Store } from '../../../src-main/host/store/index.ts';
import { tempDir } from '../../helpers/temp.ts';

const synthetic = findExperiment('synthetic');

describe('adoptOrCreateRun', () => {
  test('creates a tagged run on first use, then finds the same run again', async () => {
    const store = await Store.open(tempDir());
    const [plan] = planRuns(synthetic, { seeds: [4], epochs: 3 });
    const first = adoptOrCreateRun(store, plan!);
    assert.equal(first.adopted, false);
    assert.equal(first.run.name, 'synthetic lambda-0 seed 4 (3 epochs)');
    assert.deepEqual(first.run.tags, ['reproduce', reproduceTag('synthetic')]);
    assert.equal(first.run.config.epochs, 3);
    assert.equal(first.run.config.lambda, 0);
    const again = adoptOrCreateRun(store, plan!);
    assert.deepEqual([again.adopted, again.run.id], [true, first.run.id]);
    assert.equal(store.listRuns().length, 1);
    store.close();
  });

  test('adopts a run trained by hand with the same settings, preferring the one furthest along', async () => {
    const store = await Store.open(tempDir());
    const [plan] = planRuns(synthetic, { seeds: [2], variants: ['lambda-0.5'] });
    const stale = createRun(store, { dataset: 'spiral', name: 'an early try', overrides: { seed: 2 } });
    const byHand = createRun(store, {
      dataset: 'spiral',
      name: 'by hand',
      overrides: { seed: 2, lambda: 0.5 },
    });
    store.updateRun(byHand.id, { status: 'completed', epoch: 500 });
    store.updateRun(stale.id, { status: 'stopped', epoch: 12 });
    createRun(store, { dataset: 'spiral', name: 'other seed', overrides: { seed: 3 } });
    const { run, adopted } = adoptOrCreateRun(store, plan!);
    assert.equal(adopted, true);
    assert.equal(run.id, byHand.id);
    assert.ok(run.tags.includes(reproduceTag('synthetic')));
    store.close();
  });

  test('a run with other settings is not adopted, and a taken name gets a suffix', async () => {
    const store = await Store.open(tempDir());
    const [plan] = planRuns(synthetic, { seeds: [1] });
    const info = datasetInfo(store, 'spiral');
    store.createRun({
      dataset: 'spiral',
      name: plan!.name,
      config: resolveConfig(info, { ...plan!.overrides, lr: 1e-2 }),
      status: 'completed',
    });
    const { run, adopted } = adoptOrCreateRun(store, plan!);
    assert.equal(adopted, false);
    assert.equal(run.name, `${plan!.name} #2`);
    assert.equal(run.config.lr, 1e-3);
    store.close();
  });

  test('a shorter run with the same settings is trained further under the plan name; an annealed one is not', async () => {
    const store = await Store.open(tempDir());
    const [short] = planRuns(synthetic, { seeds: [4], epochs: 3 });
    const first = adoptOrCreateRun(store, short!).run;
    store.updateRun(first.id, { status: 'completed', epoch: 3 });
    const [longer] = planRuns(synthetic, { seeds: [4], epochs: 5 });
    const { run, adopted, extendedFrom } = adoptOrCreateRun(store, longer!);
    assert.deepEqual([adopted, extendedFrom, run.id], [true, 3, first.id]);
    assert.deepEqual([run.config.epochs, run.status, run.epoch], [5, 'stopped', 3]);
    assert.equal(run.name, 'synthetic lambda-0 seed 4 (5 epochs)');
    assert.deepEqual({ ...run.config, epochs: 3 }, first.config);

    // A shorter run trained by hand keeps its length, and so does a failed one of the experiment.
    const [byHandPlan] = planRuns(synthetic, { seeds: [5], epochs: 3 });
    const byHand = createRun(store, { dataset: 'spiral', name: 'by hand', overrides: byHandPlan!.overrides });
    store.updateRun(byHand.id, { status: 'completed', epoch: 3 });
    const [failedPlan] = planRuns(synthetic, { seeds: [6], epochs: 3 });
    const failed = adoptOrCreateRun(store, failedPlan!).run;
    store.updateRun(failed.id, { status: 'failed', epoch: 2 });
    for (const [seed, kept] of [
      [5, byHand],
      [6, failed],
    ] as const) {
      const [plan] = planRuns(synthetic, { seeds: [seed], epochs: 5 });
      const outcome = adoptOrCreateRun(store, plan!);
      assert.equal(outcome.adopted, false, `seed ${seed}: a new run`);
      assert.equal(store.getRun(kept.id)!.config.epochs, 3, `seed ${seed}: the shorter run keeps its length`);
    }

    const table1 = findExperiment('mnist-table1');
    const [annealedShort] = planRuns(table1, { seeds: [1], epochs: 2, variants: ['k16-m1-cosine'] });
    const annealed = adoptOrCreateRun(store, annealedShort!).run;
    store.updateRun(annealed.id, { status: 'completed', epoch: 2 });
    const [annealedLonger] = planRuns(table1, { seeds: [1], epochs: 4, variants: ['k16-m1-cosine'] });
    const fresh = adoptOrCreateRun(store, annealedLonger!);
    assert.equal(fresh.adopted, false, 'a new run: the cosine schedule depends on the length');
    assert.notEqual(fresh.run.id, annealed.id);
    assert.deepEqual(
      [store.getRun(annealed.id)!.status, store.getRun(annealed.id)!.config.epochs],
      ['completed', 2],
    );
    store.close();
  });
});

describe('requireDatasets', () => {
  test('names the missing dataset and the command that imports it, before anything trains', async () => {
    const store = await Store.open(tempDir());
    assert.throws(
      () => requireDatasets(store, findExperiment('fashion-formulations')),
      /'fashion-mnist', which this store does not hold; import it first: gmvae datasets import \/usr\/share\/datasets\/fashion-mnist --name fashion-mnist/,
    );
    assert.doesNotThrow(() => requireDatasets(store, findExperiment('mnist-formulations')), 'built-in MNIST');
    assert.equal(store.listRuns().length, 0);
    store.close();
  });
});
