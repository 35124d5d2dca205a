/**
 * IDX files (the format MNIST and its relatives are distributed in), raw or gzipped.
 *
 * Layout (http://yann.lecun.com/exdb/mnist/): two zero bytes, a dtype byte, the number of
 * dimensions, then one big-endian uint32 per dimension, then the values, big-endian, C order.
 * An import is an images file ([n, h, w] or [n, h, w, c]) with an optional labels file ([n]);
 * with MNIST naming (train-* and t10k-* or test-*) the files' own train/test split is used.
 */
import type { LoadedDataset } from '../../../common/dataset.ts';
import {
  fileLabel,
  finishDataset,
  groupByRole,
  isGzip,
  layoutFor,
  readInputFile,
  yieldToEventLoop,
} from './common.ts';
import type { ExamplesPart, ImportContext, Layout } from './common.ts';
import { DatasetImportError, throwIfAborted } from './errors.ts';
import { checkDeclaredSize, gunzipAtMost, gunzipHead } from './limits.ts';

export type IdxDType = 'ubyte' | 'sbyte' | 'short' | 'int' | 'float' | 'double';
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  dtype: IdxDType;
  /** All dimensions, the first being the number of items. */
  dims: number[];
  /** prod(dims) values in C order, converted to the machine's byte order. */
  data: IdxData;
}

const DTYPES = new Map<number, { name: IdxDType; size: number }>([
  [0x08, { name: 'ubyte', size: 1 }],
  [0x09, { name: 'sbyte', size: 1 }],
  [0x0b, { name: 'short', size: 2 }],
  [0x0c, { name: 'int', size: 4 }],
  [0x0d, { name: 'float', size: 4 }],
  [0x0e, { name: 'double', size: 8 }],
]);

/** What the header describes, in words, for error messages ("60000 images of 28x28"). */
function describe(dims: readonly number[], dtype: IdxDType): string {
  const [n, a, b, c] = dims;
  let what: string;
  if (dims.length === 1) what = `${n} labels`;
  else if (dims.length === 2) what = `${n} rows of ${a} values`;
  else if (dims.length === 3) what = `${n} images of ${a}x${b}`;
  else if (dims.length === 4) what = `${n} images of ${a}x${b}x${c}`;
  else what = `an array of ${dims.join('x')}`;
  return dtype === 'ubyte' ? what : `${what} as ${dtype}`;
}

/**
 * Parses one IDX file (gzipped or not) and checks it: magic, dtype, the declared size against
 * the import limits (before decompressing or allocating it), and that the length is exactly
 * header + prod(dims) * size, so truncated downloads and wrong files are caught here.
 */
