/**
 * The GMVAE: networks + the forward pass that produces the four ELBO terms
 * (gmvae-model.md). Only x and w are sampled, each by the usual reparameterisation;
 * z is summed out exactly through p(z | x, w).
 */
import type { GmvaeConfig } from '../../common/config.ts';
import { tf, type Scalar, type Tensor1D, type Tensor2D, type Tensor3D } from '../tf.ts';
import {
  authorsPosteriorWeights,
  bernoulliLogLikelihood,
  conditionalPriorKl,
  constrainedZPrior,
  gaussianLogLikelihood,
  wPriorKl,
  zPriorKl,
} from './elbo.ts';
import { buildNetworks, type InputSpec, type Networks } from './networks.ts';
import { logPosteriorZ } from './posterior.ts';

/** Batch means of the ELBO terms (nats per example) and the minimised objective. */
export interface ElboTerms {
  reconstruction: Scalar;
  conditionalPrior: Scalar;
  wPrior: Scalar;
  zPrior: Scalar;
  /** reconstruction - conditionalPrior - wPrior - zPrior */
  elbo: Scalar;
  /** -(reconstruction - conditionalPrior - wPrior - max(lambda, zPrior)): what Adam minimises. */
  loss: Scalar;
}

export interface Posterior {
  muX: Tensor2D;
  logvarX: Tensor2D;
  muW: Tensor2D;
  logvarW: Tensor2D;
}

export interface PriorComponents {
  /** [B, K, Dx] */
  muK: Tensor3D;
  logvarK: Tensor3D;
}

export class Gmvae {
  readonly config: GmvaeConfig;
  readonly networks: Networks;

  constructor(config: GmvaeConfig, spec: InputSpec) {
    this.config = config;
    this.networks = buildNetworks(config, spec);
  }

  /** Every trainable variable, in a fixed order (checkpoints and the optimizer rely on it). */
  get trainableVariables(): tf.Variable[] {
    const { encoder, priorNetwork, decoder } = this.networks;
    return [encoder, priorNetwork, decoder].flatMap((m) =>
      m.trainableWeights.map((w) => w.read() as tf.Variable),
    );
  }

  /**
   * q(x|y), q(w|y). y: [B, D]. `training` normalises with the batch's statistics (and updates
   * the running ones); otherwise the running statistics are used, as at evaluation.
   */
  encode(y: Tensor2D, training = false): Posterior {
    const [muX, logvarX, muW, logvarW] = this.networks.encoder.apply(y, { training }) as Tensor2D[];
    return { muX: muX!, logvarX: logvarX!, muW: muW!, logvarW: logvarW! };
  }

  /** The prior network: mu_k(w), logvar_k(w) for all K components. w: [B, Dw] -> [B, K, Dx] */
  priorComponents(w: Tensor2D): PriorComponents {
    const { k, xDim } = this.config;
    const [mu, logvar] = this.networks.priorNetwork.apply(w) as Tensor2D[];
    const b = w.shape[0];
    return { muK: tf.reshape(mu!, [b, k, xDim]), logvarK: tf.reshape(logvar!, [b, k, xDim]) };
  }

  /** p(y|x) parameters: logits (Bernoulli) or mean and log-variance (Gaussian). x: [B, Dx] */
  decode(x: Tensor2D): { location: Tensor2D; logvar: Tensor2D | null } {
    const out = this.networks.decoder.apply(x) as Tensor2D | Tensor2D[];
    if (Array.isArray(out)) return { location: out[0]!, logvar: out[1] ?? null };
    return { location: out, logvar: null };
  }

  /** The decoder's expected value of y (sigmoid of the logits for Bernoulli). */
  decodeMean(x: Tensor2D): Tensor2D {
    return tf.tidy(() => {
      const { location } = this.decode(x);
      return this.config.likelihood === 'bernoulli' ? tf.sigmoid(location) : location;
    });
  }

  /** log p(y|x) per row. */
  logLikelihood(y: Tensor2D, x: Tensor2D): Tensor1D {
    return tf.tidy(() => {
      const { location, logvar } = this.decode(x);
      return this.config.likelihood === 'bernoulli'
        ? bernoulliLogLikelihood(y, location)
        : gaussianLogLikelihood(y, location, logvar!);
    });
  }

