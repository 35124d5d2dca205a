/**
 * `gmvae sweep run` on the local executor, end to end: four spiral runs (tiny model, one
 * epoch), two engine processes at a time; every run completes, belongs to the sweep, and is
 * there once. `sweep list`, `status` and `resume` (nothing left to do) agree.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { SweepInfo } from '../../src-main/common/sweep.ts';
import { Store } from '../../src-main/host/store/index.ts';
import { gmvae, gmvaeJson } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

test('a local sweep trains every run once, --jobs at a time', async () => {
  const home = tempDir();
  const file = path.join(tempDir(), 'tiny.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      name: 'tiny',
      dataset: 'spiral',
      base: { epochs: 1, hidden: 8, k: 4 },
      grid: { lambda: [0.5, 1] },
      seeds: [1, 2],
      executor: { kind: 'local', jobs: 2 },
    }),
  );
  const info = await gmvaeJson<SweepInfo>(home, ['sweep', 'run', file]);
  assert.equal(info.state, 'done');
  assert.equal(info.executor, 'local');
  assert.deepEqual(
    info.tasks.map((t) => [t.index, t.state, t.epoch, t.label]),
    [
      [0, 'done', 1, 'lambda=0.5 seed=1'],
      [1, 'done', 1, 'lambda=0.5 seed=2'],
      [2, 'done', 1, 'lambda=1 seed=1'],
      [3, 'done', 1, 'lambda=1 seed=2'],
    ],
  );

  const store = await Store.open(home);
  const runs = store.listRuns();
  assert.equal(runs.length, 4);
  assert.ok(runs.every((r) => r.status === 'completed' && r.sweepId === info.id && r.epoch === 1));
  assert.deepEqual(new Set(runs.map((r) => r.id)), new Set(info.tasks.map((t) => t.runId)));
  assert.deepEqual(runs.map((r) => [r.config.lambda, r.seed, r.config.hidden]).sort(), [
    [0.5, 1, 8],
    [0.5, 2, 8],
    [1, 1, 8],
    [1, 2, 8],
  ]);
  for (const run of runs) assert.equal(store.metrics(run.id, ['test/elbo']).length, 1, run.name);
  store.close();

  const list = await gmvaeJson<{ sweeps: SweepInfo[] }>(home, ['sweep', 'list']);
  assert.deepEqual(
    list.sweeps.map((s) => [s.id, s.name, s.state, s.counts.done]),
    [[info.id, 'tiny', 'done', 4]],
  );
  const resumed = await gmvaeJson<SweepInfo>(home, ['sweep', 'resume', 'tiny']);
  assert.equal(resumed.state, 'done');
  const human = await gmvae(home, ['sweep', 'status', String(info.id)]);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /sweep \d+ 'tiny' \(local, spiral\): done; 4 done/);
  const after = await Store.open(home);
  assert.equal(after.listRuns().length, 4);
  after.close();

  const missing = await gmvae(home, ['sweep', 'status', 'nope', '--json']);
  assert.equal(missing.code, 1);
  assert.deepEqual(JSON.parse(missing.stdout), { error: "no sweep 'nope'" });
});
