/**
 * Comments and docs point at the project's own docs (docs/model.md defines the model), and a
 * reader of the repository alone can follow every pointer: each docs/ file named exists, each
 * section quoted (`docs/model.md, "Three formulations"`) is a heading or a bold lead-in of that
 * file, and nothing cites a file outside the repository.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const SKIP = new Set(['node_modules', 'out', 'test-results', '.scratch', 'build']);

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return SKIP.has(entry.name) ? [] : files(full);
    return /\.(ts|js|mjs|svelte|md|sh|cc|h)$/.test(entry.name) && full !== SELF ? [full] : [];
  });
}

const SOURCES = [
  ...['src-main', 'src-renderer', 'test', 'scripts', 'docs', 'bin', 'native'].flatMap((d) =>
    files(path.join(ROOT, d)),
  ),
  path.join(ROOT, 'README.md'),
];

/** Every match of `pattern` in the sources, as 'file:line: text' with its groups. */
function occurrences(pattern: RegExp): { where: string; groups: string[] }[] {
  return SOURCES.flatMap((file) =>
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, i) =>
        [...line.matchAll(pattern)].map((m) => ({
          where: `${path.relative(ROOT, file)}:${i + 1}`,
          groups: m.slice(1),
        })),
      ),
  );
}

test('every docs/ file a comment or doc names exists', () => {
  const missing = occurrences(/\bdocs\/([\w/-]+\.md)/g)
    .filter(({ groups: [name] }) => !fs.existsSync(path.join(ROOT, 'docs', name!)))
    .map(({ where, groups: [name] }) => `${where}: docs/${name}`);
  assert.deepEqual(missing, []);
});

test('every section quoted from a doc is a heading or a bold lead-in there', () => {
  const found = occurrences(/\b([\w-]+)\.md, "([^"]+)"/g);
  assert.ok(found.length > 0, 'the pattern finds the quoted sections');
  const broken = found
    .filter(({ groups: [doc, title] }) => {
      const file = path.join(ROOT, 'docs', `${doc}.md`);
      if (!fs.existsSync(file)) return true;
      return !fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .some((line) => line.replace(/^#+ /, '').startsWith(title!) || line.startsWith(`**${title}`));
    })
    .map(({ where, groups: [doc, title] }) => `${where}: ${doc}.md, "${title}"`);
  assert.deepEqual(broken, []);
});

test('nothing cites a file outside the repository', () => {
  const outside = occurrences(/(\.\.\/shared\/|shared\/gmvae-model)/g).map(({ where }) => where);
  assert.deepEqual(outside, []);
});
