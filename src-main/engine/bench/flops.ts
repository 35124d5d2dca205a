/**
 * Floating-point work of one training step of the MLP GMVAE, counted from the configuration,
 * so `gmvae bench` can turn examples/s into achieved GFLOP/s.
 *
 * Only the matrix products are counted: they are nearly all of it. A Linear(i -> o) layer on
 * R rows costs 2*R*i*o FLOPs forward (a multiply and an add per weight and row), the same again
 * for its weight gradient, and the same again for the gradient of its input — except where the
 * input is the data y, whose gradient nobody asks for (the encoder's first layer). So training
 * costs 6*R*i*o per layer, minus 2*R*D*H for that first layer. Biases, batch norm, the
 * [B, K, Dx] Gaussian terms of p(z|x,w) and the Adam update are elementwise, O(R*(K*Dx + H)) and
 * O(parameters): about 1% of the products for the paper's MNIST model, and not counted.
 *
 * Rows: the encoder sees the B examples; the prior network and decoder see the M*B samples.
 */
import type { GmvaeConfig } from '../../common/config.ts';

/** Multiply-add counts (i*o) of each Linear layer, grouped by the rows they see. */
function linearLayers(config: GmvaeConfig, d: number) {
  const { hidden: h, xDim, wDim, k } = config;
  return {
    /** encoder: D -> H, H -> H, and the four heads mu_x, logvar_x, mu_w, logvar_w */
    encoder: [d * h, h * h, 2 * h * xDim, 2 * h * wDim],
    /** prior network: Dw -> H, then the mean and log-variance heads H -> K*Dx */
    prior: [wDim * h, 2 * h * k * xDim],
    /** decoder: Dx -> H, H -> H, H -> D (and H -> D for a Gaussian's log-variance) */
    decoder: [xDim * h, h * h, h * d * (config.likelihood === 'gaussian' ? 2 : 1)],
  };
}

/** FLOPs of one forward pass, per example. */
export function forwardFlopsPerExample(config: GmvaeConfig, d: number): number {
  if (config.arch !== 'mlp') throw new Error('FLOP counts are defined for the MLP architecture only');
  const layers = linearLayers(config, d);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return 2 * (sum(layers.encoder) + config.mcSamples * (sum(layers.prior) + sum(layers.decoder)));
}

/** FLOPs of one training step (forward, backward, no Adam), per example. */
export function trainingFlopsPerExample(config: GmvaeConfig, d: number): number {
  // Backward doubles the forward work, less the input gradient of the first encoder layer.
  return 3 * forwardFlopsPerExample(config, d) - 2 * d * config.hidden;
}
