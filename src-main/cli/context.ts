/** What every command needs: the home folder and the store in it, opened once. */
import { resolveHome } from '../host/home.ts';
import { Store } from '../host/store/index.ts';

export interface GlobalOptions {
  home?: string;
  json?: boolean;
}

export async function withStore<T>(options: GlobalOptions, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await Store.open(resolveHome(options.home));
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}
