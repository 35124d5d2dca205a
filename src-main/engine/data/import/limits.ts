/**
 * How large an imported dataset may be, checked against what a file declares (an IDX or NPY
 * header, a PNG's width and height) before anything of that size is allocated or decompressed.
 *
 * Why: a few hundred kilobytes can declare gigabytes. A gzipped IDX of 255 KB declaring one
 * 16384x16384 image, or a 140 KB PNG of 12000x12000, made the importer allocate several GB
 * before anything could say no; a 1 MB gzip that inflates to 1 GiB did the same before its
 * length was found wrong. The limits are far above what the GMVAE can train (its first layer
 * has hidden x features weights) and still keep an import's memory to a few GB.
 */
import { constants as zlibConstants, gunzipSync } from 'node:zlib';

import { DatasetImportError } from './errors.ts';

/** Values in one example: a 1024x1024 gray image, or about 590x590 in colour. */
export const MAX_EXAMPLE_VALUES = 1 << 20;
/** Values in one dataset, both splits: 2 GiB as float32. */
export const MAX_DATASET_VALUES = 1 << 29;
/** Compressed bytes inflated to look at a gzipped file's header (at most ~1000x more come out). */
const HEAD_INPUT_BYTES = 4096;

/**
 * Refuses a declared size beyond the limits, or examples without a single value. `n` is the
 * number of examples, `dims` the shape of one ([] for a list of labels).
 */
export function checkDeclaredSize(file: string, n: number, dims: readonly number[]): void {
  const perExample = dims.reduce((a, b) => a * b, 1);
  const shape = dims.join('x');
  if (perExample === 0)
    throw new DatasetImportError(
      file,
      `examples have no values (each is ${shape}); there is nothing to learn from`,
    );
  if (perExample > MAX_EXAMPLE_VALUES)
    throw new DatasetImportError(
      file,
      `examples of ${shape} have ${perExample} values each; at most ${MAX_EXAMPLE_VALUES} are supported ` +
        '(a 1024x1024 gray image)',
    );
  if (n * perExample > MAX_DATASET_VALUES)
    throw new DatasetImportError(
      file,
      `${n} examples of ${perExample} values are ${n * perExample} values; at most ${MAX_DATASET_VALUES} ` +
        'are supported in one dataset',
    );
}

/**
 * The first bytes of a gzip stream, for reading a header: only the first HEAD_INPUT_BYTES of
 * compressed input are inflated, so a bomb yields a few MB at most.
 */
export function gunzipHead(bytes: Uint8Array, file: string): Uint8Array {
  try {
    // SYNC_FLUSH returns what it has instead of failing on the missing end of the stream.
    return gunzipSync(bytes.subarray(0, HEAD_INPUT_BYTES), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  } catch (err) {
    throw new DatasetImportError(file, `cannot decompress gzip data: ${(err as Error).message}`);
  }
}

/**
 * Inflates a whole gzip stream, or returns null as soon as it would exceed `maxBytes` (zlib
 * stops there: the excess is never held in memory).
 */
export function gunzipAtMost(bytes: Uint8Array, file: string, maxBytes: number): Uint8Array | null {
  try {
    return gunzipSync(bytes, { maxOutputLength: maxBytes });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return null;
    throw new DatasetImportError(file, `cannot decompress gzip data: ${(err as Error).message}`);
  }
}
