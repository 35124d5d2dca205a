/**
 * The 'blas' backend's 2-D convolutions: Conv2D, FusedConv2D (bias + activation),
 * Conv2DBackpropInput (also the forward pass of conv2dTranspose) and Conv2DBackpropFilter, which
 * wasm lacks and without which no conv net trains there. The addon computes each as im2col +
 * sgemm in place on wasm's heap (native/src/blas.c, "Convolutions"); this file only works out
 * the geometry, with tfjs's own computeConv2DInfo so that output sizes and 'same' / explicit
 * padding are exactly tfjs's. Shapes are NHWC: x [B, H, W, C], filter [KH, KW, C, OC],
 * y and dy [B, OH, OW, OC].
 *
 * Covered: float32, NHWC, dilation 1. Otherwise Conv2D, FusedConv2D and Conv2DBackpropInput run
 * wasm's kernels, and Conv2DBackpropFilter, which wasm does not have, throws saying why.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { tf } from '../../tf.ts';
import { ACTIVATION_CODES, CONV_GEOMETRY, type BlasAddon } from '../../../host/blas-addon.ts';
import { offsetOf, size, type WasmHeapBackend } from './heap.ts';
import { finishWithWasm, isFloat } from './kernels.ts';

type Shape4 = [number, number, number, number];
type Conv2DInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;

/** The attributes every conv kernel has (dilations: Conv2D and FusedConv2D only). */
interface ConvAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dilations?: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** Sizes, strides and padding of the convolution of x [B, H, W, C] with filter [KH, KW, C, OC]. */
function convInfo(xShape: readonly number[], filterShape: readonly number[], attrs: ConvAttrs): Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as Shape4,
    filterShape as Shape4,
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
}

/**
 * The sizes of a convolution the addon can run, or why it cannot (the format is checked before
 * the sizes are read as NHWC).
 */
function plan(
  attrs: ConvAttrs,
  xShape: readonly number[],
  filterShape: readonly number[],
  operands: TensorInfo[],
): Conv2DInfo | string {
  if (!isFloat(...operands)) return `dtype ${operands.map((t) => t.dtype).join(', ')} (float32 only)`;
  if (attrs.dataFormat !== 'NHWC') return `dataFormat ${attrs.dataFormat} (NHWC only)`;
  // The ops check this; a kernel called directly must not read a filter of other channels.
  if (filterShape[2] !== xShape[3])
    throw new Error(`blas conv: filter [${filterShape}] does not match ${xShape[3]} input channels`);
  const info = convInfo(xShape, filterShape, attrs);
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1)
    return `dilations ${info.dilationHeight}x${info.dilationWidth} (1 only)`;
  return info;
}

