/** The one line beside each run in the Compare screen's picker. */
import type { RunSummary } from '../../../src-main/common/api/contract.ts';
import { appliedValue, formatSetting } from '../../../src-main/common/settings.ts';

/**
 * Dataset, formulation, network, K, and λ where the formulation reads it (v2): what tells runs
 * apart when picking them, without a setting the run never used (λ of a v1 or Shu run).
 */
export function runBrief(run: Pick<RunSummary, 'dataset' | 'config'>): string {
  const { config } = run;
  const lambda = appliedValue('lambda', config);
  return [
    run.dataset,
    config.model,
    config.arch,
    `K ${config.k}`,
    ...(lambda === null ? [] : [`λ ${formatSetting('lambda', lambda)}`]),
  ].join(' · ');
}
