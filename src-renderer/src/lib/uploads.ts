/**
 * Dropped files and folders: in web mode their bytes are POSTed to the server first
 * (`/upload?token=T&group=G&path=P`, one group per drop), then imported by group id; in
 * Electron the preload turns them into paths. Folders are walked with webkitGetAsEntry, keeping
 * their structure in the relative path (`shapes/circle/1.png`).
 */
import { WEB_ROUTES } from '@common/api/bridge.ts';

export interface DroppedFile {
  /** Relative path within the drop, with folder structure. */
  path: string;
  file: File;
}

export interface DropSnapshot {
  entries: FileSystemEntry[];
  /** Files for when entries are not available (synthetic drops, file inputs). */
  files: File[];
}

/** Must run synchronously inside the drop handler: items are unreadable once it returns. */
export function snapshotDrop(data: DataTransfer): DropSnapshot {
  const entries: FileSystemEntry[] = [];
  for (const item of Array.from(data.items ?? [])) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry?.();
    if (entry) entries.push(entry);
  }
  return { entries, files: Array.from(data.files ?? []) };
}

function readEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

function entryFile(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

async function walk(entry: FileSystemEntry, prefix: string, out: DroppedFile[]): Promise<void> {
  const path = prefix ? `${prefix}/${entry.name}` : entry.name;
  if (entry.isFile) {
    out.push({ path, file: await entryFile(entry as FileSystemFileEntry) });
  } else if (entry.isDirectory) {
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    // readEntries returns batches (100 at a time in Chromium) until an empty one.
    for (;;) {
      const batch = await readEntries(reader);
      if (batch.length === 0) break;
      for (const child of batch) await walk(child, path, out);
    }
  }
}

export async function listDropped(snapshot: DropSnapshot): Promise<DroppedFile[]> {
  const out: DroppedFile[] = [];
  if (snapshot.entries.length > 0) {
    for (const entry of snapshot.entries) await walk(entry, '', out);
    if (out.length > 0) return out;
  }
  return snapshot.files.map((file) => ({ path: file.webkitRelativePath || file.name, file }));
}

/**
 * Uploads one drop's files under a new group id; reports the fraction of bytes sent. If the
 * upload is cancelled or fails part-way, `discard` is asked to delete what the server already
 * holds of the group, so that the files of a drop given up do not count against its limit.
 */
export async function uploadGroup(
  files: readonly DroppedFile[],
  token: string | null,
  onProgress: (fraction: number, message: string) => void,
  signal: AbortSignal | undefined,
  discard: (group: string) => Promise<void>,
): Promise<string> {
  const group = crypto.randomUUID();
  try {
    await sendFiles(files, group, token, onProgress, signal);
  } catch (error) {
    await discard(group).catch(() => {}); // the upload's own error is the one to report
    throw error;
  }
  return group;
}

async function sendFiles(
  files: readonly DroppedFile[],
  group: string,
  token: string | null,
  onProgress: (fraction: number, message: string) => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  const total = files.reduce((s, f) => s + f.file.size, 0) || 1;
  let sent = 0;
  for (const { path, file } of files) {
    onProgress(sent / total, `Uploading ${path}`);
    const q = new URLSearchParams({ group, path });
    if (token) q.set('token', token);
    const response = await fetch(`${WEB_ROUTES.upload}?${q.toString()}`, {
      method: 'POST',
      body: file,
      headers: { 'content-type': 'application/octet-stream' },
      ...(signal ? { signal } : {}),
    });
    if (!response.ok) {
      const text = (await response.text().catch(() => '')).trim();
      throw new Error(`uploading ${path} failed (${response.status})${text ? `: ${text}` : ''}`);
    }
    sent += file.size;
  }
  onProgress(1, 'Uploaded');
}

/** Whether a drag carries files (not text or a link dragged within the page). */
export function dragHasFiles(event: DragEvent): boolean {
  return Array.from(event.dataTransfer?.types ?? []).includes('Files');
}
