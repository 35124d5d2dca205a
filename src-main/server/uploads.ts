/**
 * Files uploaded by a browser in web mode, kept per drop ("group") under a temporary folder
 * with their relative paths, so a dropped folder keeps its structure (sub-folder = label).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export class UploadError extends Error {
  override name = 'UploadError';
}

const GROUP = /^[A-Za-z0-9-]{1,64}$/;

export class UploadStore {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
    fs.mkdirSync(root, { recursive: true });
  }

  static temporary(tmpDir: string): UploadStore {
    return new UploadStore(path.join(tmpDir, `gmvae-uploads-${randomUUID()}`));
  }

  /** Writes one uploaded file. `relative` must stay inside its group: no absolute paths, no '..'. */
  async save(group: string, relative: string, body: Readable, maxBytes: number): Promise<string> {
    if (!GROUP.test(group)) throw new UploadError(`bad upload group '${group}'`);
    const parts = relative.split(/[\\/]+/).filter((p) => p !== '' && p !== '.');
    if (parts.length === 0 || parts.some((p) => p === '..') || path.isAbsolute(relative))
      throw new UploadError(`bad upload path '${relative}'`);
    const target = path.join(this.root, group, ...parts);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    let bytes = 0;
    body.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBytes) body.destroy(new UploadError(`${relative}: larger than ${maxBytes} bytes`));
    });
    await pipeline(body, fs.createWriteStream(target));
    return target;
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

  dispose(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}
