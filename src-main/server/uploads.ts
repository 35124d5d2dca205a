/**
 * Files uploaded by a browser in web mode, kept per drop ("group") under a folder of their own
 * with their relative paths, so a dropped folder keeps its structure (sub-folder = label).
 *
 * Bounded: one file, and everything held at once, have a size limit, checked against the
 * declared length before a byte is written and again as bytes arrive. A file that does not
 * arrive whole (client gone, limit passed, disk full) is deleted at once, never kept.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Transform, finished, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createOwnedFolder, removeStaleFolders } from './scratch.ts';

export interface UploadLimits {
  /** Largest single file. */
  fileBytes: number;
  /** Most bytes held at once, all groups together (groups are released once imported). */
  totalBytes: number;
}

/** Datasets this workbench trains on fit well within these; `gmvae serve` uses them. */
export const DEFAULT_UPLOAD_LIMITS: UploadLimits = { fileBytes: 1024 ** 3, totalBytes: 4 * 1024 ** 3 };

export const UPLOAD_FOLDER_PREFIX = 'gmvae-uploads-';

/** An upload refused or failed; `status` is the HTTP status to answer with. */
export class UploadError extends Error {
  override name = 'UploadError';
  readonly status: number;

  constructor(message: string, status = 400) {
    super(message);
    this.status = status;
  }
}

const GROUP = /^[A-Za-z0-9-]{1,64}$/;

function size(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${+(bytes / 1024 ** 3).toFixed(1)} GiB`;
  if (bytes >= 1024 ** 2) return `${+(bytes / 1024 ** 2).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}

/** What went wrong while storing `relative`, in words for the person uploading. */
function failure(relative: string, error: unknown): UploadError {
  if (error instanceof UploadError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT')
    return new UploadError(`${relative}: the server's disk is full; nothing of this file was kept`, 507);
  if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ABORT_ERR')
    return new UploadError(`${relative}: the upload was interrupted; nothing of this file was kept`, 400);
  if (code === 'EEXIST') return new UploadError(`${relative}: uploaded twice in one drop`, 409);
  return new UploadError(`${relative}: could not be stored on the server (${code ?? 'error'})`, 500);
}

export interface UploadStoreOptions {
  limits?: Partial<UploadLimits>;
  /** Opens a new file for writing (tests put a failing disk here). */
  createWriteStream?: (file: string) => Writable;
}

export class UploadStore {
  readonly root: string;
  readonly limits: UploadLimits;
  readonly #open: (file: string) => Writable;
  /** Bytes on disk or being written, all groups together. */
  #held = 0;
  readonly #groupBytes = new Map<string, number>();

  constructor(root: string, options: UploadStoreOptions = {}) {
    this.root = root;
    this.limits = { ...DEFAULT_UPLOAD_LIMITS, ...options.limits };
    // 'r+': the file save() has just created, empty (never a link: see there).
    this.#open = options.createWriteStream ?? ((file) => fs.createWriteStream(file, { flags: 'r+' }));
    fs.mkdirSync(root, { recursive: true });
  }

  /**
   * A folder of this process's own in `tmpDir`; folders that crashed servers left there are
   * removed first.
   */
  static temporary(tmpDir: string, options: UploadStoreOptions = {}): UploadStore {
    removeStaleFolders(tmpDir, UPLOAD_FOLDER_PREFIX);
    return new UploadStore(createOwnedFolder(tmpDir, UPLOAD_FOLDER_PREFIX), options);
  }

  /**
   * Writes one uploaded file. `relative` must stay inside its group: no absolute paths, no
   * '..'. `declaredBytes` is the request's Content-Length, if it had one.
   */
  async save(group: string, relative: string, body: Readable, declaredBytes?: number): Promise<string> {
    if (!GROUP.test(group)) throw new UploadError(`bad upload group '${group}'`);
    const parts = relative.split(/[\\/]+/).filter((p) => p !== '' && p !== '.');
    if (parts.length === 0 || parts.some((p) => p === '..') || path.isAbsolute(relative))
      throw new UploadError(`bad upload path '${relative}'`);
    const { fileBytes, totalBytes } = this.limits;
    const tooLarge = () =>
      new UploadError(`${relative}: larger than the ${size(fileBytes)} limit for one uploaded file`, 413);
    const overTotal = () =>
      new UploadError(
        `${relative}: the server already holds ${size(this.#held)} of uploads, and at most ${size(totalBytes)} ` +
          'may wait for import at once; import or cancel earlier drops first',
        413,
      );
    if (declaredBytes !== undefined && declaredBytes > fileBytes) throw tooLarge();
    if (declaredBytes !== undefined && this.#held + declaredBytes > totalBytes) throw overTotal();

    const target = path.join(this.root, group, ...parts);
    let written = 0;
    let created = false;
    try {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      // The name is claimed first, 'wx': a new file only, never through a link or over a file
      // already there (the same path twice in a drop, or a concurrent upload of it). A refusal
      // here has created nothing, so the cleanup below cannot delete the other upload's file.
      fs.closeSync(fs.openSync(target, 'wx'));
      created = true;
      const out = this.#open(target);
      const held = () => this.#held;
      const limiter = new Transform({
        transform: (chunk: Buffer, _encoding, done) => {
          written += chunk.length;
          this.#held += chunk.length;
          if (written > fileBytes) done(tooLarge());
          else if (held() > totalBytes) done(overTotal());
          else done(null, chunk);
        },
      });
      // Not pipeline(body, ...): on an error it would destroy the request, and with it the
      // connection the refusal has to be sent on. A body that ends early fails the copy.
      body.pipe(limiter);
      finished(body, (error) => {
        if (error) limiter.destroy(error);
      });
      await pipeline(limiter, out);
      this.#groupBytes.set(group, (this.#groupBytes.get(group) ?? 0) + written);
      return target;
    } catch (error) {
      this.#held -= written;
      try {
        if (created) fs.rmSync(target, { force: true });
      } catch {
        // Reported below as the upload's failure; the folder goes with its group.
      }
      throw failure(relative, error);
    }
  }

  /** The dropped items of each group: its top-level files and folders, as absolute paths. */
  resolve(groups: string[]): string[] {
    return groups.flatMap((group) => {
      const dir = path.join(this.root, group);
      if (!GROUP.test(group) || !fs.existsSync(dir)) throw new UploadError(`no upload '${group}'`);
      return fs
        .readdirSync(dir)
        .sort()
        .map((entry) => path.join(dir, entry));
    });
  }

  /** Deletes groups once imported (or given up), so their bytes count no more. */
  release(groups: string[]): void {
    for (const group of groups) {
      if (!GROUP.test(group)) continue;
      fs.rmSync(path.join(this.root, group), { recursive: true, force: true });
      this.#held -= this.#groupBytes.get(group) ?? 0;
      this.#groupBytes.delete(group);
    }
  }

  /** Bytes held now (stored and being written). */
  get heldBytes(): number {
    return this.#held;
  }

  dispose(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}
