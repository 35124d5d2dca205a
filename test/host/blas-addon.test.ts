/**
 * Loading the BLAS addon: one built from older sources (an install that was not rebuilt after an
 * update) is refused with the exports it lacks and how to rebuild, instead of failing later in
 * the middle of a training step. The stand-in is a plain module at GMVAE_BLAS_ADDON.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

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
