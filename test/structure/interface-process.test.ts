/**
 * The interface's process never loads TensorFlow nor any engine code (docs/architecture.md):
 * a fresh Node process hosts the service behind the web server, answers the interface's
 * requests, and must not have loaded a single `@tensorflow/*` module or src-main/engine/ file.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const FIXTURE = fileURLToPath(new URL('./fixtures/interface-process.ts', import.meta.url));
const ENGINE = fileURLToPath(new URL('../../src-main/engine/', import.meta.url));

test('the process hosting the service loads no TensorFlow and no engine code', () => {
  const output = execFileSync(process.execPath, [FIXTURE], { encoding: 'utf8', timeout: 120_000 });
  const modules = (JSON.parse(output.trim().split('\n').at(-1)!) as string[]).map((m) =>
    m.startsWith('file:') ? fileURLToPath(m) : m,
  );
  // The recording works: the service and the store's native module were loaded and seen.
  assert.ok(modules.some((m) => m.endsWith('/src-main/host/workbench-service.ts')));
  assert.ok(modules.some((m) => m.includes('/node_modules/better-sqlite3/')));

  const tensorflow = modules.filter((m) => m.includes('/@tensorflow/') || m.startsWith('@tensorflow/'));
  assert.deepEqual(tensorflow, [], 'TensorFlow.js loaded in the interface process');
  const engine = modules.filter((m) => m.startsWith(ENGINE));
  assert.deepEqual(engine, [], 'engine code loaded in the interface process');
});
