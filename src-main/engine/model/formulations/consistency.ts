/**
 * v1, the paper's first version (docs/model.md). A fifth recognition head gives q(z|y); the
 * conditional prior is weighted by it, and a consistency term asks the Bayes posterior p(z|x,w)
 * of the sampled latents to be confident:
 *
 *   L(y) =   E_q(x|y) [ log p(y|x) ]                                  reconstruction
 *          - sum_k q(z_k|y) E_q(w|y) [ KL( q(x|y) || p(x|w,z=k) ) ]    conditional prior
 *          - KL( q(w|y) || p(w) )                                      w-prior
 *          - KL( q(z|y) || p(z) )                                      z-prior
 *
 *   loss = -L(y) + cvWeight * E_q(x|y) q(w|y) [ H( p(z|x,w) ) ]         consistency
 *                + balanceWeight * KL( mean_batch q(z|y) || p(z) )          balance (ours, 0 by default)
 *
 * Clusters are read from q(z|y).
 */
import { tf, type Scalar, type Tensor2D } from '../../tf.ts';
import { clusterBalanceKl, entropy, expectedComponentKl, wPriorKl, zPriorKl } from '../elbo.ts';
import type { Gmvae } from '../gmvae.ts';
import { componentLatents, drawLatents, posteriorMeans } from './mixture-prior.ts';
import { tileSamples, type ElboTerms, type Formulation, type TermOptions } from './terms.ts';

function terms(model: Gmvae, y: Tensor2D, seed: number, options: TermOptions): ElboTerms {
  const m = options.mcSamples ?? model.config.mcSamples;
  const q = model.encode(y, options.training ?? false);
  const logQz = tf.logSoftmax(q.qzLogits!) as Tensor2D; // [B, K]
  const draw = drawLatents(model, q, seed, m);

  const reconstruction = tf.mean(model.logLikelihood(tileSamples(y, m), draw.x, options.training)) as Scalar;
  const qz = tileSamples(tf.exp(logQz) as Tensor2D, m); // [M*B, K]
  const conditionalPrior = tf.mean(expectedComponentKl(draw.klPerComponent, qz)) as Scalar;
  const wPrior = tf.mean(wPriorKl(q.muW, q.logvarW)) as Scalar;
  const zPrior = tf.mean(zPriorKl(logQz)) as Scalar;
  const consistency = tf.mean(entropy(draw.logPz)) as Scalar;
  const balance = clusterBalanceKl(logQz);

  const { cvWeight, balanceWeight } = model.config;
  const elbo = tf.sub(tf.sub(tf.sub(reconstruction, conditionalPrior), wPrior), zPrior) as Scalar;
  const penalties = tf.add(tf.mul(cvWeight, consistency), tf.mul(balanceWeight, balance));
  const loss = tf.add(tf.neg(elbo), penalties) as Scalar;
  return { reconstruction, conditionalPrior, wPrior, zPrior, consistency, balance, elbo, loss };
}

/** log q(z|y) at evaluation (batch norm's running statistics). [B, D] -> [B, K] */
function clusterLogProbabilities(model: Gmvae, y: Tensor2D): Tensor2D {
  return tf.tidy(() => tf.logSoftmax(model.encode(y).qzLogits!) as Tensor2D);
}

export const consistency: Formulation = {
  terms,
  clusterLogProbabilities,
  latentMeans: posteriorMeans,
  componentLatents,
};
