/**
 * Which curves the Run screen draws for a run: the ELBO and the terms its formulation records
 * (docs/model.md: Shu's model has no w; only v1 has the consistency term and a second, Bayes,
 * assignment to score; v1 and Shu's model record the cluster balance), and the clustering scores.
 */
import type { Formulation } from '../../../src-main/common/config.ts';

interface Curve {
  name: string;
  title: string;
  /** The formulations that record it; every one when absent. */
  models?: readonly Formulation[];
}

const TERMS: readonly Curve[] = [
  { name: 'elbo', title: 'ELBO (nats, higher is better)' },
  { name: 'reconstruction', title: 'Reconstruction E[log p(y|x)]' },
  { name: 'conditional_prior', title: 'Conditional prior KL' },
  { name: 'w_prior', title: 'w-prior KL', models: ['v1', 'v2'] },
  { name: 'z_prior', title: 'z-prior KL' },
  { name: 'consistency', title: 'Consistency H(p(z|x,w))', models: ['v1'] },
  { name: 'balance', title: 'Balance KL(mean q(z|y) || U)', models: ['v1', 'shu'] },
];

const SCORES: readonly Curve[] = [
  { name: 'accuracy', title: 'Accuracy' },
  { name: 'accuracy_majority', title: 'Acc. majority' },
  { name: 'accuracy_hungarian', title: 'Acc. Hungarian' },
  { name: 'nmi', title: 'NMI' },
  { name: 'ari', title: 'ARI' },
  { name: 'accuracy_bayes', title: 'Acc. of p(z|x,w)', models: ['v1'] },
  { name: 'bayes_agreement', title: 'q(z|y) agrees with p(z|x,w)', models: ['v1'] },
];

const recordedBy = (model: Formulation) => (curve: Curve) => !curve.models || curve.models.includes(model);

/** The term charts and the score series of a run of formulation `model`. */
export function curvesFor(model: Formulation): { terms: Curve[]; scores: Curve[] } {
  return { terms: TERMS.filter(recordedBy(model)), scores: SCORES.filter(recordedBy(model)) };
}
