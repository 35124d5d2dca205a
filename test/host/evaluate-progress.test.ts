/**
 * Evaluating a checkpoint through the service: the engine task's stages reach every interface
 * as 'evaluate-progress' events, and the evaluation can be cancelled. The engine processes are
 * fakes driven by the test (see helpers/service-client.ts); the stages the real engine reports
 * are checked through the real server in test/browser/headline.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { WorkbenchEvent } from '../../src-main/common/api/contract.ts';
import { serviceClient, type ServiceClient } from '../helpers/service-client.ts';
import { until } from '../helpers/svelte-modules.ts';

let back: ServiceClient;
const events: WorkbenchEvent[] = [];

before(async () => {
  back = await serviceClient();
  back.onEvent((e) => events.push(e));
});
after(() => back.close());

test("an evaluation's stages arrive as events; it can be cancelled", async () => {
  const run = back.store.createRun({
    dataset: 'spiral',
    config: (await back.api.presets('spiral')).defaults,
    status: 'completed',
    pid: null,
  });
  const answer = back.api.evaluateCheckpoint(run.id, 'last');
  await until(() => back.workers.some((w) => w.received.some((m) => m.type === 'task')), 'the task to start');
  const worker = back.workers.find((w) => w.received.some((m) => m.type === 'task'))!;
  assert.deepEqual(
    worker.received.map((m) => (m.type === 'task' ? m.task : m.type)),
    [{ kind: 'evaluate', runId: run.id, checkpoint: 'last' }],
  );
  for (const [fraction, message] of [
    [0, 'loading the checkpoint and the dataset'],
    [0.05, 'metrics on the test set'],
    [0.48, 'projections: UMAP'],
  ] as const)
    worker.report({ type: 'task-progress', id: 0, fraction, message });
  await assert.rejects(
    back.api.evaluateCheckpoint(run.id, 'last'),
    /being evaluated already/,
    'one evaluation of a checkpoint at a time',
  );
  worker.report({
    type: 'task-done',
    id: 0,
    ok: true,
    reply: { kind: 'evaluate', result: { elbo: -1, accuracy: 0.5 } },
  });
  assert.deepEqual(await answer, { elbo: -1, accuracy: 0.5 });
  assert.deepEqual(
    events.filter((e) => e.type === 'evaluate-progress'),
    [
      { fraction: 0, message: 'loading the checkpoint and the dataset' },
      { fraction: 0.05, message: 'metrics on the test set' },
      { fraction: 0.48, message: 'projections: UMAP' },
    ].map((s) => ({ type: 'evaluate-progress', runId: run.id, checkpoint: 'last', ...s })),
  );

  // Cancelled: the engine process is told to stop, and the call says it was cancelled.
  const second = back.api.evaluateCheckpoint(run.id, 'best');
  await until(() => back.workers.length === 2, 'the second task to start');
  const other = back.workers[1]!;
  other.report({ type: 'task-progress', id: 0, fraction: 0.3, message: 'encoding the test set' });
  await back.api.cancelEvaluation(run.id, 'best');
  assert.ok(
    other.received.some((m) => m.type === 'stop'),
    'the process is told to stop',
  );
  await assert.rejects(second, /the evaluation was cancelled/);
  // Nothing to cancel is no error.
  await back.api.cancelEvaluation(run.id, 'best');
});
