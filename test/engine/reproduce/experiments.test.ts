/** The experiments' plans: which runs, with which settings, named how. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  MNIST_V1_PRESET,
  MNIST_V2_PRESET,
  resolveConfig,
  SYNTHETIC_PRESET,
} from '../../../src-main/common/config.ts';
import { MNIST_INFO } from '../../../src-main/host/datasets.ts';
import {
  EXPERIMENTS,
  FASHION_MNIST,
  findExperiment,
  planRuns,
} from '../../../src-main/engine/reproduce/experiments.ts';

const mnistInfo = MNIST_INFO;

describe('planRuns', () => {
  test("Table 1 trains K 10 and K 16 at M 1 with three seeds, as the authors' run.sh: v1, conv, batch 50", () => {
    const plan = planRuns(findExperiment('mnist-table1'));
    assert.deepEqual(
      plan.map((p) => `${p.variant.id}/${p.seed}`),
      ['k10-m1/1', 'k16-m1/1', 'k10-m1/2', 'k16-m1/2', 'k10-m1/3', 'k16-m1/3'],
    );
    const config = resolveConfig(mnistInfo, plan[0]!.overrides);
    assert.deepEqual(config, {
      ...MNIST_V1_PRESET,
      model: 'v1',
      cvWeight: 0.4,
      optimizer: 'adam-reset',
      init: 'torch',
      lossReduction: 'sum',
      arch: 'conv',
      k: 10,
      batchSize: 50,
      seed: 1,
      backend: 'auto',
    });
    assert.equal(plan[0]!.variant.paper?.mean, 74.47);
  });

  test("the MLP experiment is v2 at the workbench's former MNIST defaults", () => {
    const plan = planRuns(findExperiment('mnist-mlp'));
    assert.deepEqual(
      plan.map((p) => `${p.variant.id}/${p.seed}`),
      ['k10-m1/1', 'k16-m1/1', 'k10-m1/2', 'k16-m1/2', 'k10-m1/3', 'k16-m1/3'],
    );
    const config = resolveConfig(mnistInfo, plan[1]!.overrides);
    assert.deepEqual(config, { ...MNIST_V2_PRESET, k: 16, seed: 1, backend: 'auto' });
    assert.equal(config.model, 'v2');
    assert.equal(plan[1]!.variant.paper?.mean, 84.8);
  });

  test("Fashion-MNIST's optional conv variant is Table 1's recipe unchanged on the other dataset", () => {
    const experiment = findExperiment('fashion-formulations');
    assert.deepEqual(
      planRuns(experiment).map((p) => p.variant.id),
      ['v1-authors', 'v2', 'shu', 'v1-authors', 'v2', 'shu', 'v1-authors', 'v2', 'shu'],
    );
    const [conv] = planRuns(experiment, { variants: ['v1-authors-conv'], seeds: [1] });
    const [table1] = planRuns(findExperiment('mnist-table1'), { variants: ['k16-m1'], seeds: [1] });
    assert.equal(conv!.dataset, FASHION_MNIST);
    assert.deepEqual(conv!.overrides, table1!.overrides);
    // The K 30 variant is the same recipe with more components, nothing else.
    const [k30] = planRuns(experiment, { variants: ['v1-authors-conv-k30'], seeds: [1] });
    assert.equal(k30!.dataset, FASHION_MNIST);
    assert.deepEqual(k30!.overrides, { ...table1!.overrides, k: 30 });
  });

  test('optional variants, chosen seeds and a shortened schedule are named in the plan', () => {
    const plan = planRuns(findExperiment('mnist-table1'), { variants: ['k16-m10'], seeds: [7], epochs: 20 });
    assert.equal(plan.length, 1);
    assert.deepEqual(plan[0]!.overrides, {
      ...MNIST_V1_PRESET,
      k: 16,
      mcSamples: 10,
      arch: 'conv',
      seed: 7,
      epochs: 20,
    });
    assert.equal(plan[0]!.name, 'mnist-table1 k16-m10 seed 7 (20 epochs)');
  });

  test('the annealed variants differ from their rows in the learning rate and its schedule only', () => {
    const one = (experiment: string, variant: string) =>
      planRuns(findExperiment(experiment), { variants: [variant], seeds: [1] })[0]!.overrides;
    const annealed = { lr: 3e-4, lrSchedule: 'cosine' };
    assert.deepEqual(one('mnist-table1', 'k16-m1-cosine'), { ...one('mnist-table1', 'k16-m1'), ...annealed });
    assert.deepEqual(one('mnist-table1', 'k10-m1-cosine'), { ...one('mnist-table1', 'k10-m1'), ...annealed });
    assert.deepEqual(one('fashion-formulations', 'v1-conv-cosine'), {
      ...one('fashion-formulations', 'v1-authors-conv'),
      ...annealed,
    });
    assert.equal(resolveConfig(mnistInfo, one('mnist-table1', 'k16-m1')).lrSchedule, 'constant');
    // The balance variant is the annealed K 10 row plus the balance term, and only it has one.
    assert.deepEqual(one('mnist-table1', 'k10-m1-balance'), {
      ...one('mnist-table1', 'k10-m1-cosine'),
      balanceWeight: 5,
    });
    assert.equal(resolveConfig(mnistInfo, one('mnist-table1', 'k10-m1-cosine')).balanceWeight, 0);
  });

  test('the synthetic experiment compares the constraint off and on, otherwise the paper settings', () => {
    const plan = planRuns(findExperiment('synthetic'), { seeds: [1] });
    assert.deepEqual(
      plan.map((p) => p.overrides.lambda),
      [0, 0.5],
    );
    assert.ok(plan.every((p) => p.dataset === 'spiral' && p.overrides.k === SYNTHETIC_PRESET.k));
  });

  test('an unknown experiment or variant is an error that lists the choices', () => {
    assert.throws(
      () => findExperiment('mnist'),
      /no experiment 'mnist'; the experiments are synthetic, mnist-table1/,
    );
    assert.throws(
      () => planRuns(findExperiment('synthetic'), { variants: ['lambda-1'] }),
      /no variant 'lambda-1'; it has lambda-0, lambda-0.5/,
    );
  });

  test('every experiment has distinct variant ids and at least one seed', () => {
    for (const e of EXPERIMENTS) {
      assert.equal(new Set(e.variants.map((v) => v.id)).size, e.variants.length, e.id);
      assert.ok(e.seeds.length > 0, e.id);
    }
  });
});
