/**
 * The optional native addon behind the 'blas' backend (native/, built by `npm install` where a
 * C compiler and OpenBLAS, or macOS's Accelerate, are present). Loading it is the only way to
 * know whether it works, so `loadBlasAddon` either returns it or throws one line saying why not.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** activation codes of `matmul`, as in native/src/blas.c */
export const ACTIVATION_CODES = {
  linear: 0,
  relu: 1,
  relu6: 2,
  sigmoid: 3,
  elu: 4,
  leakyrelu: 5,
} as const;

export interface BlasInfo {
  /** 'OpenBLAS' or 'Accelerate' */
  library: string;
  /** The library's build description (OpenBLAS: version, kernel and thread model). */
  config: string;
  /** OpenBLAS: the kernel set in use ('Haswell', 'Cooperlake'…); '' for Accelerate. */
  core: string;
  /** Threads a product may use. */
  threads: number;
  /**
   * OPENBLAS_THREAD_TIMEOUT as OpenBLAS read it when it loaded: log2 of the cycles its idle
   * threads spin (0: unset, OpenBLAS's default of 28); -1 where the library does not say.
   */
  threadTimeout: number;
}

export interface BlasAddon {
  info(): BlasInfo;
  /**
   * In place on `buffer`: for each i, C_i = act(op(A_i) op(B_i) + bias). Row-major [m, k] x [k, n];
   * offsets in bytes; `biasOffset` < 0 for none, else an [n] row. Throws if a range lies outside
   * the buffer.
   */
  matmul(
    buffer: ArrayBuffer,
    aOffsets: Float64Array,
    bOffsets: Float64Array,
    cOffsets: Float64Array,
    m: number,
    n: number,
    k: number,
    transposeA: boolean,
    transposeB: boolean,
    biasOffset: number,
    activation: number,
    alpha: number,
  ): void;
  /**
   * One fused Adam update in place on `buffer` (see native/src/blas.c). offsets: byte offsets
   * of [value, gradient, m, v, accBeta1, accBeta2, newValue, newM, newV].
   */
  adam(
    buffer: ArrayBuffer,
    offsets: Float64Array,
    count: number,
    beta1: number,
    oneMinusBeta1: number,
    beta2: number,
    oneMinusBeta2: number,
    epsilon: number,
    negativeLearningRate: number,
  ): void;
  /**
   * The authors' Adam restarted every step, in place on `buffer`: newValue = value - (lr * g) /
   * (|g| + floor). offsets: byte offsets of [value, gradient, newValue].
   */
  resetAdam(
    buffer: ArrayBuffer,
    offsets: Float64Array,
    count: number,
    learningRate: number,
    floor: number,
  ): void;
  /** out = exp(in), `count` float32 values at byte offsets of `buffer`. */
  exp(buffer: ArrayBuffer, inOffset: number, outOffset: number, count: number): void;
  /**
   * In place on `buffer`, NHWC, dilation 1: y = act(conv2d(x, filter) + bias). offsets: byte
   * offsets of [x, filter, bias, y] (bias < 0 for none, else an [OC] row). `geometry`: see
   * CONV_GEOMETRY. Throws if a range lies outside the buffer.
   */
  conv2d(
    buffer: ArrayBuffer,
    offsets: Float64Array,
    geometry: Int32Array,
    activation: number,
    alpha: number,
  ): void;
  /** dx of conv2d from dy and the filter. offsets: [dy, filter, dx]. */
  conv2dBackpropInput(buffer: ArrayBuffer, offsets: Float64Array, geometry: Int32Array): void;
  /** The filter's gradient dw of conv2d from x and dy. offsets: [x, dy, dw]. */
  conv2dBackpropFilter(buffer: ArrayBuffer, offsets: Float64Array, geometry: Int32Array): void;
  /**
   * The mixture prior's Gaussian terms (engine/backend/blas/component-kernel.ts): offsets of
   * [x, muX, logvarX (B x Dx), muK, logvarK (B x K x Dx), logDensity, kl (B x K)].
   */
  componentGaussian(buffer: ArrayBuffer, offsets: Float64Array, batch: number, k: number, d: number): void;
  /**
   * Their gradient: offsets of [x, muX, logvarX, muK, logvarK, dLogDensity, dKl, then the
   * gradients of the five inputs].
   */
  componentGaussianGrad(
    buffer: ArrayBuffer,
    offsets: Float64Array,
    batch: number,
    k: number,
    d: number,
  ): void;
  /** out[c] = sum (mean: the mean) over r of in[r, c], for `rows` x `cols` float32 values. */
  reduceColumns(
    buffer: ArrayBuffer,
    inOffset: number,
    outOffset: number,
    rows: number,
    cols: number,
    mean: boolean,
  ): void;
  /**
   * out = a op b elementwise (op 0 add, 1 sub, 2 mul, 3 div) over `outLength` float32 values;
   * the shorter operand (one of them is `outLength` long) is repeated, so its length divides it.
   */
  binary(
    buffer: ArrayBuffer,
    op: number,
    aOffset: number,
    aLength: number,
    bOffset: number,
    bLength: number,
    outOffset: number,
    outLength: number,
  ): void;
  /**
   * Batch normalisation of [rows, cols] float32 values per channel (cols). offsets: [x, mean,
   * variance, offset, scale, out], offset and scale < 0 for none (0 and 1).
   */
  batchNorm(buffer: ArrayBuffer, offsets: Float64Array, rows: number, cols: number, epsilon: number): void;
  /**
   * Batch normalisation in training with the batch's own moments per channel (cols), and the
   * moments. offsets: [x, scale, offset, y, mean, variance], scale and offset < 0 for none.
   */
  batchNormTrain(
    buffer: ArrayBuffer,
    offsets: Float64Array,
    rows: number,
    cols: number,
    epsilon: number,
  ): void;
  /**
   * Its gradient. offsets: [x, scale, mean, variance, dy, dx, dscale, doffset], mean and variance
   * as batchNormTrain returned them, scale < 0 for none.
   */
  batchNormTrainGrad(
    buffer: ArrayBuffer,
    offsets: Float64Array,
    rows: number,
    cols: number,
    epsilon: number,
  ): void;
}

