/**
 * The three networks of the GMVAE, as TensorFlow.js layers models (so they export in the
 * standard layers format). Shapes: B = batch, D = values per example.
 *
 *   encoder        y [B, D]  -> mu_x, logvar_x [B, Dx], mu_w, logvar_w [B, Dw]
 *                  one trunk, four heads: q(x|y) and q(w|y). No per-cluster heads.
 *   prior network  w [B, Dw] -> mu_k, logvar_k [B, K*Dx]   (reshaped to [B, K, Dx])
 *                  Linear(Dw -> H) + tanh, then K mean and K log-variance heads as one
 *                  Linear(H -> K*Dx) each, as in the authors' code.
 *   decoder        x [B, Dx] -> logits [B, D] (Bernoulli) or mean, logvar [B, D] (Gaussian)
 *
 * MLP, as in the authors' code: encoder two hidden layers of H units, each Linear + batch
 * normalisation + ReLU; decoder two hidden layers Linear + ReLU.
 * Conv (28x28 images), the authors' `models/ConvAE.lua` with its 16 first-layer filters (the
 * network behind the paper's MNIST numbers): encoder conv 16@6x6 -> conv 32@6x6 -> conv 64@4x4/2
 * -> conv H@9x9 (28 -> 23 -> 18 -> 9 -> 1), each with batch normalisation and ReLU; decoder
 * Linear(H) + BN + ReLU, then transposed convolutions 64@9x9 -> 32@4x4/2 -> 16@6x6 (each + BN +
 * ReLU) -> c@6x6 back to 28x28 (1 -> 9 -> 18 -> 23 -> 28).
 * Every initialiser is seeded from the run's seed.
 */
import type { GmvaeConfig } from '../../common/config.ts';
import { deriveSeed } from '../../common/random.ts';
import { tf, type LayersModel, type SymbolicTensor } from '../tf.ts';

export interface Networks {
  encoder: LayersModel;
  decoder: LayersModel;
  priorNetwork: LayersModel;
}

/** Input shape of one example as the networks see it. */
export interface InputSpec {
  /** Dataset example shape: [h, w, c] for images, [d] for tables. */
  shape: number[];
}

/** Seeded initialisers: every layer gets its own stream derived from the run seed. */
class Init {
  private next = 0;
  private readonly seed: number;
  constructor(seed: number) {
    this.seed = seed;
  }
  kernel(): ReturnType<typeof tf.initializers.glorotUniform> {
    return tf.initializers.glorotUniform({ seed: deriveSeed(this.seed, 7, this.next++) });
  }
}

type Dense = (units: number, name: string, activation?: 'relu' | 'tanh' | 'linear') => tf.layers.Layer;

/**
 * Batch normalisation -> ReLU after a linear or convolutional layer named `name`. Momentum 0.9 is
 * Torch's default (0.1 weight on the new batch), which the authors' code used.
 */
function normaliseAndRelu(name: string, input: SymbolicTensor): SymbolicTensor {
  const normalised = tf.layers
    .batchNormalization({ name: `${name}_bn`, momentum: 0.9 })
    .apply(input) as SymbolicTensor;
  return tf.layers
    .activation({ activation: 'relu', name: `${name}_relu` })
    .apply(normalised) as SymbolicTensor;
}

/** Linear -> batch normalisation -> ReLU, the encoder's hidden block in the authors' code. */
function normalisedBlock(dense: Dense, units: number, name: string, input: SymbolicTensor): SymbolicTensor {
  return normaliseAndRelu(name, dense(units, name).apply(input) as SymbolicTensor);
}

/** Filters in the first conv layer (the authors' `nFilters`, 16); deeper layers double it. */
const CONV_FILTERS = 16;

/** (Transposed) convolution -> batch normalisation -> ReLU, the conv network's block. */
function convBlock(
  init: Init,
  kind: 'conv2d' | 'conv2dTranspose',
  filters: number,
  kernelSize: number,
  strides: number,
  padding: 'valid' | 'same',
  name: string,
  input: SymbolicTensor,
): SymbolicTensor {
  const conv = tf.layers[kind]({
    filters,
    kernelSize,
    strides,
    padding,
    name,
    kernelInitializer: init.kernel(),
  });
  return normaliseAndRelu(name, conv.apply(input) as SymbolicTensor);
}

function denseFactory(init: Init): Dense {
  return (units, name, activation = 'linear') =>
    tf.layers.dense({ units, activation, name, kernelInitializer: init.kernel() });
}

const valuesPerExample = (spec: InputSpec): number => spec.shape.reduce((a, b) => a * b, 1);

