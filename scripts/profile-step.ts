/**
 * Profiles one training step of the bench model (gmvae bench's, throughput.ts) on a backend:
 * tf.profile over one trainStep after warm-up, kernel times summed by kernel name.
 *
 *   node scripts/profile-step.ts [backend=blas] [arch=mlp|conv] [warmup=3] [repeats=3]
 *
 * Prints the step's wall time and each kernel's total per step (ms, share, calls), largest first,
 * over `repeats` profiled steps. Kernel times are wall times on the engine's thread.
 */
import type { Architecture } from '../src-main/common/config.ts';
import type { BackendName } from '../src-main/common/backends.ts';
import { selectBackend } from '../src-main/engine/backend/backends.ts';
import { BENCH_D, BENCH_SHAPE, benchConfig } from '../src-main/engine/bench/throughput.ts';
import { Gmvae } from '../src-main/engine/model/gmvae.ts';
import { tf } from '../src-main/engine/tf.ts';
import { createOptimizer } from '../src-main/engine/training/optimizer.ts';
import { readTerms, trainStep } from '../src-main/engine/training/step.ts';

const [backend = 'blas', arch = 'mlp', warmupArg = '3', repeatsArg = '10'] = process.argv.slice(2);
const config = benchConfig(arch as Architecture);
await selectBackend(backend as BackendName, { trainsConv2d: arch === 'conv' });
const model = new Gmvae(config, { shape: BENCH_SHAPE });
const optimizer = createOptimizer(config);
const variables = model.trainableVariables;
const y = tf.tensor2d(
  Float32Array.from({ length: config.batchSize * BENCH_D }, () => Math.random()),
  [config.batchSize, BENCH_D],
);
let seed = 0;
const step = async () => readTerms(trainStep(model, optimizer, variables, y, seed++));
for (let i = 0; i < Number(warmupArg); i++) await step();

const runs: { wall: number; byKernel: Map<string, { ms: number; calls: number }> }[] = [];
for (let r = 0; r < Number(repeatsArg); r++) {
  const start = performance.now();
  let pending: Promise<unknown> = Promise.resolve();
  const info = await tf.profile(() => {
    pending = step();
    return [];
  });
  await pending;
  const wall = performance.now() - start;
  const byKernel = new Map<string, { ms: number; calls: number }>();
  for (const k of info.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const entry = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    entry.ms += ms;
    entry.calls += 1;
    byKernel.set(k.name, entry);
  }
  runs.push({ wall, byKernel });
}
// On a shared machine a kernel's time in one step is its own cost plus whatever preemption
// landed in it, so each kernel is reported at its smallest total over the profiled steps (and
// the median beside it). Entries that are not kernels of the backend (a custom op's wrapper such
// as fusedMatMul__op, timed around its kernels) are left out of the sums.
const isKernel = (name: string) => tf.getKernel(name, tf.getBackend()) !== undefined;
const names = new Set(runs.flatMap((r) => [...r.byKernel.keys()]).filter(isKernel));
const stats = [...names].map((name) => {
  const times = runs.map((r) => r.byKernel.get(name)?.ms ?? 0).sort((a, b) => a - b);
  const calls = Math.max(...runs.map((r) => r.byKernel.get(name)?.calls ?? 0));
  return { name, min: times[0]!, median: times[Math.floor(times.length / 2)]!, calls };
});
const total = stats.reduce((s, e) => s + e.min, 0);
const walls = runs.map((r) => r.wall).sort((a, b) => a - b);
console.log(
  `${backend} ${arch}: step wall min ${walls[0]!.toFixed(1)} ms, median ${walls[Math.floor(walls.length / 2)]!.toFixed(1)} ms; kernels (sum of minima) ${total.toFixed(1)} ms`,
);
console.log(
  `${'kernel'.padEnd(28)} ${'min ms'.padStart(8)} ${'share'.padStart(6)} ${'median'.padStart(8)} calls`,
);
for (const e of stats.sort((a, b) => b.min - a.min).slice(0, 30))
  console.log(
    `${e.name.padEnd(28)} ${e.min.toFixed(2).padStart(8)} ${((100 * e.min) / total).toFixed(1).padStart(5)}% ${e.median.toFixed(2).padStart(8)} ${String(e.calls).padStart(5)}`,
  );
model.dispose();
optimizer.dispose();
