/** Hyperparameter table of the Compare screen. Pure, unit-tested. */
import {
  formatSetting,
  isSettingKey,
  appliedValue,
  setting,
  SETTING_KEYS,
  type GmvaeConfig,
  type SettingKey,
} from '../../../src-main/common/settings.ts';

export interface ParamRow {
  key: SettingKey | 'dataset' | 'backendUsed';
  /** What the row is called: the setting's label from the settings table. */
  label: string;
  values: (string | number | null)[];
  differs: boolean;
}

interface RunLike {
  dataset: string;
  backend: string | null;
  config: GmvaeConfig;
}

export function paramRows(runs: readonly RunLike[], keys: readonly SettingKey[] = SETTING_KEYS): ParamRow[] {
  const rows: ParamRow[] = [
    { key: 'dataset', label: 'Dataset', values: runs.map((r) => r.dataset), differs: false },
    ...keys.map((key) => ({
      key,
      label: setting(key).label,
      values: runs.map((r) => appliedValue(key, r.config)),
      differs: false,
    })),
    { key: 'backendUsed', label: 'Backend used', values: runs.map((r) => r.backend), differs: false },
  ];
  for (const row of rows) row.differs = new Set(row.values.map((v) => JSON.stringify(v))).size > 1;
  return rows;
}

export function visibleRows(rows: readonly ParamRow[], differencesOnly: boolean): ParamRow[] {
  return differencesOnly ? rows.filter((r) => r.differs) : [...rows];
}

/** A cell as the settings table writes the value (learning rates as 1e-4); missing as '—'. */
export function cellText(row: ParamRow, value: string | number | null): string {
  if (isSettingKey(row.key)) return formatSetting(row.key, value);
  return value === null ? '—' : String(value);
}
