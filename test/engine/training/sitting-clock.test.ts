/** The trainer's clock on a hand-driven time: pauses, epochs and when reports are due. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SittingClock } from '../../../src-main/engine/training/sitting-clock.ts';

const intervals = { heartbeatMs: 3000, progressMs: 500, checkpointMs: 60_000 };

test('training time continues the checkpoint and leaves out pauses; epochs are measured in it', () => {
  let now = 1000;
  const clock = new SittingClock({ trainSeconds: 42 }, intervals, () => now);
  now += 2000;
  assert.equal(clock.trainSeconds(), 44);
  const resume = clock.pause();
  now += 10_000; // paused
  resume();
  now += 1000;
  assert.equal(clock.trainSeconds(), 45);
  assert.equal(clock.endEpoch(), 3, 'the epoch began at the 42 s the checkpoint recorded');
  now += 4000;
  assert.equal(clock.endEpoch(), 4);
});

test('a sitting that resumes part-way through an epoch counts the epoch from where it began', () => {
  let now = 0;
  const clock = new SittingClock({ trainSeconds: 42, epochStartSeconds: 30 }, intervals, () => now);
  assert.equal(clock.epochStartSeconds(), 30);
  now += 8000;
  assert.equal(clock.endEpoch(), 20, '12 s before the stop and 8 s after');
  assert.equal(clock.epochStartSeconds(), 50);
});

test("progress reports the epoch's example rate so far, at most every progressMs", () => {
  let now = 0;
  const clock = new SittingClock({ trainSeconds: 0 }, intervals, () => now);
  now = 100;
  assert.equal(clock.progress(50), 500, 'the first report is due at once: 50 examples in 0.1 s');
  now = 300;
  assert.equal(clock.progress(50), null, 'within 500 ms of the last report');
  now = 700;
  assert.equal(clock.progress(50), 150 / 0.7, "150 examples in the epoch's 0.7 s");
  const resume = clock.pause();
  now = 10_700; // paused
  resume();
  now = 11_000;
  assert.equal(clock.progress(50), 200, 'the pause is not training time');
  // Evaluation at the epoch's end: the next epoch's rate counts from when it ends.
  now = 20_000;
  clock.endEpoch();
  now = 20_500;
  assert.equal(clock.progress(40), 80, '40 examples in the 0.5 s since the epoch began');
});

test('heartbeats and time-based checkpoints fall due after their intervals', () => {
  let now = 0;
  const clock = new SittingClock({ trainSeconds: 0 }, intervals, () => now);
  assert.equal(clock.heartbeatDue(), true);
  now = 2000;
  assert.equal(clock.heartbeatDue(), false);
  now = 3500;
  assert.equal(clock.heartbeatDue(), true);
  assert.equal(clock.checkpointDue(), false);
  now = 61_000;
  assert.equal(clock.checkpointDue(), true);
  clock.checkpointed();
  assert.equal(clock.checkpointDue(), false);
});
