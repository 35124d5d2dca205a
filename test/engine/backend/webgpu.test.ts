/**
 * The 'webgpu' backend on SwiftShader (test/helpers/webgpu.ts): `auto` passes the software
 * adapter over, naming it; asked for by name it trains, and one training step of the MLP and of
 * the authors' conv network matches the cpu backend from the same weights and noise.
 *
 * Tolerance: 1e-3 of each variable's largest gradient, 1e-4 relative for the loss terms. The
 * conv step runs batch norm in inference mode (see stepOn).
 * WebGPU sums in float32 in its own order (tiled products, tree reductions), where cpu sums
 * sequentially; both are float32, so only rounding separates them, and it grows with the length
 * of the sums (784-long products, the batch's reductions).
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { MNIST_PRESET, type GmvaeConfig } from '../../../src-main/common/config.ts';
import { selectBackend } from '../../../src-main/engine/backend/backends.ts';
import { findAdapter } from '../../../src-main/engine/backend/webgpu-adapter.ts';
import { Gmvae } from '../../../src-main/engine/model/gmvae.ts';
import { tf } from '../../../src-main/engine/tf.ts';
import { stackTerms } from '../../../src-main/engine/model/formulations/terms.ts';
import { trainStep } from '../../../src-main/engine/training/step.ts';
import type { BackendProbeReport } from '../../../src-main/common/worker-protocol.ts';
import { runTask, type TaskContext } from '../../../src-main/engine/tasks.ts';
import { probeBackends } from '../../../src-main/host/backend-probe.ts';
import { webgpuBenchSkip } from '../../../src-main/cli/commands/bench.ts';
import { useSwiftShader } from '../../helpers/webgpu.ts';
import { assertClose, assertGradientsClose, on, randomValues } from './blas-helpers.ts';

before(() => useSwiftShader());

test('Dawn finds SwiftShader and calls it what it is: a software adapter', async () => {
  const adapter = await findAdapter();
  assert.ok(adapter, 'an adapter');
  assert.equal(adapter.software, true);
  assert.match(adapter.description, /SwiftShader/);
});

test('the interface lists the adapter an engine process found; auto may not pick a software one', async () => {
  const reply = await runTask({ kind: 'backend-probe' }, {} as TaskContext);
  assert.equal(reply.kind, 'backend-probe');
  const report = reply.result as BackendProbeReport;
  assert.ok(report.gpuAdapter.found && report.gpuAdapter.software, 'SwiftShader is found, as software');
  assert.match(report.native.tensorflow!.detail, /@tensorflow\/tfjs-node is (not )?installed/);
  const webgpu = probeBackends(report).find((b) => b.name === 'webgpu')!;
  assert.deepEqual([webgpu.available, webgpu.auto], [true, false]);
  assert.match(webgpu.detail, /SwiftShader.*auto passes it over/);
  const none = probeBackends({ native: {}, gpuAdapter: { found: false, reason: 'no WebGPU adapter' } }).find(
    (b) => b.name === 'webgpu',
  )!;
  assert.deepEqual([none.available, none.auto, none.detail], [false, false, 'no WebGPU adapter']);
});

test('gmvae bench times a software adapter only when asked for it by name', async () => {
  assert.match(
    (await webgpuBenchSkip(false)) ?? '',
    /the only adapter is google swiftshader .*--backend webgpu/,
  );
  assert.equal(await webgpuBenchSkip(true), null);
});

test('auto never picks a software adapter; it says why and moves on', async () => {
  const selection = await selectBackend('auto', { trainsConv2d: false });
  assert.notEqual(selection.backend, 'webgpu');
  const line = selection.skipped.find((s) => s.startsWith('webgpu:'));
  assert.match(line ?? '', /software adapter.*--backend webgpu/);
});

test('asked for by name, webgpu runs on it and the device line says it is not a GPU', async () => {
  const selection = await selectBackend('webgpu', { trainsConv2d: true });
  assert.equal(selection.backend, 'webgpu');
  assert.equal(tf.getBackend(), 'webgpu');
  assert.match(
    selection.device,
    /^GPU \(WebGPU\): google swiftshader .*software adapter \(WebGPU on the CPU, not a GPU\)/,
  );
});

/**
 * One step's loss terms, loss and every variable's gradient on `backend`. `training` false puts
 * batch norm in inference mode: on a batch of 2 its batch statistics divide by the spread of two
 * values and magnify rounding by whole percents, hiding the kernels being compared.
 */
async function stepOn(
  backend: 'cpu' | 'webgpu',
  config: GmvaeConfig,
  shape: number[],
  batch: Float32Array,
  training: boolean,
) {
  const d = shape.reduce((p, s) => p * s, 1);
  const n = batch.length / d;
  return on(backend, () => {
    const model = new Gmvae(config, { shape });
    const y = tf.tensor2d(batch, [n, d]);
    const { value, grads } = tf.variableGrads(() => model.elboTerms(y, 11, { training }).loss);
    const terms = training
      ? trainStep(model, tf.train.adam(1e-3), model.trainableVariables, y, 11).values
      : stackTerms(model.elboTerms(y, 11)).values;
    const out = [terms, value, ...model.trainableVariables.map((v) => grads[v.name]!)];
    model.dispose();
    return out;
  });
}

async function assertSameStep(
  config: GmvaeConfig,
  shape: number[],
  n: number,
  training: boolean,
): Promise<void> {
  const batch = randomValues(n * shape.reduce((p, s) => p * s, 1)).map(Math.abs);
  const expected = await stepOn('cpu', config, shape, batch, training);
  const actual = await stepOn('webgpu', config, shape, batch, training);
  assert.equal(actual.length, expected.length);
  assertClose(actual[0]!, expected[0]!, 'ELBO terms of the step', 1e-4);
  assertClose(actual[1]!, expected[1]!, 'loss', 1e-4);
  const gradients = (step: typeof expected) =>
    step.slice(2).map((g, i) => ({ name: `variable ${i}`, values: g.values }));
  assertGradientsClose(gradients(actual), gradients(expected), 1e-3);
}

const narrow = { k: 4, xDim: 6, wDim: 5, seed: 3, backend: 'auto' } as const;

test('one training step of the MLP GMVAE: the loss terms and gradients of the cpu backend', async () => {
  await assertSameStep({ ...MNIST_PRESET, ...narrow, hidden: 24 }, [7, 7, 1], 12, true);
});

test("one training step of the authors' conv GMVAE: the loss terms and gradients of the cpu backend", async () => {
  // Batch norm in inference mode (see stepOn); the MLP step above compares training mode.
  await assertSameStep({ ...MNIST_PRESET, ...narrow, arch: 'conv', hidden: 8 }, [28, 28, 1], 2, false);
});
