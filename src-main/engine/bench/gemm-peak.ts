/**
 * The machine's single-precision matrix-product speed, measured in the same run as the
 * benchmark: square n x n x n products through the fastest path there is (the BLAS addon on a
 * plain buffer where it loads, else tf.matMul on the active backend). It is the ceiling the
 * model's achieved GFLOP/s is compared with.
 */
import { loadBlasAddon } from '../../host/blas-addon.ts';
import { tf } from '../tf.ts';

export interface GemmPeak {
  gflops: number;
  /** How it was measured, e.g. 'OpenBLAS sgemm, 2 threads' */
  path: string;
  size: number;
}

/** Repeats `f` until `seconds` have passed (at least `minimum` times); seconds per call. */
function timePerCall(f: () => void, seconds: number, minimum = 3): number {
  f(); // warm-up: thread pools, page faults
  let calls = 0;
  const start = performance.now();
  while (calls < minimum || performance.now() - start < seconds * 1000) {
    f();
    calls++;
  }
  return (performance.now() - start) / 1000 / calls;
}

function random(count: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.random() - 0.5;
  return out;
}

export function measureGemmPeak(size = 1024, seconds = 1.5): GemmPeak {
  const flops = 2 * size ** 3;
  let addon = null;
  try {
    addon = loadBlasAddon();
  } catch {
    // no addon: measure through TensorFlow.js below
  }
  if (addon) {
    const bytes = size * size * 4;
    const buffer = new ArrayBuffer(3 * bytes);
    new Float32Array(buffer, 0, 2 * size * size).set(random(2 * size * size));
    const at = (offset: number) => new Float64Array([offset]);
    const [a, b, c] = [at(0), at(bytes), at(2 * bytes)];
    const s = timePerCall(
      () => addon.matmul(buffer, a, b, c, size, size, size, false, false, -1, 0, 0),
      seconds,
    );
    const { library, threads } = addon.info();
    return {
      gflops: flops / s / 1e9,
      path: `${library} sgemm, ${threads} thread${threads === 1 ? '' : 's'}`,
      size,
    };
  }
  const a = tf.tensor2d(random(size * size), [size, size]);
  const b = tf.tensor2d(random(size * size), [size, size]);
  const s = timePerCall(() => tf.matMul(a, b).dispose(), seconds);
  tf.dispose([a, b]);
  return { gflops: flops / s / 1e9, path: `tf.matMul on ${tf.getBackend()}`, size };
}
