/**
 * The New run form's pure logic: one field per entry of the settings table
 * (common/settings.ts), checked as you type by the same rules resolveConfig applies (the back
 * end still validates). Unit-tested.
 */
import type { BackendStatus } from '../../../src-main/common/api/contract.ts';
import type { DatasetInfo } from '../../../src-main/common/dataset.ts';
import {
  datasetError,
  notApplicable,
  SETTINGS,
  valueError,
  type BackendChoice,
  type GmvaeConfig,
  type SettingGroup,
  type SettingKey,
  type SettingSpec,
} from '../../../src-main/common/settings.ts';

/** The form's sections, in order; every setting's group is one of them. */
export const FORM_GROUPS: readonly { id: SettingGroup; title: string }[] = [
  { id: 'model', title: 'Model' },
  { id: 'objective', title: 'Objective' },
  { id: 'training', title: 'Training' },
];

export function groupFields(group: SettingGroup): SettingSpec[] {
  return SETTINGS.filter((s) => s.group === group);
}

/** Form values are the raw text of each input. */
export type FormValues = Record<SettingKey, string>;

export function toForm(config: GmvaeConfig): FormValues {
  return Object.fromEntries(SETTINGS.map((f) => [f.key, String(config[f.key])])) as FormValues;
}

function parseNumber(text: string): number | null {
  const t = text.trim();
  if (t === '' || !/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return null;
  return Number(t);
}

/** The message for one field, or null when it is valid. */
export function fieldError(key: SettingKey, values: FormValues, info: DatasetInfo | null): string | null {
  const text = values[key];
  let value: string | number = text;
  if (SETTINGS.find((f) => f.key === key)!.kind !== 'choice') {
    const parsed = parseNumber(text);
    if (parsed === null) return 'enter a number';
    value = parsed;
  }
  return valueError(key, value) ?? (info ? datasetError(key, value, info) : null);
}

/**
 * Why a setting does not apply to the configuration the form holds (the form dims it), or
 * null when it does.
 */
export function fieldNotApplicable(key: SettingKey, values: FormValues): string | null {
  return notApplicable(key, {
    model: values.model as GmvaeConfig['model'],
    zPriorGradient: values.zPriorGradient as GmvaeConfig['zPriorGradient'],
  });
}

export function formErrors(
  values: FormValues,
  info: DatasetInfo | null,
): Partial<Record<SettingKey, string>> {
  const errors: Partial<Record<SettingKey, string>> = {};
  for (const f of SETTINGS) {
    const e = fieldError(f.key, values, info);
    if (e) errors[f.key] = e;
  }
  return errors;
}

export function fromForm(values: FormValues): GmvaeConfig {
  const out: Record<string, unknown> = {};
  for (const f of SETTINGS) out[f.key] = f.kind === 'choice' ? values[f.key] : Number(values[f.key].trim());
  return out as unknown as GmvaeConfig;
}

/** Only the settings that differ from the dataset's defaults (what NewRunRequest.overrides wants). */
export function overrides(config: GmvaeConfig, defaults: GmvaeConfig): Partial<GmvaeConfig> {
  const out: Record<string, unknown> = {};
  for (const f of SETTINGS) if (config[f.key] !== defaults[f.key]) out[f.key] = config[f.key];
  return out as Partial<GmvaeConfig>;
}

/**
 * The backend 'auto' would pick, as the back end does: the first available in the order the
 * back end lists them, passing over those that cannot train convolutions for conv runs.
 */
export function backendToUse(
  choice: BackendChoice,
  arch: string,
  backends: readonly BackendStatus[],
): { name: string | null; reason: string } {
  if (choice !== 'auto') {
    const b = backends.find((x) => x.name === choice);
    if (!b) return { name: choice, reason: 'requested' };
    return b.available
      ? { name: b.name, reason: b.detail }
      : { name: null, reason: `${b.name} is not available: ${b.detail}` };
  }
  for (const b of backends) {
    if (!b.available || !b.auto || (arch === 'conv' && !b.trainsConv)) continue;
    return { name: b.name, reason: b.detail };
  }
  return { name: null, reason: 'no backend is available' };
}
