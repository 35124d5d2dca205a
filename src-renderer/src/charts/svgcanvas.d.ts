/** The part of svgcanvas (it ships no types) that chart-svg.ts uses. */
declare module 'svgcanvas' {
  /** A 2D context that records what is drawn on it as SVG elements. */
  export class Context {
    constructor(options: { width: number; height: number; document?: Document });
    /** The SVG drawn so far, as markup; `fixNamedEntities` writes named entities as characters. */
    getSerializedSvg(fixNamedEntities?: boolean): string;
    /** The <svg> element drawn into. */
    getSvg(): SVGSVGElement;
  }
}
