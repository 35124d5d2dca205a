/**
 * The PyTorch reference (bench/torch_reference.py): the same model and step in PyTorch, run
 * beside the engine so the ratio is measured on the same machine at the same time. Used when a
 * Python with torch is found; otherwise the benchmark says so in one line.
 *
 * Threads: a PyTorch user tunes two knobs, torch's intra-op threads (torch.set_num_threads,
 * OpenMP) and the BLAS's (OPENBLAS_NUM_THREADS). The reference tries one and all cores for each
 * and reports every setting and the best, so the engine is compared with PyTorch at its best.
 *
 * On the GPU the peer is PyTorch on CUDA (runTorchCudaReference), timed when a GPU backend is.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { GmvaeConfig } from '../../common/config.ts';

const SCRIPT = fileURLToPath(new URL('../../../bench/torch_reference.py', import.meta.url));

/**
 * The Pythons asked, in order: GMVAE_TORCH_PYTHON alone when set (the Python a user names is the
 * one meant, so another's torch never stands in for it), else `python3`, then /usr/bin/python3,
 * where Debian's python3-torch lives when a pyenv shadows it. Read at each call, so a changed
 * variable takes effect.
 */
const pythons = (): string[] => {
  const named = process.env['GMVAE_TORCH_PYTHON'];
  return named ? [named] : ['python3', '/usr/bin/python3'];
};

/** One thread setting of the reference. */
export interface TorchThreads {
  /** torch.set_num_threads */
  intraOp: number;
  /** OPENBLAS_NUM_THREADS */
  blas: number;
}

export interface TorchResult extends TorchThreads {
  examplesPerSecond: number;
  steps: number;
  seconds: number;
}

export interface TorchReference {
  python: string;
  torchVersion: string;
  /** the fastest of `tried` */
  best: TorchResult;
  tried: TorchResult[];
}

export type TorchOutcome = { ok: true; reference: TorchReference } | { ok: false; reason: string };

export interface TorchOptions {
  steps: number;
  warmup: number;
  maxSeconds: number;
  cores: number;
}

/** The settings tried: 1 and `cores` threads for each knob (one setting on one core). */
export function threadSettings(cores: number): TorchThreads[] {
  const counts = [...new Set([1, Math.max(1, cores)])];
  return counts.flatMap((intraOp) => counts.map((blas) => ({ intraOp, blas })));
}

/** The last non-empty line of a child's output: Python puts the error there. */
const lastLine = (text: string | null | undefined): string => (text ?? '').trim().split('\n').at(-1)!.trim();

/** Exit status of a probe whose torch loads but sees no CUDA device. */
const NO_CUDA = 3;
const CUDA_PROBE = `import sys, torch; sys.exit(0 if torch.cuda.is_available() else ${NO_CUDA})`;

/**
 * The first of `pythons()` whose probe exits 0, or why each refused: Python's last line, or
 * `refusal(status)` where that says more.
 */
function findPython(probeCode: string, refusal?: (status: number | null) => string | undefined) {
  const refusals: string[] = [];
  for (const python of pythons()) {
    const probe = spawnSync(python, ['-c', probeCode], { encoding: 'utf8', timeout: 120_000 });
    if (probe.status === 0) return { python, refusals };
    const why = refusal?.(probe.status) ?? (lastLine(probe.stderr) || probe.error?.message);
    refusals.push(`${python}: ${why ?? 'failed'}`);
  }
  return { python: undefined, refusals };
}

interface ScriptOutput {
  torch_version: string;
  /** the GPU's name for --device cuda, else 'cpu' */
  device?: string;
  examples_per_s: number;
  steps: number;
  seconds: number;
}

function runOnce(
  python: string,
  config: GmvaeConfig,
  d: number,
  options: TorchOptions,
  threads: TorchThreads,
  device: 'cpu' | 'cuda' = 'cpu',
): ScriptOutput | string {
  const args = [
    SCRIPT,
    `--arch=${config.arch}`,
    `--steps=${options.steps}`,
    `--warmup=${options.warmup}`,
    `--max-seconds=${options.maxSeconds}`,
    `--batch=${config.batchSize}`,
    `--d=${d}`,
    `--k=${config.k}`,
    `--x-dim=${config.xDim}`,
    `--w-dim=${config.wDim}`,
    `--hidden=${config.hidden}`,
    `--lambda=${config.lambda}`,
    `--lr=${config.lr}`,
    `--threads=${threads.intraOp}`,
    `--device=${device}`,
  ];
  const env = {
    ...process.env,
    OPENBLAS_NUM_THREADS: String(threads.blas),
    OMP_NUM_THREADS: String(threads.intraOp),
  };
  const run = spawnSync(python, args, { encoding: 'utf8', env, timeout: 1_800_000 });
  if (run.status !== 0) return lastLine(run.stderr) || run.error?.message || 'failed';
  return JSON.parse(run.stdout) as ScriptOutput;
}

export function runTorchReference(
  config: GmvaeConfig,
  d: number,
  options: TorchOptions,
  onProgress?: (message: string) => void,
): TorchOutcome {
  const { python, refusals } = findPython('import torch');
  if (!python) return { ok: false, reason: `no Python with torch found (${refusals.join('; ')})` };
  const tried: TorchResult[] = [];
  let torchVersion = '';
  for (const threads of threadSettings(options.cores)) {
    const out = runOnce(python, config, d, options, threads);
    if (typeof out === 'string') return { ok: false, reason: `the torch reference failed: ${out}` };
    torchVersion = out.torch_version;
    tried.push({ ...threads, examplesPerSecond: out.examples_per_s, steps: out.steps, seconds: out.seconds });
    onProgress?.(
      `torch, ${threads.intraOp} intra-op + ${threads.blas} BLAS threads: ${out.examples_per_s.toFixed(1)} examples/s`,
    );
  }
  const best = tried.reduce((a, b) => (b.examplesPerSecond > a.examplesPerSecond ? b : a));
  return { ok: true, reference: { python, torchVersion, best, tried } };
}

/** PyTorch on a CUDA GPU: one setting (threads hardly matter when the GPU computes). */
export interface TorchCudaReference {
  python: string;
  torchVersion: string;
  /** the GPU, as torch.cuda names it */
  device: string;
  examplesPerSecond: number;
  steps: number;
  seconds: number;
}

export type TorchCudaOutcome = { ok: true; reference: TorchCudaReference } | { ok: false; reason: string };

/**
 * The same model and step on the GPU, the peer of the engine's GPU backends; or why not. The
 * first Python whose torch sees a CUDA device runs it (see `pythons` for the order).
 */
export function runTorchCudaReference(
  config: GmvaeConfig,
  d: number,
  options: TorchOptions,
): TorchCudaOutcome {
  const { python, refusals } = findPython(CUDA_PROBE, (status) =>
    status === NO_CUDA ? 'its torch sees no CUDA device' : undefined,
  );
  if (!python) return { ok: false, reason: `no PyTorch with CUDA here (${refusals.join('; ')})` };
  const out = runOnce(python, config, d, options, { intraOp: 1, blas: 1 }, 'cuda');
  if (typeof out === 'string') return { ok: false, reason: `the torch reference on CUDA failed: ${out}` };
  return {
    ok: true,
    reference: {
      python,
      torchVersion: out.torch_version,
      device: out.device ?? 'cuda',
      examplesPerSecond: out.examples_per_s,
      steps: out.steps,
      seconds: out.seconds,
    },
  };
}
