/**
 * What the Electron main process loads from its bundle, and whether any of it is TensorFlow.
 * The main process must stay light (docs/architecture.md); the lint rule guards the sources,
 * this guards what the bundler made of them: a shared chunk can pull a module into main that
 * no source file of main imports directly.
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

/**
 * Every `@tensorflow/*` import in the files reachable from `entry` through relative imports,
 * static or dynamic: the code the process can load, whichever path it takes at run time.
 */
export function heavyImports(entry: string): HeavyImport[] {
  const root = path.dirname(entry);
  const seen = new Set<string>();
  const found: HeavyImport[] = [];
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const specifier of specifiers(fs.readFileSync(file, 'utf8'))) {
      if (specifier.startsWith('.')) visit(path.resolve(path.dirname(file), specifier));
      else if (specifier.startsWith('@tensorflow/'))
        found.push({ file: path.relative(root, file), specifier });
    }
  };
  visit(entry);
  return found;
}
