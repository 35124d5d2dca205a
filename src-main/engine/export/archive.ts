/**
 * An export folder as one zip file (web mode hands it to the browser as a download). Written
 * with fflate, in the engine process: exports are a few megabytes, so the whole archive is
 * built in memory, off the process that serves the interface.
 */
import fs from 'node:fs';
import path from 'node:path';
import { zipSync, type Zippable } from 'fflate';

/** Every file under `dir`, by its path relative to `dir` with '/' separators. */
function filesUnder(dir: string, prefix = ''): [string, string][] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return filesUnder(full, relative);
      return entry.isFile() ? [[relative, full] as [string, string]] : [];
    });
}

/** Zips `dir`'s files into `archive`, inside a top folder `root` (as unzipping then shows it). */
export function zipFolder(dir: string, archive: string, root: string): string[] {
  const entries: Zippable = {};
  const names: string[] = [];
  for (const [relative, full] of filesUnder(dir)) {
    entries[`${root}/${relative}`] = fs.readFileSync(full);
    names.push(relative);
  }
  fs.writeFileSync(archive, zipSync(entries, { level: 6 }), { flag: 'wx' });
  return names;
}
