/**
 * Training throughput of the paper's MNIST model on one backend: the real Gmvae, the same
 * Adam optimizer and the same step as the trainer (training/step.ts), on random batches in
 * [0, 1] (the cost does not depend on the values). Warm-up steps first: the first steps grow
 * the backend's memory and create Adam's slots.
 */
import { MNIST_V2_PRESET, type Architecture, type GmvaeConfig } from '../../common/config.ts';
import { createRng } from '../../common/random.ts';
import type { BackendName } from '../../common/backends.ts';
import { selectBackend } from '../backend/backends.ts';
import { Gmvae } from '../model/gmvae.ts';
import { tf } from '../tf.ts';
import { createOptimizer } from '../training/optimizer.ts';
import { readTerms, trainStep } from '../training/step.ts';
import { denseProductShapes, trainingFlopsPerExample, type ProductShape } from './flops.ts';

/**
 * The benchmarked model: the paper's MNIST model (MLP, or the conv network) at batch 100 with
 * Adam, the configuration the PyTorch reference and docs/performance.md's figures were measured
 * on, so that they stay comparable.
 */
export const BENCH_CONFIG: GmvaeConfig = { ...MNIST_V2_PRESET, seed: 1, backend: 'auto' };
export const benchConfig = (arch: Architecture): GmvaeConfig => ({ ...BENCH_CONFIG, arch });
export const BENCH_SHAPE = [28, 28, 1];
export const BENCH_D = 28 * 28;

export interface ThroughputOptions {
  steps: number;
  warmup: number;
  /** Stop timing after this long (at least 2 steps), so the slow cpu backend stays bounded. */
  maxSeconds: number;
  /** Default: BENCH_CONFIG (the MLP). */
  config?: GmvaeConfig;
  onProgress?: (message: string) => void;
}

export interface Throughput {
  backend: BackendName;
  device: string;
  steps: number;
  seconds: number;
  examplesPerSecond: number;
  /** FLOPs of one training step per example, counted from the model that was timed (flops.ts) */
  flopsPerExample: number;
  /** The step's matrix products, for an all-Dense model (flops.ts); null with convolutions */
  productShapes: ProductShape[] | null;
}

/** A few fixed random batches, reused round-robin. */
function batches(count: number, batchSize: number, d: number): Float32Array[] {
  const random = createRng(12345);
  return Array.from({ length: count }, () => Float32Array.from({ length: batchSize * d }, () => random()));
}

export async function measureThroughput(
  backend: BackendName,
  options: ThroughputOptions,
): Promise<Throughput> {
  const config = options.config ?? BENCH_CONFIG;
  const selection = await selectBackend(backend, { trainsConv2d: config.arch === 'conv' });
  const model = new Gmvae(config, { shape: BENCH_SHAPE });
  const optimizer = createOptimizer(config);
  const variables = model.trainableVariables;
  const pool = batches(4, config.batchSize, BENCH_D);
  const step = async (i: number): Promise<void> => {
    const y = tf.tensor2d(pool[i % pool.length]!, [config.batchSize, BENCH_D]);
    // The trainer reads the terms every step, which also waits for the step.
    await readTerms(trainStep(model, optimizer, variables, y, i));
    y.dispose();
  };
  try {
    for (let i = 0; i < options.warmup; i++) await step(i);
    const start = performance.now();
    let steps = 0;
    while (steps < options.steps && (steps < 2 || performance.now() - start < options.maxSeconds * 1000)) {
      await step(options.warmup + steps);
      steps++;
      if (steps % 5 === 0) options.onProgress?.(`${backend}: ${steps}/${options.steps} steps`);
    }
    const seconds = (performance.now() - start) / 1000;
    return {
      backend,
      device: selection.device,
      steps,
      seconds,
      examplesPerSecond: (steps * config.batchSize) / seconds,
      flopsPerExample: trainingFlopsPerExample(config, model.networks),
      productShapes: denseProductShapes(config, model.networks),
    };
  } finally {
    model.dispose();
    optimizer.dispose();
  }
}
