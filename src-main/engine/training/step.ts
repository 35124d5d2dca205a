/**
 * One Adam step on one batch: the seeded ELBO terms, the gradient of the constrained loss and
 * the update. The trainer and `gmvae bench` both call it, so the benchmark times exactly the
 * step that training runs.
 */
import type { Gmvae } from '../model/gmvae.ts';
import { tf, type Tensor, type Tensor2D } from '../tf.ts';

/**
 * Runs one optimizer step on the batch `y` ([B, D]) with the step's noise seed and returns the
 * terms as one [6] tensor in TRAIN_METRICS order (elbo, reconstruction, conditional_prior,
 * w_prior, z_prior, loss). The caller owns (and disposes) the returned tensor; every other
 * intermediate is released here.
 */
export function trainStep(
  model: Gmvae,
  optimizer: tf.Optimizer,
  variables: tf.Variable[],
  y: Tensor2D,
  noiseSeed: number,
): Tensor {
  return tf.tidy(() => {
    let kept: Tensor | null = null;
    optimizer.minimize(
      () => {
        const t = model.elboTerms(y, noiseSeed, { training: true });
        kept = tf.keep(tf.stack([t.elbo, t.reconstruction, t.conditionalPrior, t.wPrior, t.zPrior, t.loss]));
        return t.loss;
      },
      false,
      variables,
    );
    return kept as unknown as Tensor;
  });
}
