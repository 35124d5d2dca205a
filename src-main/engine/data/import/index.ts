/**
 * Entry point of dataset import: detects the format of the given paths (a folder, or files by
 * magic bytes and then extension) and hands them to that format's importer. Every importer
 * returns a complete LoadedDataset; storing it is the store's job, not ours.
 */
import { open, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import type { LoadedDataset } from '../../../common/dataset.ts';
import { fileLabel, isGzip } from './common.ts';
import type { ImportContext, ImportOptions } from './common.ts';
import { importCsv } from './csv.ts';
import { DatasetImportError, throwIfAborted } from './errors.ts';
import { importIdx } from './idx.ts';
import { gunzipHead } from './limits.ts';
import { importImageFolder } from './images.ts';
import { looksLikeNpy, importNpy } from './npy.ts';

export type { ImportOptions } from './common.ts';
export { DatasetImportError } from './errors.ts';

export type DatasetFormat = 'idx' | 'npy' | 'csv' | 'images';

const SUPPORTED =
  'supported are IDX files (raw or .gz), .npy arrays, .csv/.tsv tables and folders of PNG/JPEG images';

/**
 * Imports a dataset from files or one folder.
 * Throws DatasetImportError (message starts with the file or folder) for anything wrong with
 * the input, RangeError for bad options, and an error named 'AbortError' when cancelled.
 */
export async function importDataset(given: string[], options: ImportOptions = {}): Promise<LoadedDataset> {
  const testFraction = options.testFraction ?? 0.2;
  const seed = options.seed ?? 0;
  if (!(testFraction >= 0 && testFraction < 1)) {
    throw new RangeError(`testFraction must be at least 0 and below 1, got ${testFraction}`);
  }
  if (!Number.isInteger(seed) || seed < 0) throw new RangeError(`seed must be an integer >= 0, got ${seed}`);
  throwIfAborted(options.signal);

  const paths = await idxFilesOfFolder(given);
  const format = await detectFormat(paths);
  const ctx: ImportContext = {
    name: options.name ?? defaultName(given[0]!),
    source: options.source ?? paths.map((p) => resolve(p)).join(', '),
    labelColumn: options.labelColumn,
    testFraction,
    seed,
    progress: monotonicProgress(options.onProgress),
    signal: options.signal,
  };
  switch (format) {
    case 'images':
      return importImageFolder(paths[0]!, ctx);
    case 'idx':
      return importIdx(paths, ctx);
    case 'npy':
      return importNpy(paths, ctx);
    case 'csv':
      return importCsv(paths, ctx);
  }
}

// IDX files are named by their content: train-images-idx3-ubyte.gz, t10k-labels.idx1-ubyte, ...
const IDX_NAME = /idx\d|\.idx|ubyte/i;

/**
 * A folder as MNIST and Fashion-MNIST are shipped (their IDX files side by side) stands for
 * those files; any other folder, or a list of files, is left as given.
 */
async function idxFilesOfFolder(paths: string[]): Promise<string[]> {
  if (paths.length !== 1) return paths;
  const folder = paths[0]!;
  if (!(await stat(folder).catch(() => null))?.isDirectory()) return paths;
  const entries = await readdir(folder, { withFileTypes: true });
  const idx = entries.filter((e) => e.isFile() && IDX_NAME.test(e.name)).map((e) => join(folder, e.name));
  return idx.length > 0 ? idx.sort() : paths;
}

/** Base name of the path without any extensions: data.csv -> data, x.idx3.gz -> x. */
export function defaultName(path: string): string {
  const base = fileLabel(path);
  return /^\.*[^.]*/.exec(base)?.[0] || base;
}

/** Progress that never goes backwards and stays in [0, 1], whatever the importer reports. */
function monotonicProgress(onProgress: ImportOptions['onProgress']): ImportContext['progress'] {
  let last = 0;
  return (fraction, message) => {
    last = Math.min(1, Math.max(last, fraction));
    onProgress?.(last, message);
  };
}

/** The format of the given paths; every file must be of the same one. */
export async function detectFormat(paths: readonly string[]): Promise<DatasetFormat> {
  if (paths.length === 0) throw new DatasetImportError('import', 'no files or folder given');
  const formats: DatasetFormat[] = [];
  for (const path of paths) {
    const st = await stat(path).catch(() => null);
    if (!st) throw new DatasetImportError(path, 'file not found');
    if (st.isDirectory()) {
      if (paths.length > 1) {
        throw new DatasetImportError(
          fileLabel(path),
          'a folder of images must be imported on its own, not together with other paths',
        );
      }
      return 'images';
    }
    if (st.size === 0) throw new DatasetImportError(fileLabel(path), 'file is empty');
    formats.push(await detectFileFormat(path));
  }
  const first = formats[0]!;
  const other = formats.findIndex((f) => f !== first);
  if (other >= 0) {
    throw new DatasetImportError(
      fileLabel(paths[other]!),
      `is ${formats[other]} but ${fileLabel(paths[0]!)} is ${first}; all files must have the same format`,
    );
  }
  return first;
}

async function readHead(path: string, bytes: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function detectFileFormat(path: string): Promise<Exclude<DatasetFormat, 'images'>> {
  const name = fileLabel(path);
  let head = await readHead(path, 64 * 1024);
  const gz = isGzip(head);
  if (gz) head = gunzipHead(head, name); // just the start: a bomb stays small
  if (head[0] === 0x89 && head[1] === 0x50 && head[2] === 0x4e && head[3] === 0x47) {
    throw new DatasetImportError(name, 'single image files cannot be imported; import a folder of images');
  }
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) {
    throw new DatasetImportError(name, 'single image files cannot be imported; import a folder of images');
  }
  const inner = name.toLowerCase().replace(/\.gz$/, '');
  // IDX has no magic beyond two zero bytes, which no other format starts with.
  if (head[0] === 0 && head[1] === 0) return 'idx';
  if (looksLikeNpy(head)) {
    if (gz) throw new DatasetImportError(name, 'gzipped .npy files are not supported; decompress it first');
    return 'npy';
  }
  if (/\.(csv|tsv|txt)$/.test(inner)) {
    if (gz) throw new DatasetImportError(name, 'gzipped CSV files are not supported; decompress it first');
    return 'csv';
  }
  // Named like an IDX file but with a damaged header: let readIdx say what is wrong.
  if (IDX_NAME.test(inner)) return 'idx';
  // Named .npy without NumPy's header: no list of formats (it would name .npy as supported).
  if (/\.npy$/.test(inner)) {
    throw new DatasetImportError(
      name,
      'not a NumPy .npy file: its header (\\x93NUMPY) is missing; save the array with numpy.save',
    );
  }
  if (/\.npz$/.test(inner)) {
    throw new DatasetImportError(name, '.npz archives are not supported; save each array with numpy.save');
  }
  throw new DatasetImportError(name, `unknown format; ${SUPPORTED}`);
}
