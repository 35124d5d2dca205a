/**
 * Float64 reference arithmetic for the formulation tests: the formulas of docs/model.md written
 * directly on plain arrays, to check the tensor code against.
 */
import assert from 'node:assert/strict';
import { SYNTHETIC_PRESET, type Formulation, type GmvaeConfig } from '../../../../src-main/common/config.ts';
import type { tf } from '../../../../src-main/engine/tf.ts';

/** KL( N(a, e^la) || N(b, e^lb) ), summed over dimensions. */
export const kl = (a: number[], la: number[], b: number[], lb: number[]): number =>
  a.reduce(
    (s, _, d) =>
      s + 0.5 * (lb[d]! - la[d]! + (Math.exp(la[d]!) + (a[d]! - b[d]!) ** 2) / Math.exp(lb[d]!) - 1),
    0,
  );

/** log N(x | m, diag e^lv), summed over dimensions. */
export const logN = (x: number[], m: number[], lv: number[]): number =>
  x.reduce(
    (s, _, d) => s - 0.5 * (Math.log(2 * Math.PI) + lv[d]! + (x[d]! - m[d]!) ** 2 / Math.exp(lv[d]!)),
    0,
  );

/** Relative closeness for values of any size (absolute below 1). */
export const close = (a: number, b: number, tol = 1e-4): void =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} != ${b}`);

/** A tiny 2-D model of formulation `model` on the cpu backend, for exact comparisons. */
export const tinyConfig = (model: Formulation, overrides: Partial<GmvaeConfig> = {}): GmvaeConfig => ({
  ...SYNTHETIC_PRESET,
  model,
  k: 3,
  xDim: 2,
  wDim: 2,
  hidden: 8,
  seed: 1,
  backend: 'cpu',
  ...overrides,
});

export const rows = (t: tf.Tensor): number[][] => t.arraySync() as number[][];
export const scalar = (t: tf.Tensor): number => t.dataSync()[0]!;
