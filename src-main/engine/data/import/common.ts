/**
 * What every importer shares: reading and decompressing input files, telling train files from
 * test files by name, encoding labels, choosing image vs table layout, and turning parsed
 * examples into a LoadedDataset (the seeded split, value range, class count, finiteness check).
 * Keeping this in one place makes every format produce datasets with the same conventions.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';

import {
  BYTES_TO_UNIT,
  type DatasetInfo,
  type DatasetKind,
  type DatasetSplit,
  type LoadedDataset,
} from '../../../common/dataset.ts';
import { permutation } from '../../../common/random.ts';
import { DatasetImportError } from './errors.ts';

/** Options of `importDataset`, as the caller gives them. */
export interface ImportOptions {
  /** Dataset name; default: base name of the first path without its extensions. */
  name?: string;
  /** CSV only: the column holding the labels (default: a column named label, class or y). */
  labelColumn?: string;
  /** What DatasetInfo.source says it came from; default: the imported paths. */
  source?: string;
  /** Fraction of examples held out for testing when the files have no train/test split. */
  testFraction?: number;
  /** Seed of that split. */
  seed?: number;
  /** Called with fractions that never decrease, ending with 1. */
  onProgress?: (fraction: number, message: string) => void;
  signal?: AbortSignal;
}

/** The options with defaults filled in: what each format's importer receives. */
export interface ImportContext {
  name: string;
  /** DatasetInfo.source: the imported paths. */
  source: string;
  labelColumn: string | undefined;
  testFraction: number;
  seed: number;
  /** Monotonic progress (see index.ts), fraction in [0, 1]. */
  progress: (fraction: number, message: string) => void;
  signal: AbortSignal | undefined;
}

/** How a file is named in error messages: its base name (short, and what the user picked). */
export function fileLabel(path: string): string {
  return basename(path.replace(/[/\\]+$/, '')) || path;
}

/** Lets an AbortSignal (or a UI update) get through between long synchronous steps. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Reads a whole input file, with the three errors a user can actually cause named plainly. */
export async function readInputFile(path: string): Promise<Buffer> {
  const st = await stat(path).catch(() => null);
  if (!st) throw new DatasetImportError(path, 'file not found');
  if (st.isDirectory()) throw new DatasetImportError(fileLabel(path), 'is a folder, expected a file');
  if (st.size === 0) throw new DatasetImportError(fileLabel(path), 'file is empty');
  return readFile(path);
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

export type SplitRole = 'train' | 'test';

/** MNIST-style naming: 'train' marks training files, 'test' or 't10k' test files. */
export function roleOf(path: string): SplitRole | null {
  const name = fileLabel(path).toLowerCase();
  const train = name.includes('train');
  const test = name.includes('test') || name.includes('t10k');
  if (train === test) return null;
  return train ? 'train' : 'test';
}

/**
 * Groups paths into train and test files when every path is clearly one or the other and both
 * kinds are present; otherwise null, and the importer makes a seeded split instead.
 */
export function groupByRole(paths: readonly string[]): { train: string[]; test: string[] } | null {
  const train: string[] = [];
  const test: string[] = [];
  for (const p of paths) {
    const role = roleOf(p);
    if (role === null) return null;
    (role === 'train' ? train : test).push(p);
  }
  return train.length > 0 && test.length > 0 ? { train, test } : null;
}

/** Throws when x holds NaN or +-Infinity; the message says which example and which value. */
export function assertFinite(x: Float32Array, size: number, file: string): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (!Number.isFinite(v)) {
      const example = Math.floor(i / size);
      const what = Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity (or too large for float32)' : '-Infinity';
      throw new DatasetImportError(
        file,
        `value ${i - example * size} of example ${example} is ${what}; only finite numbers are allowed`,
      );
    }
  }
}

/** Labels as read from a file, before they are mapped to 0..C-1. */
export type RawLabels = Float64Array | string[];

export interface EncodedLabels {
  y: Int32Array;
  numClasses: number;
  /** Set when the raw values are not already 0..C-1 (strings, or numbers like 1..10). */
  labelNames?: string[];
}

/**
 * Maps label values to 0..C-1 in sorted order (strings in natural order, see compareNames).
 * Numbers that already are 0..C-1 stay as they are and get no names; anything else keeps its
 * original values as labelNames so results can be shown with the user's own class names.
 * Numeric labels must be integers: a float array given as labels by mistake would otherwise
 * become thousands of classes.
 */
