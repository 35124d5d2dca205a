/**
 * What an export says about its examples and its checkpoint: each example's place in the source
 * file (through the importer's seeded split), and the metrics the exported checkpoint recorded.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { resolveConfig } from '../../../src-main/common/config.ts';
import { importDataset } from '../../../src-main/engine/data/import/index.ts';
import { exportRun } from '../../../src-main/engine/export/export-run.ts';
import { trainRun } from '../../../src-main/engine/training/trainer.ts';
import { Store } from '../../../src-main/host/store/index.ts';
import { tempDir } from '../../helpers/temp.ts';

test("an export names each example's source row and holds its checkpoint's metrics", async () => {
  // 40 rows whose first feature is the row's number: where each example came from is readable.
  const dir = tempDir();
  const rows = Array.from({ length: 40 }, (_, r) => `${r},${(r * 7) % 5},${r % 2}`);
  fs.writeFileSync(path.join(dir, 'rows.csv'), `n,b,label\n${rows.join('\n')}\n`);
  const data = await importDataset([path.join(dir, 'rows.csv')], { testFraction: 0.25, seed: 3 });
  assert.notDeepEqual(data.info.split, 'source', 'a seeded split');

  const store = await Store.open(tempDir(), { staleGraceMs: 0 });
  store.saveDataset(data);
  const config = resolveConfig(data.info, { k: 2, hidden: 8, epochs: 1, batchSize: 10, backend: 'cpu' });
  const run = store.createRun({ dataset: data.info.name, config, status: 'interrupted', pid: null });
  await trainRun({ store, runId: run.id, loadDataset: async () => data });
  const best = store.listCheckpoints(run.id).find((c) => c.kind === 'best')!;
  const recorded = store.metricsAt(run.id, best.step, ['test/elbo'])['test/elbo']!;
  // A later epoch's value, recorded after the best checkpoint (as when the ELBO gets worse).
  store.appendMetrics([
    { runId: run.id, step: best.step + 4, epoch: 2, name: 'test/elbo', value: -1e6, time: Date.now() },
  ]);

  const out = path.join(tempDir(), 'export');
  await exportRun(store, run.id, { outDir: out, checkpoint: 'best' });
  store.close();

  const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as {
    checkpoint: { kind: string; step: number };
    metrics: Record<string, number>;
    input: { shape: number[]; preprocessing: string[] };
  };
  assert.deepEqual(manifest.input.shape, [2]);
  assert.deepEqual(manifest.input.preprocessing, [], "a CSV's values are used as they are");
  assert.equal(manifest.checkpoint.step, best.step);
  assert.equal(manifest.metrics['test/elbo'], recorded, "the best checkpoint's ELBO, not the latest");

  const [header, ...lines] = fs.readFileSync(path.join(out, 'assignments.csv'), 'utf8').trim().split('\n');
  assert.equal(header, 'split,index,source_index,cluster,confidence,label');
  const seen = new Set<number>();
  for (const line of lines) {
    const [split, index, source] = line.split(',');
    const part = split === 'train' ? data.train : data.test;
    const d = data.info.shape[0]!;
    assert.equal(part.x[Number(index) * d], Number(source), `${split} ${index} is source row ${source}`);
    seen.add(Number(source));
  }
  assert.equal(seen.size, 40, 'every source row once');
});
