/**
 * Lets a test import the renderer's `.svelte.ts` state modules in Node, as the app's build
 * does: their TypeScript is transpiled, then the Svelte compiler turns the runes ($state,
 * $derived) into its client runtime's signals, so the classes behave as they do in the app.
 * The renderer's `@common/` imports resolve to src-main/common, as its tsconfig paths say.
 * Call `enableSvelteModules()` before the first dynamic import of such a module.
 */
/// <reference types="svelte" />
import fs from 'node:fs';
import { registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';
import { compileModule } from 'svelte/compiler';
import ts from 'typescript';

let enabled = false;

export function enableSvelteModules(): void {
  if (enabled) return;
  enabled = true;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      if (!specifier.startsWith('@common/')) return nextResolve(specifier, context);
      const url = new URL(`../../src-main/common/${specifier.slice('@common/'.length)}`, import.meta.url);
      return { url: url.href, shortCircuit: true };
    },
    load(url, context, nextLoad) {
      if (!url.startsWith('file:') || !url.endsWith('.svelte.ts')) return nextLoad(url, context);
      const filename = fileURLToPath(url);
      const js = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
        fileName: filename,
        compilerOptions: {
          target: ts.ScriptTarget.ES2023,
          module: ts.ModuleKind.ESNext,
          verbatimModuleSyntax: true,
        },
      }).outputText;
      const compiled = compileModule(js, { filename, generate: 'client' });
      return { format: 'module', source: compiled.js.code, shortCircuit: true };
    },
  });
}

/** Lets pending promise callbacks and timers due now run. */
export function settle(ms = 0): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until `condition` holds (the stores refetch after a debounce), failing after `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await settle(20);
  }
}
