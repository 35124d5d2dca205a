/**
 * The networks of the three formulations, as TensorFlow.js layers models (so they export in the
 * standard layers format). Shapes: B = batch, D = values per example, H = hidden units.
 *
 *   encoder         y [B, D] -> v2:  mu_x, logvar_x [B, Dx], mu_w, logvar_w [B, Dw]
 *                               v1:  the same four heads, then qz_logits [B, K] (q(z|y))
 *                               shu: qz_logits [B, K], the trunk's features h [B, H]
 *                   one trunk, heads on top: no per-cluster heads in v1 and v2.
 *   prior network   v1, v2: w [B, Dw] -> mu_k, logvar_k [B, K*Dx] (reshaped to [B, K, Dx]):
 *                           Linear(Dw -> H) + tanh, then K mean and K log-variance heads as one
 *                           Linear(H -> K*Dx) each, as in the authors' code.
 *                   shu:    one-hot z [B, K] -> mean, logvar [B, Dx]: a learned Gaussian per
 *                           cluster (linear maps without bias on a one-hot vector are tables).
 *   posterior net   shu only: h [B, H], one-hot z [B, K] -> mu_x, logvar_x [B, Dx]: q(x|y,z),
 *                   Linear(H + K -> H) + ReLU, then the two heads.
 *   decoder         x [B, Dx] -> logits [B, D] (Bernoulli) or mean, logvar [B, D] (Gaussian)
 *
 * MLP, as in the authors' code: encoder trunk two hidden layers of H units, each Linear + batch
 * normalisation + ReLU; decoder two hidden layers Linear + ReLU.
 * Conv (28x28 images), the authors' convolutional network with its 16 first-layer filters:
 * encoder conv 16@6x6 -> conv 32@6x6 -> conv 64@4x4/2 -> conv H@9x9 (28 -> 23 -> 18 -> 9 -> 1),
 * each with batch normalisation and ReLU; decoder Linear(H) + BN + ReLU, then transposed
 * convolutions 64@9x9 -> 32@4x4/2 -> 16@6x6 (each + BN + ReLU) -> c@6x6 back to 28x28.
 * Every initialiser is seeded from the run's seed (see `Init` for the two schemes).
 */
import type { GmvaeConfig, InitScheme } from '../../common/config.ts';
import { deriveSeed } from '../../common/random.ts';
import { tf, type LayersModel, type SymbolicTensor } from '../tf.ts';
import { batchNormalization } from './batch-norm.ts';

export interface Networks {
  encoder: LayersModel;
  priorNetwork: LayersModel;
  decoder: LayersModel;
  /** Shu's q(x|y,z); absent in v1 and v2. */
  posteriorNetwork?: LayersModel;
}

/** Every network of a model in a fixed order: checkpoints and the optimizer rely on it. */
export function networkList(networks: Networks): LayersModel[] {
  const { encoder, priorNetwork, decoder, posteriorNetwork } = networks;
  return posteriorNetwork
    ? [encoder, priorNetwork, decoder, posteriorNetwork]
    : [encoder, priorNetwork, decoder];
}

/** Input shape of one example as the networks see it. */
export interface InputSpec {
  /** Dataset example shape: [h, w, c] for images, [d] for tables. */
  shape: number[];
}

type Activation = 'relu' | 'tanh' | 'linear';
type Initializer = ReturnType<typeof tf.initializers.glorotUniform>;

/** Seed streams of the initialisers (glorot's is the one runs have always used). */
const INIT_STREAM = { glorotKernel: 7, torchKernel: 8, torchBias: 9, torchGamma: 10 } as const;

/**
 * Seeded initial weights; every layer draws from its own stream derived from the run seed.
 *
 * - 'glorot': kernels Glorot-uniform, biases 0, batch-norm gamma 1 and epsilon 1e-3 (tfjs).
 * - 'torch': Torch7's defaults, which the authors' code ran with: kernels *and biases* uniform in
 *   +-1/sqrt(fan_in) (fan_in = inputs of a linear layer, kernel area x input channels of a
 *   convolution, transposed or not), batch-norm gamma uniform in [0, 1), beta 0, epsilon 1e-5.
 *   With random biases the K component means already differ at w = 0 before any training.
 */
class Init {
  private layer = 0;
  private norm = 0;
  private readonly seed: number;
  private readonly scheme: InitScheme;
  constructor(seed: number, scheme: InitScheme) {
    this.seed = seed;
    this.scheme = scheme;
  }

