/** p(z | x, w) against a direct evaluation of Bayes' rule with Gaussian densities. */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { logPosteriorZ } from '../../../src-main/engine/model/posterior.ts';
import { tf } from '../../../src-main/engine/tf.ts';
import { createNormalRng } from '../../../src-main/common/random.ts';

before(async () => {
  await tf.setBackend('cpu');
});

/** prod_d N(x_d | mu_d, s2_d), in float64, no logs. */
function density(x: number[], mu: number[], logvar: number[]): number {
  return x.reduce((p, v, d) => {
    const s2 = Math.exp(logvar[d]!);
    return (p * Math.exp(-((v - mu[d]!) ** 2) / (2 * s2))) / Math.sqrt(2 * Math.PI * s2);
  }, 1);
}

test('matches pi_k N(x|mu_k, s2_k) / sum_j pi_j N(x|mu_j, s2_j) on random inputs', () => {
  const normal = createNormalRng(Date.now() >>> 0); // fresh inputs every run
  const [b, k, dx] = [5, 4, 3];
  const x = Array.from({ length: b }, () => Array.from({ length: dx }, () => normal()));
  const mu = Array.from({ length: b }, () =>
    Array.from({ length: k }, () => Array.from({ length: dx }, () => normal())),
  );
  const logvar = Array.from({ length: b }, () =>
    Array.from({ length: k }, () => Array.from({ length: dx }, () => 0.5 * normal())),
  );
  const got = tf
    .exp(logPosteriorZ(tf.tensor2d(x), tf.tensor3d(mu), tf.tensor3d(logvar)))
    .arraySync() as number[][];
  for (let i = 0; i < b; i++) {
    const joint = mu[i]!.map((m, j) => (1 / k) * density(x[i]!, m, logvar[i]![j]!));
    const total = joint.reduce((a, v) => a + v, 0);
    joint.forEach((v, j) =>
      assert.ok(Math.abs(got[i]![j]! - v / total) < 1e-4, `example ${i} component ${j}`),
    );
    assert.ok(Math.abs(got[i]!.reduce((a, v) => a + v, 0) - 1) < 1e-5);
  }
});

test('stays finite and exact when every density underflows (log-sum-exp)', () => {
  // x is 100 units from both components: the densities are ~exp(-5000), zero in float32.
  const got = tf.exp(
    logPosteriorZ(tf.tensor2d([[100]]), tf.tensor3d([[[0], [1]]]), tf.tensor3d([[[0], [0]]])),
  );
  const p = got.dataSync();
  // Ratio of the two densities is exp(-(99^2 - 100^2)/2) = exp(99.5): the nearer component takes it all.
  assert.ok(Number.isFinite(p[0]!) && Number.isFinite(p[1]!));
  assert.ok(p[1]! > 0.999999);
});
