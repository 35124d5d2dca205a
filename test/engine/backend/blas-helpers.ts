/**
 * Shared by the 'blas' backend tests: whether the addon is here, fresh random operands and a
 * runner that evaluates the same computation on two backends.
 */
import assert from 'node:assert/strict';
import { blasStatus } from '../../../src-main/host/blas-addon.ts';
import { selectBackend } from '../../../src-main/engine/backend/backends.ts';
import { tf } from '../../../src-main/engine/tf.ts';

export const status = blasStatus();

/**
 * false (run) or the reason to skip. In CI the addon must exist (.ci/run installs
 * libopenblas-dev and `npm ci` builds it), so there nothing is skipped and a missing addon fails.
 */
export const skipUnlessBlas: false | string =
  status.available || process.env['CI'] ? false : `BLAS addon unavailable: ${status.detail}`;

/** New random values every run, bounded away from zero (a zero would hide a dropped term). */
export function randomValues(count: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = (0.1 + 0.9 * Math.random()) * (Math.random() < 0.5 ? -1 : 1);
  return out;
}

export interface Operand {
  values: Float32Array;
  shape: number[];
}

export function operand(shape: number[]): Operand {
  return { values: randomValues(shape.reduce((p, d) => p * d, 1)), shape };
}

export const toTensor = (o: Operand) => tf.tensor(o.values, o.shape);

/** Runs `f` on `backend` and returns each output's shape and values. */
export async function on(
  backend: 'cpu' | 'blas' | 'wasm' | 'webgpu',
  f: () => tf.Tensor | tf.Tensor[],
): Promise<{ shape: number[]; values: Float32Array }[]> {
  await selectBackend(backend, { trainsConv2d: false });
  const outputs = tf.tidy(f);
  const list = Array.isArray(outputs) ? outputs : [outputs];
  // Read asynchronously: WebGPU in Node has no synchronous read.
  const result = await Promise.all(
    list.map(async (t) => ({ shape: t.shape, values: (await t.data()) as Float32Array })),
  );
  tf.dispose(list);
  return result;
}

/** Float32 agreement: |actual - expected| <= tol * (1 + |expected|) everywhere, shapes equal. */
export function assertClose(
  actual: { shape: number[]; values: Float32Array },
  expected: { shape: number[]; values: Float32Array },
  label: string,
  tol = 1e-4,
): void {
  assert.deepEqual(actual.shape, expected.shape, `${label}: shape`);
  for (let i = 0; i < expected.values.length; i++) {
    const a = actual.values[i]!;
    const e = expected.values[i]!;
    if (!(Math.abs(a - e) <= tol * (1 + Math.abs(e))))
      assert.fail(`${label}: element ${i} is ${a}, expected ${e}`);
  }
}

/** `f` on the blas backend against the same `f` on the plain cpu backend. */
export async function assertMatchesCpu(label: string, f: () => tf.Tensor | tf.Tensor[], tol?: number) {
  const expected = await on('cpu', f);
  const actual = await on('blas', f);
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) => assertClose(a, expected[i]!, `${label} [output ${i}]`, tol));
}

/**
 * Gradients of one step on two backends, variable by variable: each entry within `tol` of its
 * variable's largest entry. A gradient that is 0 in exact arithmetic (a bias just before batch
 * normalisation) is rounding noise on both backends, so its bound is floored at 1% of the
 * model's largest gradient.
 */
export function assertGradientsClose(
  actual: readonly { name: string; values: Float32Array }[],
  expected: readonly { name: string; values: Float32Array }[],
  tol: number,
): void {
  assert.equal(actual.length, expected.length, 'number of gradients');
  const largestOf = (values: Float32Array) => values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const largest = Math.max(...expected.map((g) => largestOf(g.values)));
  actual.forEach((g, i) => {
    const e = expected[i]!.values;
    const bound = tol * Math.max(largestOf(e), 1e-2 * largest);
    for (let j = 0; j < e.length; j++)
      if (!(Math.abs(g.values[j]! - e[j]!) <= bound))
        assert.fail(`gradient of ${g.name} [${j}]: ${g.values[j]} vs ${e[j]} (bound ${bound})`);
  });
}
