/**
 * One optimizer step on one batch: the seeded terms of the run's formulation, the gradient of its
 * objective (reduced over the batch as the run asks) and the update. The trainer and
 * `gmvae bench` both call it, so the benchmark times exactly the step that training runs.
 */
import type { TrainMetric } from '../../common/metric-names.ts';
import { stackTerms } from '../model/formulations/terms.ts';
import type { Gmvae } from '../model/gmvae.ts';
import { tf, type Scalar, type Tensor1D, type Tensor2D } from '../tf.ts';

/** The step's terms, batch means in nats per example, by recorded name. */
export type StepTerms = Partial<Record<TrainMetric, number>>;

/** The step's terms still on the device, [T], with their names; the caller disposes `values`. */
export interface PendingTerms {
  names: readonly TrainMetric[];
  values: Tensor1D;
}

/**
 * Runs one optimizer step on the batch `y` ([B, D]) with the step's noise seed. The loss is the
 * batch mean per example, or (lossReduction 'sum', as the authors' code) that mean times B: the
 * same direction, a B times larger gradient, which matters to Adam only through its epsilon and
 * to the authors' reset update through 3.16e-7 (docs/model.md).
 */
export function trainStep(
  model: Gmvae,
  optimizer: tf.Optimizer,
  variables: tf.Variable[],
  y: Tensor2D,
  noiseSeed: number,
): PendingTerms {
  let names: TrainMetric[] = [];
  const values = tf.tidy(() => {
    let kept: Tensor1D | null = null;
    optimizer.minimize(
      () => {
        const terms = model.elboTerms(y, noiseSeed, { training: true });
        const stacked = stackTerms(terms);
        names = stacked.names;
        kept = tf.keep(stacked.values);
        return model.config.lossReduction === 'sum' ? (tf.mul(terms.loss, y.shape[0]) as Scalar) : terms.loss;
      },
      false,
      variables,
    );
    return kept as unknown as Tensor1D;
  });
  return { names, values };
}

/**
 * Reads the step's terms from the device (which also waits for the step) and frees them.
 * Asynchronous because WebGPU in Node has no synchronous read (tfjs reads it through a canvas).
 */
export async function readTerms(pending: PendingTerms): Promise<StepTerms> {
  const data = await pending.values.data();
  pending.values.dispose();
  return Object.fromEntries(pending.names.map((name, i) => [name, data[i]!]));
}
