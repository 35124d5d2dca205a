/**
 * Which rule the Latent and Clusters tabs group test examples by. v1 stores two: q(z|y), the
 * cluster it assigns and is scored by, and the Bayes posterior p(z|x,w) that its consistency
 * term trains (docs/model.md, "v1 — consistency"). Other models store one; so do v1 artefacts
 * stored before both were kept. Pure, unit-tested.
 */
import type { ClusterSamplesPayload, ProjectionPayload } from '../../../src-main/common/artefacts.ts';

export type ClusterRule = 'assigned' | 'bayes';

export const CLUSTER_RULES: { id: ClusterRule; label: string; title: string }[] = [
  {
    id: 'assigned',
    label: 'q(z|y)',
    title: "The model's assignment: the cluster it is scored by",
  },
  {
    id: 'bayes',
    label: 'p(z|x,w)',
    title: 'The Bayes posterior of the latents under the mixture, which the consistency term trains',
  },
];

export function hasBayesRule(
  projection?: ProjectionPayload | null,
  samples?: ClusterSamplesPayload | null,
): boolean {
  return Boolean(projection?.bayes ?? samples?.bayes);
}

/** The projection with its cluster and confidence per point taken from `rule`. */
export function projectionUnder(p: ProjectionPayload, rule: ClusterRule): ProjectionPayload {
  if (rule === 'assigned' || !p.bayes) return p;
  return { ...p, cluster: p.bayes.cluster, confidence: p.bayes.confidence };
}

/** The clusters with their sizes and members taken from `rule`; the samples stay per component. */
export function samplesUnder(s: ClusterSamplesPayload, rule: ClusterRule): ClusterSamplesPayload {
  const bayes = s.bayes;
  if (rule === 'assigned' || !bayes) return s;
  return { ...s, clusters: s.clusters.map((c) => ({ ...c, ...bayes[c.k]! })) };
}
