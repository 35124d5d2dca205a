/**
 * Each formulation and the authors' training details through the real training loop: what a run
 * records, that it clusters easy data, and exact resumption with the authors' reset update.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolveConfig } from '../../../src-main/common/config.ts';
import { Store } from '../../../src-main/host/store/index.ts';
import { trainRun } from '../../../src-main/engine/training/trainer.ts';
import { blobs } from '../../helpers/blobs.ts';
import { metricSeries } from '../../helpers/metrics.ts';
import { tempDir } from '../../helpers/temp.ts';

const data = blobs();
const base = { k: 4, hidden: 64, epochs: 4, batchSize: 50, lr: 3e-3, backend: 'cpu', seed: 5 };
const AUTHORS_V1 = {
  model: 'v1',
  cvWeight: 0.4,
  optimizer: 'adam-reset',
  init: 'torch',
  lossReduction: 'sum',
};

async function train(extra: Record<string, unknown>, maxSteps?: number, store?: Store, runId?: number) {
  const s = store ?? (await Store.open(tempDir(), { staleGraceMs: 0 }));
  const id =
    runId ??
    s.createRun({
      dataset: 'blobs',
      config: resolveConfig(data.info, { ...base, ...extra }),
      status: 'interrupted',
      pid: null,
    }).id;
  const run = await trainRun({
    store: s,
    runId: id,
    loadDataset: async () => data,
    ...(maxSteps ? { maxSteps } : {}),
  });
  return { store: s, run };
}

describe('formulations in the training loop', () => {
  test('v1 records its terms and both assignments, and separates blobs', async () => {
    const { store, run } = await train({ model: 'v1', cvWeight: 0.4 });
    assert.equal(run.status, 'completed');
    const latest = store.latestMetrics(run.id);
    for (const name of [
      'train/consistency',
      'train/balance',
      'test/consistency',
      'test/accuracy_bayes',
      'test/bayes_agreement',
    ])
      assert.ok(latest[name] !== undefined, name);
    const elbo =
      latest['test/reconstruction']! -
      latest['test/conditional_prior']! -
      latest['test/w_prior']! -
      latest['test/z_prior']!;
    assert.ok(Math.abs(elbo - latest['test/elbo']!) < 1e-3, 'the consistency term is not part of the ELBO');
    // The balance is a batch's quantity: recorded while training, not on the test split.
    assert.equal(latest['test/balance'], undefined);
    // Four epochs split the three blobs at least in two (one cluster would score 1/3).
    assert.ok(latest['test/accuracy_majority']! > 0.6, `blobs are easy: ${latest['test/accuracy_majority']}`);
    store.close();
  });

  test("Shu's model records no w-prior and clusters blobs", async () => {
    const { store, run } = await train({ model: 'shu' });
    assert.equal(run.status, 'completed');
    const latest = store.latestMetrics(run.id);
    assert.equal(latest['train/w_prior'], undefined);
    assert.equal(latest['test/w_prior'], undefined);
    assert.equal(latest['test/consistency'], undefined);
    const elbo = latest['test/reconstruction']! - latest['test/conditional_prior']! - latest['test/z_prior']!;
    assert.ok(Math.abs(elbo - latest['test/elbo']!) < 1e-3);
    assert.ok(latest['test/accuracy_majority']! > 0.9, `blobs are easy: ${latest['test/accuracy_majority']}`);
    const projection = store.listArtefacts(run.id).find((a) => a.kind === 'projection');
    assert.ok(projection, 'artefacts drawn without a w');
    store.close();
  });

  test("the authors' reset update resumes mid-epoch to exactly the uninterrupted run", async () => {
    const config = { ...AUTHORS_V1, epochs: 2 };
    const straight = await train(config);
    const first = await train(config, 17);
    assert.equal(first.run.status, 'stopped');
    const resumed = await train(config, undefined, first.store, first.run.id);
    assert.equal(resumed.run.status, 'completed');
    assert.deepEqual(metricSeries(first.store, first.run.id), metricSeries(straight.store, straight.run.id));
    straight.store.close();
    first.store.close();
  });

  test('a summed loss takes a B times larger gradient step than the mean, in the same direction', async () => {
    // With plain SGD the reduction is visible in the first update; Adam's normalisation hides it.
    const { tf } = await import('../../../src-main/engine/tf.ts');
    const { Gmvae } = await import('../../../src-main/engine/model/gmvae.ts');
    const { trainStep, readTerms } = await import('../../../src-main/engine/training/step.ts');
    await tf.setBackend('cpu');
    const y = tf.tensor2d(data.train.x.subarray(0, 10 * 2), [10, 2]);
    const firstUpdate = async (lossReduction: string) => {
      const model = new Gmvae(resolveConfig(data.info, { ...base, lossReduction }), {
        shape: data.info.shape,
      });
      const before = model.trainableVariables.map((v) => Array.from(v.dataSync()));
      await readTerms(trainStep(model, tf.train.sgd(1e-3), model.trainableVariables, y, 3));
      const delta = model.trainableVariables.flatMap((v, i) =>
        Array.from(v.dataSync(), (x, j) => x - before[i]![j]!),
      );
      model.dispose();
      return delta;
    };
    const mean = await firstUpdate('mean');
    const sum = await firstUpdate('sum');
    const largest = Math.max(...mean.map(Math.abs));
    mean.forEach((d, i) => assert.ok(Math.abs(sum[i]! - 10 * d) < 1e-3 * largest * 10, `element ${i}`));
  });
});
