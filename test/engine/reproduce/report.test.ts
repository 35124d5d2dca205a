/** Summaries over seeds and the Markdown tables of a reproduction. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolveConfig } from '../../../src-main/common/config.ts';
import { findExperiment, planRuns } from '../../../src-main/engine/reproduce/experiments.ts';
import { collectResults, resultsMarkdown, spread } from '../../../src-main/engine/reproduce/report.ts';
import { Store } from '../../../src-main/host/store/index.ts';
import { blobs } from '../../helpers/blobs.ts';
import { tempDir } from '../../helpers/temp.ts';

describe('spread', () => {
  test('mean, sample standard deviation and best', () => {
    const s = spread([0.8, 0.9, 1.0])!;
    assert.ok(Math.abs(s.mean - 0.9) < 1e-12);
    assert.ok(Math.abs(s.sd - 0.1) < 1e-12);
    assert.equal(s.best, 1.0);
    assert.equal(s.n, 3);
    assert.deepEqual(spread([0.5]), { mean: 0.5, sd: 0, best: 0.5, n: 1 });
    assert.equal(spread([]), null);
  });
});

describe('collectResults', () => {
  test("per run its latest test metrics and time; per variant the seeds' spread beside the paper", async () => {
    const store = await Store.open(tempDir());
    const data = blobs();
    store.saveDataset(data);
    const experiment = findExperiment('mnist-table1');
    const plan = planRuns(experiment, { variants: ['k16-m1'], seeds: [1, 2, 3] });
    const accuracies = [0.8, 0.9, 0.2];
    const planned = plan.map((p, i) => {
      const run = store.createRun({
        dataset: 'blobs',
        config: resolveConfig(data.info, { seed: p.seed }),
        // The third is still training: it is listed, but stays out of the summary.
        status: i < 2 ? 'completed' : 'running',
      });
      store.updateRun(run.id, { epoch: 4, trainSeconds: 200, backend: 'blas' });
      store.appendMetrics(
        [1, 4].flatMap((epoch) => [
          {
            runId: run.id,
            step: epoch * 10,
            epoch,
            name: 'test/accuracy',
            value: epoch === 4 ? accuracies[i]! : 0.1,
            time: 0,
          },
          { runId: run.id, step: epoch * 10, epoch, name: 'test/clusters_used', value: 16, time: 0 },
        ]),
      );
      // The test ELBO chose epoch 1's checkpoint; epoch 4's is only the last.
      for (const [epoch, alsoBest] of [
        [1, true],
        [4, false],
      ] as const)
        store.commitCheckpoint({
          checkpoint: {
            runId: run.id,
            kind: 'last',
            epoch,
            step: epoch * 10,
            batchInEpoch: 0,
            createdAt: new Date(0).toISOString(),
            score: null,
            trainSeconds: 50 * epoch,
            weights: [],
            optimizer: [],
          },
          alsoBest,
          metrics: [],
          run: { epoch, step: epoch * 10, trainSeconds: 50 * epoch },
        });
      return { plan: p, run: store.getRun(run.id)! };
    });
    const results = collectResults(store, experiment, planned, new Date('2026-11-30T00:00:00Z'));
    assert.deepEqual(
      results.runs.map((r) => [r.seed, r.metrics.accuracy, r.bestCheckpoint, r.secondsPerEpoch, r.backend]),
      [1, 2, 3].map((seed, i) => [
        seed,
        accuracies[i],
        { epoch: 1, metrics: { accuracy: 0.1, clusters_used: 16 } },
        50,
        'blas',
      ]),
    );
    const [variant] = results.variants;
    assert.equal(variant!.completed, 2);
    assert.ok(Math.abs(variant!.accuracy!.mean - 0.85) < 1e-9);
    assert.equal(variant!.accuracy!.best, 0.9);
    assert.deepEqual(variant!.accuracyBestElbo, { mean: 0.1, sd: 0, best: 0.1, n: 2 });
    assert.equal(variant!.clustersUsed!.mean, 16);

    const markdown = resultsMarkdown(results);
    assert.match(
      markdown,
      /\| K 16, M 1 \| 88\.36 \/ 84\.80 ± 3\.11 \| 90\.00 \| 85\.00 ± 7\.07 \| 10\.00 ± 0\.00 \| .* \| 2 of 3 completed \|/,
    );
    assert.match(markdown, /\| 3 \| k16-m1 \| 3 \| running \| 4 of 50 \| 20\.00 \| 1, 10\.00 \|/);
    assert.match(markdown, /\| 2 \| k16-m1 \| 2 \| completed \| 4 of 50 \| 90\.00 \| 1, 10\.00 \|/);
    store.close();
  });
});
