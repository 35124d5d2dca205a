/** Where a live run is, in the same words while it trains, evaluates and is paused (runs/progress-text.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunProgress } from '../../src-main/common/api/contract.ts';
import type { RunStatus } from '../../src-main/common/run.ts';
import { epochInProgress, progressText } from '../../src-renderer/src/runs/progress-text.ts';

const progress = (phase: RunProgress['phase'], epoch: number, batch: number): RunProgress => ({
  phase,
  epoch,
  batch,
  batches: 600,
  step: epoch * 600 + batch,
  loss: 1,
  examplesPerSecond: 100,
});
const live = (status: RunStatus, epoch: number, p: RunProgress | null, epochs = 1) => ({
  status,
  epoch,
  config: { epochs },
  progress: p,
});

test('the epoch is the one in progress, counted from 1, while training and while paused alike', () => {
  // The audit's case: a one-epoch run showed "epoch 1/1" while running and "epoch 0/1 · paused".
  assert.equal(progressText(live('running', 0, progress('training', 0, 300))), 'epoch 1/1 · batch 300/600');
  assert.equal(
    progressText(live('paused', 0, progress('training', 0, 300))),
    'paused in epoch 1/1 · batch 300/600',
  );
  // Paused with no progress known (paused before its first report): still the epoch it is in.
  assert.equal(progressText(live('paused', 0, null)), 'paused in epoch 1/1');
  assert.equal(progressText(live('paused', 3, null, 10)), 'paused in epoch 4/10');
  // Paused just after an epoch's evaluation, before a batch of the next: the next epoch.
  assert.equal(progressText(live('paused', 1, progress('evaluating', 0, 600), 2)), 'paused in epoch 2/2');
  assert.equal(epochInProgress(live('paused', 1, progress('evaluating', 0, 600), 2)), 2);
});

test('between batches the run says what it does', () => {
  assert.equal(progressText(live('running', 0, progress('training', 0, 599))), 'epoch 1/1 · batch 599/600');
  assert.equal(
    progressText(live('running', 0, progress('evaluating', 0, 600))),
    'epoch 1/1 · evaluating test split…',
  );
  assert.equal(
    progressText(live('running', 1, progress('artefacts', 0, 600))),
    'epoch 1/1 · computing projections and samples…',
  );
});

test('without progress reports: starting at epoch 0, else the epoch the checkpoints say it is in', () => {
  assert.equal(progressText(live('running', 0, null, 5)), 'starting epoch 1/5…');
  // Trained by another process, seen through its checkpoints: not "starting" epoch 20.
  assert.equal(progressText(live('running', 19, null, 20)), 'epoch 20/20');
});
