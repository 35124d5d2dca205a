/**
 * The compute backends by name, in the order `--backend auto` tries them. Here rather than
 * beside the backends themselves because the interface process lists them (host/backend-probe.ts)
 * and must not load the code that activates them (engine/backend/backends.ts).
 */
import { BACKEND_CHOICES, type BackendChoice } from './settings.ts';

export type BackendName = Exclude<BackendChoice, 'auto'>;

/** The settings table's backend choices, in the order they are listed there, without 'auto'. */
export const BACKEND_ORDER: readonly BackendName[] = BACKEND_CHOICES.filter(
  (choice): choice is BackendName => choice !== 'auto',
);

/**
 * The warning for a run that `auto` put on wasm because the 'blas' addon is missing or failed
 * to load, with the fix (one line, or none). wasm is about ten times slower on the paper's
 * MNIST model (docs/performance.md), and a machine set up without OpenBLAS otherwise shows it
 * only among the lines of skipped backends, so every `gmvae train` that falls back says it.
 */
export function slowFallbackWarnings(backend: string, skipped: readonly string[]): string[] {
  const blas = backend === 'wasm' ? skipped.find((line) => /^blas\b/.test(line)) : undefined;
  if (!blas) return [];
  return [
    `warning: training on wasm, about ten times slower than the 'blas' backend, which is unavailable (${blas}). ` +
      'Fix: `npm run setup` installs OpenBLAS and builds its addon (or install libopenblas-dev, then `npm run build:native`).',
  ];
}
