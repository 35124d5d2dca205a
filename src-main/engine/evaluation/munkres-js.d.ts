// munkres-js ships CommonJS without types: `module.exports = computeMunkres`.
declare module 'munkres-js' {
  /**
   * Minimum-cost assignment (Hungarian / Kuhn-Munkres). Rectangular matrices are padded to
   * square with `padValue` (default 0). Returns the chosen [row, column] pairs.
   */
  function computeMunkres(costMatrix: number[][], options?: { padValue?: number }): [number, number][];
  export = computeMunkres;
}
