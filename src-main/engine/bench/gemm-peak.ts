/**
 * The machine's single-precision matrix-product speed, measured in the same run as the
 * benchmark: square n x n x n products through the fastest path there is (the BLAS addon on a
 * plain buffer where it loads, else tf.matMul on the active backend). It is the ceiling the
 * model's achieved GFLOP/s is compared with. Beside it, the step's own products at their own
 * shapes: how near the square-matrix rate a step can come with the same BLAS.
 */
import { loadBlasAddon, type BlasAddon } from '../../host/blas-addon.ts';
import { tf } from '../tf.ts';
import type { ProductShape } from './flops.ts';

export interface GemmPeak {
  gflops: number;
  /** How it was measured, e.g. 'OpenBLAS sgemm, 2 threads' */
  path: string;
  size: number;
}

/**
 * Repeats `f` until `seconds` have passed (at least `minimum` times); seconds per call, on average
 * and of the fastest call. The fastest is the peak where each call finishes its work before it
 * returns: on a 2-core machine shared with anything at all the average of 1.5 s of 1024^3
 * products moved between 137 and 184 GFLOP/s from one bench run to the next (2026-12-03).
 */
function timePerCall(f: () => void, seconds: number, minimum = 3): { mean: number; fastest: number } {
  f(); // warm-up: thread pools, page faults
  let calls = 0;
  let fastest = Infinity;
  const start = performance.now();
  for (let last = start; calls < minimum || last - start < seconds * 1000; calls++) {
    f();
    const now = performance.now();
    fastest = Math.min(fastest, now - last);
    last = now;
  }
  return { mean: (performance.now() - start) / 1000 / calls, fastest: fastest / 1000 };
}

function random(count: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.random() - 0.5;
  return out;
}

function addonOrNull(): BlasAddon | null {
  try {
    return loadBlasAddon();
  } catch {
    return null;
  }
}

export function measureGemmPeak(size = 1024, seconds = 1.5): GemmPeak {
  const square = { m: size, n: size, k: size, transposeA: false, transposeB: false };
  const alone = measureProductsAlone([square], seconds); // without the addon, through TensorFlow.js below
  if (alone) return { gflops: alone.flops / alone.seconds / 1e9, path: alone.path, size };
  const flops = 2 * size ** 3;
  const a = tf.tensor2d(random(size * size), [size, size]);
  const b = tf.tensor2d(random(size * size), [size, size]);
  // An asynchronous backend returns before the product is done: only the average means anything.
  const s = timePerCall(() => tf.matMul(a, b).dispose(), seconds).mean;
  tf.dispose([a, b]);
  return { gflops: flops / s / 1e9, path: `tf.matMul on ${tf.getBackend()}`, size };
}

export interface ProductsAlone {
  /** Seconds per step: the sum over the products of each one's fastest call. */
  seconds: number;
  flops: number;
  calls: number;
  path: string;
}

/**
 * Times each of a step's products (flops.ts, denseProductShapes) through the BLAS addon on a
 * plain buffer, the way the backend calls it, and sums each one's fastest call: the step's
 * products alone, without the elementwise work, the optimizer or the dispatch between kernels
 * (one square product: the peak). Null without the addon.
 */
export function measureProductsAlone(
  shapes: readonly ProductShape[],
  secondsEach = 0.05,
): ProductsAlone | null {
  const addon = addonOrNull();
  if (!addon) return null;
  const floats = Math.max(...shapes.map(({ m, n, k }) => m * k + k * n + m * n));
  const buffer = new ArrayBuffer(4 * floats);
  new Float32Array(buffer).set(random(floats));
  let seconds = 0;
  let flops = 0;
  for (const { m, n, k, transposeA, transposeB } of shapes) {
    const [a, b, c] = [0, 4 * m * k, 4 * (m * k + k * n)].map((offset) => new Float64Array([offset]));
    const call = () => addon.matmul(buffer, a!, b!, c!, m, n, k, transposeA, transposeB, -1, 0, 0);
    seconds += timePerCall(call, secondsEach).fastest;
    flops += 2 * m * n * k;
  }
  const { library, threads } = addon.info();
  return {
    seconds,
    flops,
    calls: shapes.length,
    path: `${library} sgemm, ${threads} thread${threads === 1 ? '' : 's'}`,
  };
}
