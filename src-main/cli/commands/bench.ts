/**
 * gmvae bench: training throughput of the paper's MNIST model on each compute backend, the
 * achieved GFLOP/s against the machine's measured GEMM peak, and a PyTorch reference of the
 * same model when one is installed. See docs/performance.md.
 */
import os from 'node:os';
import type { Command } from 'commander';
import { BACKEND_ORDER, type BackendName } from '../../common/backends.ts';
import { describeAdapter, findAdapter, SOFTWARE_ADAPTER_NOTE } from '../../engine/backend/webgpu-adapter.ts';
import { BACKEND_CHOICES } from '../../common/config.ts';
import { BackendError, selectBackend } from '../../engine/backend/backends.ts';
import { measureGemmPeak, measureProductsAlone, type ProductsAlone } from '../../engine/bench/gemm-peak.ts';
import type { ProductShape } from '../../engine/bench/flops.ts';
import { BENCH_D, benchConfig, measureThroughput, type Throughput } from '../../engine/bench/throughput.ts';
import {
  runTorchCudaReference,
  runTorchReference,
  type TorchCudaReference,
  type TorchReference,
} from '../../engine/bench/torch-reference.ts';
import { loadBlasAddon } from '../../host/blas-addon.ts';
import type { GlobalOptions } from '../context.ts';
import { integer, number } from '../options.ts';
import { CliError, emitResult, formatNumber, note, table } from '../output.ts';

const EPOCH_EXAMPLES = 60_000;

/** The backends that compute on a GPU, whose peer is PyTorch on CUDA rather than on the CPU. */
const GPU_BACKENDS: readonly BackendName[] = ['tensorflow-gpu', 'webgpu'];

/** Whether a timed backend ran on a GPU: a GPU backend, not on a software adapter (the CPU). */
const onGpu = (backend: BackendName, device: string): boolean =>
  GPU_BACKENDS.includes(backend) && !device.endsWith(SOFTWARE_ADAPTER_NOTE);

interface BenchOptions {
  json?: boolean;
  backend?: string;
  steps: number;
  warmup: number;
  maxSeconds: number;
  torch: boolean;
  arch: string;
  rounds: number;
}

interface BackendRow {
  backend: BackendName;
  device: string;
  steps: number;
  examples_per_s: number;
  ms_per_step: number;
  gflops: number;
  /** gflops / gemm_peak_gflops */
  peak_fraction: number;
  /** a 60,000-example MNIST epoch at this speed, training steps only */
  epoch_seconds: number;
  /** examples/s of each round, in order; the figures above are their median's */
  rounds_examples_per_s: number[];
}

interface TorchRow {
  torch_version: string;
  python: string;
  /** the best thread setting's figures */
  intra_op_threads: number;
  blas_threads: number;
  examples_per_s: number;
  gflops: number;
  peak_fraction: number;
  epoch_seconds: number;
  /** every setting tried in the median round: intra-op threads, BLAS threads, examples/s */
  tried: { intra_op_threads: number; blas_threads: number; examples_per_s: number }[];
  /** each round's best setting's examples/s, in order */
  rounds_examples_per_s: number[];
}

