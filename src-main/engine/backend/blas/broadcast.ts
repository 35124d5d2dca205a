/**
 * Which A and B matrices each output matrix of a batched product multiplies, under NumPy
 * broadcasting of the batch dimensions (everything but the last two axes, aligned on the right;
 * an axis of size 1 repeats). Pure, so it is tested on its own.
 */

export interface BatchPairs {
  /** Batch dimensions of the output. */
  shape: number[];
  /** For output matrix i (row-major over `shape`): the index of its A and B matrix. */
  a: Int32Array;
  b: Int32Array;
}

/** Throws when the batch shapes cannot broadcast. */
export function batchPairs(aBatch: readonly number[], bBatch: readonly number[]): BatchPairs {
  const rank = Math.max(aBatch.length, bBatch.length);
  // Right-aligned, padded with 1s on the left.
  const dimA = (axis: number) => aBatch[axis - (rank - aBatch.length)] ?? 1;
  const dimB = (axis: number) => bBatch[axis - (rank - bBatch.length)] ?? 1;
  const shape: number[] = [];
  for (let axis = 0; axis < rank; axis++) {
    const da = dimA(axis);
    const db = dimB(axis);
    if (da !== db && da !== 1 && db !== 1)
      throw new Error(`batch dimensions [${aBatch.join(',')}] and [${bBatch.join(',')}] do not broadcast`);
    shape.push(da === 1 ? db : da);
  }
  const count = shape.reduce((p, d) => p * d, 1);
  const a = new Int32Array(count);
  const b = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    // Walk the output index from the last axis, accumulating each operand's row-major index.
    let rest = i;
    let ia = 0;
    let ib = 0;
    let strideA = 1;
    let strideB = 1;
    for (let axis = rank - 1; axis >= 0; axis--) {
      const d = shape[axis]!;
      const coordinate = rest % d;
      rest = (rest - coordinate) / d;
      const da = dimA(axis);
      const db = dimB(axis);
      if (da !== 1) ia += coordinate * strideA;
      if (db !== 1) ib += coordinate * strideB;
      strideA *= da;
      strideB *= db;
    }
    a[i] = ia;
    b[i] = ib;
  }
  return { shape, a, b };
}
