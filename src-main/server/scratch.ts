/**
 * Scratch folders a server process owns (uploads in the temporary folder, staged exports in
 * the home): named after the owning pid, so a later start can tell the folders a crashed
 * process left behind from those of a server still running, and remove only the former.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Folders of the old naming (no pid) count as left behind once untouched this long. */
const UNNAMED_STALE_MS = 60 * 60 * 1000;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A new folder `<parent>/<prefix><pid>-<random>`, readable by this user only, removed when
 * this process exits, an uncaught exception included (a SIGKILL leaves it to the next start).
 */
export function createOwnedFolder(parent: string, prefix: string): string {
  fs.mkdirSync(parent, { recursive: true });
  const folder = fs.mkdtempSync(path.join(parent, `${prefix}${process.pid}-`));
  if (owned.size === 0) process.once('exit', removeOwned);
  owned.add(folder);
  return folder;
}

const owned = new Set<string>();

function removeOwned(): void {
  for (const folder of owned) fs.rmSync(folder, { recursive: true, force: true });
}

/**
 * Removes `<parent>/<prefix>*` folders whose owning process is gone, except `keep`. A folder
 * named with this process's own pid is left from an earlier process that had the same pid
 * (pids repeat, in containers especially), so it goes too. Only real folders of this user are
 * touched: never a symlink, never another user's folder in a shared /tmp.
 */
export function removeStaleFolders(
  parent: string,
  prefix: string,
  keep: readonly string[] = [],
  now = Date.now(),
): string[] {
  let entries: string[];
  try {
    entries = fs.readdirSync(parent);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const entry of entries) {
    if (!entry.startsWith(prefix)) continue;
    const folder = path.join(parent, entry);
    if (keep.includes(folder)) continue;
    const stat = fs.lstatSync(folder, { throwIfNoEntry: false });
    if (!stat?.isDirectory()) continue;
    if (process.getuid && stat.uid !== process.getuid()) continue;
    const pid = /^(\d+)-/.exec(entry.slice(prefix.length))?.[1];
    const stale = pid
      ? Number(pid) === process.pid || !isAlive(Number(pid))
      : now - stat.mtimeMs > UNNAMED_STALE_MS;
    if (!stale) continue;
    try {
      fs.rmSync(folder, { recursive: true, force: true });
      removed.push(folder);
    } catch {
      // Whatever cannot be removed now is tried again at the next start.
    }
  }
  return removed;
}
