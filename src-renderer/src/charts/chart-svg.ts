/**
 * A chart as an SVG file. Chart.js draws on a 2D context; here it draws the chart's own
 * configuration again on svgcanvas's context, which records every call as SVG (a <path> per line
 * and grid line, <text> for the labels), so the file has vector lines and real text, not a
 * picture of the canvas.
 */
import { BasicPlatform, type ChartConfiguration, type Plugin } from 'chart.js';
import { Context } from 'svgcanvas';
import { Chart } from './chart-setup.ts';
import { portableSvg } from './series-tools.ts';

type LineConfig = ChartConfiguration<'line', { x: number; y: number }[]>;

export function chartSvg(
  config: LineConfig,
  size: { width: number; height: number },
  background: string,
): string {
  const width = Math.max(1, Math.round(size.width));
  const height = Math.max(1, Math.round(size.height));
  const context = new Context({ width, height });
  // A canvas stand-in: Chart.js asks it for its 2D context, whose `canvas` (svgcanvas's context
  // itself) has the width and height.
  const surface = { getContext: () => context };
  const fill: Plugin<'line'> = {
    id: 'svgBackground',
    beforeDraw: ({ ctx, width: w, height: h }) => {
      ctx.save();
      ctx.fillStyle = background;
      ctx.fillRect(0, 0, w, h);
      ctx.restore();
    },
  };
  const options = config.options ?? {};
  const chart = new Chart(
    surface as unknown as HTMLCanvasElement,
    {
      ...config,
      // Chart.js strokes a line through a cached Path2D, which svgcanvas cannot read; a line with
      // segment options (none here: the dataset's own style throughout) is drawn with moveTo/lineTo.
      data: { ...config.data, datasets: config.data.datasets.map((d) => ({ ...d, segment: {} })) },
      platform: BasicPlatform,
      options: {
        ...options,
        responsive: false,
        maintainAspectRatio: false,
        devicePixelRatio: 1,
        animation: false,
        events: [],
        // No zoom handlers (there is no element to listen on) and no tooltip in a file.
        plugins: { ...options.plugins, zoom: false, tooltip: { enabled: false } },
      },
      plugins: [...(config.plugins ?? []), fill],
    } as unknown as LineConfig,
  );
  try {
    context.getSvg().setAttribute('viewBox', `0 0 ${width} ${height}`);
    return portableSvg(context.getSerializedSvg(true));
  } finally {
    chart.destroy();
  }
}
