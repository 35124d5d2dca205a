/**
 * Whether the Electron main process's bundle (out/main) imports TensorFlow anywhere. The main
 * process must stay light (docs/architecture.md); the lint rule guards the sources, this guards
 * what the bundler made of them. Every file of the folder counts, reachable from the entry or
 * not: a shared chunk that only a later import would load is still TensorFlow shipped with the
 * interface (the engine process is built into its own folder for that reason).
 */
import fs from 'node:fs';
import path from 'node:path';

export interface HeavyImport {
  /** The bundle file, relative to the bundle folder. */
  file: string;
  specifier: string;
}

// Static imports and re-exports, side-effect imports, import() and require() with a literal.
const SPECIFIER =
  /\bfrom\s*["']([^"']+)["']|\bimport\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)|\brequire\s*\(\s*["']([^"']+)["']\s*\)/g;

export function specifiers(source: string): string[] {
  return [...source.matchAll(SPECIFIER)].map((m) => (m[1] ?? m[2] ?? m[3] ?? m[4])!);
}

/** Every `@tensorflow/*` import in the JavaScript files under `dir`, in path order. */
export function heavyImports(dir: string): HeavyImport[] {
  const files = (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => /\.[cm]?js$/.test(f))
    .sort();
  return files.flatMap((file) =>
    specifiers(fs.readFileSync(path.join(dir, file), 'utf8'))
      .filter((specifier) => specifier.startsWith('@tensorflow/'))
      .map((specifier) => ({ file, specifier })),
  );
}