  /** Kernel and bias initialisers of a layer with `fanIn` inputs per output. */
  weights(fanIn: number): {
    kernelInitializer: Initializer;
    biasInitializer?: Initializer;
  } {
    const i = this.layer++;
    if (this.scheme === 'glorot')
      return {
        kernelInitializer: tf.initializers.glorotUniform({
          seed: deriveSeed(this.seed, INIT_STREAM.glorotKernel, i),
        }),
      };
    const bound = 1 / Math.sqrt(fanIn);
    const uniform = (stream: number) =>
      tf.initializers.randomUniform({
        minval: -bound,
        maxval: bound,
        seed: deriveSeed(this.seed, stream, i),
      });
    return {
      kernelInitializer: uniform(INIT_STREAM.torchKernel),
      biasInitializer: uniform(INIT_STREAM.torchBias),
    };
  }

  batchNorm(name: string): tf.layers.Layer {
    // Momentum 0.9 is Torch's default (0.1 weight on the new batch), which the authors' code used.
    if (this.scheme === 'glorot') return batchNormalization({ name, momentum: 0.9 });
    const gamma = tf.initializers.randomUniform({
      // tfjs reads `minval || -0.05`, so an exact 0 would become -0.05; this rounds to 0 in float32.
      minval: Number.MIN_VALUE,
      maxval: 1,
      seed: deriveSeed(this.seed, INIT_STREAM.torchGamma, this.norm++),
    });
    return batchNormalization({ name, momentum: 0.9, epsilon: 1e-5, gammaInitializer: gamma });
  }
}

const lastDim = (t: SymbolicTensor): number => t.shape[t.shape.length - 1]!;

/** Builds layers with the run's initialisation; each method applies the layer and returns its output. */
class LayerBuilder {
  private readonly init: Init;
  constructor(init: Init) {
    this.init = init;
  }

  dense(
    units: number,
    name: string,
    input: SymbolicTensor,
    activation: Activation = 'linear',
    useBias = true,
  ) {
    const layer = tf.layers.dense({ units, activation, name, useBias, ...this.init.weights(lastDim(input)) });
    return layer.apply(input) as SymbolicTensor;
  }

  /** Batch normalisation -> ReLU, after a linear or convolutional layer named `name`. */
  normaliseAndRelu(name: string, input: SymbolicTensor): SymbolicTensor {
    const normalised = this.init.batchNorm(`${name}_bn`).apply(input) as SymbolicTensor;
    return tf.layers
      .activation({ activation: 'relu', name: `${name}_relu` })
      .apply(normalised) as SymbolicTensor;
  }

  /** Linear -> batch normalisation -> ReLU, the encoder's hidden block in the authors' code. */
  normalisedDense(units: number, name: string, input: SymbolicTensor): SymbolicTensor {
    return this.normaliseAndRelu(name, this.dense(units, name, input));
  }

  /** A (transposed) convolution; kernel area x input channels is its fan-in either way. */
  conv(
    kind: 'conv2d' | 'conv2dTranspose',
    filters: number,
    kernelSize: number,
    strides: number,
    padding: 'valid' | 'same',
    name: string,
    input: SymbolicTensor,
  ): SymbolicTensor {
    const fanIn = kernelSize * kernelSize * lastDim(input);
    const layer = tf.layers[kind]({
      filters,
      kernelSize,
      strides,
      padding,
      name,
      ...this.init.weights(fanIn),
    });
    return layer.apply(input) as SymbolicTensor;
  }

  /** (Transposed) convolution -> batch normalisation -> ReLU, the conv network's block. */
  convBlock(...args: Parameters<LayerBuilder['conv']>): SymbolicTensor {
    return this.normaliseAndRelu(args[5], this.conv(...args));
  }
}

/** Filters in the first conv layer (the authors' `nFilters`, 16); deeper layers double it. */
const CONV_FILTERS = 16;

const valuesPerExample = (spec: InputSpec): number => spec.shape.reduce((a, b) => a * b, 1);

/** The encoder's shared trunk: y [B, D] -> h [B, H]. */
function encoderTrunk(
  config: GmvaeConfig,
  spec: InputSpec,
  nn: LayerBuilder,
  y: SymbolicTensor,
): SymbolicTensor {
  if (config.arch !== 'conv') {
    const h = nn.normalisedDense(config.hidden, 'enc_hidden1', y);
    return nn.normalisedDense(config.hidden, 'enc_hidden2', h);
  }
  const [rows, cols, channels] = spec.shape as [number, number, number];
  let t = tf.layers.reshape({ targetShape: [rows, cols, channels ?? 1] }).apply(y) as SymbolicTensor;
  t = nn.convBlock('conv2d', CONV_FILTERS, 6, 1, 'valid', 'enc_conv1', t); // [23, 23, 16]
  t = nn.convBlock('conv2d', 2 * CONV_FILTERS, 6, 1, 'valid', 'enc_conv2', t); // [18, 18, 32]
  t = nn.convBlock('conv2d', 4 * CONV_FILTERS, 4, 2, 'same', 'enc_conv3', t); // [9, 9, 64]
  t = nn.convBlock('conv2d', config.hidden, 9, 1, 'valid', 'enc_conv4', t); // [1, 1, H]
  return tf.layers.flatten({ name: 'enc_hidden' }).apply(t) as SymbolicTensor;
}

