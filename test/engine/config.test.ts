/** Defaults follow the dataset: the paper's settings for its two datasets, a stated rule for others. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ConfigError,
  defaultConfigFor,
  MNIST_PRESET,
  resolveConfig,
  SYNTHETIC_PRESET,
} from '../../src-main/common/config.ts';
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

  test("28x28 images: the paper's MNIST settings, with the authors' z-prior gradient", () => {
    const config = defaultConfigFor(
      info({ kind: 'image', shape: [28, 28, 1], valueRange: [0, 1], numClasses: 10 }),
    );
    assert.deepEqual(config, { ...MNIST_PRESET, seed: 1, backend: 'auto' });
    assert.deepEqual(
      [config.k, config.xDim, config.wDim, config.hidden, config.lr, config.epochs, config.zPriorGradient],
      [16, 200, 150, 500, 1e-4, 100, 'authors'],
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
