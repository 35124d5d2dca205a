import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const created: string[] = [];
// Removed when the test process exits: a node:test `after` registered inside a `before` hook
// would run as soon as that hook ends, deleting folders the tests still use.
process.on('exit', () => {
  for (const dir of created) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary folder, removed when the test process exits. */
export function tempDir(prefix = 'gmvae-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}