function buildEncoder(config: GmvaeConfig, spec: InputSpec, dense: Dense, init: Init): LayersModel {
  const d = valuesPerExample(spec);
  const y = tf.input({ shape: [d], name: 'y' });
  let h: SymbolicTensor;
  if (config.arch === 'conv') {
    const [rows, cols, channels] = spec.shape as [number, number, number];
    let t = tf.layers.reshape({ targetShape: [rows, cols, channels ?? 1] }).apply(y) as SymbolicTensor;
    t = convBlock(init, 'conv2d', CONV_FILTERS, 6, 1, 'valid', 'enc_conv1', t); // [23, 23, 16]
    t = convBlock(init, 'conv2d', 2 * CONV_FILTERS, 6, 1, 'valid', 'enc_conv2', t); // [18, 18, 32]
    t = convBlock(init, 'conv2d', 4 * CONV_FILTERS, 4, 2, 'same', 'enc_conv3', t); // [9, 9, 64]
    t = convBlock(init, 'conv2d', config.hidden, 9, 1, 'valid', 'enc_conv4', t); // [1, 1, H]
    h = tf.layers.flatten({ name: 'enc_hidden' }).apply(t) as SymbolicTensor;
  } else {
    h = normalisedBlock(dense, config.hidden, 'enc_hidden1', y);
    h = normalisedBlock(dense, config.hidden, 'enc_hidden2', h);
  }
  const outputs = [
    dense(config.xDim, 'mu_x').apply(h),
    dense(config.xDim, 'logvar_x').apply(h),
    dense(config.wDim, 'mu_w').apply(h),
    dense(config.wDim, 'logvar_w').apply(h),
  ] as SymbolicTensor[];
  return tf.model({ inputs: y, outputs, name: 'encoder' });
}

function buildPriorNetwork(config: GmvaeConfig, dense: Dense): LayersModel {
  const w = tf.input({ shape: [config.wDim], name: 'w' });
  const h = dense(config.hidden, 'prior_hidden', 'tanh').apply(w) as SymbolicTensor;
  const outputs = [
    dense(config.k * config.xDim, 'mu_k').apply(h),
    dense(config.k * config.xDim, 'logvar_k').apply(h),
  ] as SymbolicTensor[];
  return tf.model({ inputs: w, outputs, name: 'prior_network' });
}

function buildDecoder(config: GmvaeConfig, spec: InputSpec, dense: Dense, init: Init): LayersModel {
  const d = valuesPerExample(spec);
  const x = tf.input({ shape: [config.xDim], name: 'x' });
  let out: SymbolicTensor;
  let h: SymbolicTensor;
  if (config.arch === 'conv') {
    const channels = spec.shape[2] ?? 1;
    h = normalisedBlock(dense, config.hidden, 'dec_hidden1', x);
    let t = tf.layers.reshape({ targetShape: [1, 1, config.hidden] }).apply(h) as SymbolicTensor;
    t = convBlock(init, 'conv2dTranspose', 4 * CONV_FILTERS, 9, 1, 'valid', 'dec_deconv1', t); // [9, 9, 64]
    t = convBlock(init, 'conv2dTranspose', 2 * CONV_FILTERS, 4, 2, 'same', 'dec_deconv2', t); // [18, 18, 32]
    t = convBlock(init, 'conv2dTranspose', CONV_FILTERS, 6, 1, 'valid', 'dec_deconv3', t); // [23, 23, 16]
    t = tf.layers
      .conv2dTranspose({
        filters: channels,
        kernelSize: 6,
        name: 'dec_deconv4',
        kernelInitializer: init.kernel(),
      })
      .apply(t) as SymbolicTensor; // [28, 28, c]
    out = tf.layers.flatten({ name: 'logits' }).apply(t) as SymbolicTensor;
  } else {
    h = dense(config.hidden, 'dec_hidden1', 'relu').apply(x) as SymbolicTensor;
    h = dense(config.hidden, 'dec_hidden2', 'relu').apply(h) as SymbolicTensor;
    out = dense(d, config.likelihood === 'gaussian' ? 'mean' : 'logits').apply(h) as SymbolicTensor;
  }
  const outputs = [out];
  if (config.likelihood === 'gaussian') outputs.push(dense(d, 'logvar').apply(h) as SymbolicTensor);
  return tf.model({ inputs: x, outputs, name: 'decoder' });
}

/** Builds the three networks with seeded initial weights. */
export function buildNetworks(config: GmvaeConfig, spec: InputSpec): Networks {
  const init = new Init(config.seed);
  const dense = denseFactory(init);
  return {
    encoder: buildEncoder(config, spec, dense, init),
    priorNetwork: buildPriorNetwork(config, dense),
    decoder: buildDecoder(config, spec, dense, init),
  };
}
