/**
 * gmvae bench's PyTorch reference: it tries the thread settings a PyTorch user would and keeps
 * the best (checked with a stand-in Python whose speed depends on its threads), it times PyTorch
 * on CUDA only where torch sees a GPU, and the real script builds the engine's networks,
 * parameter for parameter, for both architectures.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MNIST_V2_PRESET, type Architecture, type GmvaeConfig } from '../../../src-main/common/config.ts';
import { Gmvae } from '../../../src-main/engine/model/gmvae.ts';
import { tf } from '../../../src-main/engine/tf.ts';
import { tempDir } from '../../helpers/temp.ts';

const SCRIPT = fileURLToPath(new URL('../../../bench/torch_reference.py', import.meta.url));
const config = (arch: Architecture): GmvaeConfig => ({ ...MNIST_V2_PRESET, seed: 1, backend: 'cpu', arch });

before(async () => {
  await tf.setBackend('cpu');
});

/** A Python that "has torch" and runs faster with more threads, mostly the BLAS's. */
function standInPython(): string {
  const path = join(tempDir(), 'python');
  writeFileSync(
    path,
    `#!/bin/sh
[ "$1" = "-c" ] && exit 0
threads=1; arch=none
for a in "$@"; do case $a in --threads=*) threads=\${a#--threads=};; --arch=*) arch=\${a#--arch=};; esac; done
echo "{\\"torch_version\\": \\"stand-in $arch\\", \\"steps\\": 3, \\"seconds\\": 1, \\"examples_per_s\\": $((100 * OPENBLAS_NUM_THREADS + 10 * threads))}"
`,
  );
  chmodSync(path, 0o755);
  return path;
}

test('the reference tries 1 and all cores for both thread knobs and reports the best', async () => {
  process.env['GMVAE_TORCH_PYTHON'] = standInPython();
  const { runTorchReference, threadSettings } =
    await import('../../../src-main/engine/bench/torch-reference.ts');
  assert.deepEqual(threadSettings(1), [{ intraOp: 1, blas: 1 }]);
  const progress: string[] = [];
  const outcome = runTorchReference(
    config('conv'),
    784,
    { steps: 3, warmup: 0, maxSeconds: 10, cores: 2 },
    (m) => progress.push(m),
  );
  assert.ok(outcome.ok);
  const { best, tried, torchVersion } = outcome.reference;
  assert.equal(torchVersion, 'stand-in conv'); // the architecture reached the script
  assert.deepEqual(
    tried.map((t) => [t.intraOp, t.blas, t.examplesPerSecond]),
    [
      [1, 1, 110],
      [1, 2, 210],
      [2, 1, 120],
      [2, 2, 220],
    ],
  );
  assert.deepEqual([best.intraOp, best.blas, best.examplesPerSecond], [2, 2, 220]);
  assert.equal(progress.length, 4);
});

