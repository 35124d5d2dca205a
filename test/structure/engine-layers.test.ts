/**
 * The engine's folders form layers, and imports only point down: the model does not know how it
 * is trained, evaluation does not know the trainer, and so on. An arrow back up (evaluation
 * importing training, say) makes a loop that every later change has to untangle; this test
 * fails on the first one, naming the file and the import.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { specifiers } from '../../scripts/main-bundle.ts';

const ENGINE = fileURLToPath(new URL('../../src-main/engine/', import.meta.url));

/**
 * Bottom to top. A folder (or a top-level file, named without .ts) imports from itself and from
 * lower layers only; two parts of one layer do not import each other. Outside the engine,
 * common/ and host/ lie below all of it (lint keeps them from importing the engine).
 */
const LAYERS: readonly (readonly string[])[] = [
  ['tf'],
  ['backend'],
  ['data'],
  ['model'],
  ['checkpoint'],
  ['evaluation'],
  ['training'],
  ['export', 'bench'],
  ['reproduce', 'tasks'],
];

const rank = (part: string) => LAYERS.findIndex((layer) => layer.includes(part));
/** The folder or top-level file of the engine a path belongs to, or null outside the engine. */
const partOf = (file: string) =>
  file.startsWith(ENGINE) ? path.relative(ENGINE, file).split(path.sep)[0]!.replace(/\.ts$/, '') : null;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

test('every folder of the engine has a place in the layers', () => {
  const parts = new Set(sourceFiles(ENGINE).map((f) => partOf(f)!));
  assert.deepEqual(
    [...parts].filter((p) => rank(p) < 0),
    [],
    'place new engine folders in LAYERS (test/structure/engine-layers.test.ts)',
  );
});

test('imports inside the engine only point down its layers', () => {
  const upward: string[] = [];
  for (const file of sourceFiles(ENGINE)) {
    const from = partOf(file)!;
    for (const specifier of specifiers(fs.readFileSync(file, 'utf8'))) {
      if (!specifier.startsWith('.')) continue;
      const to = partOf(path.resolve(path.dirname(file), specifier));
      if (to === null || to === from) continue;
      if (rank(to) >= rank(from))
        upward.push(`${path.relative(ENGINE, file)} imports ${specifier} (${from} -> ${to})`);
    }
  }
  assert.deepEqual(upward, [], 'imports back up the engine layers (see LAYERS)');
});
