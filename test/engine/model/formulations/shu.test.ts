/**
 * Rui Shu's GMVAE: the ELBO against a direct float64 evaluation of the exact sum over clusters,
 * the assignment from q(z|y), and samples from a cluster's learned Gaussian.
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
  tinyConfig('shu', { seed: 9, ...overrides });
const y = () =>
  tf.tensor2d([
    [0.5, -1],
    [2, 0.3],
  ]);

describe("Shu's GMVAE", () => {
  for (const mc of [1, 3])
    test(`the ELBO sums every cluster, weighted by q(z|y), as a direct evaluation does (M = ${mc})`, () => {
      const model = new Gmvae(config({ mcSamples: mc }), { shape: [2] });
      const batch = y();
      const seed = 31;
      const { k } = model.config;
      const ys = rows(batch);
      const b = ys.length;
      const t = model.elboTerms(batch, seed);

      // Direct evaluation, cluster by cluster, from the networks' outputs.
      const [logits, h] = model.networks.encoder.apply(batch) as tf.Tensor2D[];
      const qz = rows(tf.softmax(logits!));
      // The model draws all M*K*B samples at once, rows (s * K * B + k * B + i), with one seeded
      // noise tensor.
      const eps = rows(tf.randomNormal([mc * k * b, model.config.xDim], 0, 1, 'float32', seed));
      let recon = 0,
        cond = 0,
        zPrior = 0;
      for (let c = 0; c < k; c++) {
        const z = tf.oneHot(tf.fill([b], c, 'int32') as tf.Tensor1D, k).toFloat();
        const [mu, lv] = model.networks.posteriorNetwork!.apply([h!, z]) as tf.Tensor2D[];
        const [mz, lz] = model.networks.priorNetwork.apply(z) as tf.Tensor2D[];
        const muR = rows(mu!),
          lvR = rows(lv!),
          mzR = rows(mz!),
          lzR = rows(lz!);
        for (let s = 0; s < mc; s++) {
          const row = (i: number) => eps[s * k * b + c * b + i]!;
          const x = muR.map((m, i) => m.map((v, d) => v + Math.exp(0.5 * lvR[i]![d]!) * row(i)[d]!));
          const dec = model.decode(tf.tensor2d(x));
          const loc = rows(dec.location),
            lvY = rows(dec.logvar!);
          for (let i = 0; i < b; i++) recon += (qz[i]![c]! * logN(ys[i]!, loc[i]!, lvY[i]!)) / mc;
        }
        for (let i = 0; i < b; i++) cond += qz[i]![c]! * kl(muR[i]!, lvR[i]!, mzR[i]!, lzR[i]!);
      }
      for (let i = 0; i < b; i++) zPrior += qz[i]!.reduce((s, p) => s + p * Math.log(p * k), 0);
      close(scalar(t.reconstruction), recon / b);
      close(scalar(t.conditionalPrior), cond / b);
      close(scalar(t.zPrior), zPrior / b);
      close(scalar(t.elbo), (recon - cond - zPrior) / b);
      close(scalar(t.loss), -scalar(t.elbo));
      const qbar = qz[0]!.map((_, c) => qz.reduce((s, row) => s + row[c]!, 0) / b);
      close(
        scalar(t.balance!),
        qbar.reduce((s, p) => s + p * Math.log(p * k), 0),
      );
      const weighted = new Gmvae(config({ mcSamples: mc, balanceWeight: 2 }), { shape: [2] });
      const tw = weighted.elboTerms(batch, seed);
      close(scalar(tw.loss), -scalar(tw.elbo) + 2 * scalar(tw.balance!));
      weighted.dispose();
      assert.equal(t.wPrior, undefined, 'no w in this model');
      model.dispose();
    });

  test('clusters come from q(z|y); samples come from the cluster Gaussian p(x|z)', () => {
    const model = new Gmvae(config(), { shape: [2] });
    const batch = y();
    const [logits] = model.networks.encoder.apply(batch) as tf.Tensor2D[];
    const q = rows(tf.softmax(logits!));
    rows(tf.exp(model.clusterLogProbabilities(batch))).forEach((row, i) =>
      row.forEach((p, j) => close(p, q[i]![j]!, 1e-6)),
    );
    assert.equal(model.bayesClusterLogProbabilities(batch), null);
    assert.equal(model.latentMeans(batch).w, null);
    assert.deepEqual(model.latentMeans(batch).x.shape, [2, 2]);
    const a = rows(model.sampleFromComponent(0, 4, 5));
    const b = rows(model.sampleFromComponent(1, 4, 5));
    assert.equal(a.length, 4);
    assert.notDeepEqual(a, b, 'components generate differently');
    model.dispose();
  });
});
