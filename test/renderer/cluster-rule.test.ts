/** v1's two cluster rules in the Latent and Clusters tabs: the chosen rule regroups points and members. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClusterSamplesPayload, ProjectionPayload } from '../../src-main/common/artefacts.ts';
import { projectionGroups } from '../../src-renderer/src/charts/projection.ts';
import { hasBayesRule, projectionUnder, samplesUnder } from '../../src-renderer/src/run/cluster-rule.ts';

const projection: ProjectionPayload = {
  n: 3,
  cluster: [0, 0, 1],
  label: [5, 5, 7],
  confidence: [0.9, 0.8, 0.7],
  pcaX: [0, 0, 1, 1, 2, 2],
  pcaW: null,
  umapX: { indices: [], coords: [] },
  bayes: { cluster: [1, 0, 1], confidence: [0.6, 0.5, 0.99] },
};

const member = (index: number, confidence: number) => ({ index, confidence, label: null, values: [index] });
const samples: ClusterSamplesPayload = {
  shape: [1],
  clusters: [
    { k: 0, size: 2, members: [member(0, 0.9), member(1, 0.8)], samples: [[10]] },
    { k: 1, size: 1, members: [member(2, 0.7)], samples: [[11]] },
  ],
  bayes: [
    { size: 1, members: [member(1, 0.5)] },
    { size: 2, members: [member(2, 0.99), member(0, 0.6)] },
  ],
};

test('the Bayes rule regroups the projection; the assigned rule is the payload as stored', () => {
  assert.equal(projectionUnder(projection, 'assigned'), projection);
  const groups = (p: ProjectionPayload) =>
    projectionGroups(p, 'pcaX', 'cluster').map((g) => g.points.map((q) => q.i));
  assert.deepEqual(groups(projection), [[0, 1], [2]]);
  assert.deepEqual(groups(projectionUnder(projection, 'bayes')), [[1], [0, 2]]);
  assert.deepEqual(projectionUnder(projection, 'bayes').confidence, [0.6, 0.5, 0.99]);
});

test("the Bayes rule swaps each cluster's size and members, and keeps its component's samples", () => {
  const bayes = samplesUnder(samples, 'bayes');
  assert.deepEqual(
    bayes.clusters.map((c) => [c.k, c.size, c.members.map((m) => m.index), c.samples]),
    [
      [0, 1, [1], [[10]]],
      [1, 2, [2, 0], [[11]]],
    ],
  );
  assert.equal(samplesUnder(samples, 'assigned'), samples);
});

test('payloads with one rule (v2, Shu, older v1 runs) stay as they are and offer no choice', () => {
  const { bayes: _p, ...oneRule } = projection;
  const { bayes: _s, ...oneRuleSamples } = samples;
  assert.equal(hasBayesRule(oneRule, oneRuleSamples), false);
  assert.equal(hasBayesRule(projection, null), true);
  assert.equal(projectionUnder(oneRule, 'bayes'), oneRule);
  assert.equal(samplesUnder(oneRuleSamples, 'bayes'), oneRuleSamples);
});
