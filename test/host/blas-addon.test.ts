/**
 * Loading the BLAS addon: one built from older sources (an install that was not rebuilt after an
 * update) is refused with the exports it lacks and how to rebuild, instead of failing later in
 * the middle of a training step. The stand-in is a plain module at GMVAE_BLAS_ADDON. And the
 * real addon's OpenBLAS starts with idle threads that sleep at once unless the user said otherwise.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { addonPath } from '../../src-main/host/blas-addon.ts';

test('an addon lacking exports the engine calls is refused, naming them', async () => {
  const stale = path.join(mkdtempSync(path.join(tmpdir(), 'gmvae-addon-')), 'gmvae_blas.js');
  const older = ['info', 'matmul', 'adam', 'exp', 'conv2d', 'conv2dBackpropInput', 'conv2dBackpropFilter'];
  writeFileSync(stale, older.map((name) => `exports.${name} = () => {};`).join('\n'));
  process.env['GMVAE_BLAS_ADDON'] = stale;
  const { blasStatus, loadBlasAddon, BlasUnavailableError } =
    await import('../../src-main/host/blas-addon.ts');
  assert.throws(loadBlasAddon, (error: unknown) => {
    assert.ok(error instanceof BlasUnavailableError);
    assert.match(error.message, /older than the engine/);
    assert.match(error.message, /batchNormTrain, batchNormTrainGrad/);
    assert.match(error.message, /npm run build:native/);
    return true;
  });
  assert.equal(blasStatus().available, false);
});

test("a run's device names OpenBLAS's kernel set, and says when OPENBLAS_CORETYPE chose it", async () => {
  const { blasDescription } = await import('../../src-main/host/blas-addon.ts');
  const info = {
    library: 'OpenBLAS',
    config: 'OpenBLAS 0.3.21 DYNAMIC_ARCH',
    core: 'Cooperlake',
    threads: 2,
    threadTimeout: 4,
  };
  const saved = process.env['OPENBLAS_CORETYPE'];
  try {
    delete process.env['OPENBLAS_CORETYPE'];
    assert.equal(blasDescription(info), 'OpenBLAS, Cooperlake kernels, 2 threads');
    process.env['OPENBLAS_CORETYPE'] = 'Haswell';
    assert.equal(
      blasDescription({ ...info, core: 'Haswell', threads: 1 }),
      'OpenBLAS, Haswell kernels set by OPENBLAS_CORETYPE, 1 thread',
    );
    assert.equal(blasDescription({ ...info, library: 'Accelerate', core: '' }), 'Accelerate, 2 threads');
  } finally {
    if (saved === undefined) delete process.env['OPENBLAS_CORETYPE'];
    else process.env['OPENBLAS_CORETYPE'] = saved;
  }
});

/** Where the real addon is not built (in CI it must be: there a missing one fails). */
const skipUnbuilt = existsSync(addonPath()) || process.env['CI'] ? false : 'the BLAS addon is not built';

/** OPENBLAS_THREAD_TIMEOUT as the real addon's OpenBLAS read it, in a fresh process (`value`: the
 * variable's value there, undefined for unset). */
function threadTimeoutRead(value: string | undefined): number {
  const env = { ...process.env };
  delete env['GMVAE_BLAS_ADDON'];
  delete env['OPENBLAS_THREAD_TIMEOUT'];
  if (value !== undefined) env['OPENBLAS_THREAD_TIMEOUT'] = value;
  const module = new URL('../../src-main/host/blas-addon.ts', import.meta.url).href;
  const script = `const { loadBlasAddon } = await import(${JSON.stringify(module)});
    console.log(loadBlasAddon().info().threadTimeout);`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  return Number(child.stdout.trim());
}

test(
  "OpenBLAS's idle threads sleep at once (OPENBLAS_THREAD_TIMEOUT 4) unless the user set it",
  { skip: skipUnbuilt },
  () => {
    assert.equal(threadTimeoutRead(undefined), 4);
    assert.equal(threadTimeoutRead('20'), 20);
  },
);
