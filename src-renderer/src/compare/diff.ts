/** Hyperparameter table of the Compare screen. Pure, unit-tested. */
import type { GmvaeConfig } from '../../../src-main/common/config.ts';

export interface ParamRow {
  key: keyof GmvaeConfig | 'dataset' | 'backendUsed';
  values: (string | number | null)[];
  differs: boolean;
}

interface RunLike {
  dataset: string;
  backend: string | null;
  config: GmvaeConfig;
}

export function paramRows(runs: readonly RunLike[], keys: readonly (keyof GmvaeConfig)[]): ParamRow[] {
  const rows: ParamRow[] = [
    { key: 'dataset', values: runs.map((r) => r.dataset), differs: false },
    ...keys.map((key) => ({ key, values: runs.map((r) => r.config[key] ?? null), differs: false })),
    { key: 'backendUsed', values: runs.map((r) => r.backend), differs: false },
  ];
  for (const row of rows) row.differs = new Set(row.values.map((v) => JSON.stringify(v))).size > 1;
  return rows;
}

export function visibleRows(rows: readonly ParamRow[], differencesOnly: boolean): ParamRow[] {
  return differencesOnly ? rows.filter((r) => r.differs) : [...rows];
}
