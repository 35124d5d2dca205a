/**
 * The terms the three formulations share (docs/model.md). The minimum information ELBO reads:
 *
 *   L(y) =   E_q(x|y) [ log p(y|x) ]                                  reconstruction
 *          - E_q(w|y) p(z|x,w) [ KL( q(x|y) || p(x|w,z) ) ]             conditional prior
 *          - KL( q(w|y) || p(w) )                                      w-prior
 *          - E_q(x|y) q(w|y) [ KL( p(z|x,w) || p(z) ) ]                  z-prior
 *
 * Every function returns one value per row (nats); the caller averages over the M Monte Carlo
 * samples and the batch. All variances are carried as log-variances.
 */
import { tf, type Tensor1D, type Tensor2D, type Tensor3D } from '../tf.ts';
import { gaussianKl, logNormal } from './gaussian.ts';

/**
 * Bernoulli log-likelihood from logits, summed over the D values:
 *   log p(y|x) = sum_d y_d log s(l_d) + (1 - y_d) log(1 - s(l_d)) = -sum_d BCE(l_d, y_d),
 *   BCE(l, y) = max(l, 0) - l y + log(1 + exp(-|l|))     (stable for any logit)
 * y, logits: [N, D] -> [N]
 */
export function bernoulliLogLikelihood(y: Tensor2D, logits: Tensor2D): Tensor1D {
  return tf.tidy(() => {
    const bce = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, y)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
    return tf.neg(tf.sum(bce, 1)) as Tensor1D;
  });
}

/**
 * Gaussian log-likelihood with a per-dimension variance, for real-valued data:
 *   log N(y | m, s2) = -1/2 sum_d ( log 2pi + log s2_d + (y_d - m_d)^2 / s2_d )
 * y, mean, logvar: [N, D] -> [N]
 */
export function gaussianLogLikelihood(y: Tensor2D, mean: Tensor2D, logvar: Tensor2D): Tensor1D {
  return logNormal<Tensor1D>(y, mean, logvar);
}

/**
 * Conditional prior:  sum_k p(z_k | x, w) * KL( N(mu_x, s2_x) || N(mu_k(w), s2_k(w)) ).
 * z is never sampled: all K components are weighted by the posterior (cost linear in K).
 * muX, logvarX: [N, Dx]; muK, logvarK: [N, K, Dx]; pz: [N, K] -> [N]
 */
export function conditionalPriorKl(
  muX: Tensor2D,
  logvarX: Tensor2D,
  muK: Tensor3D,
  logvarK: Tensor3D,
  pz: Tensor2D,
): Tensor1D {
  return tf.tidy(() => {
    const klPerComponent = tf.sum(
      gaussianKl(tf.expandDims(muX, 1), tf.expandDims(logvarX, 1), muK, logvarK),
      2,
    ) as Tensor2D;
    return expectedComponentKl(klPerComponent, pz);
  });
}

/**
 * The conditional prior from the KLs per component (a draw's klPerComponent, computed with
 * p(z|x,w) in one pass by model/component-gaussian.ts): sum_k p(z_k | x, w) KL_k.
 * klPerComponent, pz: [N, K] -> [N]
 */
export function expectedComponentKl(klPerComponent: Tensor2D, pz: Tensor2D): Tensor1D {
  return tf.tidy(() => tf.sum(tf.mul(pz, klPerComponent), 1) as Tensor1D);
}

/**
 * w-prior:  KL( N(mu_w, s2_w) || N(0, I) ) = 0.5 * sum_d ( mu_w^2 + s2_w - log s2_w - 1 ).
 * muW, logvarW: [N, Dw] -> [N]
 */
export function wPriorKl(muW: Tensor2D, logvarW: Tensor2D): Tensor1D {
  return tf.tidy(
    () =>
      tf.mul(0.5, tf.sum(tf.sub(tf.sub(tf.add(tf.square(muW), tf.exp(logvarW)), logvarW), 1), 1)) as Tensor1D,
  );
}

/**
 * z-prior:  KL( p || U(K) ) = sum_k p_k log p_k + log K, for any categorical p over the K
 * clusters: p(z|x,w) in v2, q(z|y) in v1 and Shu's model.
 * logPz: [N, K] (log-probabilities, so p log p is exact even for p -> 0) -> [N]
 */
