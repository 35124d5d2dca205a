/**
 * v1, the paper's first version: each term against a direct float64 evaluation from the same
 * network outputs and noise, the objective's consistency weight, and the assignment from q(z|y).
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { GmvaeConfig } from '../../../../src-main/common/config.ts';
import { Gmvae } from '../../../../src-main/engine/model/gmvae.ts';
import { tf } from '../../../../src-main/engine/tf.ts';
import { close, kl, logN, rows, scalar, tinyConfig } from './reference.ts';

before(async () => {
  await tf.setBackend('cpu');
});

const config = (overrides: Partial<GmvaeConfig> = {}): GmvaeConfig =>
  tinyConfig('v1', { cvWeight: 0.4, seed: 5, ...overrides });
const y = () =>
  tf.tensor2d([
    [0.5, -1],
    [2, 0.3],
    [-1.5, 1],
  ]);

describe('v1 (consistency) terms', () => {
  // M > 1 stacks the samples along the batch axis, rows (s * B + i): q(z|y) must weight each
  // sample's component KLs with its own example's row.
  for (const mc of [1, 3])
    test(`each term equals a direct evaluation from the same outputs and noise (M = ${mc})`, () => {
      const model = new Gmvae(config({ mcSamples: mc }), { shape: [2] });
      const batch = y();
      const seed = 77;
      const t = model.elboTerms(batch, seed);
      const { k, xDim } = model.config;

      const q = model.encode(batch);
      const logits = rows(q.qzLogits!);
      const qz = logits.map((l) => {
        const m = Math.max(...l);
        const e = l.map((v) => Math.exp(v - m));
        const s = e.reduce((a, b) => a + b, 0);
        return e.map((v) => v / s);
      });
      const tiled = (t: tf.Tensor2D) => tf.tile(t, [mc, 1]) as tf.Tensor2D;
      const noise = (t: tf.Tensor2D, s: number) =>
        tf.randomNormal([mc * t.shape[0], t.shape[1]], 0, 1, 'float32', s);
      const x = rows(
        tf.add(tiled(q.muX), tf.mul(tf.exp(tf.mul(0.5, tiled(q.logvarX))), noise(q.logvarX, seed))),
      );
      const w = tf.add(
        tiled(q.muW),
        tf.mul(tf.exp(tf.mul(0.5, tiled(q.logvarW))), noise(q.logvarW, seed + 1)),
      ) as tf.Tensor2D;
      const { muK, logvarK } = model.priorComponents(w);
      const mk = muK.arraySync() as number[][][];
      const lk = logvarK.arraySync() as number[][][];
      const muX = rows(q.muX);
      const lvX = rows(q.logvarX);
      const muW = rows(q.muW);
      const lvW = rows(q.logvarW);
      const dec = model.decode(tf.tensor2d(x));
      const loc = rows(dec.location);
      const lvY = rows(dec.logvar!);
      const ys = rows(batch);

      let recon = 0,
        cond = 0,
        wPrior = 0,
        zPrior = 0,
        consistency = 0;
      for (let i = 0; i < ys.length; i++) {
        wPrior += kl(muW[i]!, lvW[i]!, [0, 0], [0, 0]);
        zPrior += qz[i]!.reduce((s, p) => s + p * Math.log(p * k), 0);
      }
      // The sampled terms: sample s of example i is row r = s * B + i, each averaged over the M.
      for (let r = 0; r < mc * ys.length; r++) {
        const i = r % ys.length;
        recon += logN(ys[i]!, loc[r]!, lvY[r]!) / mc;
        for (let j = 0; j < k; j++) cond += (qz[i]![j]! * kl(muX[i]!, lvX[i]!, mk[r]![j]!, lk[r]![j]!)) / mc;
        // H(p(z|x,w)) with p from Bayes' rule under a uniform prior.
        const logJoint = mk[r]!.map((_, j) => logN(x[r]!, mk[r]![j]!, lk[r]![j]!));
        const m = Math.max(...logJoint);
        const lse = m + Math.log(logJoint.reduce((s, v) => s + Math.exp(v - m), 0));
        consistency -= logJoint.reduce((s, v) => s + Math.exp(v - lse) * (v - lse), 0) / mc;
      }
      const n = ys.length;
      close(scalar(t.reconstruction), recon / n);
      close(scalar(t.conditionalPrior), cond / n);
      close(scalar(t.wPrior!), wPrior / n);
      close(scalar(t.zPrior), zPrior / n);
      close(scalar(t.consistency!), consistency / n);
      close(scalar(t.elbo), (recon - cond - wPrior - zPrior) / n);
      const qbar = qz[0]!.map((_, j) => qz.reduce((s, row) => s + row[j]!, 0) / n);
      close(
        scalar(t.balance!),
        qbar.reduce((s, p) => s + p * Math.log(p * k), 0),
      );
      close(scalar(t.loss), -(recon - cond - wPrior - zPrior) / n + 0.4 * (consistency / n));
      assert.equal(xDim, 2);
      model.dispose();
    });

  test('each weight moves the objective by weight times its term, not the ELBO', () => {
    const batch = y();
    const at = (weights: Partial<GmvaeConfig>) => {
      const model = new Gmvae(config(weights), { shape: [2] });
      const t = model.elboTerms(batch, 3);
      const out = {
        elbo: scalar(t.elbo),
        loss: scalar(t.loss),
        consistency: scalar(t.consistency!),
        balance: scalar(t.balance!),
      };
      model.dispose();
      return out;
    };
    const off = at({ cvWeight: 0, balanceWeight: 0 });
    close(off.loss, -off.elbo);
    const consistency = at({ cvWeight: 2, balanceWeight: 0 });
    const balance = at({ cvWeight: 0, balanceWeight: 5 });
    for (const on of [consistency, balance]) assert.equal(on.elbo, off.elbo);
    close(consistency.loss, -off.elbo + 2 * consistency.consistency);
    assert.ok(balance.balance > 0, 'three examples cannot spread evenly over the clusters');
    close(balance.loss, -off.elbo + 5 * balance.balance);
  });

  test('clusters come from q(z|y), not from Bayes rule', () => {
    const model = new Gmvae(config(), { shape: [2] });
    const batch = y();
    const assigned = rows(tf.exp(model.clusterLogProbabilities(batch)));
    const q = rows(tf.softmax(model.encode(batch).qzLogits!));
    assigned.forEach((row, i) => row.forEach((p, j) => close(p, q[i]![j]!, 1e-6)));
    const bayes = rows(tf.exp(model.bayesClusterLogProbabilities(batch)!));
    assert.notDeepEqual(assigned, bayes, 'the two assignments are different functions');
    assert.equal(model.networks.encoder.outputs.length, 5, 'four heads and q(z|y)');
    model.dispose();
  });
});
