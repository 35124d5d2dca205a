/**
 * Builds three bundles of the desktop app:
 *   main      src-main/electron/main.ts, the interface process: no TensorFlow (scripts/check-main-bundle.ts)
 *   preload   src-main/electron/preload.ts
 *   renderer  src-renderer/ (Svelte 5), also served by `gmvae serve` in web mode
 * The fourth, the engine process (src-main/worker/engine-process.ts, which trains and so loads
 * TensorFlow), is a separate Node build into out/engine (`npm run build:engine`), so that no
 * chunk the bundler shares between the two can put TensorFlow into out/main.
 */
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';

const common = resolve(import.meta.dirname, 'src-main/common');

export default defineConfig({
  main: {
    resolve: { alias: { '@common': common } },
    build: {
      outDir: 'out/main',
      rollupOptions: { input: { index: resolve(import.meta.dirname, 'src-main/electron/main.ts') } },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload must be CommonJS.
      rollupOptions: {
        input: { index: resolve(import.meta.dirname, 'src-main/electron/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src-renderer',
    resolve: { alias: { '@common': common } },
    plugins: [svelte()],
    build: {
      outDir: 'out/renderer',
      minify: true,
      rollupOptions: { input: resolve(import.meta.dirname, 'src-renderer/index.html') },
    },
  },
});
