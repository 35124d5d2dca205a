/**
 * The presets the New run form offers: on MNIST the dataset defaults are the paper's first
 * version with the authors' training on their conv network (what clustered it best,
 * docs/results.md section 2a); the same recipe on the MLP and Shu's GMVAE, the best on the MLP
 * and the default before, stay one click away beside the authors' scripts.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MNIST_SHU_PRESET, MNIST_V1_CONV_PRESET, MNIST_V1_PRESET } from '../../src-main/common/config.ts';
import { serviceClient, type ServiceClient } from '../helpers/service-client.ts';

let back: ServiceClient;
before(async () => {
  back = await serviceClient();
});
after(() => back.close());

test("MNIST: v1 on the conv network by default; v1 on the MLP, Shu's GMVAE and the authors' scripts as presets", async () => {
  const { defaults, presets } = await back.api.presets('mnist');
  assert.deepEqual(defaults, { ...MNIST_V1_CONV_PRESET, seed: 1, backend: 'auto' });
  const byName = new Map(presets.map((p) => [p.name, p.config]));
  assert.deepEqual(byName.get('Dataset defaults'), defaults);
  assert.deepEqual(byName.get('Paper v1: MNIST on the MLP'), {
    ...MNIST_V1_PRESET,
    seed: 1,
    backend: 'auto',
  });
  assert.deepEqual(byName.get("Shu's GMVAE: MNIST on the MLP"), {
    ...MNIST_SHU_PRESET,
    seed: 1,
    backend: 'auto',
  });
  const authors = presets.filter((p) => p.name.startsWith('Authors: run.sh'));
  assert.deepEqual(
    authors.map((p) => [p.config.model, p.config.arch, p.config.k, p.config.optimizer]),
    [
      ['v1', 'mlp', 14, 'adam-reset'],
      ['v2', 'mlp', 14, 'adam-reset'],
      ['v1', 'conv', 14, 'adam-reset'],
      ['v2', 'conv', 14, 'adam-reset'],
    ],
  );
});

test('other data: no MNIST recipes', async () => {
  const names = (await back.api.presets('spiral')).presets.map((p) => p.name);
  assert.ok(
    !names.some((n) => n.startsWith('Paper v1') || n.startsWith('Authors') || n.startsWith('Shu')),
    names.join(', '),
  );
});
