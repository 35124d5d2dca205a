/** The Run screen draws the terms and scores each formulation records, and no empty charts. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { curvesFor } from '../../src-renderer/src/run/curves.ts';

test('v1 adds its consistency term and its Bayes scores; Shu has no w-prior; both record the balance', () => {
  const names = (model: 'v1' | 'v2' | 'shu') => {
    const { terms, scores } = curvesFor(model);
    return { terms: terms.map((t) => t.name), scores: scores.map((s) => s.name) };
  };
  assert.deepEqual(names('v2').terms, ['elbo', 'reconstruction', 'conditional_prior', 'w_prior', 'z_prior']);
  assert.deepEqual(names('v1').terms, [...names('v2').terms, 'consistency', 'balance']);
  assert.deepEqual(names('shu').terms, ['elbo', 'reconstruction', 'conditional_prior', 'z_prior', 'balance']);
  assert.ok(names('v1').scores.includes('accuracy_bayes') && names('v1').scores.includes('bayes_agreement'));
  assert.ok(!names('v2').scores.includes('accuracy_bayes'));
  assert.deepEqual(names('shu').scores, names('v2').scores);
});
