/**
 * v2, the minimum information GMVAE (the paper's later versions; docs/model.md):
 *
 *   L(y) =   E_q(x|y) [ log p(y|x) ]                                  reconstruction
 *          - E_q(w|y) p(z|x,w) [ KL( q(x|y) || p(x|w,z) ) ]             conditional prior
 *          - KL( q(w|y) || p(w) )                                      w-prior
 *          - E_q(x|y) q(w|y) [ KL( p(z|x,w) || p(z) ) ]                  z-prior
 *
 * minimised as -(reconstruction - conditional prior - w-prior - max(lambda, z-prior)), the
 * constraint on the batch mean. Clusters are read from Bayes' rule p(z|x,w).
 */
import { tf, type Scalar, type Tensor2D } from '../../tf.ts';
import {
  authorsPosteriorWeights,
  constrainedZPrior,
  expectedComponentKl,
  scaleGradient,
  wPriorKl,
  zPriorKl,
} from '../elbo.ts';
import type { Gmvae } from '../gmvae.ts';
import {
  bayesClusterLogProbabilities,
  componentLatents,
  drawLatents,
  posteriorMeans,
} from './mixture-prior.ts';
import { tileSamples, type ElboTerms, type Formulation, type TermOptions } from './terms.ts';

function terms(model: Gmvae, y: Tensor2D, seed: number, options: TermOptions): ElboTerms {
  const { lambda, zPriorGradient, cvWeight } = model.config;
  const m = options.mcSamples ?? model.config.mcSamples;
  const q = model.encode(y, options.training ?? false);
  const draw = drawLatents(model, q, seed, m);
  const pz = tf.exp(draw.logPz) as Tensor2D; // [M*B, K]

  // Means over the M*B rows are means over samples and examples alike.
  const reconstruction = tf.mean(model.logLikelihood(tileSamples(y, m), draw.x, options.training)) as Scalar;
  const zPrior = tf.mean(zPriorKl(draw.logPz)) as Scalar;
  const authors = zPriorGradient === 'authors';
  const weights = authors ? authorsPosteriorWeights(pz, zPrior, lambda) : pz;
  const conditionalPrior = tf.mean(expectedComponentKl(draw.klPerComponent, weights)) as Scalar;
  const wPrior = tf.mean(wPriorKl(q.muW, q.logvarW)) as Scalar; // analytic: no sampling needed

  const rest = tf.sub(tf.sub(reconstruction, conditionalPrior), wPrior);
  const elbo = tf.sub(rest, zPrior) as Scalar;
  // The authors' code also multiplies the z-prior's gradient by cvWeight (their command line's
  // `-cvWeight`, 0.4 for MNIST), a positive factor: its value is unchanged.
  const zTerm = scaleGradient(constrainedZPrior(zPrior, lambda), authors ? cvWeight : 1);
  const loss = tf.neg(tf.sub(rest, zTerm)) as Scalar;
  return { reconstruction, conditionalPrior, wPrior, zPrior, elbo, loss };
}

export const minimumInformation: Formulation = {
  terms,
  clusterLogProbabilities: bayesClusterLogProbabilities,
  latentMeans: posteriorMeans,
  componentLatents,
};