export function readIdx(buffer: Uint8Array, fileName: string): IdxArray {
  const gz = isGzip(buffer);
  // A gzipped file's header is read from the start of the stream; the whole stream is inflated
  // only once its declared size has passed the limits, and never beyond that size.
  const head = gz ? gunzipHead(buffer, fileName) : buffer;
  const after = gz ? ' after decompressing' : '';
  if (gz && head.length === 0) throw new DatasetImportError(fileName, 'file is empty (after decompressing)');
  if (head.length < 4)
    throw new DatasetImportError(fileName, `not an IDX file: too short (${head.length} bytes${after})`);
  if (head[0] !== 0 || head[1] !== 0) {
    const hex = (v: number) => `0x${v.toString(16).padStart(2, '0')}`;
    throw new DatasetImportError(
      fileName,
      `not an IDX file: it must start with two zero bytes, found ${hex(head[0]!)} ${hex(head[1]!)}`,
    );
  }
  const type = DTYPES.get(head[2]!);
  if (!type) {
    throw new DatasetImportError(
      fileName,
      `unknown IDX data type 0x${head[2]!.toString(16).padStart(2, '0')} ` +
        '(expected 0x08 ubyte, 0x09 sbyte, 0x0b short, 0x0c int, 0x0d float or 0x0e double)',
    );
  }
  const ndims = head[3]!;
  if (ndims === 0) throw new DatasetImportError(fileName, 'IDX header has 0 dimensions');
  const headerSize = 4 + 4 * ndims;
  if (head.length < headerSize) {
    throw new DatasetImportError(
      fileName,
      `file is truncated: the header of ${ndims} dimensions needs ${headerSize} bytes but ` +
        `the file has ${head.length} bytes${after}`,
    );
  }
  const headView = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const dims: number[] = [];
  for (let d = 0; d < ndims; d++) dims.push(headView.getUint32(4 + 4 * d, false));
  checkDeclaredSize(fileName, dims[0]!, dims.slice(1));
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = headerSize + count * type.size;
  const says = `header says ${describe(dims, type.name)} (${expected} bytes)`;
  const bytes = gz ? gunzipAtMost(buffer, fileName, expected + 1) : buffer;
  if (bytes === null)
    throw new DatasetImportError(fileName, `file is too long: ${says} but it decompresses to more`);
  if (bytes.length !== expected) {
    const problem = bytes.length < expected ? 'file is truncated' : 'file is too long';
    throw new DatasetImportError(
      fileName,
      `${problem}: ${says} but the file has ${bytes.length} bytes${after}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { dtype: type.name, dims, data: decodeValues(bytes, view, headerSize, count, type.name) };
}

function decodeValues(
  bytes: Uint8Array,
  view: DataView,
  offset: number,
  count: number,
  dtype: IdxDType,
): IdxData {
  // Single bytes need no conversion: return views, which keeps the 47 MB of MNIST uncopied.
  if (dtype === 'ubyte') return bytes.subarray(offset, offset + count);
  if (dtype === 'sbyte') return new Int8Array(bytes.buffer, bytes.byteOffset + offset, count);
  // Multi-byte values are big-endian; DataView reads them whatever the machine's order.
  if (dtype === 'short') {
    const out = new Int16Array(count);
    for (let i = 0; i < count; i++) out[i] = view.getInt16(offset + 2 * i, false);
    return out;
  }
  if (dtype === 'int') {
    const out = new Int32Array(count);
    for (let i = 0; i < count; i++) out[i] = view.getInt32(offset + 4 * i, false);
    return out;
  }
  if (dtype === 'float') {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, false);
    return out;
  }
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, false);
  return out;
}

interface IdxFile {
  path: string;
  file: string;
  array: IdxArray;
}

/** Reads and imports IDX files; see the module comment for which combinations are accepted. */
export async function importIdx(paths: readonly string[], ctx: ImportContext): Promise<LoadedDataset> {
  const files: IdxFile[] = [];
  for (const [i, path] of paths.entries()) {
    throwIfAborted(ctx.signal);
    const file = fileLabel(path);
    ctx.progress((0.8 * i) / paths.length, `reading ${file}`);
    const array = readIdx(await readInputFile(path), file);
    files.push({ path, file, array });
    await yieldToEventLoop();
  }
  throwIfAborted(ctx.signal);
  ctx.progress(0.8, 'converting');

  const roles = groupByRole(paths);
  let dataset: LoadedDataset;
  if (roles) {
    const byPath = (p: string) => files.find((f) => f.path === p)!;
    const trainPair = pairFiles(roles.train.map(byPath), ' among the train files');
    const testPair = pairFiles(roles.test.map(byPath), ' among the test files');
    const trainDims = trainPair.data.array.dims.slice(1);
    const testDims = testPair.data.array.dims.slice(1);
    if (trainDims.join('x') !== testDims.join('x')) {
      throw new DatasetImportError(
        testPair.data.file,
        `examples are ${testDims.join('x')} but in ${trainPair.data.file} they are ${trainDims.join('x')}`,
      );
    }
    const train = toPart(trainPair);
    const test = toPart(testPair);
    dataset = finishDataset(ctx, layoutOf(train, test), train.part, test.part);
  } else {
    const pair = pairFiles(files, '');
    const only = toPart(pair);
    dataset = finishDataset(ctx, layoutOf(only), only.part);
  }
  ctx.progress(1, 'done');
  return dataset;
}

/** One data file and its optional labels file (the only 1-D file of the group). */
function pairFiles(group: IdxFile[], where: string): { data: IdxFile; labels: IdxFile | null } {
  const data = group.filter((f) => f.array.dims.length >= 2);
  const labels = group.filter((f) => f.array.dims.length === 1);
  const first = group[0]!.file;
  if (data.length === 0) {
    throw new DatasetImportError(first, `no images file${where}: every file is one-dimensional (labels)`);
  }
  if (data.length > 1 || labels.length > 1) {
    const names = (fs: IdxFile[]) => fs.map((f) => f.file).join(', ') || 'none';
    throw new DatasetImportError(
      first,
      `cannot tell which files belong together${where}: expected one images file and at most one ` +
        `labels file, got images files: ${names(data)}; labels files: ${names(labels)}`,
    );
  }
  const pair = { data: data[0]!, labels: labels[0] ?? null };
  if (pair.labels && pair.labels.array.dims[0] !== pair.data.array.dims[0]) {
    throw new DatasetImportError(
      pair.labels.file,
      `has ${pair.labels.array.dims[0]} labels but ${pair.data.file} has ${pair.data.array.dims[0]} examples`,
    );
  }
  return pair;
}

interface ConvertedPart {
  part: ExamplesPart;
  dims: number[];
  /** Bytes scaled to [0, 1]: an image whatever the values. */
  scaled: boolean;
}

function toPart(pair: { data: IdxFile; labels: IdxFile | null }): ConvertedPart {
  const { array } = pair.data;
  const n = array.dims[0]!;
  // ubyte images are pixel intensities: scale to [0, 1] for the Bernoulli likelihood.
  const scaled = array.dtype === 'ubyte' && (array.dims.length === 3 || array.dims.length === 4);
  const x = new Float32Array(array.data.length);
  if (scaled) for (let i = 0; i < x.length; i++) x[i] = array.data[i]! / 255;
  else x.set(array.data);
  const labels = pair.labels ? Float64Array.from(pair.labels.array.data) : null;
  return {
    part: { x, n, labels, file: pair.data.file, labelFile: pair.labels?.file ?? pair.data.file },
    dims: array.dims.slice(1),
    scaled,
  };
}

function layoutOf(...parts: ConvertedPart[]): Layout {
  return layoutFor(
    parts.map((p) => p.part),
    parts[0]!.dims,
    parts.every((p) => p.scaled),
  );
}
