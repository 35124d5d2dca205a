/**
 * The assembled model: its forward pass wires the terms as the model page says (sampled x and
 * w, z summed out, w-prior analytic), the constraint removes exactly the z-prior gradient, and
 * the networks have the paper's shapes for both architectures.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { GmvaeConfig } from '../../../src-main/common/config.ts';
import { SYNTHETIC_PRESET } from '../../../src-main/common/config.ts';
import {
  conditionalPriorKl,
  gaussianLogLikelihood,
  wPriorKl,
  zPriorKl,
} from '../../../src-main/engine/model/elbo.ts';
import { Gmvae } from '../../../src-main/engine/model/gmvae.ts';
import { buildNetworks } from '../../../src-main/engine/model/networks.ts';
import { logPosteriorZ } from '../../../src-main/engine/model/posterior.ts';
import { tf } from '../../../src-main/engine/tf.ts';

before(async () => {
  await tf.setBackend('cpu');
});

const config = (overrides: Partial<GmvaeConfig> = {}): GmvaeConfig => ({
  ...SYNTHETIC_PRESET,
  k: 3,
  xDim: 2,
  wDim: 2,
  hidden: 8,
  seed: 11,
  backend: 'cpu',
  ...overrides,
});
const scalar = (t: tf.Tensor) => t.dataSync()[0]!;
const batch = () =>
  tf.tensor2d([
    [0.5, -1],
    [2, 0.3],
    [-1.5, 1],
    [0, 0],
  ]);

describe('Gmvae.elboTerms', () => {
  test('equals the terms recomputed from the same reparameterised samples', () => {
    const model = new Gmvae(config(), { shape: [2] });
    const y = batch();
    const seed = 1234;
    const t = model.elboTerms(y, seed);
    // Recompute by hand: x = mu_x + s_x eps, w = mu_w + s_w eps' with the same seeded noise.
    const q = model.encode(y);
    const x = tf.add(
      q.muX,
      tf.mul(tf.exp(tf.mul(0.5, q.logvarX)), tf.randomNormal(q.muX.shape, 0, 1, 'float32', seed)),
    ) as tf.Tensor2D;
    const w = tf.add(
      q.muW,
      tf.mul(tf.exp(tf.mul(0.5, q.logvarW)), tf.randomNormal(q.muW.shape, 0, 1, 'float32', seed + 1)),
    ) as tf.Tensor2D;
    const { muK, logvarK } = model.priorComponents(w);
    const logPz = logPosteriorZ(x, muK, logvarK);
    const dec = model.decode(x);
    const recon = scalar(tf.mean(gaussianLogLikelihood(y, dec.location, dec.logvar!)));
    const cond = scalar(
      tf.mean(conditionalPriorKl(q.muX, q.logvarX, muK, logvarK, tf.exp(logPz) as tf.Tensor2D)),
    );
    const wkl = scalar(tf.mean(wPriorKl(q.muW, q.logvarW)));
    const zkl = scalar(tf.mean(zPriorKl(logPz)));
    const near = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-4, `${a} vs ${b}`);
    near(scalar(t.reconstruction), recon);
    near(scalar(t.conditionalPrior), cond);
    near(scalar(t.wPrior!), wkl);
    near(scalar(t.zPrior), zkl);
    near(scalar(t.elbo), recon - cond - wkl - zkl);
    model.dispose();
  });

  test('the same seed gives the same terms; another seed other noise', () => {
    const model = new Gmvae(config(), { shape: [2] });
    const y = batch();
    assert.equal(scalar(model.elboTerms(y, 5).elbo), scalar(model.elboTerms(y, 5).elbo));
    assert.notEqual(scalar(model.elboTerms(y, 5).elbo), scalar(model.elboTerms(y, 6).elbo));
    model.dispose();
  });

  test('M Monte Carlo samples average over M draws (M = 1 with one seed is one of them)', () => {
    const model = new Gmvae(config({ mcSamples: 4 }), { shape: [2] });
    const y = batch();
    const m4 = model.elboTerms(y, 9);
    const w1 = scalar(model.elboTerms(y, 9, { mcSamples: 1 }).wPrior!);
    assert.ok(Math.abs(scalar(m4.wPrior!) - w1) < 1e-5, 'the w-prior is analytic: it does not depend on M');
    assert.ok(Number.isFinite(scalar(m4.elbo)));
    model.dispose();
  });

  test('the constraint removes the z-prior gradient exactly while KL < lambda, and only then', () => {
    const y = batch();
    const gradsOf = (lambda: number, objective: (t: ReturnType<Gmvae['elboTerms']>) => tf.Scalar) => {
      const model = new Gmvae(config({ lambda }), { shape: [2] });
      const { grads } = tf.variableGrads(() => objective(model.elboTerms(y, 3)), model.trainableVariables);
      const flat = Object.values(grads).map((g) => Array.from(g.dataSync()));
      model.dispose();
      return flat.flat();
    };
    const withoutZ = gradsOf(
      0,
      (t) => tf.neg(tf.sub(tf.sub(t.reconstruction, t.conditionalPrior), t.wPrior!)) as tf.Scalar,
    );
    const constrained = gradsOf(1e3, (t) => t.loss); // KL (at most log 3) is far below lambda
    const unconstrained = gradsOf(0, (t) => t.loss);
    const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
    assert.ok(maxDiff(constrained, withoutZ) < 1e-6, 'constrained loss = loss without the z-prior term');
    assert.ok(maxDiff(unconstrained, withoutZ) > 1e-7, 'lambda = 0 keeps the z-prior gradient');
  });
});

describe("the authors' gradient (zPriorGradient 'authors')", () => {
  for (const cvWeight of [1, 0.4]) {
    test(`same values; the conditional prior gradient through p(z|x,w) negated while KL > lambda, the z-prior's scaled by cvWeight ${cvWeight}`, () => {
      const y = batch();
      const seed = 21;
      const lambda = 1e-6; // the batch-mean z-prior KL is above it: the authors' branch is taken
      const gradsOf = (objective: (model: Gmvae) => tf.Scalar, cfg: Partial<GmvaeConfig>) => {
        const model = new Gmvae(config({ lambda, cvWeight, ...cfg }), { shape: [2] });
        const { value, grads } = tf.variableGrads(() => objective(model), model.trainableVariables);
        const flat = Object.values(grads).flatMap((g) => Array.from(g.dataSync()));
        const v = value.dataSync()[0]!;
        model.dispose();
        return { v, flat };
      };
      const authors = gradsOf((m) => m.elboTerms(y, seed).loss, { zPriorGradient: 'authors' });
      const exact = gradsOf((m) => m.elboTerms(y, seed).loss, { zPriorGradient: 'exact' });
      // Reference: the exact forward pass with p(z|x,w) in the conditional prior replaced by
      // (2 c - p), c a constant copy of p: same value, gradient through p negated; and the z-prior
      // KL replaced by cvWeight z + (1 - cvWeight) c', c' a constant copy of it: same value,
      // gradient times cvWeight.
      const reference = gradsOf((m) => {
        const q = m.encode(y);
        const noise = (t: tf.Tensor2D, s: number) => tf.randomNormal(t.shape, 0, 1, 'float32', s);
        const x = tf.add(q.muX, tf.mul(tf.exp(tf.mul(0.5, q.logvarX)), noise(q.muX, seed))) as tf.Tensor2D;
        const w = tf.add(
          q.muW,
          tf.mul(tf.exp(tf.mul(0.5, q.logvarW)), noise(q.muW, seed + 1)),
        ) as tf.Tensor2D;
        const { muK, logvarK } = m.priorComponents(w);
        const logPz = logPosteriorZ(x, muK, logvarK);
        const pz = tf.exp(logPz) as tf.Tensor2D;
        const frozen = tf.tensor2d(Array.from(pz.dataSync()), pz.shape);
        const weights = tf.sub(tf.mul(2, frozen), pz) as tf.Tensor2D;
        const dec = m.decode(x);
        const recon = tf.mean(gaussianLogLikelihood(y, dec.location, dec.logvar!));
        const cond = tf.mean(conditionalPriorKl(q.muX, q.logvarX, muK, logvarK, weights));
        const wkl = tf.mean(wPriorKl(q.muW, q.logvarW));
        const zkl = tf.mean(zPriorKl(logPz));
        const zklScaled = tf.add(tf.mul(cvWeight, zkl), tf.scalar((1 - cvWeight) * zkl.dataSync()[0]!));
        return tf.neg(tf.sub(tf.sub(tf.sub(recon, cond), wkl), zklScaled)) as tf.Scalar;
      }, {});
      assert.ok(Math.abs(authors.v - exact.v) < 1e-6, 'the values do not change');
      const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
      assert.ok(
        maxDiff(authors.flat, reference.flat) < 1e-5,
        'authors = exact with the p(z|x,w) path negated',
      );
      assert.ok(maxDiff(authors.flat, exact.flat) > 1e-6, 'and that differs from the exact gradient');
    });
  }

  test('no difference while the batch-mean KL is below lambda', () => {
    const y = batch();
    const grads = (zPriorGradient: 'exact' | 'authors') => {
      const model = new Gmvae(config({ lambda: 100, zPriorGradient }), { shape: [2] });
      const { grads } = tf.variableGrads(() => model.elboTerms(y, 4).loss, model.trainableVariables);
      const flat = Object.values(grads).flatMap((g) => Array.from(g.dataSync()));
      model.dispose();
      return flat;
    };
    assert.deepEqual(grads('authors'), grads('exact'));
  });
});

describe('networks', () => {
  test('the MLP: one q(x|y), one q(w|y); K components come from the prior network', () => {
    const model = new Gmvae(config({ k: 5, xDim: 3, wDim: 4 }), { shape: [2] });
    const y = batch();
    const q = model.encode(y);
    assert.deepEqual(q.muX.shape, [4, 3]);
    assert.deepEqual(q.muW.shape, [4, 4]);
    assert.deepEqual(model.networks.encoder.outputs.length, 4, 'four heads, none per cluster');
    const { muK, logvarK } = model.priorComponents(q.muW);
    assert.deepEqual(muK.shape, [4, 5, 3]);
    assert.deepEqual(logvarK.shape, [4, 5, 3]);
    const p = model.clusterLogProbabilities(y);
    assert.deepEqual(p.shape, [4, 5]);
    model.dispose();
  });

  test('the conv net maps 28x28 images to logits of the same size', () => {
    const cfg = config({ arch: 'conv', likelihood: 'bernoulli', k: 4, xDim: 6, wDim: 3, hidden: 16 });
    const model = new Gmvae(cfg, { shape: [28, 28, 1] });
    const y = tf.randomUniform([2, 784]) as tf.Tensor2D;
    const t = model.elboTerms(y, 1);
    assert.ok(Number.isFinite(scalar(t.elbo)));
    assert.deepEqual(model.decode(model.encode(y).muX).location.shape, [2, 784]);
    assert.deepEqual(model.sampleFromComponent(2, 3, 7).shape, [3, 784]);
    model.dispose();
  });

  test("a training pass normalises every batch-norm layer, the decoder's too, with the batch", () => {
    // Each layer's running mean moves off its initial zeros only when it saw a batch in training mode.
    const cfg = config({ arch: 'conv', likelihood: 'bernoulli', k: 4, xDim: 6, wDim: 3, hidden: 16 });
    const model = new Gmvae(cfg, { shape: [28, 28, 1] });
    const running = () =>
      [model.networks.encoder, model.networks.decoder].flatMap((net) =>
        net.layers
          .filter((l) => l.name.endsWith('_bn'))
          .map((l) => ({
            layer: l.name,
            moved:
              l.weights
                .find((w) => w.name.includes('moving_mean'))!
                .read()
                .abs()
                .sum()
                .dataSync()[0]! > 0,
          })),
      );
    assert.ok(running().every((r) => !r.moved));
    tf.tidy(() => {
      model.elboTerms(tf.randomUniform([3, 784]) as tf.Tensor2D, 1, { training: true });
    });
    const after = running();
    assert.ok(after.some((r) => r.layer.startsWith('dec_')));
    assert.deepEqual(
      after.filter((r) => !r.moved).map((r) => r.layer),
      [],
      'layers that were not in training mode',
    );
    model.dispose();
  });

  test("the conv net is the authors' ConvAE: 28 -> 23 -> 18 -> 9 -> 1 and back, batch norm after each conv", () => {
    const cfg = config({ arch: 'conv', likelihood: 'bernoulli', k: 4, xDim: 6, wDim: 3, hidden: 20 });
    const { encoder, decoder } = buildNetworks(cfg, { shape: [28, 28, 1] });
    const shapes = (m: typeof encoder, prefix: string) =>
      m.layers.filter((l) => /conv\d$/.test(l.name) && l.name.startsWith(prefix)).map((l) => l.outputShape);
    assert.deepEqual(shapes(encoder, 'enc'), [
      [null, 23, 23, 16],
      [null, 18, 18, 32],
      [null, 9, 9, 64],
      [null, 1, 1, 20],
    ]);
    assert.deepEqual(shapes(decoder, 'dec_deconv'), [
      [null, 9, 9, 64],
      [null, 18, 18, 32],
      [null, 23, 23, 16],
      [null, 28, 28, 1],
    ]);
    const normalised = (m: typeof encoder) =>
      m.layers.filter((l) => l.name.endsWith('_bn')).map((l) => l.name);
    assert.deepEqual(normalised(encoder), ['enc_conv1_bn', 'enc_conv2_bn', 'enc_conv3_bn', 'enc_conv4_bn']);
    assert.deepEqual(normalised(decoder), [
      'dec_hidden1_bn',
      'dec_deconv1_bn',
      'dec_deconv2_bn',
      'dec_deconv3_bn',
    ]);
    for (const m of [encoder, decoder]) m.dispose();
  });

  test('samples from a component: x ~ N(mu_k(w), s2_k(w)) decoded, with w drawn or held at 0', () => {
    const model = new Gmvae(config({ k: 3 }), { shape: [2] });
    const seed = 21;
    // The noise the method draws for x, replayed: with w = 0 only that noise varies.
    const expected = tf.tidy(() => {
      const { muK, logvarK } = model.priorComponents(tf.zeros([4, model.config.wDim]) as tf.Tensor2D);
      const mu = tf.squeeze(tf.slice(muK, [0, 1, 0], [4, 1, model.config.xDim]), [1]);
      const logvar = tf.squeeze(tf.slice(logvarK, [0, 1, 0], [4, 1, model.config.xDim]), [1]);
      const eps = tf.randomNormal(mu.shape, 0, 1, 'float32', seed + 1);
      return model
        .decodeMean(tf.add(mu, tf.mul(tf.exp(tf.mul(0.5, logvar)), eps)) as tf.Tensor2D)
        .arraySync();
    });
    assert.deepEqual(model.sampleFromComponent(1, 4, seed, 'zero').arraySync(), expected);
    assert.notDeepEqual(model.sampleFromComponent(1, 4, seed).arraySync(), expected);
    model.dispose();
  });

  test('the seed fixes the initial weights', () => {
    const a = new Gmvae(config(), { shape: [2] });
    const b = new Gmvae(config(), { shape: [2] });
    const c = new Gmvae(config({ seed: 12 }), { shape: [2] });
    const first = (m: Gmvae) => Array.from(m.trainableVariables[0]!.dataSync());
    assert.deepEqual(first(a), first(b));
    assert.notDeepEqual(first(a), first(c));
  });
});
