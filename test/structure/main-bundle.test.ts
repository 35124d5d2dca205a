/**
 * The build check (scripts/check-main-bundle.ts, run by `npm run build`) on small hand-made
 * bundles: it must follow chunks, static and dynamic, to the TensorFlow import a shared chunk
 * brings in, and leave a bundle without one alone.
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
  return path.join(dir, 'index.js');
}

test('main bundle check: finds TensorFlow behind a shared chunk and behind a dynamic import', () => {
  const entry = bundle({
    'index.js': 'import { app } from "electron";\nimport { S as Store } from "./chunks/store-1.js";\n',
    'chunks/store-1.js': 'import Database from "better-sqlite3";\nimport * as tf from "@tensorflow/tfjs";\n',
    'chunks/late.js': 'const wasm = () => import("@tensorflow/tfjs-backend-wasm");\n',
    'engine-process.js': 'import "./chunks/store-1.js";\nconst t = () => import("./chunks/late.js");\n',
  });
  assert.deepEqual(heavyImports(entry), [
    { file: path.join('chunks', 'store-1.js'), specifier: '@tensorflow/tfjs' },
  ]);

  fs.appendFileSync(entry, 'const later = () => import("./engine-process.js");\n');
  assert.deepEqual(
    heavyImports(entry).map((h) => h.specifier),
    ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm'],
  );
});

test('main bundle check: a bundle without TensorFlow passes', () => {
  const entry = bundle({
    'index.js': 'import { a } from "./chunks/a.js";\nexport * from "./chunks/b.js";\n',
    'chunks/a.js': 'import "./b.js";\nconst req = require("node:fs");\n',
    'chunks/b.js': 'export const b = "@tensorflow/tfjs is only named in a string";\n',
  });
  assert.deepEqual(heavyImports(entry), []);
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
