/**
 * A drop's upload in web mode: files go one by one under one group; a drop whose upload fails
 * or is cancelled part-way asks the server to discard what it already holds of the group.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { enableSvelteModules } from '../helpers/svelte-modules.ts';

enableSvelteModules(); // for the renderer's '@common/' imports
/** lib/uploads.ts's uploadGroup (the module itself needs the DOM's types to compile). */
type UploadGroup = (
  files: readonly { path: string; file: File }[],
  token: string | null,
  onProgress: (fraction: number, message: string) => void,
  signal: AbortSignal | undefined,
  discard: (group: string) => Promise<void>,
) => Promise<string>;
const { uploadGroup } = (await import('../../src-renderer/src/lib/uploads.ts' as string)) as {
  uploadGroup: UploadGroup;
};

const realFetch = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = realFetch;
});

const files = ['shapes/circle/1.png', 'shapes/square/1.png'].map((path) => ({
  path,
  file: new File([new Uint8Array(10)], path.split('/').pop()!),
}));

/** A server that takes the first `ok` files and then fails the next request as `failure` does. */
function server(ok: number, failure: () => Response | never): string[] {
  const urls: string[] = [];
  globalThis.fetch = async (input) => {
    urls.push(String(input));
    return urls.length <= ok ? new Response('{"ok":true}') : failure();
  };
  return urls;
}
const groupOf = (url: string) => new URL(url, 'http://localhost').searchParams.get('group');

/** Uploads the two files; `discarded` lists the groups the upload asked to discard. */
function upload(): { result: Promise<string>; discarded: string[] } {
  const discarded: string[] = [];
  const result = uploadGroup(
    files,
    'T',
    () => {},
    undefined,
    async (group) => void discarded.push(group),
  );
  return { result, discarded };
}

test('an upload cancelled part-way discards its group, and reports the cancel', async () => {
  const urls = server(1, () => {
    throw new DOMException('The user aborted a request.', 'AbortError');
  });
  const { result, discarded } = upload();
  await assert.rejects(result, { name: 'AbortError' });
  assert.equal(urls.length, 2);
  assert.deepEqual(discarded, [groupOf(urls[0]!)]);
});

test('an upload the server refuses discards its group, and reports the refusal', async () => {
  server(1, () => new Response('{"ok":false,"error":"1.png: the server\'s disk is full"}', { status: 507 }));
  const { result, discarded } = upload();
  await assert.rejects(result, /uploading shapes\/square\/1\.png failed \(507\)/);
  assert.equal(discarded.length, 1);
});

test('a whole upload discards nothing and gives its group for the import', async () => {
  const urls = server(2, () => new Response('', { status: 500 }));
  const { result, discarded } = upload();
  const group = await result;
  assert.deepEqual(discarded, []);
  assert.deepEqual(urls.map(groupOf), [group, group]);
});
