/**
 * The build check (scripts/check-main-bundle.ts, run by `npm run build`) on small hand-made
 * bundles and on the real build: no file of the main process's folder may import TensorFlow,
 * whether the entry reaches it statically, dynamically or not at all.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { heavyImports, specifiers } from '../../scripts/main-bundle.ts';
import { tempDir } from '../helpers/temp.ts';

function bundle(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

test('main bundle check: finds TensorFlow in a shared chunk, behind a dynamic import, or in an unreached file', () => {
  const dir = bundle({
    'index.js': 'import { app } from "electron";\nimport { S as Store } from "./chunks/store-1.js";\n',
    'chunks/store-1.js': 'import Database from "better-sqlite3";\nimport * as tf from "@tensorflow/tfjs";\n',
    'chunks/late.js': 'const wasm = () => import("@tensorflow/tfjs-backend-wasm");\n',
    'engine-process.js': 'import "./chunks/store-1.js";\nconst t = () => import("./chunks/late.js");\n',
  });
  assert.deepEqual(heavyImports(dir), [
    { file: path.join('chunks', 'late.js'), specifier: '@tensorflow/tfjs-backend-wasm' },
    { file: path.join('chunks', 'store-1.js'), specifier: '@tensorflow/tfjs' },
  ]);
});

test('main bundle check: a bundle without TensorFlow passes', () => {
  const dir = bundle({
    'index.js': 'import { a } from "./chunks/a.js";\nexport * from "./chunks/b.js";\n',
    'chunks/a.js': 'import "./b.js";\nconst req = require("node:fs");\n',
    'chunks/b.js': 'export const b = "@tensorflow/tfjs is only named in a string";\n',
  });
  assert.deepEqual(heavyImports(dir), []);
});

test('main bundle check: reads every form of import the bundler writes', () => {
  const source = [
    'import a from "./a.js";',
    "import { b } from './b.js';",
    'export { c } from "./c.js";',
    'import "./d.js";',
    'const e = await import("./e.js");',
    'const f = require("f");',
  ].join('\n');
  assert.deepEqual(specifiers(source), ['./a.js', './b.js', './c.js', './d.js', './e.js', 'f']);
});

test('the built app: out/main imports no TensorFlow; the engine bundle lives beside it and does', () => {
  const out = path.join(import.meta.dirname, '../../out');
  assert.ok(fs.existsSync(path.join(out, 'main/index.js')), 'npm test builds before it tests');
  assert.deepEqual(heavyImports(path.join(out, 'main')), []);
  assert.ok(
    heavyImports(path.join(out, 'engine')).some((h) => h.specifier === '@tensorflow/tfjs'),
    'the engine bundle is where TensorFlow went',
  );
});