/** The addon's geometry array (CONV_GEOMETRY's order) of a convolution. */
function geometry(info: Conv2DInfo): Int32Array {
  const fields: Record<(typeof CONV_GEOMETRY)[number], number> = {
    batch: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    filterH: info.filterHeight,
    filterW: info.filterWidth,
    outC: info.outChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    strideH: info.strideHeight,
    strideW: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
  return Int32Array.from(CONV_GEOMETRY, (name) => fields[name]);
}

const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * A new output of `shape` and the byte offsets [...inputs, output] (-1 for an absent input), the
 * addon's order. Inputs first: finding one may move it onto the heap. The caller reads the heap's
 * ArrayBuffer after this, as an allocation may have grown (replaced) it; offsets stay valid.
 */
function withOutput(
  backend: WasmHeapBackend,
  inputs: (TensorInfo | undefined)[],
  shape: number[],
): { out: TensorInfo; offsets: Float64Array } {
  const found = inputs.map((t) => (t === undefined ? -1 : offsetOf(backend, t)));
  const out = backend.makeOutput(shape, 'float32');
  return { out, offsets: Float64Array.from([...found, offsetOf(backend, out)]) };
}

const heapOf = (backend: WasmHeapBackend) => backend.wasm.HEAPU8.buffer as ArrayBuffer;

/** The conv kernels of the 'blas' backend; `fallback` holds wasm's kernel for each name. */
export function convKernels(
  addon: BlasAddon,
  backendName: string,
  fallback: (kernelName: string) => KernelFunc,
): KernelConfig[] {
  /** y = act(conv(x, filter) + bias), with the bias row and activation applied in the addon. */
  const forward = (
    backend: WasmHeapBackend,
    x: TensorInfo,
    filter: TensorInfo,
    info: Conv2DInfo,
    bias: TensorInfo | undefined,
    activation: number,
    alpha: number,
  ): TensorInfo => {
    const { out, offsets } = withOutput(backend, [x, filter, bias], [...info.outShape]);
    addon.conv2d(heapOf(backend), offsets, geometry(info), activation, alpha);
    return out;
  };

  const conv2d: KernelFunc = (args) => {
    const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
    const attrs = args.attrs as unknown as ConvAttrs;
    const info = plan(attrs, x.shape, filter.shape, [x, filter]);
    if (typeof info === 'string') return fallback(tf.Conv2D)(args);
    const backend = args.backend as unknown as WasmHeapBackend;
    return forward(backend, x, filter, info, undefined, ACTIVATION_CODES.linear, 0);
  };

  // What tfjs-layers' Conv2D layer issues (bias, activation 'linear' even while training).
  const fusedConv2d: KernelFunc = (args) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
    const attrs = args.attrs as unknown as ConvAttrs & { activation: string; leakyreluAlpha?: number };
    const info = plan(attrs, x!.shape, filter!.shape, [x!, filter!, ...(bias ? [bias] : [])]);
    if (typeof info === 'string') return fallback(tf.FusedConv2D)(args);
    const backend = args.backend as unknown as WasmHeapBackend;
    const native = ACTIVATION_CODES[attrs.activation as keyof typeof ACTIVATION_CODES];
    const biasIsRow =
      bias === undefined || (bias.shape.at(-1) === info.outChannels && size(bias.shape) === info.outChannels);
    if (biasIsRow && native !== undefined)
      return forward(backend, x!, filter!, info, bias, native, attrs.leakyreluAlpha ?? 0.2);
    const product = forward(backend, x!, filter!, info, undefined, ACTIVATION_CODES.linear, 0);
    return finishWithWasm(fallback, backend, product, { ...attrs, bias, preluActivationWeights });
  };

  // dx [B, H, W, C] of y = conv(x, filter), from dy [B, OH, OW, OC]; also conv2dTranspose.
  const backpropInput: KernelFunc = (args) => {
    const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
    const attrs = args.attrs as unknown as ConvAttrs & { inputShape: Shape4 };
    const info = plan(attrs, attrs.inputShape, filter.shape, [dy, filter]);
    if (typeof info === 'string') return fallback(tf.Conv2DBackpropInput)(args);
    if (!sameShape(dy.shape, info.outShape))
      throw new Error(`blas Conv2DBackpropInput: dy has shape ${dy.shape}, expected ${info.outShape}`);
    const backend = args.backend as unknown as WasmHeapBackend;
    const { out, offsets } = withOutput(backend, [dy, filter], [...attrs.inputShape]);
    addon.conv2dBackpropInput(heapOf(backend), offsets, geometry(info));
    return out;
  };

  // dW [KH, KW, C, OC] of y = conv(x, filter), from x and dy; wasm has no kernel to fall back on.
  const backpropFilter: KernelFunc = (args) => {
    const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
    const attrs = args.attrs as unknown as ConvAttrs & { filterShape: Shape4 };
    const info = plan(attrs, x.shape, attrs.filterShape, [x, dy]);
    if (typeof info === 'string') throw new Error(`blas Conv2DBackpropFilter: unsupported ${info}`);
    if (!sameShape(dy.shape, info.outShape))
      throw new Error(`blas Conv2DBackpropFilter: dy has shape ${dy.shape}, expected ${info.outShape}`);
    const backend = args.backend as unknown as WasmHeapBackend;
    const { out, offsets } = withOutput(backend, [x, dy], [...attrs.filterShape]);
    addon.conv2dBackpropFilter(heapOf(backend), offsets, geometry(info));
    return out;
  };

  const kernel = (kernelName: string, kernelFunc: KernelFunc): KernelConfig => ({
    kernelName,
    backendName,
    kernelFunc,
  });
  return [
    kernel(tf.Conv2D, conv2d),
    kernel(tf.FusedConv2D, fusedConv2d),
    kernel(tf.Conv2DBackpropInput, backpropInput),
    kernel(tf.Conv2DBackpropFilter, backpropFilter),
  ];
}
