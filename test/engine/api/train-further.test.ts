/**
 * Training a run further through the API: a completed run's epochs rise and a trainer resumes
 * it from its last checkpoint; a run whose schedule depends on its length is refused with the
 * reason, and nothing starts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SYNTHETIC_PRESET } from '../../../src-main/common/config.ts';
import { serviceClient } from '../../helpers/service-client.ts';

test('trainFurther raises a completed run to more epochs and resumes it; an annealed run is refused', async (t) => {
  const back = await serviceClient();
  t.after(back.close);
  const { store } = back;
  const config = { ...SYNTHETIC_PRESET, epochs: 10, seed: 1, backend: 'cpu' as const };
  const done = store.createRun({ dataset: 'spiral', name: 'done', config, status: 'completed', pid: null });
  store.updateRun(done.id, { epoch: 10 });

  const record = await back.api.trainFurther(done.id, 25);
  assert.deepEqual(
    [record.config.epochs, record.status, record.finishedAt],
    [25, 'running', null],
    'held by its new trainer',
  );
  assert.equal(back.workers.length, 1, 'a trainer started');
  const [message] = back.workers[0]!.received;
  assert.ok(message?.type === 'train' && message.runId === done.id, 'told to train that run');
  assert.equal(store.getRun(done.id)!.config.epochs, 25);

  const annealed = store.createRun({
    dataset: 'spiral',
    name: 'annealed',
    config: { ...config, lrSchedule: 'cosine' },
    status: 'completed',
    pid: null,
  });
  await assert.rejects(
    back.api.trainFurther(annealed.id, 25),
    /'annealed' cannot train further: its learning rate anneals/,
  );
  assert.equal(back.workers.length, 1, 'nothing started');
  assert.equal(store.getRun(annealed.id)!.status, 'completed');
});
