/** Chart.js, registered once with only what the app draws, and the colours it draws with. */
import { Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';
import { cssVar } from '../lib/theme.svelte.ts';

Chart.register(LineController, LineElement, PointElement, LinearScale, Tooltip, Legend);
Chart.defaults.animation = false;
Chart.defaults.font.family = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
Chart.defaults.font.size = 11;

export { Chart };

/** Categorical colours for clusters, labels and runs (readable on both themes). */
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
  '#d37295',
  '#499894',
  '#f1ce63',
  '#86bcb6',
  '#a0cbe8',
  '#ffbe7d',
  '#bab0ac',
  '#d4a6c8',
  '#79706e',
  '#b6992d',
];

export function colour(i: number): string {
  return PALETTE[((i % PALETTE.length) + PALETTE.length) % PALETTE.length]!;
}

export function themeColours(): { text: string; muted: string; grid: string; surface: string } {
  return {
    text: cssVar('--text'),
    muted: cssVar('--muted'),
    grid: cssVar('--grid'),
    surface: cssVar('--surface'),
  };
}