interface TorchCudaRow {
  torch_version: string;
  python: string;
  /** the GPU, as torch.cuda names it */
  device: string;
  examples_per_s: number;
  /** no fraction of the GEMM peak: that peak is the CPU's */
  gflops: number;
  epoch_seconds: number;
  /** each round's examples/s, in order */
  rounds_examples_per_s: number[];
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The round whose figure is nearest the median, for the details that go with it. */
function medianRound<T>(rounds: readonly T[], value: (round: T) => number): T {
  const m = median(rounds.map(value));
  return rounds.reduce((a, b) => (Math.abs(value(b) - m) < Math.abs(value(a) - m) ? b : a));
}

/**
 * Why the bench passes webgpu over, or null: timing WebGPU on the CPU (a software adapter) says
 * nothing about GPUs, so it is timed only when asked for by name.
 */
export async function webgpuBenchSkip(byName: boolean): Promise<string | null> {
  if (byName) return null;
  const adapter = await findAdapter().catch(() => null);
  return adapter?.software
    ? `the only adapter is ${describeAdapter(adapter)}; --backend webgpu benches it anyway`
    : null;
}

export function registerBenchCommand(program: Command, _globals: () => GlobalOptions): void {
  program
    .command('bench')
    .description('time MNIST-model training steps on each compute backend (and PyTorch, if installed)')
    .option('--backend <name>', `only this backend: ${BACKEND_CHOICES.filter((b) => b !== 'auto').join('|')}`)
    .option('--steps <n>', 'timed steps per backend', integer, 20)
    .option('--warmup <n>', 'untimed steps first', integer, 5)
    .option('--max-seconds <s>', 'stop timing a backend after this long (at least 2 steps)', number, 60)
    .option('--arch <mlp|conv>', "the MLP or the authors' conv network", 'mlp')
    .option('--no-torch', 'do not run the PyTorch reference')
    .option(
      '--rounds <n>',
      "time every backend and PyTorch in turn, this many times, and report each one's median (a shared machine's speed drifts)",
      integer,
      1,
    )
    .option('--json', 'print one JSON object')
    .action(async (opts: BenchOptions) => {
      if (opts.steps < 1 || opts.warmup < 0) throw new CliError('--steps must be >= 1 and --warmup >= 0');
      if (opts.rounds < 1) throw new CliError('--rounds must be >= 1');
      const names: BackendName[] = opts.backend ? [opts.backend as BackendName] : [...BACKEND_ORDER];
      if (opts.backend && !(BACKEND_ORDER as readonly string[]).includes(opts.backend))
        throw new CliError(`unknown backend '${opts.backend}': ${BACKEND_ORDER.join(', ')}`);

      if (opts.arch !== 'mlp' && opts.arch !== 'conv') throw new CliError(`--arch must be mlp or conv`);
      const config = benchConfig(opts.arch);
      note(
        `model: MNIST ${config.arch.toUpperCase()} K=${config.k} Dx=${config.xDim} Dw=${config.wDim} H=${config.hidden} ` +
          `M=${config.mcSamples}, batch ${config.batchSize}`,
      );

      // The ceiling first, while nothing else of ours runs. Without the addon it goes through
      // tf.matMul on the best backend there is.
      try {
        loadBlasAddon();
      } catch {
        await selectBackend('auto', { trainsConv2d: false });
      }
      // Measured again at the start of every further round; the fastest stands as the limit.
      const peaks = [measureGemmPeak()];
      note(`GEMM peak: ${peaks[0]!.gflops.toFixed(1)} GFLOP/s (${peaks[0]!.size}^3, ${peaks[0]!.path})`);
      const peak = () => peaks.reduce((a, b) => (b.gflops > a.gflops ? b : a));
      const perf = (examplesPerSecond: number, flopsPerExample: number) => {
        const gflops = (examplesPerSecond * flopsPerExample) / 1e9;
        return {
          examples_per_s: examplesPerSecond,
          gflops,
          peak_fraction: gflops / peak().gflops,
          epoch_seconds: EPOCH_EXAMPLES / examplesPerSecond,
        };
      };

      let flopsPerExample: number | null = null;
      let productShapes: ProductShape[] | null = null;
      // The step's products alone at their shapes, measured after the backends in every round;
      // the fastest round stands, as for the peak.
      const productsRounds: ProductsAlone[] = [];
      const timed = new Map<BackendName, Throughput[]>();
      const skipped: { backend: string; reason: string }[] = [];
      const torchRounds: TorchReference[] = [];
      let torchNote: string | null = opts.torch ? null : 'not run (--no-torch)';
      const torchCudaRounds: TorchCudaReference[] = [];
      let torchCudaNote: string | null = opts.torch ? null : 'not run (--no-torch)';
      for (let round = 1; round <= opts.rounds; round++) {
        if (round > 1) {
          note(`round ${round} of ${opts.rounds}`);
          peaks.push(measureGemmPeak());
          note(`GEMM peak: ${peaks.at(-1)!.gflops.toFixed(1)} GFLOP/s`);
        }
        for (const name of names) {
          if (skipped.some((s) => s.backend === name)) continue;
          const passOver = name === 'webgpu' ? await webgpuBenchSkip(opts.backend !== undefined) : null;
          if (passOver) {
            skipped.push({ backend: name, reason: passOver });
            continue;
          }
          try {
            note(`${name}: ${opts.warmup} warm-up + ${opts.steps} timed steps...`);
            const t = await measureThroughput(name, {
              steps: opts.steps,
              warmup: opts.warmup,
              maxSeconds: opts.maxSeconds,
              config,
              onProgress: note,
            });
            if (flopsPerExample === null) {
              flopsPerExample = t.flopsPerExample;
              productShapes = t.productShapes;
              note(`${(flopsPerExample / 1e6).toFixed(1)} MFLOP per example per training step`);
            }
            timed.set(name, [...(timed.get(name) ?? []), t]);
            note(`${name}: ${t.examplesPerSecond.toFixed(1)} examples/s`);
          } catch (error) {
            // A backend that cannot start here is reported, not an error (unless it was asked for).
            if (opts.backend || !(error instanceof BackendError)) throw error;
            const reason = error.message.replace(/^backend '[^']+' is not available: /, '');
            skipped.push({ backend: name, reason });
            note(`${name}: skipped (${reason})`);
          }
        }
        const alone = productShapes && measureProductsAlone(productShapes);
        if (alone) productsRounds.push(alone);
        if (torchCudaNote === null && [...timed].some(([b, rounds]) => onGpu(b, rounds[0]!.device))) {
          note('torch reference on CUDA...');
          const cuda = runTorchCudaReference(config, BENCH_D, {
            steps: opts.steps,
            warmup: opts.warmup,
            maxSeconds: opts.maxSeconds,
            cores: os.cpus().length,
          });
          if (cuda.ok) {
            torchCudaRounds.push(cuda.reference);
            note(
              `torch on ${cuda.reference.device}: ${cuda.reference.examplesPerSecond.toFixed(1)} examples/s`,
            );
          } else {
            torchCudaNote = cuda.reason;
            note(`torch reference on CUDA: ${torchCudaNote}`);
          }
        }
        if (torchNote !== null) continue;
        if (flopsPerExample === null) {
          torchNote = 'no backend ran, so no FLOP count to compare with';
          continue;
        }
        note('torch reference: trying its thread settings...');
        const outcome = runTorchReference(
          config,
          BENCH_D,
          { steps: opts.steps, warmup: opts.warmup, maxSeconds: opts.maxSeconds, cores: os.cpus().length },
          note,
        );
        if (outcome.ok) torchRounds.push(outcome.reference);
        else {
          torchNote = outcome.reason;
          note(`torch reference: ${torchNote}`);
        }
      }

      const rows: BackendRow[] = [...timed].map(([backend, rounds]) => {
        const examplesPerSecond = median(rounds.map((r) => r.examplesPerSecond));
        return {
          backend,
          device: rounds[0]!.device,
          steps: medianRound(rounds, (r) => r.examplesPerSecond).steps,
          ms_per_step: (1000 * config.batchSize) / examplesPerSecond,
          ...perf(examplesPerSecond, flopsPerExample!),
          rounds_examples_per_s: rounds.map((r) => r.examplesPerSecond),
        };
      });
      let torch: TorchRow | null = null;
      if (torchRounds.length > 0 && flopsPerExample !== null) {
        const { best, tried, torchVersion, python } = medianRound(
          torchRounds,
          (r) => r.best.examplesPerSecond,
        );
        torch = {
          torch_version: torchVersion,
          python,
          intra_op_threads: best.intraOp,
          blas_threads: best.blas,
          ...perf(median(torchRounds.map((r) => r.best.examplesPerSecond)), flopsPerExample),
          tried: tried.map((t) => ({
            intra_op_threads: t.intraOp,
            blas_threads: t.blas,
            examples_per_s: t.examplesPerSecond,
          })),
          rounds_examples_per_s: torchRounds.map((r) => r.best.examplesPerSecond),
        };
      }

      let torchCuda: TorchCudaRow | null = null;
      if (torchCudaRounds.length > 0 && flopsPerExample !== null) {
        const { torchVersion, python, device } = torchCudaRounds[0]!;
        const { examples_per_s, gflops, epoch_seconds } = perf(
          median(torchCudaRounds.map((r) => r.examplesPerSecond)),
          flopsPerExample,
        );
        torchCuda = {
          torch_version: torchVersion,
          python,
          device,
          examples_per_s,
          gflops,
          epoch_seconds,
          rounds_examples_per_s: torchCudaRounds.map((r) => r.examplesPerSecond),
        };
      }
      const gpuRows = rows.filter((r) => onGpu(r.backend, r.device));
      if (gpuRows.length === 0) torchCudaNote ??= 'not run: no backend was timed on a GPU';

      const fastestProducts = productsRounds.reduce<ProductsAlone | null>(
        (a, b) => (!a || b.seconds < a.seconds ? b : a),
        null,
      );
      const productsAlone = fastestProducts && {
        ms_per_step: 1000 * fastestProducts.seconds,
        gflops: fastestProducts.flops / fastestProducts.seconds / 1e9,
        calls: fastestProducts.calls,
        path: fastestProducts.path,
        /** the step's FLOPs at the GEMM peak over the products' time: no step at these shapes passes it */
        limit_fraction: fastestProducts.flops / peak().gflops / 1e9 / fastestProducts.seconds,
      };
      const fastest = (among: BackendRow[]) =>
        among.reduce<BackendRow | null>((b, r) => (!b || r.examples_per_s > b.examples_per_s ? r : b), null);
      const best = fastest(rows);
      const bestGpu = fastest(gpuRows);
      const result = {
        date: new Date().toISOString(),
        machine: {
          cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
          cores: os.cpus().length,
          node: process.version,
        },
        model: { ...config, d: BENCH_D, training_flops_per_example: flopsPerExample },
        steps: opts.steps,
        warmup: opts.warmup,
        rounds: opts.rounds,
        gemm_peak_gflops: peak().gflops,
        gemm_peak_path: peak().path,
        /** each round's measurement; the fastest is the limit above */
        gemm_peak_rounds_gflops: peaks.map((p) => p.gflops),
        backends: rows,
        /**
         * the step's matrix products alone, each at its shape through the BLAS addon; null for the
         * conv network (its convolutions are lowered in shapes of the backend's own) or without the addon
         */
        products_alone: productsAlone,
        skipped,
        torch,
        torch_note: torchNote,
        /** the fastest backend's examples/s over torch's best setting's */
        best_vs_torch: best && torch ? best.examples_per_s / torch.examples_per_s : null,
        /** PyTorch on CUDA, the GPU backends' peer: timed when one of them is */
        torch_cuda: torchCuda,
        torch_cuda_note: torchCudaNote,
        /** the fastest GPU backend's examples/s over torch on CUDA's */
        best_gpu_vs_torch_cuda:
          bestGpu && torchCuda ? bestGpu.examples_per_s / torchCuda.examples_per_s : null,
      };
      emitResult(opts, result, () => {
        /** One row of the table; ms/step follows from examples/s at the bench's batch. */
        const line = (
          label: string,
          figures: { examples_per_s: number; gflops: number; epoch_seconds: number; peak_fraction?: number },
          device: string,
        ) => [
          label,
          figures.examples_per_s.toFixed(1),
          ((1000 * config.batchSize) / figures.examples_per_s).toFixed(1),
          figures.gflops.toFixed(2),
          figures.peak_fraction === undefined ? '–' : (100 * figures.peak_fraction).toFixed(1),
          `${figures.epoch_seconds.toFixed(0)} s`,
          device,
        ];
        const lines = [
          table(
            ['backend', 'examples/s', 'ms/step', 'GFLOP/s', '% of peak', 'epoch (60k)', 'device'],
            [
              ...rows.map((r) => line(r.backend, r, r.device)),
              ...(torch
                ? [
                    line(
                      'torch (reference)',
                      torch,
                      `PyTorch ${torch.torch_version}, best of ${torch.tried.length} settings: ` +
                        `${torch.intra_op_threads} intra-op + ${torch.blas_threads} BLAS threads`,
                    ),
                  ]
                : []),
              // No fraction of the GEMM peak: that peak is the CPU's.
              ...(torchCuda
                ? [
                    line(
                      'torch (CUDA reference)',
                      torchCuda,
                      `PyTorch ${torchCuda.torch_version} on ${torchCuda.device}`,
                    ),
                  ]
                : []),
            ],
          ),
          `GEMM peak ${peak().gflops.toFixed(1)} GFLOP/s (${peak().size}^3, ${peak().path})` +
            (peaks.length > 1 ? `, the fastest of ${peaks.length} rounds' measurements` : ''),
          ...(productsAlone
            ? [
                `the step's ${productsAlone.calls} matrix products alone, each at its own shape (${productsAlone.path}): ` +
                  `${productsAlone.ms_per_step.toFixed(1)} ms per step, ${productsAlone.gflops.toFixed(1)} GFLOP/s, ` +
                  `${(100 * productsAlone.limit_fraction).toFixed(1)}% of the limit: no step of these products passes it with this BLAS`,
              ]
            : []),
          ...skipped.map((s) => `skipped ${s.backend}: ${s.reason}`),
        ];
        if (opts.rounds > 1)
          for (const [name, rounds] of [
            ...rows.map((r) => [r.backend, r.rounds_examples_per_s] as const),
            ...(torch ? [['torch', torch.rounds_examples_per_s] as const] : []),
            ...(torchCuda ? [['torch on CUDA', torchCuda.rounds_examples_per_s] as const] : []),
          ])
            lines.push(
              `${name} by round: ${rounds.map((v) => v.toFixed(0)).join(', ')} examples/s (median above)`,
            );
        if (torchNote) lines.push(`torch reference: ${torchNote}`);
        if (gpuRows.length > 0 && torchCudaNote) lines.push(`torch reference on CUDA: ${torchCudaNote}`);
        if (result.best_vs_torch !== null)
          lines.push(
            `${best!.backend} runs at ${formatNumber(result.best_vs_torch, 3)}x the torch reference at its best setting`,
          );
        if (result.best_gpu_vs_torch_cuda !== null)
          lines.push(
            `${bestGpu!.backend} runs at ${formatNumber(result.best_gpu_vs_torch_cuda, 3)}x the torch reference on CUDA`,
          );
        return lines.join('\n');
      });
    });
}