/** A Python without torch: it fails as Python does, the error on its last line of stderr. */
function noTorchPython(): string {
  const path = join(tempDir(), 'python');
  writeFileSync(
    path,
    `#!/bin/sh\necho "Traceback (most recent call last):" >&2\necho "ModuleNotFoundError: No module named 'torch'" >&2\nexit 1\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

test("a named Python without torch is refused with its reason, not replaced by the system's", async () => {
  const { runTorchReference } = await import('../../../src-main/engine/bench/torch-reference.ts');
  const noTorch = noTorchPython();
  process.env['GMVAE_TORCH_PYTHON'] = noTorch;
  const outcome = runTorchReference(config('mlp'), 784, { steps: 1, warmup: 0, maxSeconds: 10, cores: 1 });
  assert.ok(!outcome.ok);
  assert.equal(
    outcome.reason,
    `no Python with torch found (${noTorch}: ModuleNotFoundError: No module named 'torch')`,
  );
});

/** A Python whose torch sees a GPU (probe exit 0) or not (exit 3); its step echoes the device. */
function standInCudaPython(hasCuda: boolean): string {
  const path = join(tempDir(), 'python');
  writeFileSync(
    path,
    `#!/bin/sh
[ "$1" = "-c" ] && exit ${hasCuda ? 0 : 3}
device=none
for a in "$@"; do case $a in --device=*) device=\${a#--device=};; esac; done
echo "{\\"torch_version\\": \\"stand-in\\", \\"device\\": \\"GPU via $device\\", \\"steps\\": 4, \\"seconds\\": 2, \\"examples_per_s\\": 5000}"
`,
  );
  chmodSync(path, 0o755);
  return path;
}

test('on CUDA: the script runs with --device=cuda where torch sees a GPU, and says so where not', async () => {
  const { runTorchCudaReference } = await import('../../../src-main/engine/bench/torch-reference.ts');
  const options = { steps: 4, warmup: 0, maxSeconds: 10, cores: 2 };
  process.env['GMVAE_TORCH_PYTHON'] = standInCudaPython(true);
  const found = runTorchCudaReference(config('mlp'), 784, options);
  assert.ok(found.ok);
  assert.deepEqual(
    [found.reference.device, found.reference.examplesPerSecond, found.reference.steps],
    ['GPU via cuda', 5000, 4],
  );
  // A named Python is the only one asked, so the system's torch cannot stand in for it.
  const cpuOnly = standInCudaPython(false);
  process.env['GMVAE_TORCH_PYTHON'] = cpuOnly;
  const none = runTorchCudaReference(config('mlp'), 784, options);
  assert.ok(!none.ok);
  assert.equal(none.reason, `no PyTorch with CUDA here (${cpuOnly}: its torch sees no CUDA device)`);
  // A probe that fails for another reason says that reason, Python's last line.
  const noTorch = noTorchPython();
  process.env['GMVAE_TORCH_PYTHON'] = noTorch;
  const broken = runTorchCudaReference(config('mlp'), 784, options);
  assert.ok(!broken.ok);
  assert.match(broken.reason, /: ModuleNotFoundError: No module named 'torch'\)$/);
});

test("the real script's --device=cpu times a step on the CPU and says which device", () => {
  const python = ['python3', '/usr/bin/python3'].find(
    (p) => spawnSync(p, ['-c', 'import torch']).status === 0,
  );
  assert.ok(python, 'no Python with torch: run scripts/setup.sh (apt python3-torch)');
  const out = spawnSync(python, [SCRIPT, '--device=cpu', '--steps=1', '--warmup=0', '--hidden=32'], {
    encoding: 'utf8',
  });
  assert.equal(out.status, 0, out.stderr);
  const result = JSON.parse(out.stdout) as { device: string; steps: number; examples_per_s: number };
  assert.equal(result.device, 'cpu');
  assert.equal(result.steps, 1);
  assert.ok(result.examples_per_s > 0);
});

for (const arch of ['mlp', 'conv'] as const) {
  test(`the PyTorch script's ${arch} network has the engine's parameters`, () => {
    const python = ['python3', '/usr/bin/python3'].find(
      (p) => spawnSync(p, ['-c', 'import torch']).status === 0,
    );
    // .ci/run installs python3-torch (scripts/setup.sh), so CI always runs this.
    assert.ok(python, 'no Python with torch: run scripts/setup.sh (apt python3-torch)');
    const c = config(arch);
    const out = spawnSync(
      python,
      [
        SCRIPT,
        '--describe',
        `--arch=${arch}`,
        `--k=${c.k}`,
        `--x-dim=${c.xDim}`,
        `--w-dim=${c.wDim}`,
        `--hidden=${c.hidden}`,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(out.status, 0, out.stderr);
    const model = new Gmvae(c, { shape: [28, 28, 1] });
    try {
      const ours = model.trainableVariables.reduce((n, v) => n + v.size, 0);
      assert.equal((JSON.parse(out.stdout) as { parameters: number }).parameters, ours);
    } finally {
      model.dispose();
    }
  });
}
