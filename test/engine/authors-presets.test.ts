/**
 * The authors' scripts as presets: each resolves to a valid run on MNIST, and every value it
 * sets names the line of the authors' code it comes from.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AUTHORS_PRESETS } from '../../src-main/common/authors-presets.ts';
import { resolveConfig } from '../../src-main/common/config.ts';
import { MNIST_INFO } from '../../src-main/host/datasets.ts';

test("one preset per script and version, each traced to the authors' code", () => {
  assert.deepEqual(
    AUTHORS_PRESETS.map((p) => p.id),
    ['authors-mnist_fc-v1', 'authors-mnist_fc-v2', 'authors-mnist-v1', 'authors-mnist-v2'],
  );
  for (const preset of AUTHORS_PRESETS) {
    for (const key of Object.keys(preset.overrides))
      assert.ok(
        preset.sources[key as keyof typeof preset.sources],
        `${preset.id}: where does ${key} come from?`,
      );
    const config = resolveConfig(MNIST_INFO, preset.overrides);
    assert.equal(config.k, 14, 'run.sh passes -K 14');
    assert.equal(config.batchSize, 50);
    assert.equal(config.optimizer, 'adam-reset');
    // Their rate: 1e-4 at every step of 100 epochs, whatever the dataset's default schedule.
    assert.deepEqual([config.lr, config.lrSchedule, config.epochs], [1e-4, 'constant', 100]);
    assert.equal(config.model, preset.id.endsWith('v1') ? 'v1' : 'v2');
    assert.equal(config.arch, preset.id.includes('mnist_fc') ? 'mlp' : 'conv');
    assert.equal(config.hidden, preset.id.includes('mnist_fc') ? 1000 : 500);
  }
});
