/**
 * Diagonal Gaussians, the one family every formulation samples and scores (docs/model.md).
 * All variances are carried as log-variances; every function broadcasts, so a [N, 1, D] posterior
 * against [N, K, D] components works.
 */
import { tf } from '../tf.ts';

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * The reparameterisation trick: a sample of N(mu, exp(logvar)) as a differentiable function of
 * its parameters and fixed noise,  x = mu + exp(logvar / 2) * eps,  eps ~ N(0, I).
 */
export function reparameterise<T extends tf.Tensor>(mu: T, logvar: T, eps: tf.Tensor): T {
  return tf.tidy(() => tf.add(mu, tf.mul(tf.exp(tf.mul(0.5, logvar)), eps)) as T);
}

/**
 * Log-density summed over the last axis:
 *   log N(x | mu, diag s2) = -1/2 sum_d ( log 2pi + log s2_d + (x_d - mu_d)^2 / s2_d )
 * [..., D] -> [...]
 */
export function logNormal<T extends tf.Tensor>(x: tf.Tensor, mu: tf.Tensor, logvar: tf.Tensor): T {
  return tf.tidy(() => {
    const perDim = tf.add(tf.add(LOG_2PI, logvar), tf.mul(tf.square(tf.sub(x, mu)), tf.exp(tf.neg(logvar))));
    return tf.mul(-0.5, tf.sum(perDim, -1)) as T;
  });
}

/**
 * KL( N(a, s) || N(b, t) ) per dimension (not summed), with log-variances:
 *   0.5 * ( log t - log s + (s + (a - b)^2) / t - 1 )
 */
export function gaussianKl<T extends tf.Tensor>(muA: T, logvarA: T, muB: T, logvarB: T): T {
  return tf.tidy(() => {
    const ratio = tf.mul(tf.add(tf.exp(logvarA), tf.square(tf.sub(muA, muB))), tf.exp(tf.neg(logvarB)));
    return tf.mul(0.5, tf.sub(tf.add(tf.sub(logvarB, logvarA), ratio), 1)) as T;
  });
}