export function encodeLabels(raw: RawLabels, file: string): EncodedLabels {
  const y = new Int32Array(raw.length);
  if (Array.isArray(raw)) {
    const names = [...new Set(raw)].sort(compareNames);
    const index = new Map(names.map((v, i) => [v, i]));
    for (let i = 0; i < raw.length; i++) y[i] = index.get(raw[i]!)!;
    return { y, numClasses: names.length, labelNames: names };
  }
  const distinct = new Set<number>();
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i]!;
    if (!Number.isFinite(v)) throw new DatasetImportError(file, `label ${i} is ${v}; labels must be finite`);
    if (!Number.isInteger(v)) {
      throw new DatasetImportError(file, `label ${i} is ${v}; labels must be integers`);
    }
    distinct.add(v);
  }
  const values = [...distinct].sort((a, b) => a - b);
  const identity = values.every((v, i) => v === i);
  if (identity) {
    for (let i = 0; i < raw.length; i++) y[i] = raw[i]!;
    return { y, numClasses: values.length };
  }
  const index = new Map(values.map((v, i) => [v, i]));
  for (let i = 0; i < raw.length; i++) y[i] = index.get(raw[i]!)!;
  return { y, numClasses: values.length, labelNames: values.map(String) };
}

/** Natural order, so that class2 comes before class10; ties broken by code units. */
const collator = new Intl.Collator('en', { numeric: true });
export function compareNames(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

function concatLabels(a: RawLabels, b: RawLabels): RawLabels {
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  if (!Array.isArray(a) && !Array.isArray(b)) {
    const out = new Float64Array(a.length + b.length);
    out.set(a);
    out.set(b, a.length);
    return out;
  }
  // Numbers in one file, strings in the other: compare them as strings.
  const toStrings = (l: RawLabels): string[] => (Array.isArray(l) ? l : Array.from(l, String));
  return [...toStrings(a), ...toStrings(b)];
}

export interface Layout {
  kind: DatasetKind;
  /** Shape of one example, as in DatasetInfo. */
  shape: number[];
  /** DatasetInfo.preprocessing: what was done to the source's values (none if absent). */
  preprocessing?: string[];
}

/**
 * Image or table? Examples with 2 or 3 dimensions ([h, w] or [h, w, c]) are images when their
 * values are bytes scaled to [0, 1] (`scaled`) or already lie in [0, 1], since the Bernoulli
 * likelihood needs that; everything else is a table of prod(dims) features. Images stored
 * channels-first (PyTorch's [c, h, w]) are transposed in place to [h, w, c]. All parts must
 * share `dims`; they are checked together so that both splits get the same layout.
 */
export function layoutFor(
  parts: readonly { x: Float32Array; n: number }[],
  dims: readonly number[],
  scaled: boolean,
): Layout {
  const imageDims = dims.length === 2 || dims.length === 3;
  const preprocessing = scaled ? [BYTES_TO_UNIT] : [];
  if (imageDims && (scaled || parts.every((p) => inUnitRange(p.x)))) {
    if (dims.length === 2) return { kind: 'image', shape: [dims[0]!, dims[1]!, 1], preprocessing };
    let shape = [...dims];
    for (const p of parts) shape = toChannelsLast(p.x, p.n, dims);
    if (shape[2] !== dims[2])
      preprocessing.push(`channels-first [${dims.join(', ')}] transposed to [${shape.join(', ')}]`);
    return { kind: 'image', shape, preprocessing };
  }
  return { kind: 'table', shape: [dims.reduce((a, b) => a * b, 1)], preprocessing };
}

/**
 * An example shape whose first axis is 1 or 3 and whose last is not a plausible channel count
 * is taken to be channels-first: x is transposed in place and the [h, w, c] dims returned.
 */
export function toChannelsLast(x: Float32Array, n: number, dims: readonly number[]): number[] {
  const [c, h, w] = dims as [number, number, number];
  if (dims.length !== 3 || !(c === 1 || c === 3) || w <= 4) return [...dims];
  if (c === 1) return [h, w, 1]; // same memory layout, only the shape changes
  const size = c * h * w;
  const tmp = new Float32Array(size);
  for (let e = 0; e < n; e++) {
    const base = e * size;
    for (let ch = 0; ch < c; ch++) {
      for (let p = 0; p < h * w; p++) tmp[p * c + ch] = x[base + ch * h * w + p]!;
    }
    x.set(tmp, base);
  }
  return [h, w, c];
}

export function inUnitRange(x: Float32Array): boolean {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (!(v >= 0 && v <= 1)) return false;
  }
  return true;
}

/** The examples of one file (or one data file plus its labels file), before splitting. */
export interface ExamplesPart {
  x: Float32Array;
  n: number;
  labels: RawLabels | null;
  /** Data file, for messages. */
  file: string;
  /** Labels file (or the data file, when labels are a column), for messages. */
  labelFile: string;
}

/**
 * Builds the LoadedDataset: with `test` given the files' own split is used ('source'),
 * otherwise a seeded random split of `train`. Labels are encoded over both splits together
 * so that a class gets the same index in each.
 */
