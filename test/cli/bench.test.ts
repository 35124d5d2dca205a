/**
 * gmvae bench end to end: one JSON object with the measured figures, and the FLOP count the
 * GFLOP/s figure rests on.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MNIST_V2_PRESET } from '../../src-main/common/config.ts';
import { trainingFlopsPerExample } from '../../src-main/engine/bench/flops.ts';
import { gmvae, gmvaeJson } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

interface BenchResult {
  backends: {
    backend: string;
    examples_per_s: number;
    gflops: number;
    peak_fraction: number;
    epoch_seconds: number;
  }[];
  gemm_peak_gflops: number;
  gemm_peak_path: string;
  model: { training_flops_per_example: number };
  torch: unknown;
  torch_note: string | null;
}

test('the FLOP count of the MNIST model, by hand', () => {
  const config = { ...MNIST_V2_PRESET, seed: 1, backend: 'auto' as const };
  // Multiply-adds per example: encoder 784*500 + 500*500 + 500*(2*200 + 2*150), prior network
  // 150*500 + 2*500*3200, decoder 200*500 + 500*500 + 500*784. Training: 3 passes of 2 FLOPs per
  // multiply-add, less the input gradient of the first layer (2*784*500).
  const macs = 392_000 + 250_000 + 350_000 + 75_000 + 3_200_000 + 100_000 + 250_000 + 392_000;
  assert.equal(trainingFlopsPerExample(config, 784), 6 * macs - 2 * 784 * 500);
  // M samples multiply the prior network and decoder, not the encoder.
  assert.ok(
    trainingFlopsPerExample({ ...config, mcSamples: 2 }, 784) > 1.8 * trainingFlopsPerExample(config, 784),
  );
});

test('bench --json: examples/s, GFLOP/s and the GEMM peak of one backend', async () => {
  const result = await gmvaeJson<BenchResult>(tempDir(), [
    'bench',
    '--backend',
    'wasm',
    '--steps',
    '2',
    '--warmup',
    '1',
    '--no-torch',
  ]);
  assert.equal(result.backends.length, 1);
  const [row] = result.backends;
  assert.equal(row!.backend, 'wasm');
  assert.ok(row!.examples_per_s > 0);
  const flops = result.model.training_flops_per_example;
  assert.ok(Math.abs(row!.gflops - (row!.examples_per_s * flops) / 1e9) < 1e-9);
  assert.ok(result.gemm_peak_gflops > 0 && result.gemm_peak_path.length > 0);
  assert.ok(Math.abs(row!.peak_fraction - row!.gflops / result.gemm_peak_gflops) < 1e-9);
  assert.ok(Math.abs(row!.epoch_seconds - 60_000 / row!.examples_per_s) < 1e-6);
  assert.equal(result.torch, null);
  assert.match(result.torch_note!, /--no-torch/);
});

test('bench --arch conv asks for a backend that trains convolutions, and names a bad --arch', async () => {
  const home = tempDir();
  const onWasm = await gmvae(home, [
    'bench',
    '--arch',
    'conv',
    '--backend',
    'wasm',
    '--steps',
    '1',
    '--no-torch',
  ]);
  assert.equal(onWasm.code, 1);
  assert.match(onWasm.stderr, /gmvae: error: .*wasm.*conv/i);
  const bad = await gmvae(home, ['bench', '--arch', 'resnet']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--arch must be mlp or conv/);
});
