/**
 * Crash safety: a process committing checkpoints is SIGKILLed, and the database it leaves must
 * be intact, with checkpoint, metrics and run describing the same step.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { Store } from '../../../src-main/host/store/index.ts';
import { rawDb, tempHome, testConfig } from './helpers.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/commit-loop.ts', import.meta.url));
const METRIC_NAMES = ['train/loss', 'train/elbo', 'test/elbo'];

/**
 * Runs the fixture; `onLine` may return a delay in ms to SIGKILL the child after. Resolves with
 * the lines it printed once it has exited (and been reaped, so its pid is free).
 */
async function runFixture(
  args: string[],
  onLine: (line: string) => number | undefined,
): Promise<{ lines: string[]; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, [FIXTURE, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    const delay = onLine(line);
    if (delay !== undefined) setTimeout(() => child.kill('SIGKILL'), delay);
  });
  const signal = await new Promise<NodeJS.Signals | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (_code, sig) => resolve(sig));
  });
  return { lines, signal, stderr };
}

/** Reopens the store and checks everything agrees; returns the committed step. */
async function checkConsistent(t: TestContext, home: string, runId: number): Promise<number> {
  const store = await Store.open(home);
  try {
    assert.equal(rawDb(t, store.path).pragma('integrity_check', { simple: true }), 'ok');

    const last = store.loadCheckpoint(runId, 'last');
    assert.ok(last, 'a checkpoint was committed');
    const step = last.step;
    // Blobs are whole: every value is the one written at that step, no mix of two commits.
    assert.ok(
      last.weights[0]?.data.every((v) => v === step),
      'weights all from one commit',
    );
    assert.ok(
      last.optimizer.every((t) => t.data.every((v) => v === -step)),
      'optimizer all from one commit',
    );
    assert.equal(last.trainSeconds, step);

    const metrics = store.metrics(runId);
    assert.equal(Math.max(...metrics.map((m) => m.step)), step, 'metrics end at the checkpoint step');
    assert.equal(
      metrics.length,
      step * METRIC_NAMES.length,
      'every committed step has all its metrics, once',
    );
    assert.ok(metrics.every((m) => m.value === m.step));

    const run = store.getRun(runId);
    assert.equal(run?.step, step, 'the run agrees with its checkpoint');
    assert.equal(run?.epoch, step);

    const best = store.loadCheckpoint(runId, 'best');
    const bestStep = step - (step % 2);
    if (bestStep === 0) assert.equal(best, null);
    else {
      assert.equal(best?.step, bestStep);
      assert.ok(best?.weights[0]?.data.every((v) => v === bestStep));
    }

    // The killed trainer's pid is dead; once past the grace period the run is interrupted.
    if (run?.status === 'running') assert.deepEqual(store.markStaleRunsInterrupted(0), [runId]);
    assert.equal(store.getRun(runId)?.status, 'interrupted');
    assert.equal(store.getRun(runId)?.pid, null);
    return step;
  } finally {
    store.close();
  }
}

async function newRun(home: string): Promise<number> {
  const store = await Store.open(home);
  const id = store.createRun({
    name: 'crashy',
    dataset: 'spiral',
    config: testConfig(),
    status: 'stopped',
  }).id;
  store.close();
  return id;
}

test('killed inside the commit transaction: the previous checkpoint and its metrics survive', async (t) => {
  const home = tempHome(t);
  const runId = await newRun(home);
  const { lines, signal, stderr } = await runFixture([home, String(runId), 'die', '4'], () => undefined);
  assert.equal(signal, 'SIGKILL', stderr);
  assert.deepEqual(lines, [
    'begin 1',
    'committed 1',
    'begin 2',
    'committed 2',
    'begin 3',
    'committed 3',
    'begin 4',
  ]);
  assert.equal(await checkConsistent(t, home, runId), 3);
});

test('killed at arbitrary moments while committing: always consistent, and resumable', async (t) => {
  const home = tempHome(t);
  const runId = await newRun(home);
  let committed = 0;
  // Different delays after a commit begins land at different points of it (or just after it).
  for (const delay of [0, 10, 40, 120]) {
    const killAt = committed + 2;
    const { lines, signal, stderr } = await runFixture([home, String(runId), 'loop'], (line) =>
      line === `begin ${killAt}` ? delay : undefined,
    );
    assert.equal(signal, 'SIGKILL', stderr);
    const step = await checkConsistent(t, home, runId);
    // The kill came while committing killAt or soon after; nothing earlier was lost.
    assert.ok(
      step >= killAt - 1,
      `step ${step} after killing at ${killAt} (+${delay} ms): ${lines.join(', ')}`,
    );
    assert.ok(lines.includes(`committed ${step}`) || lines.includes(`begin ${step}`));
    committed = step;
  }
});
