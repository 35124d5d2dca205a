/**
 * A list the back end owns, as a screen reads it: the items, whether the first load has
 * answered, and the last load's error. Runs and datasets both extend it.
 */
import { errorText } from './format.ts';

export class ListStore<T> {
  list = $state<T[]>([]);
  loaded = $state(false);
  error = $state<string | null>(null);

  readonly #load: () => Promise<T[]>;
  #loading: Promise<void> | null = null;
  #again: Promise<void> | null = null;

  constructor(load: () => Promise<T[]>) {
    this.#load = load;
  }

  /**
   * Fetches the list. A call while a fetch is in flight shares one more fetch after it, so a
   * change announced mid-fetch is never answered with the list from before it.
   */
  refresh(): Promise<void> {
    if (this.#loading) {
      this.#again ??= this.#loading.then(() => {
        this.#again = null;
        return this.refresh();
      });
      return this.#again;
    }
    this.#loading = (async () => {
      try {
        this.list = await this.#load();
        this.error = null;
      } catch (error) {
        this.error = errorText(error);
      } finally {
        this.loaded = true;
        this.#loading = null;
      }
    })();
    return this.#loading;
  }
}
