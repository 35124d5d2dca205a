/**
 * The optimizers of a run. 'adam': tfjs's Adam with tf.train.adam's settings (beta1 0.9, beta2 0.999,
 * the backend's epsilon). On a backend with a fused Adam kernel (the 'blas' backend,
 * backend/blas/adam-kernel.ts) the update runs as one kernel per variable instead of a dozen
 * elementwise ops; elsewhere it is AdamOptimizer's own code. Both keep the same slots under the
 * same names (`<variable>/m`, `<variable>/v`, accBeta1/2 via getWeights), so checkpoints move
 * freely between backends and between the two paths.
 */
import { FUSED_ADAM, type FusedAdamAttrs } from '../backend/blas/adam-kernel.ts';
import type { GmvaeConfig } from '../../common/config.ts';
import { tf } from '../tf.ts';
import { ResetAdam } from './reset-adam.ts';

/** AdamOptimizer's state, private in its typings; the fused path updates exactly these. */
interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  accumulatedSecondMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
}

type VariableGradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];

/** An optimizer whose learning rate the trainer sets before each step (training/lr-schedule.ts). */
export interface RunOptimizer extends tf.Optimizer {
  setLearningRate(learningRate: number): void;
}

class EngineAdam extends tf.AdamOptimizer implements RunOptimizer {
  setLearningRate(learningRate: number): void {
    // AdamOptimizer reads it at every step, on both paths below.
    this.learningRate = learningRate;
  }

  override applyGradients(variableGradients: VariableGradients): void {
    if (tf.getKernel(FUSED_ADAM, tf.getBackend()) === undefined)
      return super.applyGradients(variableGradients);
    const state = this as unknown as AdamState;
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((v) => v.name)
      : Object.keys(variableGradients);
    const attrs: FusedAdamAttrs = {
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      learningRate: this.learningRate,
    };
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name]!;
        // Slots created as AdamOptimizer creates them (same index, names and zeros).
        const slot = (suffix: string) => ({
          originalName: `${name}/${suffix}`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        });
        state.accumulatedFirstMoment[i] ??= slot('m');
        state.accumulatedSecondMoment[i] ??= slot('v');
        const gradient = Array.isArray(variableGradients)
          ? variableGradients[i]!.tensor
          : variableGradients[name];
        if (gradient == null) return;
        const m = state.accumulatedFirstMoment[i]!.variable;
        const v = state.accumulatedSecondMoment[i]!.variable;
        const inputs = { value, gradient, m, v, accBeta1: state.accBeta1, accBeta2: state.accBeta2 };
        const [newValue, newM, newV] = tf
          .engine()
          .runKernel(FUSED_ADAM, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        m.assign(newM!);
        v.assign(newV!);
        value.assign(newValue!);
      });
      state.accBeta1.assign(tf.mul(state.accBeta1, this.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}

/** Adam with tf.train.adam's defaults; `tf.train.adam(lr)` everywhere a run trains. */
export function createAdam(learningRate: number): tf.AdamOptimizer & RunOptimizer {
  return new EngineAdam(learningRate, 0.9, 0.999);
}

/** The run's optimizer: Adam, or the authors' code's Adam restarted every step. */
export function createOptimizer(config: Pick<GmvaeConfig, 'optimizer' | 'lr'>): RunOptimizer {
  return config.optimizer === 'adam-reset' ? new ResetAdam(config.lr) : createAdam(config.lr);
}