export function zPriorKl(logPz: Tensor2D): Tensor1D {
  return tf.tidy(() => {
    const k = logPz.shape[1];
    return tf.add(tf.sum(tf.mul(tf.exp(logPz), logPz), 1), Math.log(k)) as Tensor1D;
  });
}

/**
 * Cluster balance:  KL( qbar || U(K) ) = sum_k qbar_k log qbar_k + log K,  qbar = mean_i q(z|y_i),
 * the batch's average assignment. Not a term of any ELBO: where the z-prior asks every example's
 * q(z|y) to be uniform, this asks only their average to be, so that no cluster takes two digits
 * while another splits one (docs/model.md, "Cluster balance").
 * logQz: [B, K] -> scalar
 */
export function clusterBalanceKl(logQz: Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const k = logQz.shape[1];
    // log qbar_k = logsumexp_i log q(z_k|y_i) - log B, exact for clusters no example uses.
    const logMean = tf.sub(tf.logSumExp(logQz, 0), Math.log(logQz.shape[0])) as tf.Tensor1D; // [K]
    return tf.add(tf.sum(tf.mul(tf.exp(logMean), logMean)), Math.log(k)) as tf.Scalar;
  });
}

/**
 * Entropy of a categorical,  H(p) = -sum_k p_k log p_k.  v1's consistency term is the entropy
 * of the Bayes posterior p(z|x,w): small when the sampled x sits clearly in one component.
 * logP: [N, K] -> [N]
 */
export function entropy(logP: Tensor2D): Tensor1D {
  return tf.tidy(() => tf.neg(tf.sum(tf.mul(tf.exp(logP), logP), 1)) as Tensor1D);
}

/**
 * The identity in the forward pass, its gradient multiplied by `factor` in the backward pass.
 * The authors' v2 code multiplies the z-prior's gradient by cvWeight (the value of their command
 * line's `-cvWeight` option) without changing the value it reports.
 */
export function scaleGradient(x: tf.Scalar, factor: number): tf.Scalar {
  if (factor === 1) return x;
  const scaled = tf.customGrad(((value: tf.Tensor) => ({
    value: tf.clone(value),
    gradFunc: (dy: tf.Tensor) => tf.mul(dy, factor),
  })) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor) => tf.Tensor;
  return scaled(x) as tf.Scalar;
}

/**
 * The minimum information constraint (docs/model.md): the z-prior term in the objective is
 * max(lambda, KL) on the batch mean, so its gradient vanishes while the batch-mean KL is
 * below lambda nats (as in the authors' code). lambda = 0 leaves the term unchanged.
 */
export function constrainedZPrior(batchMeanZPrior: tf.Scalar, lambda: number): tf.Scalar {
  if (lambda <= 0) return batchMeanZPrior;
  return tf.maximum(tf.scalar(lambda), batchMeanZPrior) as tf.Scalar;
}

/**
 * The authors' gradient (optional, for comparison; see docs/model.md): their Torch code adds the
 * z-prior's gradient to the conditional prior's gradient with respect to p(z|x,w) and then
 * multiplies the sum by -1, in the branch taken while the batch-mean z-prior KL is above lambda.
 * The z-prior part comes out right; the conditional prior's gradient w.r.t. p(z|x,w) is negated.
 * This returns p(z|x,w) unchanged in the forward pass, with that negation in the backward pass
 * while `batchMeanZPrior` > lambda. Values (and so every recorded term) are unaffected.
 */
export function authorsPosteriorWeights(pz: Tensor2D, batchMeanZPrior: tf.Scalar, lambda: number): Tensor2D {
  // tfjs types customGrad's arguments as one union; they are (p, kl, save) in that order.
  const flip = tf.customGrad(((p: tf.Tensor, kl: tf.Tensor, save: tf.GradSaveFunc) => {
    save([kl]);
    return {
      value: tf.clone(p),
      gradFunc: (dy: tf.Tensor, [savedKl]: tf.Tensor[]) => [
        tf.mul(dy, tf.where(tf.greater(savedKl!, lambda), tf.scalar(-1), tf.scalar(1))),
        tf.zerosLike(savedKl!),
      ],
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (
    p: tf.Tensor,
    kl: tf.Tensor,
  ) => tf.Tensor;
  return flip(pz, batchMeanZPrior) as Tensor2D;
}
