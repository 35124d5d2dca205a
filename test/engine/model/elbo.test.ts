/**
 * Each ELBO term against values computed by hand or by a direct (non-log-space, float64)
 * evaluation of the formula in docs/model.md.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
  bernoulliLogLikelihood,
  clusterBalanceKl,
  conditionalPriorKl,
  constrainedZPrior,
  gaussianLogLikelihood,
  wPriorKl,
  zPriorKl,
} from '../../../src-main/engine/model/elbo.ts';
import { gaussianKl } from '../../../src-main/engine/model/gaussian.ts';
import { tf } from '../../../src-main/engine/tf.ts';

const close = (actual: number, expected: number, tol = 1e-4) =>
  assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `${actual} != ${expected}`);
const values = (t: tf.Tensor) => Array.from(t.dataSync());

before(async () => {
  await tf.setBackend('cpu');
});

describe('reconstruction term', () => {
  test('Bernoulli log-likelihood from logits equals sum y log s + (1-y) log(1-s)', () => {
    const y = [
      [0, 1, 0.3],
      [1, 1, 0.9],
    ];
    const logits = [
      [-2, 3, 0.5],
      [0.1, -1, 4],
    ];
    const sigmoid = (l: number) => 1 / (1 + Math.exp(-l));
    const expected = y.map((row, i) =>
      row.reduce((s, v, j) => {
        const p = sigmoid(logits[i]![j]!);
        return s + v * Math.log(p) + (1 - v) * Math.log(1 - p);
      }, 0),
    );
    const got = values(bernoulliLogLikelihood(tf.tensor2d(y), tf.tensor2d(logits)));
    got.forEach((g, i) => close(g, expected[i]!));
  });

  test('Bernoulli log-likelihood stays finite for extreme logits', () => {
    const got = values(bernoulliLogLikelihood(tf.tensor2d([[1, 0]]), tf.tensor2d([[-200, 200]])));
    close(got[0]!, -400); // -(200) for each pixel: log s(-200) ~ -200, log(1 - s(200)) ~ -200
  });

  test('Gaussian log-likelihood: hand-computed value', () => {
    // y = 1, mean 0, variance 1: -0.5 (log 2pi + 0 + 1); y = 2, mean 1, variance e: -0.5 (log 2pi + 1 + 1/e)
    const got = values(
      gaussianLogLikelihood(tf.tensor2d([[1, 2]]), tf.tensor2d([[0, 1]]), tf.tensor2d([[0, 1]])),
    );
    close(got[0]!, -0.5 * (Math.log(2 * Math.PI) + 1) - 0.5 * (Math.log(2 * Math.PI) + 1 + Math.exp(-1)));
  });
});

describe('KL terms', () => {
  test('Gaussian KL per dimension matches the closed form', () => {
    // KL(N(0,1) || N(1,1)) = 0.5; KL(N(0, e^2) || N(0, 1)) = 0.5 (e^2 - 2 - 1)
    const got = values(
      gaussianKl(tf.tensor1d([0, 0]), tf.tensor1d([0, 2]), tf.tensor1d([1, 0]), tf.tensor1d([0, 0])),
    );
    close(got[0]!, 0.5);
    close(got[1]!, 0.5 * (Math.exp(2) - 2 - 1));
  });

  test('w-prior: 0.5 sum (mu^2 + s2 - log s2 - 1)', () => {
    const mu = [1, -2];
    const logvar = [0, Math.log(0.5)];
    const expected = mu.reduce((s, m, i) => s + 0.5 * (m * m + Math.exp(logvar[i]!) - logvar[i]! - 1), 0);
    close(values(wPriorKl(tf.tensor2d([mu]), tf.tensor2d([logvar])))[0]!, expected);
    close(values(wPriorKl(tf.tensor2d([[0, 0]]), tf.tensor2d([[0, 0]])))[0]!, 0); // q = p
  });

  test('z-prior: 0 for the uniform posterior, log K for a one-hot one', () => {
    const k = 4;
    const uniform = tf.log(tf.fill([1, k], 1 / k)) as tf.Tensor2D;
    close(values(zPriorKl(uniform))[0]!, 0);
    const logOneHot = tf.tensor2d([[0, -1e4, -1e4, -1e4]]);
    close(values(zPriorKl(logOneHot))[0]!, Math.log(k));
    const p = [0.7, 0.2, 0.1];
    const expected = p.reduce((s, v) => s + v * Math.log(v), 0) + Math.log(3);
    close(values(zPriorKl(tf.log(tf.tensor2d([p])) as tf.Tensor2D))[0]!, expected);
  });

  test('cluster balance: KL of the batch-mean assignment from uniform, by hand', () => {
    // Two examples, K 3: qbar = (0.45, 0.4, 0.15).
    const q = [
      [0.7, 0.2, 0.1],
      [0.2, 0.6, 0.2],
    ];
    const qbar = [0.45, 0.4, 0.15];
    const expected = qbar.reduce((s, v) => s + v * Math.log(3 * v), 0);
    close(clusterBalanceKl(tf.log(tf.tensor2d(q)) as tf.Tensor2D).dataSync()[0]!, expected);
    // Each example certain, each of its own cluster: balanced, 0, where the z-prior is log K.
    const logOneHots = tf.tensor2d([
      [0, -1e4],
      [-1e4, 0],
    ]);
    close(clusterBalanceKl(logOneHots).dataSync()[0]!, 0);
    close(values(zPriorKl(logOneHots))[0]!, Math.log(2));
    // All certain of the same cluster: log K, and finite although the other cluster's mean is 0.
    const same = tf.tensor2d([
      [0, -1e4],
      [0, -1e4],
    ]);
    close(clusterBalanceKl(same).dataSync()[0]!, Math.log(2));
  });

  test('conditional prior: posterior-weighted sum of per-component KLs', () => {
    // One example, Dx = 1, K = 2: q(x) = N(0, 1); components N(1, 1) and N(0, e^2)
    const pz = [0.25, 0.75];
    const kl1 = 0.5; // KL(N(0,1) || N(1,1))
    const kl2 = 0.5 * (2 - 0 + 1 / Math.exp(2) - 1); // 0.5 (log t - log s + s/t - 1)
    const got = conditionalPriorKl(
      tf.tensor2d([[0]]),
      tf.tensor2d([[0]]),
      tf.tensor3d([[[1], [0]]]),
      tf.tensor3d([[[0], [2]]]),
      tf.tensor2d([pz]),
    );
    close(values(got)[0]!, pz[0]! * kl1 + pz[1]! * kl2);
  });
});

describe('minimum information constraint', () => {
  test('max(lambda, KL) on the batch mean; lambda 0 leaves the term unchanged', () => {
    close(constrainedZPrior(tf.scalar(0.2), 0.5).dataSync()[0]!, 0.5);
    close(constrainedZPrior(tf.scalar(0.9), 0.5).dataSync()[0]!, 0.9);
    close(constrainedZPrior(tf.scalar(0.2), 0).dataSync()[0]!, 0.2);
  });

  test('no gradient reaches the KL while it is below lambda', () => {
    const kl = tf.scalar(0.2);
    // d/dv of the term, with v standing for the batch-mean KL (times 1, so v is not the output itself)
    const slope = (lambda: number) =>
      tf.grad((v: tf.Tensor) => constrainedZPrior(tf.mul(v, 1) as tf.Scalar, lambda))(kl);
    const below = slope(0.5);
    const above = slope(0.1);
    const off = slope(0);
    assert.equal(below.dataSync()[0], 0);
    assert.equal(above.dataSync()[0], 1);
    assert.equal(off.dataSync()[0], 1);
  });
});
