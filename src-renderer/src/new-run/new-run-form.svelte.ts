/**
 * The New run form's state: the dataset and where the settings start from (the dataset's
 * defaults, a preset or an earlier run), the settings as typed, what is invalid or does not
 * apply, and starting the run. NewRunScreen only lays it out; the API and the runs and datasets
 * lists are passed in, so tests drive it over a fake transport.
 */
import type {
  BackendStatus,
  DatasetSummary,
  Presets,
  RunSummary,
  WorkbenchApi,
} from '../../../src-main/common/api/contract.ts';
import type { RunRecord } from '../../../src-main/common/run.ts';
import {
  formatSetting,
  SETTINGS,
  type GmvaeConfig,
  type SettingKey,
} from '../../../src-main/common/settings.ts';
import { errorText } from '../lib/format.ts';
import type { ListStore } from '../lib/list-store.svelte.ts';
import {
  backendToUse,
  fieldNotApplicable,
  formErrors,
  fromForm,
  overrides,
  toForm,
  type FormValues,
} from './fields.ts';

export interface NewRunFormDeps {
  api: WorkbenchApi;
  datasets: ListStore<DatasetSummary>;
  runs: ListStore<RunSummary> & { refreshSoon(ms?: number): void };
}

export class NewRunForm {
  readonly #deps: NewRunFormDeps;

  dataset = $state('');
  presets = $state<Presets | null>(null);
  /** What the back end found (an engine process probes them); null until it answers. */
  backends = $state<BackendStatus[] | null>(null);
  /** Why the backends could not be listed. */
  backendsError = $state<string | null>(null);
  /** The text of every setting's input; null until the form has something to show. */
  values = $state<FormValues | null>(null);
  /** 'defaults', 'preset:<index>' or 'run:<id>'. */
  startFrom = $state('defaults');
  name = $state('');
  touched = $state<Partial<Record<SettingKey, boolean>>>({});
  submitted = $state(false);
  busy = $state(false);
  /** Why the back end refused to start the run. */
  error = $state<string | null>(null);
  /** Why the form could not be prepared. */
  loadError = $state<string | null>(null);

  // $derived.by: the functions run when first read, after the constructor has set #deps.
  readonly info = $derived.by(() => this.#deps.datasets.list.find((d) => d.name === this.dataset) ?? null);
  readonly errors = $derived(this.values ? formErrors(this.values, this.info) : {});
  readonly errorCount = $derived(Object.keys(this.errors).length);
  readonly earlierRuns = $derived.by(() => this.#deps.runs.list.filter((r) => r.dataset === this.dataset));
  readonly backend = $derived(
    this.values && this.backends
      ? backendToUse(this.values.backend as GmvaeConfig['backend'], this.values.arch, this.backends)
      : null,
  );

  constructor(deps: NewRunFormDeps) {
    this.#deps = deps;
  }

  /**
   * Fills the form: from an earlier run (duplicate), else the requested or first dataset; with
   * `epochs` in place of the dataset's default when given.
   */
  async load(from: number | null, dataset: string | null, epochs: number | null = null): Promise<void> {
    const { api, datasets } = this.#deps;
    api
      .backends()
      .then((b) => (this.backends = b))
      .catch((err: unknown) => (this.backendsError = errorText(err)));
    try {
      if (from !== null) {
        const run = await api.getRun(from);
        await this.#loadPresets(run.dataset);
        this.values = toForm(run.config);
        this.startFrom = `run:${run.id}`;
        this.name = `${run.name}-copy`;
        return;
      }
      if (!datasets.loaded) await datasets.refresh();
      const first =
        dataset ?? (datasets.list.some((d) => d.name === 'spiral') ? 'spiral' : datasets.list[0]?.name);
      if (first) await this.selectDataset(first);
      if (epochs !== null && this.values) this.values = { ...this.values, epochs: String(epochs) };
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  async selectDataset(name: string): Promise<void> {
    try {
      await this.#loadPresets(name);
      this.values = toForm(this.presets!.defaults);
      this.startFrom = 'defaults';
      this.touched = {};
      this.loadError = null;
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  /** Replaces every setting with the chosen starting point's. */
  async applyStart(choice: string): Promise<void> {
    this.startFrom = choice;
    if (!this.presets) return;
    let config: GmvaeConfig | null = null;
    if (choice === 'defaults') config = this.presets.defaults;
    else if (choice.startsWith('preset:'))
      config = this.presets.presets[Number(choice.slice(7))]?.config ?? null;
    else if (choice.startsWith('run:')) {
      const id = Number(choice.slice(4));
      config =
        this.#deps.runs.list.find((r) => r.id === id)?.config ?? (await this.#deps.api.getRun(id)).config;
    }
    if (config) this.values = toForm(config);
  }

  /** The message to show under a field: once it was edited, or after a try to start. */
  shownError(key: SettingKey): string | null {
    return this.touched[key] || this.submitted ? (this.errors[key] ?? null) : null;
  }

  /** Whether a field differs from the dataset's default. */
  changed(key: SettingKey): boolean {
    return (
      this.presets !== null && this.values !== null && this.values[key] !== String(this.presets.defaults[key])
    );
  }

  /** Why a setting does not apply to the formulation chosen (the field is dimmed), or null. */
  notApplicable(key: SettingKey): string | null {
    return this.values ? fieldNotApplicable(key, this.values) : null;
  }

  /** The dataset's default, written as the setting is written (learning rates as 1e-4). */
  defaultText(key: SettingKey): string {
    const value = this.presets?.defaults[key];
    return value === undefined ? '' : formatSetting(key, value);
  }

  /** The first field, in the form's order, that needs fixing. */
  firstInvalid(): SettingKey | null {
    return SETTINGS.find((s) => this.errors[s.key])?.key ?? null;
  }

  /**
   * Starts the run: with only the settings that differ from the dataset's defaults, so the
   * stored run reads as "defaults plus these". Null when a field is invalid or the back end
   * refused (then `error` says why).
   */
  async submit(): Promise<RunRecord | null> {
    this.submitted = true;
    if (!this.values || !this.presets || this.errorCount > 0) return null;
    this.busy = true;
    this.error = null;
    try {
      const record = await this.#deps.api.createRun({
        dataset: this.dataset,
        ...(this.name.trim() ? { name: this.name.trim() } : {}),
        overrides: overrides(fromForm(this.values), this.presets.defaults),
      });
      this.#deps.runs.refreshSoon(50);
      return record;
    } catch (err) {
      this.error = errorText(err);
      return null;
    } finally {
      this.busy = false;
    }
  }

  async #loadPresets(name: string): Promise<void> {
    this.dataset = name;
    this.presets = await this.#deps.api.presets(name);
  }
}
