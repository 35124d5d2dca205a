/**
 * Categorical colours for clusters, labels and runs: Tableau 10, then 14 more picked for the
 * largest CIE Lab distance to every colour before them, at mid lightness, so the first 24 stay
 * distinct (K 16 and 20 included) and readable on both themes (test/renderer/palette.test.ts).
 */
export const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#59a14f',
  '#b07aa1',
  '#edc948',
  '#76b7b2',
  '#ff9da7',
  '#9c755f',
  '#8cd17d',
  '#8c8df9',
  '#807312',
  '#f390ee',
  '#c53d82',
  '#cfc189',
  '#37c1f2',
  '#b6bef6',
  '#23d8b9',
  '#ac5d2b',
  '#477d59',
  '#9caf39',
  '#9d54b4',
  '#eca378',
  '#489cf1',
];

export function colour(i: number): string {
  return PALETTE[((i % PALETTE.length) + PALETTE.length) % PALETTE.length]!;
}
