/**
 * NumPy .npy files: a data array [n, ...] and optionally a labels array [n] (or [n, 1]).
 * With train/test naming (x_train.npy, y_train.npy, x_test.npy, y_test.npy) the files' own
 * split is used.
 *
 * We parse the format ourselves rather than with npyjs: it is small, and we need to check what
 * npyjs does not (fortran_order, data length) and to name the file in every error.
 * Format (numpy.lib.format): magic "\x93NUMPY", major and minor version bytes, the header
 * length (uint16 LE in version 1, uint32 LE in versions 2 and 3), then the header, a Python
 * dict literal such as {'descr': '<f4', 'fortran_order': False, 'shape': (100, 28, 28), },
 * padded with spaces and a newline; then the raw values.
 */
import type { LoadedDataset } from '../../../common/dataset.ts';
import {
  fileLabel,
  finishDataset,
  groupByRole,
  layoutFor,
  readInputFile,
  yieldToEventLoop,
} from './common.ts';
import type { ExamplesPart, ImportContext } from './common.ts';
import { DatasetImportError, throwIfAborted } from './errors.ts';
import { checkDeclaredSize } from './limits.ts';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93 N U M P Y

/** Element types we read: kind (f float, i signed, u unsigned, b bool) and size in bytes. */
const SUPPORTED = new Set(['f4', 'f8', 'i1', 'i2', 'i4', 'i8', 'u1', 'u2', 'u4', 'u8', 'b1']);

export interface NpyArray {
  /** Kind and size, e.g. 'f4', 'u1' (byte order removed). */
  dtype: string;
  littleEndian: boolean;
  shape: number[];
  /** The raw bytes of the values, C order. */
  bytes: Uint8Array;
}

export function looksLikeNpy(bytes: Uint8Array): boolean {
  return bytes.length >= MAGIC.length && MAGIC.every((b, i) => bytes[i] === b);
}

/** Parses and checks the header of one .npy file; the values stay raw (see npyValues). */
export function readNpy(bytes: Uint8Array, file: string): NpyArray {
  if (!looksLikeNpy(bytes)) throw new DatasetImportError(file, 'not a .npy file (no \\x93NUMPY magic)');
  const fail = (problem: string) => new DatasetImportError(file, problem);
  if (bytes.length < 10)
    throw fail(`file is truncated: ${bytes.length} bytes is too short for a .npy header`);
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerStart: number;
  let headerLength: number;
  if (major === 1) {
    headerStart = 10;
    headerLength = view.getUint16(8, true);
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw fail('file is truncated inside the .npy header');
    headerStart = 12;
    headerLength = view.getUint32(8, true);
  } else {
    throw fail(`unsupported .npy format version ${major}.${bytes[7]}`);
  }
  const dataStart = headerStart + headerLength;
  if (bytes.length < dataStart) {
    throw fail(
      `file is truncated: the .npy header needs ${dataStart} bytes but the file has ${bytes.length}`,
    );
  }
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(
    bytes.subarray(headerStart, dataStart),
  );

  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    // A structured dtype has a list as 'descr' and fails here too.
    throw fail(`invalid or unsupported .npy header: ${header.trim()}`);
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => Number(s.replace(/L$/, ''))); // Python 2 wrote longs as 10L
  if (shape.some((d) => !Number.isInteger(d) || d < 0))
    throw fail(`invalid shape (${shapeText}) in .npy header`);
  if (shape.length === 0) throw fail('holds a single number (shape ()), expected an array of examples');
  checkDeclaredSize(file, shape[0]!, shape.slice(1));
  if (fortran === 'True' && shape.filter((d) => d > 1).length > 1) {
    throw fail(
      'array is stored in Fortran order (fortran_order: True), which is not supported; ' +
        'save it in C order, e.g. np.save(path, np.ascontiguousarray(a))',
    );
  }

  const order = descr[0];
  const dtype = descr.slice(1);
  if (!'<>|='.includes(order ?? '') || !SUPPORTED.has(dtype)) {
    throw fail(`unsupported dtype '${descr}'; supported: float32/64, int8/16/32/64, uint8/16/32/64 and bool`);
  }
  const itemSize = Number(dtype.slice(1));
  const expected = shape.reduce((a, b) => a * b, 1) * itemSize;
  const actual = bytes.length - dataStart;
  if (actual !== expected) {
    throw fail(
      `${actual < expected ? 'file is truncated' : 'file is too long'}: header says shape ` +
        `(${shape.join(', ')}) of ${descr} (${expected} bytes of data) but the file has ${actual}`,
    );
  }
  return {
    dtype,
    littleEndian: order !== '>', // '|' (single bytes) and '=' (native: little on x86 and ARM)
    shape,
    bytes: bytes.subarray(dataStart),
  };
}

