/** The app's runs store, over the app's API client. */
import { client } from '../lib/api.svelte.ts';
import { RunsStore } from './runs-store.svelte.ts';

export const runs = new RunsStore(client);
