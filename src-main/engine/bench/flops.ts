/**
 * Floating-point work of one training step, counted from the model's own layers, so `gmvae bench`
 * can turn examples/s into achieved GFLOP/s and a fraction of the machine's GEMM peak.
 *
 * Only the matrix products and convolutions are counted: they are nearly all of it. Per row
 * (example or sample) a layer costs, in multiply-adds:
 *
 *   Dense            i·o                          kernel [i, o]
 *   Conv2D           OH·OW · KH·KW·C·OC            kernel [KH, KW, C, OC], output [OH, OW, OC]
 *   Conv2DTranspose  IH·IW · KH·KW·C·OC            kernel [KH, KW, OC, C], input [IH, IW, C]
 *
 * (a transposed convolution scatters each input pixel through the whole kernel; "same" padding
 * counts the padded taps, which im2col computes too). Forward is 2 FLOPs per multiply-add; the
 * backward pass repeats it twice, once for the weight gradient and once for the input gradient,
 * except for the encoder's first layer, whose input (the data) needs no gradient. So training
 * costs 6·macs per layer and row, minus 2·macs of that first layer.
 *
 * Biases, batch norm, the [B, K, Dx] Gaussian terms of p(z|x,w) and the Adam update are
 * elementwise and not counted: about 1% of the products for the paper's MNIST models.
 *
 * Rows per example: the encoder sees each example once. In v1 and v2 the prior network and the
 * decoder see its M samples; in Shu's model the prior and posterior networks see its K clusters
 * and the decoder its K·M samples.
 */
import type { GmvaeConfig } from '../../common/config.ts';
import type { Networks } from '../model/networks.ts';
import type { LayersModel } from '../tf.ts';

/** A network's weighted layers (those with a kernel) and their kernels' shapes, in order. */
function weightedLayers(network: LayersModel): { layer: LayersModel['layers'][number]; kernel: number[] }[] {
  return network.layers.flatMap((layer) => {
    const kernel = layer.weights.find((w) => w.shape.length >= 2)?.shape as number[] | undefined;
    return kernel ? [{ layer, kernel }] : [];
  });
}

/** Multiply-adds of each weighted layer of a network for one row, in the network's order. */
export function layerMacs(network: LayersModel): number[] {
  const macs: number[] = [];
  for (const { layer, kernel } of weightedLayers(network)) {
    const product = kernel.reduce((a, b) => a * b, 1); // i·o, or KH·KW·C·OC
    const kind = layer.getClassName();
    if (kind === 'Dense') macs.push(product);
    else if (kind === 'Conv2D') macs.push(spatial(layer.outputShape) * product);
    else if (kind === 'Conv2DTranspose') macs.push(spatial(layer.inboundNodes[0]?.inputShapes[0]) * product);
    else throw new Error(`no FLOP count for a ${kind} layer (${layer.name})`);
  }
  return macs;
}

/** OH·OW of a [batch, rows, cols, channels] shape. */
function spatial(shape: unknown): number {
  const [, rows, cols] = shape as number[];
  if (!rows || !cols) throw new Error(`not an image shape: ${JSON.stringify(shape)}`);
  return rows * cols;
}

/** How many rows each network sees per example (see the header). */
function rowsPerExample(config: GmvaeConfig, network: keyof Networks): number {
  if (network === 'encoder') return 1;
  if (config.model === 'shu') return network === 'decoder' ? config.k * config.mcSamples : config.k;
  return config.mcSamples;
}

/** FLOPs of one training step (forward and backward, no optimizer update), per example. */
export function trainingFlopsPerExample(config: GmvaeConfig, networks: Networks): number {
  let flops = 0;
  for (const name of Object.keys(networks) as (keyof Networks)[]) {
    const network = networks[name]!;
    const macs = layerMacs(network);
    flops += 6 * rowsPerExample(config, name) * macs.reduce((a, b) => a + b, 0);
    if (name === 'encoder') flops -= 2 * macs[0]!; // the data needs no gradient
  }
  return flops;
}

/** One matrix product of a step: C[m, n] = op(A)[m, k] · op(B)[k, n], op a transpose or not. */
export interface ProductShape {
  m: number;
  n: number;
  k: number;
  transposeA: boolean;
  transposeB: boolean;
}

/**
 * The matrix products of one training step of `batch` examples, where every weighted layer is
 * Dense (else null: the backend lowers convolutions chunk by chunk, in shapes of its own). A
 * layer with kernel [i, o] on R rows costs three products:
 *
 *   forward            X · W      [R, i] · [i, o]
 *   weight gradient    Xᵀ · dY    [i, R] · [R, o]
 *   input gradient     dY · Wᵀ    [R, o] · [o, i]     (not for the encoder's first layer)
 *
 * so their FLOPs, 2·m·n·k each, sum to trainingFlopsPerExample · batch.
 */
export function denseProductShapes(
  config: GmvaeConfig,
  networks: Networks,
  batch = config.batchSize,
): ProductShape[] | null {
  const shapes: ProductShape[] = [];
  for (const name of Object.keys(networks) as (keyof Networks)[]) {
    const rows = batch * rowsPerExample(config, name);
    for (const [index, { layer, kernel }] of weightedLayers(networks[name]!).entries()) {
      if (layer.getClassName() !== 'Dense') return null;
      const [i, o] = kernel as [number, number];
      shapes.push({ m: rows, n: o, k: i, transposeA: false, transposeB: false });
      shapes.push({ m: i, n: o, k: rows, transposeA: true, transposeB: false });
      const takesData = name === 'encoder' && index === 0;
      if (!takesData) shapes.push({ m: rows, n: i, k: o, transposeA: false, transposeB: true });
    }
  }
  return shapes;
}
