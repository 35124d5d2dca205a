/**
 * The learning-rate schedule: its values, and that the trainer steps with them. With the
 * authors' restarted Adam every weight whose gradient is well above the 3e-7 floor moves by
 * the step's learning rate exactly (a sign step), so the typical move of one step reads the
 * rate the trainer used at that step.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolveConfig } from '../../../src-main/common/config.ts';
import { Store } from '../../../src-main/host/store/index.ts';
import { learningRateAt } from '../../../src-main/engine/training/lr-schedule.ts';
import { createOptimizer } from '../../../src-main/engine/training/optimizer.ts';
import { tf } from '../../../src-main/engine/tf.ts';
import { trainRun } from '../../../src-main/engine/training/trainer.ts';
import { batchCount } from '../../../src-main/engine/data/batches.ts';
import { blobs } from '../../helpers/blobs.ts';
import { tempDir } from '../../helpers/temp.ts';

describe('learningRateAt', () => {
  test('constant keeps lr; cosine falls from lr to 0 along a half cosine', () => {
    assert.equal(learningRateAt('constant', 0.01, 70, 100), 0.01);
    assert.equal(learningRateAt('cosine', 0.01, 0, 100), 0.01);
    assert.ok(Math.abs(learningRateAt('cosine', 0.01, 50, 100) - 0.005) < 1e-15);
    // (1 + cos(pi/4)) / 2 = 0.853553...
    assert.ok(Math.abs(learningRateAt('cosine', 0.01, 25, 100) - 0.0085355339) < 1e-10);
    assert.ok(Math.abs(learningRateAt('cosine', 0.01, 75, 100) - 0.0014644661) < 1e-10);
    assert.equal(learningRateAt('cosine', 0.01, 100, 100), 0);
    // Past the end (a run given more epochs on resume than it was planned with) it stays at 0.
    assert.equal(learningRateAt('cosine', 0.01, 130, 100), 0);
  });
});

test('both optimizers step with the rate last set, not the one they were built with', async () => {
  await tf.setBackend('cpu');
  for (const optimizer of ['adam', 'adam-reset'] as const) {
    const value = tf.variable(tf.tensor1d([1, -1]), true, `lr_schedule_${optimizer}`);
    const built = createOptimizer({ optimizer, lr: 0.1 });
    built.setLearningRate(0.01);
    // The first step of Adam, like every step of the restarted one, moves by lr in the gradient's sign.
    built.applyGradients([{ name: value.name, tensor: tf.tensor1d([3, -0.5]) }]);
    const moved = Array.from(value.dataSync());
    assert.ok(
      Math.abs(moved[0]! - 0.99) < 1e-5 && Math.abs(moved[1]! + 0.99) < 1e-5,
      `${optimizer}: ${moved}`,
    );
    built.dispose();
    value.dispose();
  }
});

describe('the trainer steps with the schedule', () => {
  const data = blobs();
  const lr = 1e-3;

  async function trainedStore(lrSchedule: string, epochs: number, maxSteps?: number) {
    const store = await Store.open(tempDir(), { staleGraceMs: 0 });
    const config = resolveConfig(data.info, {
      k: 4,
      hidden: 32,
      epochs,
      batchSize: 50,
      lr,
      lrSchedule,
      optimizer: 'adam-reset',
      backend: 'cpu',
      seed: 3,
    });
    const run = store.createRun({ dataset: 'blobs', config, status: 'interrupted', pid: null });
    const train = (steps?: number) =>
      trainRun({
        store,
        runId: run.id,
        loadDataset: async () => data,
        ...(steps !== undefined ? { maxSteps: steps } : {}),
      });
    if (maxSteps !== undefined) await train(maxSteps);
    return { store, run, train };
  }

  /** The median size of the weights' moves over one step, taken after `before` steps. */
  async function moveOfStep(lrSchedule: string, before: number): Promise<number> {
    const { store, run, train } = await trainedStore(lrSchedule, 1);
    await train(before);
    const start = store.loadCheckpoint(run.id, 'last')!;
    assert.equal(start.step, before);
    await train(1);
    const end = store.loadCheckpoint(run.id, 'last')!;
    const moves: number[] = [];
    start.weights.forEach((t, i) => {
      const after = end.weights[i]!.data;
      t.data.forEach((v, j) => {
        const d = Math.abs(after[j]! - v);
        if (d > 0) moves.push(d);
      });
    });
    store.close();
    moves.sort((a, b) => a - b);
    return moves[Math.floor(moves.length / 2)]!;
  }

  test('cosine: the step half-way through the run moves by lr / 2, the first by lr', async () => {
    const steps = batchCount(data.train.n, 50);
    assert.ok(steps >= 8 && steps % 2 === 0, `blobs gives ${steps} steps per epoch`);
    const first = await moveOfStep('cosine', 0);
    assert.ok(Math.abs(first / lr - 1) < 0.01, `first step moved ${first}`);
    const half = await moveOfStep('cosine', steps / 2);
    assert.ok(Math.abs(half / (lr / 2) - 1) < 0.01, `half-way step moved ${half}, expected ${lr / 2}`);
    const constant = await moveOfStep('constant', steps / 2);
    assert.ok(Math.abs(constant / lr - 1) < 0.01, `constant: half-way step moved ${constant}`);
  });

  test("the rate of each logged step is recorded as 'train/lr', and a resumed run continues the schedule", async () => {
    const steps = batchCount(data.train.n, 50);
    const { store, run, train } = await trainedStore('cosine', 2, steps + 3); // stopped in epoch 2
    await train();
    const logged = store.metrics(run.id).filter((m) => m.name === 'train/lr');
    assert.ok(logged.length >= 4, `${logged.length} values logged`);
    // Logged after the step, at the count of steps done: the step that ran was step - 1.
    for (const m of logged)
      assert.ok(
        Math.abs(m.value - learningRateAt('cosine', lr, m.step - 1, 2 * steps)) < 1e-12,
        `step ${m.step}`,
      );
    assert.ok(logged.some((m) => m.step > steps + 3));
    store.close();
  });
});
