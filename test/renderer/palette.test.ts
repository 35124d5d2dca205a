/** The categorical palette: distinct colours for up to 24 clusters, readable on both themes. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { colour, PALETTE } from '../../src-renderer/src/charts/palette.ts';
import { runColours } from '../../src-renderer/src/compare/run-colours.ts';

const css = readFileSync(new URL('../../src-renderer/src/app.css', import.meta.url), 'utf8');
const surfaces = [...css.matchAll(/--surface: (#[0-9a-f]{6});/g)].map((m) => m[1]!);

const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
const linear = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
function luminance(hex: string): number {
  const [r, g, b] = rgb(hex).map(linear) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}
function lab(hex: string): [number, number, number] {
  const [r, g, b] = rgb(hex).map(linear) as [number, number, number];
  const f = (t: number) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
  const x = f((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047);
  const y = f(0.2126 * r + 0.7152 * g + 0.0722 * b);
  const z = f((0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883);
  return [116 * y - 16, 500 * (x - y), 200 * (y - z)];
}
const deltaE = (a: string, b: string) => Math.hypot(...lab(a).map((v, i) => v - lab(b)[i]!));

test('24 colours, each pair apart by a visible difference (CIE76 ΔE ≥ 15)', () => {
  assert.equal(new Set(PALETTE).size, 24);
  assert.equal(colour(24), colour(0), 'beyond 24 the colours repeat');
  for (let i = 0; i < PALETTE.length; i++)
    for (let j = 0; j < i; j++)
      assert.ok(
        deltaE(PALETTE[i]!, PALETTE[j]!) >= 15,
        `${PALETTE[i]} and ${PALETTE[j]}: ΔE ${deltaE(PALETTE[i]!, PALETTE[j]!).toFixed(1)}`,
      );
});

test('every colour stands out from the light and the dark surface', () => {
  assert.equal(surfaces.length, 2, 'app.css has a light and a dark --surface');
  const [light, dark] = surfaces as [string, string];
  for (const c of PALETTE) {
    assert.ok(contrast(c, light) >= 1.6, `${c} on ${light}: ${contrast(c, light).toFixed(2)}`);
    assert.ok(contrast(c, dark) >= 2.5, `${c} on ${dark}: ${contrast(c, dark).toFixed(2)}`);
  }
});

test('compared runs keep their colours when the selection changes', () => {
  const two = runColours([3, 5]);
  const three = runColours([5, 3, 9]);
  assert.equal(three.get(3), two.get(3));
  assert.equal(three.get(5), two.get(5));
  // Ids 1 and 25 point to one colour: the later run takes the next free one.
  const clash = runColours([25, 1]);
  assert.equal(clash.get(1), PALETTE[0]);
  assert.equal(clash.get(25), PALETTE[1]);
});
