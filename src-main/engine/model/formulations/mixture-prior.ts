/**
 * The parts v1 and v2 share: the paper's generative model with the noise latent w, whose prior
 * network turns one w into K Gaussian components p(x|w,z=k) (docs/model.md).
 */
import { tf, type Tensor2D, type Tensor3D } from '../../tf.ts';
import { reparameterise } from '../gaussian.ts';
import type { Gmvae, Posterior } from '../gmvae.ts';
import { componentTerms } from '../component-gaussian.ts';
import { logPosteriorFromDensities, logPosteriorZ } from '../posterior.ts';
import { tileSamples, type ComponentNoise } from './terms.ts';

/** One Monte Carlo draw of the latents for a batch, M samples stacked along the batch axis. */
export interface LatentDraw {
  /** q(x|y) and q(w|y) tiled M times: [M*B, Dx], [M*B, Dw] */
  muX: Tensor2D;
  logvarX: Tensor2D;
  /** x^(m) ~ q(x|y), w^(m) ~ q(w|y): [M*B, Dx], [M*B, Dw] */
  x: Tensor2D;
  w: Tensor2D;
  /** The K components at each w^(m): [M*B, K, Dx] */
  muK: Tensor3D;
  logvarK: Tensor3D;
  /** log p(z|x^(m), w^(m)) by Bayes' rule: [M*B, K] */
  logPz: Tensor2D;
  /** KL( q(x|y) || p(x|w^(m), z=k) ) for each component k: [M*B, K] */
  klPerComponent: Tensor2D;
}

/**
 * x = mu_x + s_x * eps (noise `seed`), w = mu_w + s_w * eps' (noise `seed + 1`), then p(z|x,w)
 * and the KLs of the conditional prior, both from the K components at w in one pass.
 */
export function drawLatents(model: Gmvae, q: Posterior, seed: number, m: number): LatentDraw {
  const muX = tileSamples(q.muX, m);
  const logvarX = tileSamples(q.logvarX, m);
  const muW = tileSamples(q.muW, m);
  const logvarW = tileSamples(q.logvarW, m);
  const x = reparameterise(muX, logvarX, tf.randomNormal(muX.shape, 0, 1, 'float32', seed));
  const w = reparameterise(muW, logvarW, tf.randomNormal(muW.shape, 0, 1, 'float32', seed + 1));
  const { muK, logvarK } = model.priorComponents(w);
  const terms = componentTerms(x, muX, logvarX, muK, logvarK);
  const logPz = logPosteriorFromDensities(terms.logDensity);
  return { muX, logvarX, x, w, muK, logvarK, logPz, klPerComponent: terms.kl };
}

/** Bayes' rule at the posterior means: log p(z | x = mu_x(y), w = mu_w(y)). [B, D] -> [B, K] */
export function bayesClusterLogProbabilities(model: Gmvae, y: Tensor2D): Tensor2D {
  return tf.tidy(() => {
    const q = model.encode(y);
    const { muK, logvarK } = model.priorComponents(q.muW);
    return logPosteriorZ(q.muX, muK, logvarK);
  });
}

/** mu_x(y) and mu_w(y), the codes the projections draw. [B, D] -> [B, Dx], [B, Dw] */
export function posteriorMeans(model: Gmvae, y: Tensor2D): { x: Tensor2D; w: Tensor2D } {
  // tidy keeps the two returned means and frees the other heads.
  const [x, w] = tf.tidy(() => {
    const q = model.encode(y);
    return [q.muX, q.muW];
  }) as [Tensor2D, Tensor2D];
  return { x, w };
}

/**
 * Samples of x from component k: w ~ N(0, I) (or w = 0, as the authors' code draws its
 * per-cluster pictures), x ~ N(mu_k(w), s2_k(w)). [n, Dx]
 */
export function componentLatents(
  model: Gmvae,
  k: number,
  n: number,
  seed: number,
  noise: ComponentNoise,
): Tensor2D {
  return tf.tidy(() => {
    const { wDim, xDim } = model.config;
    const w =
      noise === 'zero'
        ? (tf.zeros([n, wDim]) as Tensor2D)
        : (tf.randomNormal([n, wDim], 0, 1, 'float32', seed) as Tensor2D);
    const { muK, logvarK } = model.priorComponents(w);
    const mu = tf.squeeze(tf.slice(muK, [0, k, 0], [n, 1, xDim]), [1]) as Tensor2D;
    const logvar = tf.squeeze(tf.slice(logvarK, [0, k, 0], [n, 1, xDim]), [1]) as Tensor2D;
    return reparameterise(mu, logvar, tf.randomNormal(mu.shape, 0, 1, 'float32', seed + 1));
  });
}
