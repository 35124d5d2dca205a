/**
 * An export holds every network of its run's formulation and says how to assign clusters with
 * them: Shu's model saves its q(x|y,z) network too; v1 clusters by its q(z|y) head.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { resolveConfig } from '../../../src-main/common/config.ts';
import { exportRun } from '../../../src-main/engine/export/export-run.ts';
import { trainRun } from '../../../src-main/engine/training/trainer.ts';
import { Store } from '../../../src-main/host/store/index.ts';
import { blobs } from '../../helpers/blobs.ts';
import { tempDir } from '../../helpers/temp.ts';

async function exported(model: 'v1' | 'shu') {
  const store = await Store.open(tempDir(), { staleGraceMs: 0 });
  const data = blobs(200, 50);
  store.saveDataset(data);
  const config = resolveConfig(data.info, {
    model,
    k: 3,
    hidden: 16,
    epochs: 1,
    batchSize: 50,
    backend: 'cpu',
  });
  const run = store.createRun({ dataset: 'blobs', config, status: 'interrupted', pid: null });
  await trainRun({ store, runId: run.id, loadDataset: async () => data });
  const out = path.join(tempDir(), 'export');
  const result = await exportRun(store, run.id, { outDir: out });
  store.close();
  const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as {
    networks: Record<string, { path: string; outputs: string[] }>;
    clusterRule: string;
  };
  return { out, files: result.files, manifest };
}

test("Shu's export holds its q(x|y,z) network beside the encoder, prior and decoder", async () => {
  const { out, manifest } = await exported('shu');
  assert.deepEqual(Object.keys(manifest.networks).sort(), [
    'decoder',
    'encoder',
    'posteriorNetwork',
    'priorNetwork',
  ]);
  for (const network of Object.values(manifest.networks))
    assert.ok(fs.existsSync(path.join(out, network.path)), network.path);
  assert.match(manifest.clusterRule, /q\(z\|y\)/);
});

test('a v1 export names the q(z|y) head it clusters by', async () => {
  const { manifest } = await exported('v1');
  assert.ok(manifest.networks['encoder']!.outputs.some((o) => o.startsWith('qz_logits')));
  assert.match(manifest.clusterRule, /q\(z\|y\)/);
});
