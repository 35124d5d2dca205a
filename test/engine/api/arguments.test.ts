/**
 * Every transport's dispatch refuses a call whose arguments are not of the kinds the contract
 * declares, in words, before the implementation sees it (a token holder's script, an old page).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WorkbenchApi } from '../../../src-main/common/api/contract.ts';
import { dispatch } from '../../../src-main/common/api/dispatch.ts';

test('malformed arguments are refused in words; well-formed ones reach the implementation', async () => {
  const reached: [string, unknown[]][] = [];
  const api = new Proxy({} as WorkbenchApi, {
    get:
      (_target, method) =>
      async (...args: unknown[]) =>
        void reached.push([String(method), args]),
  });
  const call = async (method: string, args: unknown[]) => {
    const answer = await dispatch(api, 1, method, args);
    return answer.ok ? 'ok' : answer.error;
  };
  assert.equal(await call('getRun', [{}]), 'argument 1 of getRun must be a number');
  assert.equal(await call('getRun', ['7']), 'argument 1 of getRun must be a number');
  assert.equal(await call('getRun', []), 'argument 1 of getRun must be a number');
  assert.equal(await call('stopRun', [1, 2]), 'stopRun takes 1 argument, got 2');
  assert.equal(await call('importDataset', ['abc']), 'argument 1 of importDataset must be an object');
  assert.equal(await call('metrics', [3, [1]]), 'argument 2 of metrics must be a list of strings');
  assert.equal(await call('trainFurther', [3, Number.NaN]), 'argument 2 of trainFurther must be a number');
  assert.equal(reached.length, 0, 'none reached the implementation');

  assert.equal(await call('metrics', [3]), 'ok', 'an optional argument may be left out');
  assert.equal(await call('metrics', [3, null]), 'ok', '(JSON turns undefined into null)');
  assert.equal(await call('metrics', [3, ['test/elbo']]), 'ok');
  assert.equal(await call('artefact', [3, 'projection', 'last']), 'ok');
  assert.deepEqual(
    reached.map(([method]) => method),
    ['metrics', 'metrics', 'metrics', 'artefact'],
  );
});
