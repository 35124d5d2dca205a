/** What `gmvae train` prints for people (not --json): its closing line, in the singular for one epoch. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { plural } from '../../src-main/common/text.ts';
import { gmvae } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

test('plural: 1 epoch, 0 and 2 epochs', () => {
  assert.equal(plural(1, 'epoch'), '1 epoch');
  assert.equal(plural(0, 'epoch'), '0 epochs');
  assert.equal(plural(2, 'epoch'), '2 epochs');
});

test('gmvae train for one epoch says "after 1 epoch"', { timeout: 120_000 }, async () => {
  const home = tempDir();
  const args = ['train', '--dataset', 'spiral', '--name', 'one', '--epochs', '1', '--hidden', '16'];
  const result = await gmvae(home, [...args, '--backend', 'cpu']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^run 1 'one' completed after 1 epoch on cpu: test elbo /m);
  assert.doesNotMatch(result.stdout, /1 epochs/);
});
