/**
 * Exports offered to the browser in web mode. The server never writes an export where a page
 * says: each one is staged in a folder of this process's own under the home, zipped by the
 * engine, and served once at a random URL path (GET /download/ID). A staged export is removed
 * after a while, when more are staged, and when the server stops; what a crashed server left is
 * removed at the next start.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { WEB_ROUTES } from '../common/api/bridge.ts';
import type { ExportStaging } from '../host/workbench-service.ts';
import { createOwnedFolder, removeStaleFolders } from './scratch.ts';

export const DOWNLOADS_FOLDER = 'web-exports';
const PREFIX = 'serve-';
/** How long a finished export stays downloadable. */
export const DOWNLOAD_TTL_MS = 30 * 60 * 1000;
/** At most this many finished exports are kept; the oldest goes first. */
export const MAX_DOWNLOADS = 8;

const ID = /^[0-9a-f-]{36}$/;

interface Ready {
  path: string;
  name: string;
  bytes: number;
  timer: NodeJS.Timeout;
}

/** A run name as a file name anyone's disk accepts: letters, digits, '.', '-', '_'. */
export function safeFileName(name: string): string {
  const clean = name
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '')
    .slice(0, 80);
  return clean || 'run';
}

export class DownloadStore {
  readonly root: string;
  readonly #ready = new Map<string, Ready>();
  readonly #ttlMs: number;

  constructor(root: string, ttlMs = DOWNLOAD_TTL_MS) {
    this.root = root;
    this.#ttlMs = ttlMs;
  }

  /**
   * A store in `<home>/web-exports/`, after removing what servers that crashed left there.
   * Refuses a folder that resolves outside the home (a symlink planted in its place).
   */
  static inHome(home: string, ttlMs = DOWNLOAD_TTL_MS): DownloadStore {
    const parent = path.join(home, DOWNLOADS_FOLDER);
    fs.mkdirSync(parent, { recursive: true });
    // Checked before anything is removed or created in it.
    if (!fs.realpathSync(parent).startsWith(fs.realpathSync(home) + path.sep))
      throw new Error(`${parent} leads outside ${home}; remove it and start again`);
    removeStaleFolders(parent, PREFIX);
    return new DownloadStore(createOwnedFolder(parent, PREFIX), ttlMs);
  }

  /** A place for one export of `runName`: a new folder to write and the zip to make of it. */
  stage(runName: string, checkpoint: string): ExportStaging {
    const id = randomUUID();
    const dir = path.join(this.root, id);
    fs.mkdirSync(dir);
    const base = `${safeFileName(runName)}-${checkpoint}`;
    const archive = path.join(dir, `${base}.zip`);
    return {
      outDir: path.join(dir, base),
      archive,
      name: `${base}.zip`,
      download: `${WEB_ROUTES.download}/${id}`,
      finish: () => {
        fs.rmSync(path.join(dir, base), { recursive: true, force: true });
        this.#keep(id, archive, `${base}.zip`);
      },
      discard: () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }

  /** The zip behind a download id, or null (unknown, expired or removed). */
  file(id: string): { path: string; name: string; bytes: number } | null {
    if (!ID.test(id)) return null;
    const ready = this.#ready.get(id);
    if (!ready || !fs.existsSync(ready.path)) return null;
    return { path: ready.path, name: ready.name, bytes: ready.bytes };
  }

  dispose(): void {
    for (const ready of this.#ready.values()) clearTimeout(ready.timer);
    this.#ready.clear();
    fs.rmSync(this.root, { recursive: true, force: true });
  }

  #keep(id: string, file: string, name: string): void {
    const timer = setTimeout(() => this.#remove(id), this.#ttlMs);
    timer.unref();
    this.#ready.set(id, { path: file, name, bytes: fs.statSync(file).size, timer });
    while (this.#ready.size > MAX_DOWNLOADS) this.#remove(this.#ready.keys().next().value!);
  }

  #remove(id: string): void {
    const ready = this.#ready.get(id);
    if (!ready) return;
    clearTimeout(ready.timer);
    this.#ready.delete(id);
    fs.rmSync(path.dirname(ready.path), { recursive: true, force: true });
  }
}
