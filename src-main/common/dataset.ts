/**
 * What a dataset is, independent of where it came from (built in, imported, stored).
 * Runs anywhere: no Node or native imports.
 */

/** How the examples should be modelled: images in [0,1] get a Bernoulli likelihood. */
export type DatasetKind = 'image' | 'table';

export interface DatasetInfo {
  /** Unique name, used by `gmvae train --dataset NAME`. */
  name: string;
  kind: DatasetKind;
  /** Shape of one example: [height, width, channels] for images, [features] for tables. */
  shape: number[];
  nTrain: number;
  nTest: number;
  /** Smallest and largest value over both splits, after any scaling at import. */
  valueRange: [number, number];
  /** Number of distinct labels (0 when the dataset has none). Labels are for evaluation only. */
  numClasses: number;
  /** Optional display names of the labels, index = label. */
  labelNames?: string[];
  /** Where it came from: 'builtin', or the imported file or folder paths. */
  source: string;
  /** How the split was made: the source's own train/test files, or a seeded random split. */
  split: 'source' | { seed: number; testFraction: number };
  /**
   * What the import did to the source's values, in order ([] for nothing), e.g. 8-bit pixels
   * divided by 255: what a user of an exported model must do to new data. Absent for datasets
   * imported before it was recorded.
   */
  preprocessing?: string[];
}

/** The preprocessing step of 8-bit images (DatasetInfo.preprocessing). */
export const BYTES_TO_UNIT = '8-bit values divided by 255';

export interface DatasetSplit {
  /** Row-major examples, n * prod(shape) values. */
  x: Float32Array;
  /** One label per example (0..numClasses-1), or null when the dataset has no labels. */
  y: Int32Array | null;
  n: number;
}

export interface LoadedDataset {
  info: DatasetInfo;
  train: DatasetSplit;
  test: DatasetSplit;
}

/** Number of values in one example. */
export function exampleSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** 28x28 single-channel images: MNIST and its look-alikes, which get the MNIST settings. */
export function isMnistLike(info: Pick<DatasetInfo, 'kind' | 'shape'>): boolean {
  const [h, w, c] = info.shape;
  return info.kind === 'image' && h === 28 && w === 28 && (c ?? 1) === 1;
}
