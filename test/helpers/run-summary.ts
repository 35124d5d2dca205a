/** A finished spiral run as the runs table receives it, for the interface's pure logic tests. */
import type { RunSummary } from '../../src-main/common/api/contract.ts';
import { defaultConfigFor } from '../../src-main/common/config.ts';
import type { DatasetInfo } from '../../src-main/common/dataset.ts';
import type { GmvaeConfig } from '../../src-main/common/settings.ts';

export const SPIRAL_INFO: DatasetInfo = {
  name: 'spiral',
  kind: 'table',
  shape: [2],
  nTrain: 10000,
  nTest: 2000,
  valueRange: [-4, 4],
  numClasses: 5,
  source: 'builtin',
  split: 'source',
};

/** Run `id`: the spiral's defaults changed by `config`, then the summary's fields by `patch`. */
export function runSummary(
  id: number,
  config: Partial<GmvaeConfig> = {},
  patch: Partial<RunSummary> = {},
): RunSummary {
  return {
    id,
    name: `run-${id}`,
    dataset: 'spiral',
    status: 'completed',
    config: { ...defaultConfigFor(SPIRAL_INFO), ...config },
    backend: 'cpu',
    device: null,
    seed: 1,
    epoch: 3,
    step: 150,
    createdAt: new Date(2026, 0, id).toISOString(),
    startedAt: null,
    finishedAt: null,
    updatedAt: new Date(2026, 0, 1).toISOString(),
    trainSeconds: 10,
    error: null,
    notes: '',
    tags: [],
    pid: null,
    sweepId: null,
    onCluster: false,
    metrics: {},
    bestCheckpoint: null,
    progress: null,
    pace: null,
    silentSeconds: null,
    ...patch,
  };
}
