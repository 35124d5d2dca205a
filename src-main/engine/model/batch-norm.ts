/**
 * Batch normalisation in training, per channel c (the last axis), with the batch's own moments:
 *
 *   y = beta_c + gamma_c · (x - mean_c) / sqrt(var_c + eps)        mean_c, var_c over the batch
 *   moving_m <- moving_m - (1 - momentum) · (moving_m - m)          for m = mean_c and var_c
 *
 * tfjs-layers' BatchNormalization computes this as tf.moments and tf.batchNorm: about ten
 * kernels forward and thirty backward, each a pass over the activations. On a backend with the
 * fused kernels ('blas': backend/blas/norm.ts) the same layer runs it as one kernel each way.
 * Everywhere else, and in inference (the moving moments), tfjs-layers' own code runs. The layer
 * stays tfjs-layers' class with its weights, so checkpoints and exported models do not change.
 */
import { BATCH_NORM_TRAINING, BATCH_NORM_TRAINING_GRAD } from '../backend/blas/norm.ts';
import { tf, type Tensor } from '../tf.ts';

type Kwargs = Record<string, unknown>;

/** The parts of tfjs-layers' BatchNormalization the training pass reads (private in its types). */
interface BatchNormalizationState {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: { read(): Tensor };
  beta: { read(): Tensor };
  movingMean: { read(): Tensor; write(value: Tensor): void };
  movingVariance: { read(): Tensor; write(value: Tensor): void };
}

const fusedAvailable = () =>
  tf.getKernel(BATCH_NORM_TRAINING, tf.getBackend()) !== undefined &&
  tf.getKernel(BATCH_NORM_TRAINING_GRAD, tf.getBackend()) !== undefined;

/** tfjs-layers' moving-average update: moving - (moving - value) · (1 - momentum). */
function updateMoving(variable: BatchNormalizationState['movingMean'], value: Tensor, momentum: number) {
  tf.tidy(() => {
    const moving = variable.read();
    variable.write(tf.sub(moving, tf.mul(tf.sub(moving, value), 1 - momentum)));
  });
}

/** tf.layers.batchNormalization(args), its training pass fused where the backend allows. */
export function batchNormalization(
  args: Parameters<typeof tf.layers.batchNormalization>[0],
): tf.layers.Layer {
  const layer = tf.layers.batchNormalization(args);
  const state = layer as unknown as BatchNormalizationState;
  const tfjsCall = layer.call.bind(layer);
  layer.call = (inputs: Tensor | Tensor[], kwargs: Kwargs) => {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const lastAxis = state.axis === -1 || state.axis === x.rank - 1;
    const fused =
      kwargs['training'] === true && lastAxis && state.center && state.scale && x.dtype === 'float32';
    if (!fused || !fusedAvailable()) return tfjsCall(inputs, kwargs);
    return tf.tidy(() => {
      const inputs = { x, scale: state.gamma.read(), offset: state.beta.read() };
      const attrs = { varianceEpsilon: state.epsilon };
      const [y, mean, variance] = tf.engine().runKernel(BATCH_NORM_TRAINING, inputs, attrs) as Tensor[];
      updateMoving(state.movingMean, mean!, state.momentum);
      updateMoving(state.movingVariance, variance!, state.momentum);
      return y!;
    });
  };
  return layer;
}
