/**
 * The GMVAE of a run: its networks, the pieces every formulation shares (encoder heads, prior
 * components, decoder) and the formulation the run's `model` setting picks (formulations/, one
 * file each; docs/model.md). Only continuous latents are sampled, each by the reparameterisation
 * trick; the cluster z is always summed out exactly.
 */
import type { Formulation as FormulationName, GmvaeConfig } from '../../common/config.ts';
import { tf, type Tensor1D, type Tensor2D, type Tensor3D } from '../tf.ts';
import { bernoulliLogLikelihood, gaussianLogLikelihood } from './elbo.ts';
import { consistency } from './formulations/consistency.ts';
import { bayesClusterLogProbabilities } from './formulations/mixture-prior.ts';
import { minimumInformation } from './formulations/min-info.ts';
import { shu } from './formulations/shu.ts';
import type { ComponentNoise, ElboTerms, Formulation, TermOptions } from './formulations/terms.ts';
import { buildNetworks, networkList, type InputSpec, type Networks } from './networks.ts';

export type { ElboTerms } from './formulations/terms.ts';

const FORMULATION: Record<FormulationName, Formulation> = { v2: minimumInformation, v1: consistency, shu };

/** The recognition heads of v1 and v2 (q(z|y) logits in v1 only). */
export interface Posterior {
  muX: Tensor2D;
  logvarX: Tensor2D;
  muW: Tensor2D;
  logvarW: Tensor2D;
  qzLogits?: Tensor2D;
}

export interface PriorComponents {
  /** [B, K, Dx] */
  muK: Tensor3D;
  logvarK: Tensor3D;
}

export class Gmvae {
  readonly config: GmvaeConfig;
  readonly networks: Networks;
  readonly formulation: Formulation;

  constructor(config: GmvaeConfig, spec: InputSpec) {
    this.config = config;
    this.networks = buildNetworks(config, spec);
    this.formulation = FORMULATION[config.model];
  }

  /** Every trainable variable, in a fixed order (checkpoints and the optimizer rely on it). */
  get trainableVariables(): tf.Variable[] {
    return networkList(this.networks).flatMap((m) => m.trainableWeights.map((w) => w.read() as tf.Variable));
  }

  /**
   * q(x|y), q(w|y) (and q(z|y)'s logits in v1). y: [B, D]. `training` normalises with the
   * batch's statistics (and updates the running ones); otherwise the running statistics are
   * used, as at evaluation. Shu's model has its own recognition path (formulations/shu.ts).
   */
  encode(y: Tensor2D, training = false): Posterior {
    if (this.config.model === 'shu') throw new Error("Shu's GMVAE has no q(x|y), q(w|y) heads");
    const [muX, logvarX, muW, logvarW, qzLogits] = this.networks.encoder.apply(y, { training }) as Tensor2D[];
    return { muX: muX!, logvarX: logvarX!, muW: muW!, logvarW: logvarW!, ...(qzLogits ? { qzLogits } : {}) };
  }

  /** The prior network of v1 and v2: mu_k(w), logvar_k(w) for all K components. w: [B, Dw] -> [B, K, Dx] */
  priorComponents(w: Tensor2D): PriorComponents {
    const { k, xDim } = this.config;
    const [mu, logvar] = this.networks.priorNetwork.apply(w) as Tensor2D[];
    const b = w.shape[0];
    return { muK: tf.reshape(mu!, [b, k, xDim]), logvarK: tf.reshape(logvar!, [b, k, xDim]) };
  }

  /**
   * p(y|x) parameters: logits (Bernoulli) or mean and log-variance (Gaussian). x: [B, Dx].
   * `training` as in encode: the conv decoder has batch normalisation, which must see the
   * batch's statistics while training (and keep its running ones up to date for evaluation).
   */
  decode(x: Tensor2D, training = false): { location: Tensor2D; logvar: Tensor2D | null } {
    const out = this.networks.decoder.apply(x, { training }) as Tensor2D | Tensor2D[];
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
  logLikelihood(y: Tensor2D, x: Tensor2D, training = false): Tensor1D {
    return tf.tidy(() => {
      const { location, logvar } = this.decode(x, training);
      return this.config.likelihood === 'bernoulli'
        ? bernoulliLogLikelihood(y, location)
        : gaussianLogLikelihood(y, location, logvar!);
    });
  }

  /**
   * The formulation's terms on a batch y [B, D] with M Monte Carlo samples. `seed` fixes the
   * noise, so a step is reproducible (and a resumed run repeats it exactly).
   */
  elboTerms(y: Tensor2D, seed: number, options: TermOptions = {}): ElboTerms {
    // tidy keeps exactly the returned tensors (its typing wants a TensorContainer).
    const terms = () => this.formulation.terms(this, y, seed, options) as unknown as tf.TensorContainer;
    return tf.tidy(terms) as unknown as ElboTerms;
  }

  /**
   * The log-probabilities of the clusters the formulation assigns by, at the posterior means (no
   * sampling): log p(z | mu_x(y), mu_w(y)) in v2, log q(z|y) in v1 and Shu's model. Logs, because
   * probabilities round to exactly 1 in float32 (evaluation/cluster-metrics.ts). [B, D] -> [B, K]
   */
  clusterLogProbabilities(y: Tensor2D): Tensor2D {
    return this.formulation.clusterLogProbabilities(this, y);
  }

  /** Bayes' rule log p(z | mu_x(y), mu_w(y)) where the model has it (v1, v2), else null. [B, K] */
  bayesClusterLogProbabilities(y: Tensor2D): Tensor2D | null {
    return this.config.model === 'shu' ? null : bayesClusterLogProbabilities(this, y);
  }

  /** Deterministic latent codes for projections: x [B, Dx], and w [B, Dw] where the model has it. */
  latentMeans(y: Tensor2D): { x: Tensor2D; w: Tensor2D | null } {
    return this.formulation.latentMeans(this, y);
  }

  /**
   * Samples generated from component k, decoded: y = E[y|x], x from component k. With
   * `noise = 'zero'` (v1, v2), w is held at the prior's mean, as the authors' code draws its
   * per-cluster samples: what component k generates where w says nothing. Returns [n, D].
   */
  sampleFromComponent(k: number, n: number, seed: number, noise: ComponentNoise = 'prior'): Tensor2D {
    return tf.tidy(() => this.decodeMean(this.formulation.componentLatents(this, k, n, seed, noise)));
  }

  dispose(): void {
    for (const network of networkList(this.networks)) network.dispose();
  }
}
