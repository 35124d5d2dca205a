/** Chart.js, registered once with only what the app draws, and the colours it draws with. */
import {
  Chart,
  Interaction,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  Tooltip,
  type InteractionItem,
  type InteractionModeFunction,
} from 'chart.js';
import { getRelativePosition } from 'chart.js/helpers';
import zoomPlugin from 'chartjs-plugin-zoom';
import { cssVar } from '../lib/theme.svelte.ts';
import { nearestIndex } from './series-tools.ts';

declare module 'chart.js' {
  interface InteractionModeMap {
    /** Each visible series' point nearest the pointer's x, whatever x the other series have. */
    eachSeries: InteractionModeFunction;
  }
}

// Chart.js's 'index' mode pairs points by position in their arrays, and 'nearest' lists only
// series with a point at exactly the nearest x; a tooltip should list every series.
Interaction.modes.eachSeries = (chart, event) => {
  const position = getRelativePosition(event, chart as never);
  const xScale = chart.scales.x;
  if (!xScale) return [];
  const x = xScale.getValueForPixel(position.x) ?? 0;
  const items: InteractionItem[] = [];
  chart.data.datasets.forEach((dataset, datasetIndex) => {
    if (!chart.isDatasetVisible(datasetIndex)) return;
    const index = nearestIndex(dataset.data as { x: number; y: number }[], x);
    const element = chart.getDatasetMeta(datasetIndex).data[index];
    if (element) items.push({ element, datasetIndex, index });
  });
  return items;
};

Chart.register(
  LineController,
  LineElement,
  PointElement,
  LinearScale,
  LogarithmicScale,
  Tooltip,
  Legend,
  zoomPlugin,
);
Chart.defaults.animation = false;
Chart.defaults.font.family = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
Chart.defaults.font.size = 11;

export { Chart };

export { colour, PALETTE } from './palette.ts';

export function themeColours(): { text: string; muted: string; grid: string; surface: string } {
  return {
    text: cssVar('--text'),
    muted: cssVar('--muted'),
    grid: cssVar('--grid'),
    surface: cssVar('--surface'),
  };
}
