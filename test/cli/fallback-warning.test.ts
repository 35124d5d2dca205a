/**
 * `gmvae train` on a machine without the BLAS addon: 'auto' falls back to wasm, about ten times
 * slower, and the terminal says so on every run with the fix, not only among skipped backends.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { slowFallbackWarnings } from '../../src-main/common/backends.ts';
import type { TrainEvent } from '../../src-main/common/training-events.ts';
import { eventLine } from '../../src-main/cli/commands/train.ts';
import { gmvae } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const started = (backend: string, skipped: string[]): TrainEvent => ({
  type: 'started',
  runId: 3,
  backend,
  device: 'CPU',
  skipped,
  resumedFrom: null,
  warnings: [],
});

const NO_ADDON = 'blas: the BLAS addon is not built (needs a C compiler and libopenblas-dev)';

test('a fallback to wasm past a missing BLAS addon is a warning that names the fix', () => {
  const lines = eventLine(started('wasm', ['tensorflow: @tensorflow/tfjs-node is not installed', NO_ADDON]))!;
  const warning = lines.split('\n').find((line) => line.startsWith('warning: '));
  assert.ok(warning, lines);
  assert.match(warning, /training on wasm, about ten times slower/);
  assert.match(warning, /the BLAS addon is not built/);
  assert.match(warning, /npm run setup/);
  assert.match(lines.split('\n').at(-1)!, /^run 3: training on wasm/);
});

test('no warning where blas was not passed over, or was not what made the run slow', () => {
  assert.deepEqual(slowFallbackWarnings('blas', ['tensorflow: not installed']), []);
  assert.deepEqual(slowFallbackWarnings('wasm', []), [], '--backend wasm, chosen by the user');
  assert.deepEqual(slowFallbackWarnings('tensorflow', [NO_ADDON]), []);
  assert.doesNotMatch(eventLine(started('blas', []))!, /warning/);
});

test("auto's look for a WebGPU adapter prints nothing of Dawn's on a machine without a GPU", async () => {
  // Without VK_ICD_FILENAMES Dawn finds no usable driver here and, in its own process, says so
  // on stderr (Vulkan loader warnings); the question is asked in a child, so none of it shows.
  // auto asks only past blas, so the addon is made missing.
  const env: NodeJS.ProcessEnv = { ...process.env, GMVAE_BLAS_ADDON: '/nonexistent/gmvae_blas.node' };
  delete env['VK_ICD_FILENAMES'];
  const result = await gmvae(
    tempDir(),
    ['train', '--dataset', 'spiral', '--epochs', '1', '--hidden', '8'],
    env,
  );
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /backend skipped: webgpu: (no WebGPU adapter|the webgpu package)/);
  assert.doesNotMatch(result.stderr, /XDG_RUNTIME_DIR|Warning: Vulkan|InitializeImpl|dawn\/native/i);
});
