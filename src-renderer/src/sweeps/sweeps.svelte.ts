/** The app's sweeps store, over the app's API client. */
import { client } from '../lib/api.svelte.ts';
import { SweepsStore } from './sweeps-store.svelte.ts';

export const sweeps = new SweepsStore(client);
