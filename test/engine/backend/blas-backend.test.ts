/**
 * The 'blas' backend as the engine sees it: selection and its device line, the conv limit,
 * the addon's own range checks, and one GMVAE training step agreeing with the cpu backend.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MNIST_SHU_PRESET, MNIST_V1_PRESET, type GmvaeConfig } from '../../../src-main/common/config.ts';
import { loadBlasAddon } from '../../../src-main/host/blas-addon.ts';
import { BACKEND_ORDER } from '../../../src-main/common/backends.ts';
import { selectBackend } from '../../../src-main/engine/backend/backends.ts';
import { Gmvae } from '../../../src-main/engine/model/gmvae.ts';
import { tf } from '../../../src-main/engine/tf.ts';
import { trainStep } from '../../../src-main/engine/training/step.ts';
import { assertClose, assertGradientsClose, on, randomValues, skipUnlessBlas } from './blas-helpers.ts';

test("'blas' comes after tensorflow and before webgpu and wasm in the auto order", () => {
  assert.ok(BACKEND_ORDER.indexOf('blas') > BACKEND_ORDER.indexOf('tensorflow'));
  // Measured on an NVIDIA H200: webgpu slower than blas on the same machine's CPU (performance.md).
  assert.ok(BACKEND_ORDER.indexOf('blas') < BACKEND_ORDER.indexOf('webgpu'));
  assert.ok(BACKEND_ORDER.indexOf('webgpu') < BACKEND_ORDER.indexOf('wasm'));
});

describe('blas backend', { skip: skipUnlessBlas }, () => {
  test('selecting it names the BLAS library, its kernel set and its threads', async () => {
    const selection = await selectBackend('blas', { trainsConv2d: false });
    assert.equal(selection.backend, 'blas');
    assert.equal(tf.getBackend(), 'blas');
    assert.match(
      selection.device,
      /(OpenBLAS, \w+ kernels( set by OPENBLAS_CORETYPE)?|Accelerate), \d+ threads?/,
    );
    // OpenBLAS reports the set OPENBLAS_CORETYPE forced, where it is set.
    const { library, core } = loadBlasAddon().info();
    const forced = process.env['OPENBLAS_CORETYPE'];
    if (library === 'OpenBLAS' && forced) assert.equal(core.toLowerCase(), forced.toLowerCase());
  });

  test('it trains convolutions (its own Conv2DBackpropFilter), unlike wasm', async () => {
    const selection = await selectBackend('blas', { trainsConv2d: true });
    assert.equal(selection.backend, 'blas');
    await assert.rejects(selectBackend('wasm', { trainsConv2d: true }), /cannot train convolutions/);
    const auto = await selectBackend('auto', { trainsConv2d: true });
    assert.ok(!auto.skipped.some((line) => line.startsWith('blas: ')));
  });

  test('the addon refuses ranges outside the buffer instead of touching memory', () => {
    const addon = loadBlasAddon();
    const buffer = new ArrayBuffer(4 * 16);
    const at = (x: number) => new Float64Array([x]);
    // 4x4 times 4x4 needs 64 bytes per operand; C at byte 4 would run past the end.
    assert.throws(
      () => addon.matmul(buffer, at(0), at(0), at(4), 4, 4, 4, false, false, -1, 0, 0),
      /outside/,
    );
    assert.throws(
      () => addon.matmul(buffer, at(2), at(0), at(0), 1, 1, 1, false, false, -1, 0, 0),
      /outside/,
    );
    assert.throws(() => addon.matmul(buffer, at(0), at(0), at(0), 2, 2, 2, false, false, 60, 0, 0), /bias/);
    // And a product that fits is computed: [1 2; 3 4] squared in place of a zeroed C.
    const f = new Float32Array(buffer);
    f.set([1, 2, 3, 4, 1, 2, 3, 4]);
    addon.matmul(buffer, at(0), at(16), at(32), 2, 2, 2, false, false, -1, 0, 0);
    assert.deepEqual([...f.subarray(8, 12)], [7, 10, 15, 22]);
  });

  // The MNIST architecture, narrowed so that the cpu side takes a moment: the default (Shu's
  // GMVAE) and the first version with the authors' training.
  for (const [recipe, preset] of [
    ["Shu's GMVAE", MNIST_SHU_PRESET],
    ["v1 with the authors' training", MNIST_V1_PRESET],
  ] as const)
    test(`one GMVAE training step, ${recipe}: the loss terms and gradients of the cpu backend`, async () => {
      const config: GmvaeConfig = {
        ...preset,
        k: 5,
        xDim: 9,
        wDim: 7,
        hidden: 33,
        seed: 3,
        backend: 'auto',
      };
      const batch = randomValues(20 * 49).map(Math.abs);
      const step = () => {
        const model = new Gmvae(config, { shape: [7, 7, 1] });
        const y = tf.tensor2d(batch, [20, 49]);
        const { value, grads } = tf.variableGrads(() => model.elboTerms(y, 11, { training: true }).loss);
        const terms = trainStep(model, tf.train.adam(1e-3), model.trainableVariables, y, 11).values;
        const out = [terms, value, ...model.trainableVariables.map((v) => grads[v.name]!)];
        model.dispose();
        return out;
      };
      const expected = await on('cpu', step);
      const actual = await on('blas', step);
      assert.equal(actual.length, expected.length);
      assertClose(actual[0]!, expected[0]!, 'ELBO terms of the step', 1e-4);
      assertClose(actual[1]!, expected[1]!, 'loss', 1e-4);
      const gradients = (step: typeof expected) =>
        step.slice(2).map((g, v) => ({ name: `variable ${v}`, values: g.values }));
      assertGradientsClose(gradients(actual), gradients(expected), 1e-3);
    });
});