/** Every export the engine calls: an addon built from older sources lacks some (see loadBlasAddon). */
const EXPORTS: readonly (keyof BlasAddon)[] = [
  'info',
  'matmul',
  'adam',
  'resetAdam',
  'exp',
  'conv2d',
  'conv2dBackpropInput',
  'conv2dBackpropFilter',
  'componentGaussian',
  'componentGaussianGrad',
  'reduceColumns',
  'binary',
  'batchNorm',
  'batchNormTrain',
  'batchNormTrainGrad',
];

/**
 * The convolution kernels' `geometry`, an Int32Array in this order: input x [batch, inH, inW,
 * inC], filter [filterH, filterW, inC, outC], output [batch, outH, outW, outC], the strides and
 * the padding above and left of the input (the output size implies the rest).
 */
export const CONV_GEOMETRY = [
  'batch',
  'inH',
  'inW',
  'inC',
  'filterH',
  'filterW',
  'outC',
  'outH',
  'outW',
  'strideH',
  'strideW',
  'padTop',
  'padLeft',
] as const;

export class BlasUnavailableError extends Error {
  override name = 'BlasUnavailableError';
}

const BUILT = path.join('native', 'build', 'Release', 'gmvae_blas.node');

/**
 * Where `npm install` (native/build.mjs) put the addon: native/build/Release under the first
 * folder above this module that has it, so the path holds both for the sources and for the
 * app's engine bundle in out/engine. GMVAE_BLAS_ADDON overrides it.
 */
export function addonPath(): string {
  const override = process.env['GMVAE_BLAS_ADDON'];
  if (override) return override;
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, BUILT))) return path.join(dir, BUILT);
    if (path.dirname(dir) === dir) break;
  }
  return path.resolve(here, '../../../..', BUILT); // where it would be, for the message
}

const require = createRequire(import.meta.url);
let cached: { addon: BlasAddon } | { error: BlasUnavailableError } | null = null;

/**
 * How long OpenBLAS's idle threads spin before they sleep, as log2 of CPU cycles; OpenBLAS reads
 * OPENBLAS_THREAD_TIMEOUT once, when the addon loads it. Its default (28: about 0.1 s) leaves a
 * thread spinning on a core after every product, and the convolution kernels run threads of
 * their own between products (native/src/blas.c, "Convolutions"), which then share that core
 * with it. 4 is the shortest OpenBLAS accepts. `gmvae bench`, 2 idle cores (AMD EPYC, 2026-12-03),
 * three rounds interleaved: the conv network 372 examples/s at 28 against 469 at 4; the MLP 1,940
 * against 1,903 (within the rounds' spread). A value set by the user is left alone.
 */
const OPENBLAS_THREAD_TIMEOUT = '4';

/** The addon, loaded once; throws BlasUnavailableError with a one-line reason. */
export function loadBlasAddon(): BlasAddon {
  if (cached === null) {
    const path = addonPath();
    try {
      if (!existsSync(path))
        throw new BlasUnavailableError(
          'the BLAS addon is not built (needs a C compiler and libopenblas-dev; then `npm run build:native`)',
        );
      process.env['OPENBLAS_THREAD_TIMEOUT'] ??= OPENBLAS_THREAD_TIMEOUT;
      const addon = require(path) as BlasAddon;
      const missing = EXPORTS.filter((name) => typeof addon[name] !== 'function');
      if (missing.length > 0)
        throw new BlasUnavailableError(
          `the BLAS addon at ${path} is older than the engine (it lacks ${missing.join(', ')}); rebuild it with \`npm run build:native\``,
        );
      cached = { addon };
    } catch (error) {
      if (error instanceof BlasUnavailableError) cached = { error };
      else {
        // Typically "libopenblas.so.0: cannot open shared object file" where OpenBLAS was removed.
        const text = error instanceof Error ? error.message : String(error);
        cached = { error: new BlasUnavailableError(`the BLAS addon failed to load: ${text.split('\n')[0]}`) };
      }
    }
  }
  if ('error' in cached) throw cached.error;
  return cached.addon;
}

/**
 * The library, its kernel set and its threads, as run devices and backend listings show them:
 * 'OpenBLAS, Cooperlake kernels, 2 threads'. OpenBLAS picks its kernels for the CPU when it
 * loads unless OPENBLAS_CORETYPE names a set; then the text says so, since an older set can be
 * much slower (on an AVX-512 machine whose environment sets Haswell, sgemm ran at half speed:
 * docs/performance.md).
 */
export function blasDescription(info: BlasInfo): string {
  const forced = process.env['OPENBLAS_CORETYPE'] ? ' set by OPENBLAS_CORETYPE' : '';
  const kernels = info.core ? `, ${info.core} kernels${forced}` : '';
  return `${info.library}${kernels}, ${info.threads} thread${info.threads === 1 ? '' : 's'}`;
}

/**
 * Whether 'blas' can be used, for listings that must not start a backend (loading the addon is
 * cheap: it does not load TensorFlow.js). `detail` names the library and threads, or the reason.
 */
export function blasStatus(): { available: boolean; detail: string } {
  try {
    return {
      available: true,
      detail: `${blasDescription(loadBlasAddon().info())}, for matrix products and convolutions; wasm for the rest`,
    };
  } catch (error) {
    return { available: false, detail: error instanceof Error ? error.message : String(error) };
  }
}
