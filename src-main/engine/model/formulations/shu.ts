/**
 * Rui Shu's GMVAE, the formulation most public "GMVAE" code implements, in this project's
 * notation (y data, x continuous latent, z cluster; docs/model.md). A baseline the paper's code
 * does not have: a categorical q(z|y), a Gaussian q(x|y,z) per cluster, a learned Gaussian
 * p(x|z) per cluster, and z summed out exactly:
 *
 *   L(y) =   sum_k q(z_k|y) E_q(x|y,k) [ log p(y|x) ]                    reconstruction
 *          - sum_k q(z_k|y) KL( q(x|y,k) || p(x|z=k) )                  conditional prior
 *          - KL( q(z|y) || p(z) )                                       z-prior
 *
 *   loss = -L(y) + balanceWeight * KL( mean_batch q(z|y) || p(z) )      balance (ours, 0 by default)
 *
 * The KL between the two Gaussians is analytic here (Shu's code estimates it from the sample);
 * the reconstruction is Monte Carlo with M samples per cluster. Clusters are read from q(z|y).
 * Cost: the decoder runs on K * M * B rows.
 */
import { tf, type Scalar, type Tensor1D, type Tensor2D } from '../../tf.ts';
import { clusterBalanceKl, zPriorKl } from '../elbo.ts';
import { gaussianKl, reparameterise } from '../gaussian.ts';
import type { Gmvae } from '../gmvae.ts';
import { tileSamples, type ElboTerms, type Formulation, type TermOptions } from './terms.ts';

/** The K one-hot vectors, each repeated for the B examples: row (k * B + i) is e_k. [K*B, K] */
function oneHotPerCluster(k: number, b: number): Tensor2D {
  return tf.tidy(() => {
    const cluster = tf.tensor1d(
      Array.from({ length: k * b }, (_, r) => Math.floor(r / b)),
      'int32',
    );
    return tf.oneHot(cluster, k).toFloat() as Tensor2D;
  });
}

/** q(z|y) logits and q(x|y,z=k) for every k: rows (k * B + i). */
function encodeAll(model: Gmvae, y: Tensor2D, training: boolean) {
  const { k } = model.config;
  const b = y.shape[0];
  const [qzLogits, h] = model.networks.encoder.apply(y, { training }) as Tensor2D[];
  const z = oneHotPerCluster(k, b);
  const [muX, logvarX] = model.networks.posteriorNetwork!.apply([tf.tile(h!, [k, 1]), z], {
    training,
  }) as Tensor2D[];
  return { qzLogits: qzLogits!, muX: muX!, logvarX: logvarX!, z };
}

/** [K*B] (rows k * B + i) -> [B, K] */
const perCluster = (t: Tensor1D, k: number, b: number): Tensor2D =>
  tf.transpose(tf.reshape(t, [k, b])) as Tensor2D;

function terms(model: Gmvae, y: Tensor2D, seed: number, options: TermOptions): ElboTerms {
  const { k } = model.config;
  const b = y.shape[0];
  const m = options.mcSamples ?? model.config.mcSamples;
  const q = encodeAll(model, y, options.training ?? false);
  const logQz = tf.logSoftmax(q.qzLogits) as Tensor2D; // [B, K]
  const qz = tf.exp(logQz) as Tensor2D;
  const [muZ, logvarZ] = model.networks.priorNetwork.apply(q.z) as Tensor2D[]; // p(x|z=k): [K*B, Dx]

  // Reconstruction: M samples of x from each q(x|y,k), stacked as rows (s * K * B + k * B + i).
  const muX = tileSamples(q.muX, m);
  const x = reparameterise(muX, tileSamples(q.logvarX, m), tf.randomNormal(muX.shape, 0, 1, 'float32', seed));
  const logLik = model.logLikelihood(tileSamples(tf.tile(y, [k, 1]) as Tensor2D, m), x, options.training); // [M*K*B]
  const logLikPerCluster = tf.mean(tf.reshape(logLik, [m, k * b]), 0) as Tensor1D; // [K*B]
  const reconstruction = tf.mean(tf.sum(tf.mul(qz, perCluster(logLikPerCluster, k, b)), 1)) as Scalar;

  const kl = tf.sum(gaussianKl(q.muX, q.logvarX, muZ!, logvarZ!), 1) as Tensor1D; // [K*B]
  const conditionalPrior = tf.mean(tf.sum(tf.mul(qz, perCluster(kl, k, b)), 1)) as Scalar;
  const zPrior = tf.mean(zPriorKl(logQz)) as Scalar;

  const balance = clusterBalanceKl(logQz);

  const elbo = tf.sub(tf.sub(reconstruction, conditionalPrior), zPrior) as Scalar;
  const loss = tf.add(tf.neg(elbo), tf.mul(model.config.balanceWeight, balance)) as Scalar;
  return { reconstruction, conditionalPrior, zPrior, balance, elbo, loss };
}

/** log q(z|y) at evaluation. [B, D] -> [B, K] */
function clusterLogProbabilities(model: Gmvae, y: Tensor2D): Tensor2D {
  return tf.tidy(() => {
    const [qzLogits] = model.networks.encoder.apply(y) as Tensor2D[];
    return tf.logSoftmax(qzLogits!) as Tensor2D;
  });
}

/** x = the mean of q(x|y,k) at the most probable cluster k; this model has no w. */
function latentMeans(model: Gmvae, y: Tensor2D): { x: Tensor2D; w: null } {
  const { k } = model.config;
  const b = y.shape[0];
  const x = tf.tidy(() => {
    const q = encodeAll(model, y, false);
    const best = tf.oneHot(tf.argMax(q.qzLogits, 1), k).toFloat(); // [B, K]
    const means = tf.reshape(q.muX, [k, b, -1]); // [K, B, Dx]
    return tf.sum(tf.mul(tf.expandDims(tf.transpose(best), 2), means), 0) as Tensor2D;
  });
  return { x, w: null };
}

/** x ~ p(x|z=k), the cluster's learned Gaussian (there is no w to hold at zero). [n, Dx] */
function componentLatents(model: Gmvae, k: number, n: number, seed: number): Tensor2D {
  return tf.tidy(() => {
    const z = tf.oneHot(tf.fill([n], k, 'int32') as Tensor1D, model.config.k).toFloat();
    const [mu, logvar] = model.networks.priorNetwork.apply(z) as Tensor2D[];
    return reparameterise(mu!, logvar!, tf.randomNormal(mu!.shape, 0, 1, 'float32', seed + 1));
  });
}

export const shu: Formulation = { terms, clusterLogProbabilities, latentMeans, componentLatents };
