/**
 * The app's datasets store, over the app's API client: dropped files reach the back end as
 * paths through Electron's preload bridge, or uploaded in web mode (lib/uploads.ts).
 */
import { bridge, client, webToken } from '../lib/api.svelte.ts';
import { listDropped, uploadGroup, type DropSnapshot } from '../lib/uploads.ts';
import { DatasetsStore, type DropFiles } from './datasets-store.svelte.ts';

const preload = bridge;
const files: DropFiles<DropSnapshot> = preload
  ? { kind: 'paths', paths: (drop) => preload.pathsForFiles(drop.files) }
  : {
      kind: 'upload',
      read: async (drop) => {
        const dropped = await listDropped(drop);
        return {
          names: dropped.map((f) => f.path),
          upload: (onProgress, signal) =>
            uploadGroup(dropped, webToken(), onProgress, signal, (group) => client.api.discardUpload(group)),
        };
      },
    };

export const datasets = new DatasetsStore({ client, files });
