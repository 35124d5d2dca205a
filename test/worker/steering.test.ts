/**
 * An engine process's steering: pause, resume and stop by message, and a resume or stop that
 * arrives while the trainer is still saving its pause (before it starts to wait).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Steering } from '../../src-main/worker/steering.ts';

/** Whether `promise` has settled after the pending callbacks have run. */
async function settled(promise: Promise<void>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

test('a paused trainer waits until resumed', async () => {
  const steering = new Steering();
  steering.pause();
  assert.equal(steering.pauseRequested(), true);
  const waiting = steering.waitForResume();
  assert.equal(await settled(waiting), false, 'still paused');
  steering.resume();
  assert.equal(await settled(waiting), true);
  assert.equal(steering.pauseRequested(), false);
  assert.equal(steering.stopRequested(), false);
});

test('a resume that came while the pause was being saved ends the wait at once', async () => {
  const steering = new Steering();
  steering.pause();
  steering.resume(); // the trainer has seen the pause and is writing its checkpoint
  assert.equal(await settled(steering.waitForResume()), true);
});

test('a stop ends a wait, before or during it, and aborts the signal', async () => {
  const during = new Steering();
  during.pause();
  const waiting = during.waitForResume();
  during.stop();
  assert.equal(await settled(waiting), true);
  assert.equal(during.stopRequested(), true);
  assert.equal(during.signal.aborted, true);

  const before = new Steering();
  before.pause();
  before.stop();
  assert.equal(await settled(before.waitForResume()), true);
});
