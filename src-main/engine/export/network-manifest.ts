/**
 * What an export says about its networks: for each saved layers model, its folder, input and
 * outputs, and the rule that assigns a cluster. These differ by formulation (docs/model.md).
 */
import type { GmvaeConfig } from '../../common/config.ts';
import type { Networks } from '../model/networks.ts';

export interface ExportedNetwork {
  /** Folder of the layers model (model.json + weights) inside the export. */
  folder: string;
  input: string;
  outputs: string[];
}

/** The networks of a run's formulation, in the order they are saved. */
export function exportedNetworks(config: GmvaeConfig): Partial<Record<keyof Networks, ExportedNetwork>> {
  const decoder: ExportedNetwork = {
    folder: 'decoder',
    input: 'x [B, Dx]',
    outputs: config.likelihood === 'bernoulli' ? ['logits [B, D]'] : ['mean [B, D]', 'logvar [B, D]'],
  };
  if (config.model === 'shu')
    return {
      encoder: { folder: 'encoder', input: 'y [B, D] flattened', outputs: ['qz_logits [B, K]', 'h [B, H]'] },
      posteriorNetwork: {
        folder: 'posterior-network',
        input: 'h [B, H] and one-hot z [B, K]',
        outputs: ['mu_x [B, Dx] of q(x|y,z)', 'logvar_x [B, Dx]'],
      },
      priorNetwork: {
        folder: 'prior-network',
        input: 'one-hot z [B, K]',
        outputs: ['mu_z [B, Dx] of p(x|z)', 'logvar_z [B, Dx]'],
      },
      decoder,
    };
  return {
    encoder: {
      folder: 'encoder',
      input: 'y [B, D] flattened',
      outputs: [
        'mu_x [B, Dx] of q(x|y)',
        'logvar_x [B, Dx] (natural log of the variance)',
        'mu_w [B, Dw] of q(w|y)',
        'logvar_w [B, Dw]',
        ...(config.model === 'v1' ? ['qz_logits [B, K]'] : []),
      ],
    },
    priorNetwork: {
      folder: 'prior-network',
      input: 'w [B, Dw]',
      outputs: ['mu_k [B, K*Dx] (reshape to [B, K, Dx])', 'logvar_k [B, K*Dx]'],
    },
    decoder,
  };
}

export function clusterRule(config: GmvaeConfig): string {
  return config.model === 'v2'
    ? 'cluster(y) = argmax_k log N(mu_x | mu_k(mu_w), exp(logvar_k(mu_w))): Bayes rule with a uniform p(z)'
    : 'cluster(y) = argmax_k qz_logits(y): the recognition network q(z|y)';
}
