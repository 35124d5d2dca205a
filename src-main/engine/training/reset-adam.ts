/**
 * The update the authors' Torch code actually ran (docs/model.md, "The authors' training"):
 * it called `optim.adam(feval, params, {learningRate = lr})` with a new table each step, so
 * Adam's state (t, m, v) started from zero every time. Adam's first step, per element:
 *
 *   m = (1 - b1) g,  v = (1 - b2) g^2,  step = lr * sqrt(1 - b2) / (1 - b1)
 *   theta -= step * m / (sqrt(v) + eps)  =  lr * g / (|g| + eps / sqrt(1 - b2))
 *
 * with Torch's b2 = 0.999 and eps = 1e-8: theta -= lr * g / (|g| + 3.16e-7). A sign-like step
 * of size lr wherever the gradient is larger than about 1e-6. It keeps no state beyond the step
 * count, so checkpoints hold only that. On a backend with the fused kernel (the 'blas' backend,
 * backend/blas/adam-kernel.ts) each variable's update is that one kernel, with the same float32
 * operations in the same order; elsewhere it is the four tfjs ops below.
 */
import { RESET_ADAM, type ResetAdamAttrs } from '../backend/blas/adam-kernel.ts';
import { tf } from '../tf.ts';

const BETA2 = 0.999;
const EPSILON = 1e-8;
/** eps / sqrt(1 - b2): the denominator's floor, about 3.16e-7. */
export const RESET_ADAM_FLOOR = EPSILON / Math.sqrt(1 - BETA2);

type VariableGradients = Parameters<tf.Optimizer['applyGradients']>[0];
type NamedTensor = Parameters<tf.Optimizer['setWeights']>[0][number];

export class ResetAdam extends tf.Optimizer {
  static get className(): string {
    return 'ResetAdam';
  }
  learningRate: number;

  constructor(learningRate: number) {
    super();
    this.learningRate = learningRate;
  }

  setLearningRate(learningRate: number): void {
    this.learningRate = learningRate;
  }

  override applyGradients(variableGradients: VariableGradients): void {
    const entries = Array.isArray(variableGradients)
      ? variableGradients.map((v) => [v.name, v.tensor] as const)
      : Object.entries(variableGradients);
    const fused = tf.getKernel(RESET_ADAM, tf.getBackend()) !== undefined;
    const attrs: ResetAdamAttrs = { learningRate: this.learningRate, floor: RESET_ADAM_FLOOR };
    tf.tidy(() => {
      for (const [name, gradient] of entries) {
        if (gradient == null) continue;
        const value = tf.engine().registeredVariables[name]!;
        if (fused) {
          const inputs = { value, gradient };
          value.assign(
            tf.engine().runKernel(RESET_ADAM, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor,
          );
          continue;
        }
        const step = tf.div(tf.mul(this.learningRate, gradient), tf.add(tf.abs(gradient), RESET_ADAM_FLOOR));
        value.assign(tf.sub(value, step));
      }
    });
    this.incrementIterations();
  }

  override async getWeights(): Promise<NamedTensor[]> {
    return [await this.saveIterations()];
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    await this.extractIterations(weightValues);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate };
  }
}
