/**
 * Shu's q(x|y,z) network is part of every checkpoint. Checkpoints written before it was (until
 * 2026-12-02) lack it: a resumed run says so and restarts that network from its initialisation,
 * evaluation and export refuse with the reason (their ELBO and reconstructions would be those
 * of an untrained network), and the study's pictures, which need only q(z|y) and the generative
 * side, still draw from them.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { resolveConfig } from '../../../src-main/common/config.ts';
import type { TrainEvent } from '../../../src-main/common/training-events.ts';
import { loadBuiltin } from '../../../src-main/engine/data/registry.ts';
import {
  IncompleteCheckpointError,
  withCheckpointModel,
} from '../../../src-main/engine/checkpoint/restore.ts';
import { captureWeights, restoreWeights } from '../../../src-main/engine/checkpoint/state.ts';
import { evaluateCheckpoint } from '../../../src-main/engine/evaluation/evaluate-checkpoint.ts';
import { exportRun } from '../../../src-main/engine/export/export-run.ts';
import { Gmvae } from '../../../src-main/engine/model/gmvae.ts';
import { trainRun } from '../../../src-main/engine/training/trainer.ts';
import { tf } from '../../../src-main/engine/tf.ts';
import { builtinInfo } from '../../../src-main/host/datasets.ts';
import { Store } from '../../../src-main/host/store/index.ts';
import { tempDir } from '../../helpers/temp.ts';

const info = builtinInfo('spiral')!;
const config = resolveConfig(info, { model: 'shu', k: 3, hidden: 12, epochs: 2, seed: 4, backend: 'cpu' });
const isPosterior = (name: string) => name.startsWith('posterior_network/');

before(async () => {
  await tf.setBackend('cpu');
});

test('captureWeights keeps the q(x|y,z) network; restoreWeights puts it back', async () => {
  const trained = new Gmvae(config, { shape: [2] });
  const fresh = new Gmvae({ ...config, seed: 5 }, { shape: [2] });
  const stored = await captureWeights(trained);
  assert.ok(
    stored.some((t) => isPosterior(t.name)),
    stored.map((t) => t.name).join(' '),
  );
  assert.deepEqual(restoreWeights(fresh, stored), []);
  const posterior = (m: Gmvae) =>
    m.networks.posteriorNetwork!.weights.map((w) => Array.from(w.read().dataSync()));
  assert.deepEqual(posterior(fresh), posterior(trained));

  // A checkpoint without it: the rest is restored, the network is named as missing.
  const other = new Gmvae({ ...config, seed: 6 }, { shape: [2] });
  const before = posterior(other);
  assert.deepEqual(
    restoreWeights(
      other,
      stored.filter((t) => !isPosterior(t.name)),
    ),
    ['posterior_network'],
  );
  assert.deepEqual(posterior(other), before, 'left as initialised');
  const encoder = (m: Gmvae) => m.networks.encoder.weights.map((w) => Array.from(w.read().dataSync()));
  assert.deepEqual(encoder(other), encoder(trained));
  // Any other shortfall is still an error.
  assert.throws(() => restoreWeights(other, stored.slice(1)), /checkpoint holds \d+ weight tensors/);
  for (const m of [trained, fresh, other]) m.dispose();
});

describe('a Shu run whose checkpoint predates the fix', () => {
  let store: Store;
  let runId: number;

  before(async () => {
    store = await Store.open(tempDir(), { staleGraceMs: 0 });
    const run = store.createRun({ dataset: 'spiral', config, status: 'interrupted', pid: null });
    runId = run.id;
    await trainRun({ store, runId, loadDataset: () => loadBuiltin('spiral'), maxSteps: 10 });
    // The checkpoint as the code before the fix wrote it.
    const last = store.loadCheckpoint(runId, 'last')!;
    store.commitCheckpoint({
      checkpoint: { ...last, weights: last.weights.filter((t) => !isPosterior(t.name)) },
      alsoBest: false,
      metrics: [],
      run: {},
    });
  });

  test('evaluation and export refuse it, saying why; the pictures still draw from it', async () => {
    await assert.rejects(
      evaluateCheckpoint(store, runId, 'last'),
      (error: Error) =>
        error instanceof IncompleteCheckpointError &&
        /before Shu's posterior network q\(x\|y,z\) was saved/.test(error.message),
    );
    const out = path.join(tempDir(), 'export');
    await assert.rejects(exportRun(store, runId, { outDir: out }), IncompleteCheckpointError);
    assert.equal(fs.existsSync(out), false, 'nothing written');
    const k = await withCheckpointModel(store, runId, 'last', async ({ model }) => model.config.k, {
      withoutPosteriorNetwork: true,
    });
    assert.equal(k, 3);
  });

  test('resuming says so and trains on, and its next checkpoint is complete', async () => {
    const events: TrainEvent[] = [];
    const final = await trainRun({
      store,
      runId,
      loadDataset: () => loadBuiltin('spiral'),
      onEvent: (e) => events.push(e),
    });
    assert.equal(final.status, 'completed');
    const started = events.find((e) => e.type === 'started')!;
    assert.ok(started.type === 'started');
    assert.deepEqual(started.resumedFrom, { epoch: 0, step: 10 });
    assert.equal(started.warnings.length, 1);
    assert.match(started.warnings[0]!, /that network restarts from its initialisation/);
    const weights = store.loadCheckpoint(runId, 'last')!.weights;
    assert.ok(weights.some((t) => isPosterior(t.name)));
    await withCheckpointModel(store, runId, 'last', async () => undefined);
  });
});
