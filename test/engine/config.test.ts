/** Defaults follow the dataset: the paper's settings for its two datasets, a stated rule for others. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CONFIG_KEYS,
  ConfigError,
  defaultConfigFor,
  FORMULATIONS,
  MNIST_PRESET,
  resolveConfig,
  SYNTHETIC_PRESET,
  Z_PRIOR_GRADIENTS,
} from '../../src-main/common/config.ts';
import { notApplicable, SETTINGS } from '../../src-main/common/settings.ts';
import type { DatasetInfo } from '../../src-main/common/dataset.ts';

const info = (patch: Partial<DatasetInfo>): DatasetInfo => ({
  name: 'data',
  kind: 'table',
  shape: [2],
  nTrain: 100,
  nTest: 20,
  valueRange: [-3, 3],
  numClasses: 0,
  source: 'test',
  split: 'source',
  ...patch,
});

describe('defaultConfigFor', () => {
  test('spiral: the synthetic experiment, with the exact gradient', () => {
    const config = defaultConfigFor(info({ name: 'spiral', numClasses: 5 }));
    assert.deepEqual(config, { ...SYNTHETIC_PRESET, seed: 1, backend: 'auto' });
    assert.equal(config.zPriorGradient, 'exact');
  });

  test("28x28 images: v1 with the authors' training on their conv network, what clustered MNIST best", () => {
    const config = defaultConfigFor(
      info({ kind: 'image', shape: [28, 28, 1], valueRange: [0, 1], numClasses: 10 }),
    );
    assert.deepEqual(config, { ...MNIST_PRESET, seed: 1, backend: 'auto' });
    assert.deepEqual(
      [
        config.model,
        config.arch,
        config.k,
        config.xDim,
        config.hidden,
        config.lr,
        config.batchSize,
        config.epochs,
      ],
      ['v1', 'conv', 16, 200, 500, 1e-4, 50, 100],
    );
    assert.deepEqual(
      [
        config.optimizer,
        config.init,
        config.lossReduction,
        config.cvWeight,
        config.balanceWeight,
        config.likelihood,
      ],
      ['adam-reset', 'torch', 'sum', 0.4, 0, 'bernoulli'],
    );
  });

  test('other data: an MLP sized to it, K from its labels, likelihood from its range, the exact gradient', () => {
    const table = defaultConfigFor(info({ shape: [40], numClasses: 4 }));
    assert.deepEqual(
      [table.k, table.xDim, table.wDim, table.hidden, table.likelihood, table.zPriorGradient],
      [4, 10, 8, 100, 'gaussian', 'exact'],
    );
    const unit = defaultConfigFor(info({ kind: 'image', shape: [16, 16, 1], valueRange: [0, 1] }));
    assert.deepEqual([unit.k, unit.xDim, unit.hidden, unit.likelihood], [10, 64, 500, 'bernoulli']);
  });

  test('overrides are checked field by field', () => {
    const mnist = info({ kind: 'image', shape: [28, 28, 1], valueRange: [0, 1], numClasses: 10 });
    assert.equal(resolveConfig(mnist, { zPriorGradient: 'exact' }).zPriorGradient, 'exact');
    assert.throws(() => resolveConfig(mnist, { zPriorGradient: 'sampled' }), ConfigError);
    assert.throws(() => resolveConfig(mnist, { kk: 3 }), /unknown setting 'kk'/);
  });
});

describe('the settings table', () => {
  const datasets = [
    info({ name: 'spiral', numClasses: 5, valueRange: [-4, 4] }),
    info({ kind: 'image', shape: [28, 28, 1], valueRange: [0, 1], numClasses: 10 }),
    info({ shape: [40], numClasses: 4 }),
    info({ kind: 'image', shape: [16, 16, 1], valueRange: [0, 1] }),
  ];

  test('marks as following the dataset exactly the settings whose defaults differ between datasets', () => {
    const differ = CONFIG_KEYS.filter(
      (key) => new Set(datasets.map((d) => JSON.stringify(defaultConfigFor(d)[key]))).size > 1,
    );
    assert.deepEqual(
      SETTINGS.filter((s) => s.followsDataset).map((s) => s.key),
      differ,
    );
  });

  test('resolveConfig allows each number on its bounds and refuses it just past them, naming the setting', () => {
    const spiral = datasets[0]!;
    for (const spec of SETTINGS) {
      if (spec.kind === 'choice') continue;
      const step = spec.kind === 'int' ? 1 : 1e-9;
      const low = spec.minOpen ? spec.min + step : spec.min;
      assert.equal(resolveConfig(spiral, { [spec.key]: low })[spec.key], low, spec.key);
      assert.throws(
        () => resolveConfig(spiral, { [spec.key]: low - step }),
        new RegExp(`^ConfigError: ${spec.key} must be`),
      );
      if (spec.max !== undefined) {
        const high = spec.maxOpen ? spec.max - step : spec.max;
        assert.equal(resolveConfig(spiral, { [spec.key]: high })[spec.key], high, spec.key);
        assert.throws(() => resolveConfig(spiral, { [spec.key]: high + step }), ConfigError);
      }
      if (spec.kind === 'int')
        assert.throws(() => resolveConfig(spiral, { [spec.key]: low + 0.5 }), /whole number/);
      assert.throws(() => resolveConfig(spiral, { [spec.key]: String(low) }), /must be a number/);
    }
  });

  test('resolveConfig allows every choice the dataset allows, and the dataset checks name the dataset', () => {
    const mnist = datasets[1]!;
    for (const spec of SETTINGS) {
      if (spec.kind !== 'choice') continue;
      for (const choice of spec.choices)
        assert.equal(resolveConfig(mnist, { [spec.key]: choice })[spec.key], choice);
      assert.throws(
        () => resolveConfig(mnist, { [spec.key]: 'bogus' }),
        new RegExp(`${spec.key} must be one of`),
      );
    }
    assert.throws(
      () => resolveConfig(datasets[0]!, { arch: 'conv' }),
      /conv architecture needs 28x28 images; spiral/,
    );
    assert.throws(
      () => resolveConfig(datasets[0]!, { likelihood: 'bernoulli' }),
      /Bernoulli likelihood needs values in \[0,1\]; spiral ranges over \[-4, 4\]/,
    );
  });

  test('says which formulations read lambda, the z-prior gradient, the consistency and balance weights', () => {
    const applies = (key: 'lambda' | 'zPriorGradient' | 'cvWeight' | 'balanceWeight') =>
      FORMULATIONS.flatMap((model) =>
        Z_PRIOR_GRADIENTS.filter(
          (zPriorGradient) => notApplicable(key, { model, zPriorGradient }) === null,
        ).map((g) => `${model}/${g}`),
      );
    assert.deepEqual(applies('lambda'), ['v2/exact', 'v2/authors']);
    assert.deepEqual(applies('zPriorGradient'), ['v2/exact', 'v2/authors']);
    assert.deepEqual(applies('cvWeight'), ['v2/authors', 'v1/exact', 'v1/authors']);
    assert.deepEqual(applies('balanceWeight'), ['v1/exact', 'v1/authors', 'shu/exact', 'shu/authors']);
    assert.equal(notApplicable('k', { model: 'shu', zPriorGradient: 'exact' }), null);
  });
});
