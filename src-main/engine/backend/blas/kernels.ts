/**
 * The 'blas' backend's own kernels. BatchMatMul and _FusedMatMul: the operands stay where
 * tfjs-backend-wasm keeps every tensor (its WebAssembly heap) and the addon runs sgemm on that
 * memory in place, so no tensor is copied in or out. _FusedMatMul's common form (a bias row and
 * a simple activation) is fused in the addon; its rarer forms (PReLU, a broadcast bias) finish
 * with wasm's own Add and activation kernels. Non-float32 operands go to wasm's kernels.
 * Also Exp (native expf, several times wasm's speed on the [B, K, Dx] tensors), Tile (row
 * copies; see tile.ts), Identity and Cast to the same dtype (no copy): the kernels besides the
 * products that stood out in profiles of a training step.
 */
import type { DataType, KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { tf } from '../../tf.ts';
import { ACTIVATION_CODES, type BlasAddon } from '../../../host/blas-addon.ts';
import { batchPairs } from './broadcast.ts';
import { offsetOf, size, type WasmHeapBackend } from './heap.ts';
import { tileRows } from './tile.ts';

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

interface FusedAttrs extends MatMulAttrs {
  activation: string;
  leakyreluAlpha?: number;
}

const FLOAT_BYTES = 4;

interface Product {
  outShape: number[];
  m: number;
  n: number;
  k: number;
  aOffsets: Float64Array;
  bOffsets: Float64Array;
  /** Number of output matrices. */
  outCount: number;
}

/** Shapes and per-matrix byte offsets of a (broadcast) batched product of a and b. */
function plan(backend: WasmHeapBackend, a: TensorInfo, b: TensorInfo, attrs: MatMulAttrs): Product {
  const { transposeA, transposeB } = attrs;
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra < 2 || rb < 2) throw new Error(`matMul needs rank >= 2, got ${ra} and ${rb}`);
  const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const k = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const kb = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
  const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  if (k !== kb)
    throw new Error(
      `Error in matMul: inner shapes (${k}) and (${kb}) of Tensors with shapes ${a.shape} and ${b.shape} ` +
        `and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
    );
  const pairs = batchPairs(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const aBase = offsetOf(backend, a);
  const bBase = offsetOf(backend, b);
  const count = pairs.a.length;
  const aOffsets = new Float64Array(count);
  const bOffsets = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    aOffsets[i] = aBase + pairs.a[i]! * m * k * FLOAT_BYTES;
    bOffsets[i] = bBase + pairs.b[i]! * k * n * FLOAT_BYTES;
  }
  return { outShape: [...pairs.shape, m, n], m, n, k, aOffsets, bOffsets, outCount: count };
}

/**
 * Offsets before allocation, the heap's ArrayBuffer after: looking an input up may move it onto
 * the heap and any allocation may grow the memory, which replaces the ArrayBuffer (offsets stay
 * valid). Every kernel here follows that order.
 */
function run(
  addon: BlasAddon,
  backend: WasmHeapBackend,
  p: Product,
  attrs: MatMulAttrs,
  bias: number,
  activation: number,
  alpha: number,
): TensorInfo {
  // Allocate before reading the heap: a malloc may grow wasm memory and replace its ArrayBuffer.
  const out = backend.makeOutput(p.outShape, 'float32');
  const cBase = offsetOf(backend, out);
  const cOffsets = new Float64Array(p.outCount);
  for (let i = 0; i < p.outCount; i++) cOffsets[i] = cBase + i * p.m * p.n * FLOAT_BYTES;
  const heap = backend.wasm.HEAPU8.buffer as ArrayBuffer;
  addon.matmul(
    heap,
    p.aOffsets,
    p.bOffsets,
    cOffsets,
    p.m,
    p.n,
    p.k,
    attrs.transposeA,
    attrs.transposeB,
    bias,
    activation,
    alpha,
  );
  return out;
}

/** Unary activation kernels by the names fused ops use. */
const ACTIVATION_KERNELS: Record<string, string> = {
  relu: tf.Relu,
  relu6: tf.Relu6,
  sigmoid: tf.Sigmoid,
  elu: tf.Elu,
};

/** Heap views by dtype for the byte-copying kernels (strings are not on the heap). */
const VIEWS: Partial<Record<DataType, typeof Float32Array | typeof Int32Array | typeof Uint8Array>> = {
  float32: Float32Array,
  int32: Int32Array,
  bool: Uint8Array,
};

export const isFloat = (...ts: TensorInfo[]) => ts.every((t) => t.dtype === 'float32');

/** wasm's kernel `name` applied to `inputs`; the intermediate `consumed` is released. */
function then(
  fallback: (kernelName: string) => KernelFunc,
  name: string,
  backend: WasmHeapBackend,
  inputs: Record<string, TensorInfo>,
  attrs: NamedAttrMap,
  consumed: TensorInfo,
): TensorInfo {
  const out = fallback(name)({ inputs, backend: backend as never, attrs }) as TensorInfo;
  (backend as unknown as { disposeData(id: object): void }).disposeData(consumed.dataId);
  return out;
}

/** What a fused kernel adds after its product: a bias, an activation and PReLU's weights. */
export interface FusedTail {
  bias?: TensorInfo | undefined;
  activation: string;
  preluActivationWeights?: TensorInfo | undefined;
  leakyreluAlpha?: number | undefined;
}

/**
 * The rare forms of a fused kernel's tail (a broadcast bias, PReLU, an activation the addon
 * lacks), finished with wasm's Add and activation kernels on the plain `product`.
 */
export function finishWithWasm(
  fallback: (kernelName: string) => KernelFunc,
  backend: WasmHeapBackend,
  product: TensorInfo,
  tail: FusedTail,
): TensorInfo {
  let out = product;
  if (tail.bias !== undefined) out = then(fallback, tf.Add, backend, { a: out, b: tail.bias }, {}, out);
  switch (tail.activation) {
    case 'linear':
      return out;
    case 'prelu':
      return then(fallback, tf.Prelu, backend, { x: out, alpha: tail.preluActivationWeights! }, {}, out);
    case 'leakyrelu':
      return then(fallback, tf.LeakyRelu, backend, { x: out }, { alpha: tail.leakyreluAlpha ?? 0.2 }, out);
    default: {
      const kernel = ACTIVATION_KERNELS[tail.activation];
      if (!kernel) throw new Error(`blas: unknown activation '${tail.activation}'`);
      return then(fallback, kernel, backend, { x: out }, {}, out);
    }
  }
}

/**
 * The 'blas' kernels. `fallback` holds wasm's own kernel for each name, used for the cases
 * the addon does not cover, so behaviour there is exactly wasm's.
 */
export function blasKernels(
  addon: BlasAddon,
  backendName: string,
  fallback: (kernelName: string) => KernelFunc,
): KernelConfig[] {
  const batchMatMul: KernelFunc = (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    if (!isFloat(a, b)) return fallback(tf.BatchMatMul)(args);
    const backend = args.backend as unknown as WasmHeapBackend;
    const attrs = args.attrs as unknown as MatMulAttrs;
    return run(addon, backend, plan(backend, a, b, attrs), attrs, -1, ACTIVATION_CODES.linear, 0);
  };

  const fusedMatMul: KernelFunc = (args) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
    if (!isFloat(a!, b!)) return fallback(tf._FusedMatMul)(args);
    const attrs = args.attrs as unknown as FusedAttrs & NamedAttrMap;
    const backend = args.backend as unknown as WasmHeapBackend;
    const p = plan(backend, a!, b!, attrs);
    const native = ACTIVATION_CODES[attrs.activation as keyof typeof ACTIVATION_CODES];
    // The common case, as Dense layers make it: a bias of one row of n values and an activation
    // the addon knows, all applied while the product is still in cache.
    const biasIsRow =
      bias === undefined ||
      (bias.shape.at(-1) === p.n && size(bias.shape) === p.n && bias.shape.length <= p.outShape.length);
    if (biasIsRow && native !== undefined) {
      const biasOffset = bias === undefined ? -1 : offsetOf(backend, bias);
      return run(addon, backend, p, attrs, biasOffset, native, attrs.leakyreluAlpha ?? 0.2);
    }
    // Otherwise: the product here, then wasm's Add and activation kernels (broadcast bias, PReLU).
    const product = run(addon, backend, p, attrs, -1, ACTIVATION_CODES.linear, 0);
    return finishWithWasm(fallback, backend, product, { ...attrs, bias, preluActivationWeights });
  };

  const exp: KernelFunc = (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype !== 'float32') return fallback(tf.Exp)(args);
    const backend = args.backend as unknown as WasmHeapBackend;
    const from = offsetOf(backend, x); // first: finding x may move it onto the heap
    const out = backend.makeOutput([...x.shape], 'float32');
    addon.exp(backend.wasm.HEAPU8.buffer as ArrayBuffer, from, offsetOf(backend, out), size(x.shape));
    return out;
  };

  const tile: KernelFunc = (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { reps } = args.attrs as unknown as { reps: number[] };
    const View = VIEWS[x.dtype];
    if (!View || reps.length !== x.shape.length) return fallback(tf.Tile)(args);
    const backend = args.backend as unknown as WasmHeapBackend;
    const from = offsetOf(backend, x);
    const out = backend.makeOutput(
      x.shape.map((d, i) => d * reps[i]!),
      x.dtype,
    );
    const heap = backend.wasm.HEAPU8.buffer as ArrayBuffer;
    const source = new View(heap, from, size(x.shape));
    const target = new View(heap, offsetOf(backend, out), size(out.shape));
    tileRows(source, x.shape, reps, target);
    return out;
  };

  // tfjs clones every tensor it saves for the backward pass (241 per step of the MNIST model),
  // and wasm's Identity copies the data. Tensors are immutable, so sharing it is enough: the
  // cpu backend's Identity does the same, and so does wasm's own Reshape.
  const identity: KernelFunc = (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype === 'string') return fallback(tf.Identity)(args);
    (args.backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };

  // Cast to the dtype a tensor already has (tfjs-layers casts every input to float32): the
  // same data, as Identity, where wasm's Cast copies it.
  const cast: KernelFunc = (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { dtype } = args.attrs as unknown as { dtype: DataType };
    if (dtype !== x.dtype || x.dtype === 'string') return fallback(tf.Cast)(args);
    return identity(args) as TensorInfo;
  };

  return [
    { kernelName: tf.Identity, backendName, kernelFunc: identity },
    { kernelName: tf.Cast, backendName, kernelFunc: cast },
    { kernelName: tf.BatchMatMul, backendName, kernelFunc: batchMatMul },
    { kernelName: tf._FusedMatMul, backendName, kernelFunc: fusedMatMul },
    { kernelName: tf.Exp, backendName, kernelFunc: exp },
    { kernelName: tf.Tile, backendName, kernelFunc: tile },
  ];
}
