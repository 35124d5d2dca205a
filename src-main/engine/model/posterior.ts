/**
 * The cluster posterior p(z | x, w): not a network output but Bayes' rule over the prior's
 * K Gaussian components (docs/model.md):
 *
 *   p(z_k = 1 | x, w) = pi_k N(x | mu_k(w), sigma2_k(w)) / sum_j pi_j N(x | mu_j(w), sigma2_j(w))
 *
 * with pi_k = 1/K, computed in log space so that far-away components cannot underflow.
 */
import { tf, type Tensor2D, type Tensor3D } from '../tf.ts';
import { logNormal } from './gaussian.ts';

/**
 * log N(x | mu_k, diag exp(logvar_k)) for every component.
 * x: [B, Dx], muK and logvarK: [B, K, Dx]  ->  [B, K]
 */
export function logGaussianPerComponent(x: Tensor2D, muK: Tensor3D, logvarK: Tensor3D): Tensor2D {
  return tf.tidy(() => logNormal<Tensor2D>(tf.expandDims(x, 1), muK, logvarK));
}

/**
 * log p(z | x, w): [B, K]. Differentiable in x, w (through muK, logvarK) and the prior network,
 * which is how the z-prior and conditional-prior terms shape the clusters.
 */
export function logPosteriorZ(x: Tensor2D, muK: Tensor3D, logvarK: Tensor3D): Tensor2D {
  return tf.tidy(() => logPosteriorFromDensities(logGaussianPerComponent(x, muK, logvarK)));
}

/** log p(z | x, w) from the components' log-densities at x, log N(x | mu_k, s2_k): [B, K]. */
export function logPosteriorFromDensities(logDensity: Tensor2D): Tensor2D {
  return tf.tidy(() => {
    const k = logDensity.shape[1];
    const logJoint = tf.add(logDensity, -Math.log(k)) as Tensor2D; // log pi_k + log N
    // tf.logSumExp subtracts the row maximum before exponentiating.
    return tf.sub(logJoint, tf.logSumExp(logJoint, 1, true)) as Tensor2D;
  });
}
