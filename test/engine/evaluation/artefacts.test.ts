/** The stored pictures of a run: v1's carry both cluster rules, q(z|y) and p(z|x,w); other models one. */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { ClusterSamplesPayload, ProjectionPayload } from '../../../src-main/common/artefacts.ts';
import type { Formulation } from '../../../src-main/common/config.ts';
import { computeArtefacts } from '../../../src-main/engine/evaluation/artefacts.ts';
import { clusterSplit } from '../../../src-main/engine/evaluation/evaluate.ts';
import { Gmvae } from '../../../src-main/engine/model/gmvae.ts';
import { tf } from '../../../src-main/engine/tf.ts';
import { blobs } from '../../helpers/blobs.ts';
import { tinyConfig } from '../model/formulations/reference.ts';

before(async () => {
  await tf.setBackend('cpu');
});

const data = blobs(30, 60);

async function artefactsOf(model: Formulation) {
  const gmvae = new Gmvae(tinyConfig(model, { seed: 4 }), { shape: [2] });
  const all = await computeArtefacts(gmvae, data, { seed: 1, umapPoints: 20, perCluster: 3 });
  const payload = <T>(kind: string) => all.find((a) => a.kind === kind)!.payload as T;
  return {
    gmvae,
    projection: payload<ProjectionPayload>('projection'),
    samples: payload<ClusterSamplesPayload>('cluster-samples'),
  };
}

test('v1: the projection and the per-cluster members come under both rules', async () => {
  const { gmvae, projection, samples } = await artefactsOf('v1');
  const assigned = await clusterSplit(gmvae, data.test, [2]);
  const bayes = await clusterSplit(gmvae, data.test, [2], data.test.n, 'bayes');
  assert.deepEqual(projection.cluster, Array.from(assigned.assignments));
  assert.ok(projection.bayes && samples.bayes, 'v1 stores both rules');
  const byBayes = projection.bayes;
  const membersByBayes = samples.bayes;
  assert.deepEqual(byBayes.cluster, Array.from(bayes.assignments));
  assert.notDeepEqual(byBayes.cluster, projection.cluster, 'the untrained rules differ here');
  const k = gmvae.config.k;
  byBayes.cluster.forEach((c, i) =>
    assert.ok(Math.abs(byBayes.confidence[i]! - bayes.confidence[i * k + c]!) < 1e-4),
  );

  // Per cluster under p(z|x,w): its size and its most confident members, most confident first.
  assert.equal(membersByBayes.length, k);
  for (let c = 0; c < k; c++) {
    const size: number = byBayes.cluster.filter((x) => x === c).length;
    assert.equal(membersByBayes[c]!.size, size);
    const p: number[] = membersByBayes[c]!.members.map((m) => m.confidence);
    assert.deepEqual(
      p,
      [...p].sort((a, b) => b - a),
    );
    for (const m of membersByBayes[c]!.members) assert.equal(byBayes.cluster[m.index], c);
  }
  gmvae.dispose();
});

test('v2 and Shu store one rule', async () => {
  for (const model of ['v2', 'shu'] as const) {
    const { gmvae, projection, samples } = await artefactsOf(model);
    assert.equal(projection.bayes, undefined, model);
    assert.equal(samples.bayes, undefined, model);
    assert.equal(
      samples.clusters.reduce((s, c) => s + c.size, 0),
      data.test.n,
    );
    assert.equal(samples.points?.length, 2 * data.test.n, '2-D data: every test point, for the backdrop');
    gmvae.dispose();
  }
});
