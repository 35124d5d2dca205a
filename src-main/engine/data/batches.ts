/** Copying examples into contiguous batches, in the seeded order of each epoch. */
import { deriveSeed, permutation } from '../../common/random.ts';

/** Streams of the run seed, so that each use of randomness is independent of the others. */
export const SEED_STREAM = { dataOrder: 1, stepNoise: 2, evalNoise: 3, artefacts: 4 } as const;

/** The example order of one epoch: a function of (seed, epoch) only, so a resumed run repeats it. */
export function epochOrder(n: number, seed: number, epoch: number): Int32Array {
  return permutation(n, deriveSeed(seed, SEED_STREAM.dataOrder, epoch));
}

/** Rows `indices` of a row-major [n, d] array, copied into one [indices.length, d] array. */
export function gatherRows(x: Float32Array, d: number, indices: ArrayLike<number>): Float32Array {
  const out = new Float32Array(indices.length * d);
  for (let i = 0; i < indices.length; i++) {
    const row = indices[i]!;
    out.set(x.subarray(row * d, row * d + d), i * d);
  }
  return out;
}

export function batchCount(n: number, batchSize: number): number {
  return Math.ceil(n / batchSize);
}

/** Indices of batch `b` in an epoch order (the last batch may be smaller). */
export function batchIndices(order: Int32Array, batchSize: number, b: number): Int32Array {
  return order.subarray(b * batchSize, Math.min(order.length, (b + 1) * batchSize));
}
