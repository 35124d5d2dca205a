/**
 * The PyTorch reference (bench/torch_reference.py): the same model and step in PyTorch, run
 * beside the engine so the ratio is measured on the same machine at the same time. Used when a
 * Python with torch is found; otherwise the benchmark says so in one line.
 *
 * Threads: OPENBLAS_NUM_THREADS=2 (matrix products on both cores, as the 'blas' backend) and
 * torch.set_num_threads(1) (elementwise on one thread, as wasm's kernels).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { GmvaeConfig } from '../../common/config.ts';

const SCRIPT = fileURLToPath(new URL('../../../bench/torch_reference.py', import.meta.url));

/** `python3` first; Debian's python3-torch lives under /usr/bin/python3 when a pyenv shadows it. */
const PYTHONS = [process.env['GMVAE_TORCH_PYTHON'], 'python3', '/usr/bin/python3'].filter((p): p is string =>
  Boolean(p),
);

export interface TorchResult {
  python: string;
  torchVersion: string;
  examplesPerSecond: number;
  steps: number;
  seconds: number;
}

export type TorchOutcome = { ok: true; result: TorchResult } | { ok: false; reason: string };

function findPython(): string | null {
  for (const python of PYTHONS) {
    const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8', timeout: 60_000 });
    if (probe.status === 0) return python;
  }
  return null;
}

export function runTorchReference(
  config: GmvaeConfig,
  d: number,
  options: { steps: number; warmup: number; blasThreads: number },
): TorchOutcome {
  const python = findPython();
  if (!python) return { ok: false, reason: `no Python with torch found (tried ${PYTHONS.join(', ')})` };
  const args = [
    SCRIPT,
    `--steps=${options.steps}`,
    `--warmup=${options.warmup}`,
    `--batch=${config.batchSize}`,
    `--d=${d}`,
    `--k=${config.k}`,
    `--x-dim=${config.xDim}`,
    `--w-dim=${config.wDim}`,
    `--hidden=${config.hidden}`,
    `--lambda=${config.lambda}`,
    `--lr=${config.lr}`,
    '--threads=1',
  ];
  const env = { ...process.env, OPENBLAS_NUM_THREADS: String(options.blasThreads), OMP_NUM_THREADS: '1' };
  const run = spawnSync(python, args, { encoding: 'utf8', env, timeout: 600_000 });
  if (run.status !== 0) {
    const line = (run.stderr || run.error?.message || 'failed').trim().split('\n').at(-1);
    return { ok: false, reason: `the torch reference failed: ${line}` };
  }
  const out = JSON.parse(run.stdout) as {
    torch_version: string;
    examples_per_s: number;
    steps: number;
    seconds: number;
  };
  return {
    ok: true,
    result: {
      python,
      torchVersion: out.torch_version,
      examplesPerSecond: out.examples_per_s,
      steps: out.steps,
      seconds: out.seconds,
    },
  };
}
