/**
 * docs/architecture.md describes the folders as they are: every folder of src-main/, of the
 * engine and of the renderer, and every module of common/ and host/, is named there; and every
 * source path the docs and README write exists.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const entries = (dir: string, kind: 'folders' | 'modules') =>
  fs
    .readdirSync(path.join(ROOT, dir), { withFileTypes: true })
    .filter((e) => (kind === 'folders' ? e.isDirectory() : e.isFile() && /\.ts$/.test(e.name)))
    .filter((e) => !e.name.endsWith('.d.ts'))
    .map((e) => e.name);

test('docs/architecture.md names every folder, and every module of common/ and host/', () => {
  const doc = read('docs/architecture.md');
  // The name as a word of its own: `runs/` but not `src-main/host/runs.ts` for `runs.ts` elsewhere.
  const names = (text: string) =>
    new RegExp(`(^|[\\s\`/(,])${text.replace(/\./g, '\\.')}(?![\\w-])`, 'm').test(doc);
  const missing = [
    ...entries('src-main', 'folders').map((d) => `src-main/${d}/`),
    ...entries('src-main/engine', 'folders').map((d) => `${d}/`),
    ...entries('src-main/engine', 'modules'),
    ...entries('src-main/common', 'folders').map((d) => `${d}/`),
    ...entries('src-main/common', 'modules'),
    ...entries('src-main/host', 'folders').map((d) => `${d}/`),
    ...entries('src-main/host', 'modules'),
    ...entries('src-renderer/src', 'folders').map((d) => `${d}/`),
  ].filter((name) => !names(name));
  assert.deepEqual(missing, [], 'describe these in docs/architecture.md');
});

test('every source path the docs and the README write exists', () => {
  const docs = [
    'README.md',
    ...fs
      .readdirSync(path.join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];
  const missing = docs.flatMap((doc) =>
    [...read(doc).matchAll(/\b(src-(?:main|renderer)\/[\w./{},-]*[\w/}])/g)]
      .flatMap(([, written]) => {
        // `formulations/{min-info,consistency,shu}.ts` names three files.
        const braces = /\{([^}]+)\}/.exec(written!);
        return braces ? braces[1]!.split(',').map((part) => written!.replace(braces[0], part)) : [written!];
      })
      .filter((p) => !fs.existsSync(path.join(ROOT, p)))
      .map((p) => `${doc}: ${p}`),
  );
  assert.deepEqual(missing, []);
});
