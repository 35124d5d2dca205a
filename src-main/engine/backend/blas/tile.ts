/**
 * Tile by rows: each output row (the last axis) is its input row repeated, written with
 * TypedArray.set. wasm's Tile kernel computes an index per element and is slow enough to show in
 * profiles: batch normalisation's gradient tiles a [1, 1, 1, H] tensor to [1, 1, B, H] on every
 * step (and [1, 1, 1, C] to [B, H, W, C] in the conv network). Pure, so it is tested on its own.
 */
type Elements = Float32Array | Int32Array | Uint8Array;

/** dst (the output, `shape[i] * reps[i]` along each axis) = src tiled by `reps`. */
export function tileRows(
  src: Elements,
  shape: readonly number[],
  reps: readonly number[],
  dst: Elements,
): void {
  const rank = shape.length;
  if (rank === 0) {
    if (dst.length > 0) dst[0] = src[0]!;
    return;
  }
  const outShape = shape.map((d, i) => d * reps[i]!);
  if (outShape.some((d) => d === 0)) return;
  if (src.length === shape[rank - 1]!) {
    // One input row (batch normalisation's gradient tiles [1, 1, 1, C] over N, H, W): the output
    // is that row over and over, written by doubling rather than a set() per row of C values.
    dst.set(src.subarray(0, src.length));
    for (let filled = src.length; filled < dst.length; filled *= 2)
      dst.copyWithin(filled, 0, Math.min(filled, dst.length - filled));
    return;
  }
  const inner = shape[rank - 1]!;
  const innerReps = reps[rank - 1]!;
  const strides = new Array<number>(rank).fill(1);
  for (let axis = rank - 2; axis >= 0; axis--) strides[axis] = strides[axis + 1]! * shape[axis + 1]!;
  const coordinate = new Array<number>(Math.max(0, rank - 1)).fill(0);
  const rows = outShape.slice(0, -1).reduce((p, d) => p * d, 1);
  let out = 0;
  for (let row = 0; row < rows; row++) {
    let from = 0;
    for (let axis = 0; axis < rank - 1; axis++) from += (coordinate[axis]! % shape[axis]!) * strides[axis]!;
    const source = src.subarray(from, from + inner);
    for (let r = 0; r < innerReps; r++, out += inner) dst.set(source, out);
    for (let axis = rank - 2; axis >= 0; axis--) {
      if (++coordinate[axis]! < outShape[axis]!) break;
      coordinate[axis] = 0;
    }
  }
}
