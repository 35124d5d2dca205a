/**
 * The mixture prior's Gaussian terms for a batch of draws, one value per row and component:
 * the K components N(mu_k(w), s2_k(w)) of p(x|w,z) against the row's sample x (for Bayes' rule,
 * p(z|x,w)) and against its posterior q(x|y) (the conditional prior's KL).
 *
 * These are a training step's largest elementwise work ([B, K, Dx] is 320,000 values for the
 * MNIST model). On a backend with the fused kernel ('blas', backend/blas/component-kernel.ts)
 * both run as one kernel forward and one backward; elsewhere as the tfjs ops below, which define
 * the values.
 */
import { COMPONENT_GAUSSIAN, COMPONENT_GAUSSIAN_GRAD } from '../backend/blas/component-kernel.ts';
import { tf, type Tensor2D, type Tensor3D } from '../tf.ts';
import { gaussianKl, logNormal } from './gaussian.ts';

export interface ComponentTerms {
  /** log N(x | mu_k, diag s2_k) for every component: [B, K] */
  logDensity: Tensor2D;
  /** KL( N(mu_x, s2_x) || N(mu_k, s2_k) ) for every component, summed over Dx: [B, K] */
  kl: Tensor2D;
}

const fusedAvailable = () =>
  tf.getKernel(COMPONENT_GAUSSIAN, tf.getBackend()) !== undefined &&
  tf.getKernel(COMPONENT_GAUSSIAN_GRAD, tf.getBackend()) !== undefined;

/** x, mu_x, logvar_x: [B, Dx]; muK, logvarK: [B, K, Dx]. */
export function componentTerms(
  x: Tensor2D,
  muX: Tensor2D,
  logvarX: Tensor2D,
  muK: Tensor3D,
  logvarK: Tensor3D,
): ComponentTerms {
  if (fusedAvailable()) {
    const inputs = { x, muX, logvarX, muK, logvarK };
    const [logDensity, kl] = tf.engine().runKernel(COMPONENT_GAUSSIAN, inputs) as Tensor2D[];
    return { logDensity: logDensity!, kl: kl! };
  }
  return {
    logDensity: tf.tidy(() => logNormal<Tensor2D>(tf.expandDims(x, 1), muK, logvarK)),
    kl: tf.tidy(
      () => tf.sum(gaussianKl(tf.expandDims(muX, 1), tf.expandDims(logvarX, 1), muK, logvarK), 2) as Tensor2D,
    ),
  };
}
