/**
 * The one TensorFlow.js instance the engine uses. Optional native backends (tfjs-node,
 * tfjs-node-gpu) register themselves into this same instance when they load, because they
 * depend on the same @tensorflow/tfjs version (see backend/backends.ts).
 */
import * as tf from '@tensorflow/tfjs';

// PROD: skips per-op debug checks and silences the "install tfjs-node" banner; the engine
// reports the chosen backend itself.
tf.env().set('PROD', true);

export { tf };
export type {
  Tensor,
  Tensor1D,
  Tensor2D,
  Tensor3D,
  Scalar,
  LayersModel,
  SymbolicTensor,
} from '@tensorflow/tfjs';
