/**
 * gmvae bench end to end: one JSON object with the measured figures (the FLOP count they rest on
 * is tested in test/engine/bench/flops.test.ts).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { skipUnlessBlas } from '../engine/backend/blas-helpers.ts';
import { gmvae, gmvaeJson } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';
import { useSwiftShader } from '../helpers/webgpu.ts';

interface BenchResult {
  backends: {
    backend: string;
    device: string;
    steps: number;
    examples_per_s: number;
    gflops: number;
    peak_fraction: number;
    epoch_seconds: number;
  }[];
  gemm_peak_gflops: number;
  gemm_peak_path: string;
  model: { training_flops_per_example: number; batchSize: number };
  products_alone: { ms_per_step: number; gflops: number; calls: number; limit_fraction: number } | null;
  torch: { examples_per_s: number } | null;
  torch_note: string | null;
  torch_cuda: { device: string; examples_per_s: number } | null;
  torch_cuda_note: string | null;
  best_gpu_vs_torch_cuda: number | null;
}

/** `gmvae bench --json` with `args`, without the torch reference, in a fresh home. */
const benchJson = (...args: string[]) => gmvaeJson<BenchResult>(tempDir(), ['bench', ...args, '--no-torch']);

test('bench --json: examples/s, GFLOP/s and the GEMM peak of one backend', async () => {
  const result = await benchJson('--backend', 'wasm', '--steps', '2', '--warmup', '1');
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

test(
  "bench --arch conv: the authors' conv network on blas, with its FLOP count",
  { skip: skipUnlessBlas },
  async () => {
    const result = await benchJson('--arch', 'conv', '--backend', 'blas', '--steps', '2', '--warmup', '0');
    const flops = result.model.training_flops_per_example;
    assert.ok(flops > 150e6 && flops < 170e6, `conv FLOPs ${flops}`);
    const [row] = result.backends;
    assert.equal(row!.backend, 'blas');
    assert.ok(Math.abs(row!.gflops - (row!.examples_per_s * flops) / 1e9) < 1e-9);
    assert.equal(result.products_alone, null, 'convolutions have no product list');
  },
);

test(
  "bench on blas: the MLP step's products alone, at their shapes, against the limit",
  { skip: skipUnlessBlas },
  async () => {
    const result = await benchJson('--backend', 'blas', '--steps', '1', '--warmup', '0');
    const alone = result.products_alone!;
    assert.equal(alone.calls, 35);
    // Their FLOPs are the step's: GFLOP/s times the time is the count, and the fraction is the
    // step's FLOPs at the peak over the products' time.
    const stepFlops = result.model.training_flops_per_example * result.model.batchSize;
    assert.ok(Math.abs((alone.gflops * alone.ms_per_step) / 1e3 - stepFlops / 1e9) < 1e-6 * stepFlops);
    const limitMs = (1e3 * stepFlops) / (result.gemm_peak_gflops * 1e9);
    assert.ok(Math.abs(alone.limit_fraction - limitMs / alone.ms_per_step) < 1e-9);
    assert.ok(alone.ms_per_step > 0);
  },
);

/** A Python whose torch sees a GPU and runs the step at 50 examples/s on the CPU, 5000 on CUDA. */
function standInCudaPython(): string {
  const python = path.join(tempDir(), 'python');
  fs.writeFileSync(
    python,
    `#!/bin/sh
[ "$1" = "-c" ] && exit 0
case "$*" in *--device=cuda*) device="stand-in GPU"; speed=5000;; *) device=cpu; speed=50;; esac
echo "{\\"torch_version\\": \\"stand-in\\", \\"device\\": \\"$device\\", \\"steps\\": 2, \\"seconds\\": 1, \\"examples_per_s\\": $speed}"
`,
  );
  fs.chmodSync(python, 0o755);
  return python;
}

test('bench --backend webgpu --json on SwiftShader: examples/s, labelled a software adapter, not compared with CUDA', async () => {
  useSwiftShader(); // the child process inherits the Vulkan driver's variables
  const run = await gmvae(
    tempDir(),
    ['bench', '--backend', 'webgpu', '--steps', '1', '--warmup', '0', '--json'],
    {
      ...process.env,
      GMVAE_TORCH_PYTHON: standInCudaPython(),
    },
  );
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout) as BenchResult;
  assert.equal(result.backends.length, 1);
  const [row] = result.backends;
  assert.equal(row!.backend, 'webgpu');
  assert.equal(row!.steps, 1);
  assert.ok(row!.examples_per_s > 0, `examples/s ${row!.examples_per_s}`);
  // The adapter by name, and never taken for a GPU.
  assert.match(row!.device, /^GPU \(WebGPU\): google swiftshader .*SwiftShader/);
  assert.match(row!.device, /a software adapter \(WebGPU on the CPU, not a GPU\)$/);
  const flops = result.model.training_flops_per_example;
  assert.ok(flops > 0);
  assert.ok(Math.abs(row!.gflops - (row!.examples_per_s * flops) / 1e9) < 1e-9);
  assert.ok(result.gemm_peak_gflops > 0);
  assert.ok(Math.abs(row!.peak_fraction - row!.gflops / result.gemm_peak_gflops) < 1e-9);
  // PyTorch on the CPU is timed; PyTorch on CUDA, a GPU backend's peer, is not, though this torch
  // "sees a GPU": a software adapter is the CPU (on a real GPU the row and ratio are there,
  // docs/performance.md; runTorchCudaReference is tested in test/engine/bench).
  assert.equal(result.torch!.examples_per_s, 50);
  assert.equal(result.torch_cuda, null);
  assert.match(result.torch_cuda_note!, /no backend was timed on a GPU/);
  assert.equal(result.best_gpu_vs_torch_cuda, null);
});

test('bench --rounds: every backend and PyTorch timed in turn, each reported at its median round', async () => {
  // A Python that "has torch" and whose every call is 100 examples/s faster than the last, so
  // each round's best setting is its last and the rounds differ.
  const dir = tempDir();
  const python = path.join(dir, 'python');
  const calls = path.join(dir, 'calls');
  fs.writeFileSync(
    python,
    `#!/bin/sh
[ "$1" = "-c" ] && exit 0
n=$(($(cat ${calls} 2>/dev/null || echo 0) + 1)); echo $n > ${calls}
echo "{\\"torch_version\\": \\"stand-in\\", \\"steps\\": 2, \\"seconds\\": 1, \\"examples_per_s\\": $((100 * n))}"
`,
  );
  fs.chmodSync(python, 0o755);
  const run = await gmvae(
    tempDir(),
    ['bench', '--backend', 'wasm', '--steps', '2', '--warmup', '1', '--rounds', '3', '--json'],
    { ...process.env, GMVAE_TORCH_PYTHON: python },
  );
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout) as BenchResult & {
    rounds: number;
    gemm_peak_rounds_gflops: number[];
    backends: { rounds_examples_per_s: number[] }[];
    torch: { examples_per_s: number; rounds_examples_per_s: number[]; tried: unknown[] };
  };
  assert.equal(result.rounds, 3);
  const [row] = result.backends;
  assert.equal(row!.rounds_examples_per_s.length, 3);
  const sorted = [...row!.rounds_examples_per_s].sort((a, b) => a - b);
  assert.equal(row!.examples_per_s, sorted[1], 'the median round');
  // Each round tries every thread setting once, in turn after the backend.
  const settings = result.torch.tried.length;
  assert.deepEqual(
    result.torch.rounds_examples_per_s,
    [1, 2, 3].map((r) => 100 * settings * r),
  );
  assert.equal(result.torch.examples_per_s, 200 * settings);
  // Its torch "sees a GPU", but no GPU backend ran, so there is nothing to compare with CUDA.
  assert.equal(result.torch_cuda, null);
  assert.match(result.torch_cuda_note!, /no backend was timed on a GPU/);
  assert.match(run.stderr, /round 2 of 3/);
  // The GEMM peak is measured in every round, and the fastest is the limit.
  assert.equal(result.gemm_peak_rounds_gflops.length, 3);
  assert.equal(result.gemm_peak_gflops, Math.max(...result.gemm_peak_rounds_gflops));
});

test('bench --rounds 0 is refused', async () => {
  const run = await gmvae(tempDir(), ['bench', '--rounds', '0']);
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, /--rounds must be >= 1/);
});