export function finishDataset(
  ctx: ImportContext,
  layout: Layout,
  train: ExamplesPart,
  test?: ExamplesPart,
): LoadedDataset {
  const size = layout.shape.reduce((a, b) => a * b, 1);
  // Every importer ends here, whatever its header checks: no features means nothing to train.
  if (size === 0)
    throw new DatasetImportError(
      train.file,
      `examples have no values (each is ${layout.shape.join('x')}); there is nothing to learn from`,
    );
  for (const part of test ? [train, test] : [train]) {
    if (part.n === 0) throw new DatasetImportError(part.file, 'has no examples');
    if (part.x.length !== part.n * size) {
      throw new Error(`internal: ${part.file} has ${part.x.length} values, expected ${part.n}x${size}`);
    }
    assertFinite(part.x, size, part.file);
  }

  let encoded: EncodedLabels | null = null;
  if (test && (train.labels === null) !== (test.labels === null)) {
    const unlabelled = train.labels === null ? train : test;
    const labelled = train.labels === null ? test : train;
    throw new DatasetImportError(
      unlabelled.file,
      `has no labels but ${labelled.file} has; give labels for both splits or for neither`,
    );
  }
  if (train.labels) {
    // Check the test labels on their own first, so that an error names their file and index.
    if (test?.labels) encodeLabels(test.labels, test.labelFile);
    const raw = test?.labels ? concatLabels(train.labels, test.labels) : train.labels;
    encoded = encodeLabels(raw, train.labelFile);
  }

  let trainSplit: DatasetSplit;
  let testSplit: DatasetSplit;
  let split: DatasetInfo['split'];
  if (test) {
    const yAll = encoded?.y ?? null;
    trainSplit = { x: train.x, y: yAll ? yAll.slice(0, train.n) : null, n: train.n };
    testSplit = { x: test.x, y: yAll ? yAll.slice(train.n) : null, n: test.n };
    split = 'source';
  } else {
    [trainSplit, testSplit] = seededSplit(train.x, encoded?.y ?? null, train.n, size, ctx, train.file);
    split = { seed: ctx.seed, testFraction: ctx.testFraction };
  }

  const info: DatasetInfo = {
    name: ctx.name,
    kind: layout.kind,
    shape: layout.shape,
    nTrain: trainSplit.n,
    nTest: testSplit.n,
    valueRange: valueRange([trainSplit.x, testSplit.x]),
    numClasses: encoded?.numClasses ?? 0,
    source: ctx.source,
    split,
    preprocessing: layout.preprocessing ?? [],
  };
  if (encoded?.labelNames) info.labelNames = encoded.labelNames;
  return { info, train: trainSplit, test: testSplit };
}

/**
 * Seeded split: the first round(n * testFraction) entries of permutation(n, seed) go to the
 * test set. Each split keeps the file's order (the trainer shuffles every epoch anyway), which
 * makes the split easy to reproduce and inspect.
 */
export function seededSplit(
  x: Float32Array,
  y: Int32Array | null,
  n: number,
  size: number,
  ctx: Pick<ImportContext, 'seed' | 'testFraction'>,
  file: string,
): [DatasetSplit, DatasetSplit] {
  const nTest = Math.round(n * ctx.testFraction);
  const nTrain = n - nTest;
  // A split asked for must leave examples on both sides: every epoch is evaluated on the test
  // split, and an empty one would fail only then, in the middle of training. (testFraction 0
  // asks for no test split at all.)
  if (nTrain < 1 || (ctx.testFraction > 0 && nTest < 1)) {
    throw new DatasetImportError(
      file,
      `has too few examples (${n}) to hold out ${ctx.testFraction} of them for testing ` +
        `and keep the rest for training`,
    );
  }
  const rows = seededSplitRows(n, ctx.seed, ctx.testFraction);
  const make = (from: Int32Array): DatasetSplit => {
    const part: DatasetSplit = {
      x: new Float32Array(from.length * size),
      y: y ? new Int32Array(from.length) : null,
      n: from.length,
    };
    from.forEach((i, j) => {
      part.x.set(x.subarray(i * size, (i + 1) * size), j * size);
      if (y && part.y) part.y[j] = y[i]!;
    });
    return part;
  };
  return [make(rows.train), make(rows.test)];
}

/**
 * The source examples each split of a seeded split holds, in order (seededSplit's rule): what
 * an export needs to say which source row each example came from.
 */
export function seededSplitRows(
  n: number,
  seed: number,
  testFraction: number,
): { train: Int32Array; test: Int32Array } {
  const nTest = Math.round(n * testFraction);
  const isTest = new Uint8Array(n);
  const p = permutation(n, seed);
  for (let i = 0; i < nTest; i++) isTest[p[i]!] = 1;
  const train = new Int32Array(n - nTest);
  const test = new Int32Array(nTest);
  let iTrain = 0;
  let iTest = 0;
  for (let i = 0; i < n; i++) {
    if (isTest[i]) test[iTest++] = i;
    else train[iTrain++] = i;
  }
  return { train, test };
}

/** [min, max] over all values of the arrays ([0, 0] when they are all empty). */
export function valueRange(xs: readonly Float32Array[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of xs) {
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo <= hi ? [lo, hi] : [0, 0];
}
