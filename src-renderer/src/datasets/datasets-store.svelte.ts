/**
 * Datasets and imports: the list, and each import from the moment of the drop (upload in web
 * mode) through the back end's import-progress and import-finished events. The client and the
 * way files reach the back end are passed in (datasets.svelte.ts passes the app's), so tests
 * drive it over a fake transport.
 */
import type { ApiClient } from '../../../src-main/common/api/client.ts';
import type { DatasetSummary } from '../../../src-main/common/api/contract.ts';
import { errorText } from '../lib/format.ts';
import { ListStore } from '../lib/list-store.svelte.ts';

export interface ImportItem {
  /** Local id (before the back end gives a job id). */
  key: number;
  job: string | null;
  label: string;
  phase: 'uploading' | 'importing' | 'done' | 'failed' | 'cancelled';
  /** Cancel was asked for; the import ends cancelled (or, if it was about to, imported). */
  cancelling: boolean;
  fraction: number;
  message: string;
  error: string | null;
  dataset: string | null;
}

export interface ImportOptions {
  name?: string;
  labelColumn?: string;
}

/**
 * How the files of a drop reach the back end (datasets.svelte.ts gives the app's, from
 * lib/uploads.ts). Electron: the preload bridge gives their paths, which the back end reads.
 * Web mode: they are read from the drop, then uploaded as one group, which the back end imports.
 */
export type DropFiles<Drop> =
  | { kind: 'paths'; paths(drop: Drop): Promise<string[]> }
  | {
      kind: 'upload';
      /** The drop's files by path within it, and how to upload them (the upload group's id). */
      read(drop: Drop): Promise<{
        names: string[];
        upload(onProgress: (fraction: number, message: string) => void, signal: AbortSignal): Promise<string>;
      }>;
    };

export interface DatasetsStoreDeps<Drop> {
  client: ApiClient;
  files: DropFiles<Drop>;
}

export class DatasetsStore<Drop> extends ListStore<DatasetSummary> {
  imports = $state<ImportItem[]>([]);
  /** Set when an import finishes, so the Datasets screen can select it. */
  lastImported = $state<string | null>(null);
  /** Name and label column for the next drop (the Datasets screen's import options). */
  nextOptions = $state<{ name: string; labelColumn: string }>({ name: '', labelColumn: '' });

  readonly #api: ApiClient['api'];
  readonly #files: DropFiles<Drop>;
  #nextKey = 1;
  #aborts = new Map<number, AbortController>();
  /** import-finished events that arrived before importDataset answered with the job id. */
  #early = new Map<string, { dataset: string | null; error: string | null }>();

  constructor({ client, files }: DatasetsStoreDeps<Drop>) {
    super(() => client.api.listDatasets());
    this.#api = client.api;
    this.#files = files;
    client.onEvent((event) => {
      if (event.type === 'datasets-changed') void this.refresh();
      else if (event.type === 'import-progress') {
        const item = this.imports.find((i) => i.job === event.job);
        if (item && item.phase === 'importing') {
          item.fraction = event.fraction;
          if (!item.cancelling) item.message = event.message;
        }
      } else if (event.type === 'import-finished') {
        const item = this.imports.find((i) => i.job === event.job);
        if (item) this.#finish(item, event.dataset, event.error);
        else this.#early.set(event.job, { dataset: event.dataset, error: event.error });
        void this.refresh();
      }
    });
  }

  /** Imports a drop (or files chosen with a file input). */
  async importDrop(drop: Drop, options: ImportOptions = { ...this.nextOptions }): Promise<void> {
    this.nextOptions = { name: '', labelColumn: '' };
    const key = this.#nextKey++;
    this.imports.unshift({
      key,
      job: null,
      label: 'Reading the drop…',
      phase: 'uploading',
      cancelling: false,
      fraction: 0,
      message: this.#files.kind === 'paths' ? 'Preparing' : 'Reading files',
      error: null,
      dataset: null,
    });
    const item = this.imports.find((i) => i.key === key)!;
    const request = {
      ...(options.name?.trim() ? { name: options.name.trim() } : {}),
      ...(options.labelColumn?.trim() ? { labelColumn: options.labelColumn.trim() } : {}),
    };
    try {
      if (this.#files.kind === 'paths') {
        const paths = await this.#files.paths(drop);
        if (paths.length === 0) throw new Error('nothing to import: the drop held no files');
        item.label = describe(paths.map((p) => p.split(/[\\/]/).pop() ?? p));
        item.phase = 'importing';
        item.message = 'Starting';
        const { job } = await this.#api.importDataset({ paths, ...request });
        this.#started(item, job);
      } else {
        const { names, upload } = await this.#files.read(drop);
        if (names.length === 0) throw new Error('nothing to import: the drop held no files (empty folder?)');
        item.label = describe(names);
        const abort = new AbortController();
        this.#aborts.set(key, abort);
        const group = await upload((fraction, message) => {
          item.fraction = fraction;
          item.message = message;
        }, abort.signal);
        this.#aborts.delete(key);
        // Cancelled as the last byte went: the uploaded drop will not be imported.
        if (item.phase === 'cancelled') return void this.#api.discardUpload(group).catch(() => {});
        item.phase = 'importing';
        item.fraction = 0;
        item.message = 'Starting';
        const { job } = await this.#api.importDataset({ uploads: [group], ...request });
        this.#started(item, job);
      }
    } catch (error) {
      if (item.phase === 'cancelled') return;
      item.phase = 'failed';
      item.error = errorText(error);
    }
  }

  async cancel(item: ImportItem): Promise<void> {
    if (item.phase === 'uploading') {
      item.phase = 'cancelled';
      item.message = 'Cancelled';
      this.#aborts.get(item.key)?.abort();
      return;
    }
    if (item.phase !== 'importing' || !item.job || item.cancelling) return;
    item.cancelling = true;
    item.message = 'Cancelling…';
    try {
      await this.#api.cancelImport(item.job);
    } catch (error) {
      item.phase = 'failed';
      item.error = errorText(error);
    }
  }

  dismiss(item: ImportItem): void {
    this.imports = this.imports.filter((i) => i.key !== item.key);
  }

  #started(item: ImportItem, job: string): void {
    item.job = job;
    const early = this.#early.get(job);
    if (early) {
      this.#early.delete(job);
      this.#finish(item, early.dataset, early.error);
    }
  }

  #finish(item: ImportItem, dataset: string | null, error: string | null): void {
    if (error) {
      const cancelled = /cancel/i.test(error);
      item.phase = cancelled ? 'cancelled' : 'failed';
      item.error = cancelled ? null : error;
      item.message = cancelled ? 'Cancelled' : 'Failed';
    } else {
      item.phase = 'done';
      item.fraction = 1;
      item.dataset = dataset;
      item.message = dataset ? `Imported as ${dataset}` : 'Imported';
      this.lastImported = dataset;
    }
  }
}

function describe(paths: string[]): string {
  const roots = [...new Set(paths.map((p) => p.split('/')[0]!))];
  if (roots.length === 1) return paths.length === 1 ? roots[0]! : `${roots[0]} (${paths.length} files)`;
  return `${roots.slice(0, 3).join(', ')}${roots.length > 3 ? ` and ${roots.length - 3} more` : ''} (${paths.length} files)`;
}