/** Converts the values to out (same length as the array); 64-bit integers go through Number. */
export function npyValues<T extends Float32Array | Float64Array>(a: NpyArray, out: T): T {
  const { bytes, littleEndian: le } = a;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = out.length;
  switch (a.dtype) {
    case 'u1':
    case 'b1':
      for (let i = 0; i < n; i++) out[i] = bytes[i]!;
      break;
    case 'i1':
      for (let i = 0; i < n; i++) out[i] = view.getInt8(i);
      break;
    case 'i2':
      for (let i = 0; i < n; i++) out[i] = view.getInt16(2 * i, le);
      break;
    case 'u2':
      for (let i = 0; i < n; i++) out[i] = view.getUint16(2 * i, le);
      break;
    case 'i4':
      for (let i = 0; i < n; i++) out[i] = view.getInt32(4 * i, le);
      break;
    case 'u4':
      for (let i = 0; i < n; i++) out[i] = view.getUint32(4 * i, le);
      break;
    case 'i8':
      for (let i = 0; i < n; i++) out[i] = Number(view.getBigInt64(8 * i, le));
      break;
    case 'u8':
      for (let i = 0; i < n; i++) out[i] = Number(view.getBigUint64(8 * i, le));
      break;
    case 'f4':
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, le);
      break;
    case 'f8':
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, le);
      break;
    default:
      throw new Error(`internal: npyValues of unchecked dtype ${a.dtype}`);
  }
  return out;
}

interface NpyFile {
  path: string;
  file: string;
  array: NpyArray;
}

export async function importNpy(paths: readonly string[], ctx: ImportContext): Promise<LoadedDataset> {
  const files: NpyFile[] = [];
  for (const [i, path] of paths.entries()) {
    throwIfAborted(ctx.signal);
    const file = fileLabel(path);
    ctx.progress((0.7 * i) / paths.length, `reading ${file}`);
    files.push({ path, file, array: readNpy(await readInputFile(path), file) });
    await yieldToEventLoop();
  }
  throwIfAborted(ctx.signal);
  ctx.progress(0.7, 'converting');

  const roles = groupByRole(paths);
  let dataset: LoadedDataset;
  if (roles) {
    const byPath = (p: string) => files.find((f) => f.path === p)!;
    const train = toPart(pairFiles(roles.train.map(byPath), ' among the train files'));
    const test = toPart(pairFiles(roles.test.map(byPath), ' among the test files'));
    if (train.dims.join('x') !== test.dims.join('x')) {
      throw new DatasetImportError(
        test.part.file,
        `examples have shape (${test.dims.join(', ')}) but in ${train.part.file} (${train.dims.join(', ')})`,
      );
    }
    const layout = layoutFor([train.part, test.part], train.dims, train.scaled && test.scaled);
    dataset = finishDataset(ctx, layout, train.part, test.part);
  } else {
    const only = toPart(pairFiles(files, ''));
    dataset = finishDataset(ctx, layoutFor([only.part], only.dims, only.scaled), only.part);
  }
  ctx.progress(1, 'done');
  return dataset;
}

/** Labels are [n] or [n, 1]: one integer per example. */
function isLabelShaped(a: NpyArray): boolean {
  return a.shape.length === 1 || (a.shape.length === 2 && a.shape[1] === 1);
}

/**
 * A data file and an optional labels file. With two files, the label-shaped one is the labels
 * when only one of them is (so the order the user picked them in does not matter); otherwise
 * the second file is.
 */
function pairFiles(group: NpyFile[], where: string): { data: NpyFile; labels: NpyFile | null } {
  if (group.length > 2) {
    throw new DatasetImportError(
      group[0]!.file,
      `too many .npy files${where} (${group.map((f) => f.file).join(', ')}): ` +
        'expected a data array and at most one labels array',
    );
  }
  let [data, labels] = group as [NpyFile, NpyFile | undefined];
  if (labels && isLabelShaped(data.array) && !isLabelShaped(labels.array)) [data, labels] = [labels, data];
  if (labels) {
    if (!isLabelShaped(labels.array)) {
      throw new DatasetImportError(
        labels.file,
        `labels must have shape (n,) or (n, 1), got (${labels.array.shape.join(', ')})`,
      );
    }
    if (labels.array.shape[0] !== data.array.shape[0]) {
      throw new DatasetImportError(
        labels.file,
        `has ${labels.array.shape[0]} labels but ${data.file} has ${data.array.shape[0]} examples`,
      );
    }
  }
  return { data, labels: labels ?? null };
}

function toPart(pair: { data: NpyFile; labels: NpyFile | null }): {
  part: ExamplesPart;
  dims: number[];
  scaled: boolean;
} {
  const { array } = pair.data;
  const n = array.shape[0]!;
  const x = npyValues(array, new Float32Array(array.shape.reduce((a, b) => a * b, 1)));
  const dims = array.shape.slice(1);
  // uint8 images are pixel intensities: scale to [0, 1] for the Bernoulli likelihood. Other
  // uint8 arrays (tables of small counts, say) keep their values.
  const scaled = array.dtype === 'u1' && (dims.length === 2 || dims.length === 3);
  if (scaled) for (let i = 0; i < x.length; i++) x[i] = x[i]! / 255;
  const labels = pair.labels
    ? npyValues(pair.labels.array, new Float64Array(pair.labels.array.shape[0]!))
    : null;
  return {
    part: { x, n, labels, file: pair.data.file, labelFile: pair.labels?.file ?? pair.data.file },
    dims,
    scaled,
  };
}