function buildEncoder(config: GmvaeConfig, spec: InputSpec, nn: LayerBuilder): LayersModel {
  const y = tf.input({ shape: [valuesPerExample(spec)], name: 'y' });
  const h = encoderTrunk(config, spec, nn, y);
  const outputs =
    config.model === 'shu'
      ? [nn.dense(config.k, 'qz_logits', h), h]
      : [
          nn.dense(config.xDim, 'mu_x', h),
          nn.dense(config.xDim, 'logvar_x', h),
          nn.dense(config.wDim, 'mu_w', h),
          nn.dense(config.wDim, 'logvar_w', h),
          ...(config.model === 'v1' ? [nn.dense(config.k, 'qz_logits', h)] : []),
        ];
  return tf.model({ inputs: y, outputs, name: 'encoder' });
}

function buildPriorNetwork(config: GmvaeConfig, nn: LayerBuilder): LayersModel {
  if (config.model === 'shu') {
    const z = tf.input({ shape: [config.k], name: 'z' });
    const outputs = [
      nn.dense(config.xDim, 'mu_z', z, 'linear', false),
      nn.dense(config.xDim, 'logvar_z', z, 'linear', false),
    ];
    return tf.model({ inputs: z, outputs, name: 'prior_network' });
  }
  const w = tf.input({ shape: [config.wDim], name: 'w' });
  const h = nn.dense(config.hidden, 'prior_hidden', w, 'tanh');
  const outputs = [
    nn.dense(config.k * config.xDim, 'mu_k', h),
    nn.dense(config.k * config.xDim, 'logvar_k', h),
  ];
  return tf.model({ inputs: w, outputs, name: 'prior_network' });
}

function buildPosteriorNetwork(config: GmvaeConfig, nn: LayerBuilder): LayersModel {
  const h = tf.input({ shape: [config.hidden], name: 'h' });
  const z = tf.input({ shape: [config.k], name: 'z' });
  const joined = tf.layers.concatenate({ name: 'h_z' }).apply([h, z]) as SymbolicTensor;
  const hidden = nn.dense(config.hidden, 'post_hidden', joined, 'relu');
  const outputs = [nn.dense(config.xDim, 'mu_x', hidden), nn.dense(config.xDim, 'logvar_x', hidden)];
  return tf.model({ inputs: [h, z], outputs, name: 'posterior_network' });
}

function buildDecoder(config: GmvaeConfig, spec: InputSpec, nn: LayerBuilder): LayersModel {
  const d = valuesPerExample(spec);
  const x = tf.input({ shape: [config.xDim], name: 'x' });
  let out: SymbolicTensor;
  let h: SymbolicTensor;
  if (config.arch === 'conv') {
    const channels = spec.shape[2] ?? 1;
    h = nn.normalisedDense(config.hidden, 'dec_hidden1', x);
    let t = tf.layers.reshape({ targetShape: [1, 1, config.hidden] }).apply(h) as SymbolicTensor;
    t = nn.convBlock('conv2dTranspose', 4 * CONV_FILTERS, 9, 1, 'valid', 'dec_deconv1', t); // [9, 9, 64]
    t = nn.convBlock('conv2dTranspose', 2 * CONV_FILTERS, 4, 2, 'same', 'dec_deconv2', t); // [18, 18, 32]
    t = nn.convBlock('conv2dTranspose', CONV_FILTERS, 6, 1, 'valid', 'dec_deconv3', t); // [23, 23, 16]
    t = nn.conv('conv2dTranspose', channels, 6, 1, 'valid', 'dec_deconv4', t); // [28, 28, c]
    out = tf.layers.flatten({ name: 'logits' }).apply(t) as SymbolicTensor;
  } else {
    h = nn.dense(config.hidden, 'dec_hidden1', x, 'relu');
    h = nn.dense(config.hidden, 'dec_hidden2', h, 'relu');
    out = nn.dense(d, config.likelihood === 'gaussian' ? 'mean' : 'logits', h);
  }
  const outputs = [out];
  if (config.likelihood === 'gaussian') outputs.push(nn.dense(d, 'logvar', h));
  return tf.model({ inputs: x, outputs, name: 'decoder' });
}

/** Builds the formulation's networks with seeded initial weights. */
export function buildNetworks(config: GmvaeConfig, spec: InputSpec): Networks {
  const nn = new LayerBuilder(new Init(config.seed, config.init));
  // Built in this order so that a seed gives the same weights it always has.
  const encoder = buildEncoder(config, spec, nn);
  const priorNetwork = buildPriorNetwork(config, nn);
  const decoder = buildDecoder(config, spec, nn);
  if (config.model !== 'shu') return { encoder, priorNetwork, decoder };
  return { encoder, priorNetwork, decoder, posteriorNetwork: buildPosteriorNetwork(config, nn) };
}