  /**
   * The four ELBO terms on a batch with M Monte Carlo samples of (x, w).
   * `seed` fixes the noise, so a step is reproducible (and a resumed run repeats it exactly).
   * y: [B, D]
   */
  elboTerms(y: Tensor2D, seed: number, options: { training?: boolean; mcSamples?: number } = {}): ElboTerms {
    return tf.tidy(() => {
      const m = options.mcSamples ?? this.config.mcSamples;
      const q = this.encode(y, options.training ?? false);
      // Stack the M samples along the batch axis: row (s * B + i) is sample s of example i.
      const tile = (t: Tensor2D): Tensor2D => (m === 1 ? t : tf.tile(t, [m, 1]));
      const muX = tile(q.muX);
      const logvarX = tile(q.logvarX);
      const muW = tile(q.muW);
      const logvarW = tile(q.logvarW);
      const epsX = tf.randomNormal(muX.shape, 0, 1, 'float32', seed);
      const epsW = tf.randomNormal(muW.shape, 0, 1, 'float32', seed + 1);
      const x = tf.add(muX, tf.mul(tf.exp(tf.mul(0.5, logvarX)), epsX)) as Tensor2D; // x^(m) ~ q(x|y)
      const w = tf.add(muW, tf.mul(tf.exp(tf.mul(0.5, logvarW)), epsW)) as Tensor2D; // w^(m) ~ q(w|y)
      const { muK, logvarK } = this.priorComponents(w);
      const logPz = logPosteriorZ(x, muK, logvarK); // [M*B, K]
      const pz = tf.exp(logPz) as Tensor2D;

      // Averages over the M*B rows are averages over samples and examples alike.
      const reconstruction = tf.mean(this.logLikelihood(tile(y), x)) as Scalar;
      const zPrior = tf.mean(zPriorKl(logPz)) as Scalar;
      const weights =
        this.config.zPriorGradient === 'authors'
          ? authorsPosteriorWeights(pz, zPrior, this.config.lambda)
          : pz;
      const conditionalPrior = tf.mean(conditionalPriorKl(muX, logvarX, muK, logvarK, weights)) as Scalar;
      const wPrior = tf.mean(wPriorKl(q.muW, q.logvarW)) as Scalar; // analytic: no sampling needed

      const rest = tf.sub(tf.sub(reconstruction, conditionalPrior), wPrior);
      const elbo = tf.sub(rest, zPrior) as Scalar;
      const loss = tf.neg(tf.sub(rest, constrainedZPrior(zPrior, this.config.lambda))) as Scalar;
      return { reconstruction, conditionalPrior, wPrior, zPrior, elbo, loss };
    });
  }

  /**
   * Cluster probabilities at the posterior means (evaluation protocol: no sampling):
   * p(z | x = mu_x(y), w = mu_w(y)). y: [B, D] -> [B, K]
   */
  clusterProbabilities(y: Tensor2D): Tensor2D {
    return tf.tidy(() => {
      const q = this.encode(y);
      const { muK, logvarK } = this.priorComponents(q.muW);
      return tf.exp(logPosteriorZ(q.muX, muK, logvarK)) as Tensor2D;
    });
  }

  /**
   * Samples generated from component k: w ~ N(0, I), x ~ N(mu_k(w), s2_k(w)), y = E[y|x].
   * With `w = 'zero'`, w is held at the prior's mean instead, as the authors' code draws its
   * per-cluster samples: what component k generates where w says nothing. Returns [n, D].
   */
  sampleFromComponent(k: number, n: number, seed: number, w: 'prior' | 'zero' = 'prior'): Tensor2D {
    return tf.tidy(() => {
      const noise =
        w === 'zero'
          ? (tf.zeros([n, this.config.wDim]) as Tensor2D)
          : (tf.randomNormal([n, this.config.wDim], 0, 1, 'float32', seed) as Tensor2D);
      const { muK, logvarK } = this.priorComponents(noise);
      const mu = tf.squeeze(tf.slice(muK, [0, k, 0], [n, 1, this.config.xDim]), [1]) as Tensor2D;
      const logvar = tf.squeeze(tf.slice(logvarK, [0, k, 0], [n, 1, this.config.xDim]), [1]) as Tensor2D;
      const eps = tf.randomNormal(mu.shape, 0, 1, 'float32', seed + 1);
      const x = tf.add(mu, tf.mul(tf.exp(tf.mul(0.5, logvar)), eps)) as Tensor2D;
      return this.decodeMean(x);
    });
  }

  dispose(): void {
    this.networks.encoder.dispose();
    this.networks.priorNetwork.dispose();
    this.networks.decoder.dispose();
  }
}
