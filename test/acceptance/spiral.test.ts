/**
 * The paper's synthetic experiment through the real command line: K = 8 on the five arcs, with
 * the minimum information constraint, must separate the arcs (no cluster spanning two arcs,
 * so majority-vote accuracy near 1). 250 of the paper's 500 epochs: the README run reaches
 * majority accuracy >= 0.99 from epoch 175 on and stays there.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gmvaeJson } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

test('gmvae train --dataset spiral --k 8 separates the five arcs', async (t) => {
  const result = await gmvaeJson<{ status: string; metrics: Record<string, number>; train_seconds: number }>(
    tempDir(),
    ['train', '--dataset', 'spiral', '--k', '8', '--epochs', '250', '--backend', 'wasm'],
  );
  t.diagnostic(`spiral, 250 epochs: ${JSON.stringify(result.metrics)} in ${result.train_seconds} s`);
  assert.equal(result.status, 'completed');
  assert.ok(
    result.metrics.accuracy_majority! >= 0.95,
    `majority-vote accuracy ${result.metrics.accuracy_majority}`,
  );
  assert.ok(result.metrics.accuracy! >= 0.9, `paper-protocol accuracy ${result.metrics.accuracy}`);
  assert.ok(result.metrics.clusters_used! >= 5, `clusters used ${result.metrics.clusters_used}`);
  assert.ok(result.metrics.nmi! >= 0.8, `NMI ${result.metrics.nmi}`);
});
