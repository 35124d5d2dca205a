/**
 * A folder of PNG and JPEG images. Sub-folders are classes (the folder name is the label, in
 * natural sort order), or, with no sub-folders, the images are unlabelled. All images must have
 * one size. They become grayscale [h, w, 1] when every pixel of every image has R = G = B,
 * else RGB [h, w, 3]; values are scaled to [0, 1]. The alpha channel is ignored.
 * Files that are not PNG or JPEG by name (.DS_Store, Thumbs.db, notes.txt) are skipped.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';

import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

import { BYTES_TO_UNIT, type LoadedDataset } from '../../../common/dataset.ts';
import { compareNames, fileLabel, finishDataset, yieldToEventLoop } from './common.ts';
import type { ImportContext } from './common.ts';
import { DatasetImportError, throwIfAborted } from './errors.ts';
import { MAX_EXAMPLE_VALUES, checkDeclaredSize } from './limits.ts';

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);
const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function isImageName(name: string): boolean {
  return !name.startsWith('.') && IMAGE_EXTENSIONS.has(extname(name).toLowerCase());
}

/** Image files under dir, at any depth, in a stable order; hidden files and folders skipped. */
async function listImages(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => compareNames(a.name, b.name));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    if (e.isDirectory()) out.push(...(await listImages(join(dir, e.name))));
    else if (
      isImageName(e.name) &&
      (e.isFile() || (e.isSymbolicLink() && (await isLinkToFile(join(dir, e.name)))))
    ) {
      out.push(join(dir, e.name));
    }
  }
  return out;
}

/**
 * Datasets are often assembled from links to the original files: follow links to files (not
 * to folders, which could loop).
 */
async function isLinkToFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isFile() ?? false;
}

interface RawImage {
  width: number;
  height: number;
  /** RGBA, 4 bytes per pixel. */
  rgba: Uint8Array;
}

const isJpeg = (bytes: Uint8Array) => bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;

/**
 * Width and height as the file declares them, without decoding: PNG's IHDR (always the first
 * chunk), or a JPEG's start-of-frame marker. Null when the header cannot be read; the decoder
 * then says what is wrong.
 */
export function declaredImageSize(bytes: Uint8Array): { width: number; height: number } | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (PNG_MAGIC.every((b, i) => bytes[i] === b)) {
    if (bytes.length < 24) return null;
    return { width: view.getUint32(16, false), height: view.getUint32(20, false) };
  }
  if (!isJpeg(bytes)) return null;
  // Segments: FF, marker, then (except for standalone markers) a big-endian length.
  for (let i = 2; i + 9 <= bytes.length;) {
    if (bytes[i] !== 0xff) return null;
    const marker = bytes[i + 1]!;
    if (marker === 0xff)
      i += 1; // fill byte
    else if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) i += 2;
    else if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
      return { height: view.getUint16(i + 5, false), width: view.getUint16(i + 7, false) };
    else i += 2 + view.getUint16(i + 2, false);
  }
  return null;
}

/** Decodes by content, not by extension: a .png that is really a JPEG still loads. */
function decodeImage(bytes: Uint8Array, name: string): RawImage {
  if (bytes.length === 0) throw new DatasetImportError(name, 'file is empty');
  try {
    if (PNG_MAGIC.every((b, i) => bytes[i] === b)) {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { width: png.width, height: png.height, rgba: png.data };
    }
    if (isJpeg(bytes)) {
      const img = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: true,
        // In case the size could not be read beforehand: the decoder's own limit, set to ours.
        maxResolutionInMP: MAX_EXAMPLE_VALUES / 1e6,
      });
      return { width: img.width, height: img.height, rgba: img.data };
    }
  } catch (err) {
    throw new DatasetImportError(name, `cannot decode image: ${(err as Error).message}`);
  }
  throw new DatasetImportError(name, 'not a valid PNG or JPEG image');
}

/** One channel when R = G = B everywhere (the common case for digit-like data), else three. */
function toChannels(img: RawImage): { gray: boolean; bytes: Uint8Array } {
  const { rgba } = img;
  const pixels = img.width * img.height;
  let gray = true;
  for (let p = 0; p < pixels && gray; p++) {
    gray = rgba[4 * p] === rgba[4 * p + 1] && rgba[4 * p] === rgba[4 * p + 2];
  }
  const channels = gray ? 1 : 3;
  const bytes = new Uint8Array(pixels * channels);
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < channels; c++) bytes[p * channels + c] = rgba[4 * p + c]!;
  }
  return { gray, bytes };
}

export async function importImageFolder(folder: string, ctx: ImportContext): Promise<LoadedDataset> {
  const folderName = fileLabel(folder);
  throwIfAborted(ctx.signal);
  ctx.progress(0, `listing ${folderName}`);

  const entries = (await readdir(folder, { withFileTypes: true })).filter((e) => !e.name.startsWith('.'));
  const classDirs = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort(compareNames);
  const rootImages = entries.filter((e) => !e.isDirectory() && isImageName(e.name));
  if (classDirs.length > 0 && rootImages.length > 0) {
    throw new DatasetImportError(
      folderName,
      `has both images (e.g. ${rootImages[0]!.name}) and sub-folders (${classDirs.join(', ')}); ` +
        'put every image in a class sub-folder, or use no sub-folders for unlabelled images',
    );
  }

  // (path, class name or null). Empty class folders are left out: a class without examples
  // would only confuse the evaluation.
  const files: { path: string; label: string | null }[] = [];
  if (classDirs.length > 0) {
    for (const dir of classDirs) {
      for (const path of await listImages(join(folder, dir))) files.push({ path, label: dir });
    }
  } else {
    for (const path of await listImages(folder)) files.push({ path, label: null });
  }
  if (files.length === 0) {
    throw new DatasetImportError(folderName, 'folder has no PNG or JPEG images');
  }

  const nameOf = (path: string) => join(folderName, relative(folder, path)).split('\\').join('/');
  const decoded: { gray: boolean; bytes: Uint8Array }[] = [];
  let first: { name: string; width: number; height: number } | null = null;
  for (const [i, { path }] of files.entries()) {
    throwIfAborted(ctx.signal);
    const name = nameOf(path);
    ctx.progress((0.9 * i) / files.length, `decoding ${name}`);
    const bytes = await readFile(path);
    // Refuse a size beyond the limits before decoding: a 140 KB PNG can declare 12000x12000.
    const declared = declaredImageSize(bytes);
    if (declared) checkDeclaredSize(name, files.length, [declared.height, declared.width]);
    const img = decodeImage(bytes, name);
    if (!first) first = { name, width: img.width, height: img.height };
    else if (img.width !== first.width || img.height !== first.height) {
      throw new DatasetImportError(
        name,
        `image is ${img.width}x${img.height} but ${first.name} is ${first.width}x${first.height}; ` +
          'all images must have the same size',
      );
    }
    decoded.push(toChannels(img));
    if (i % 64 === 63) await yieldToEventLoop(); // readFile yields too, but only between files
  }
  throwIfAborted(ctx.signal);
  ctx.progress(0.9, 'converting');

  const { width, height } = first!;
  const channels = decoded.every((d) => d.gray) ? 1 : 3;
  checkDeclaredSize(folderName, files.length, [height, width, channels]);
  const size = width * height * channels;
  const x = new Float32Array(files.length * size);
  for (const [i, d] of decoded.entries()) {
    const base = i * size;
    if (d.gray && channels === 3) {
      // A gray image among colour ones: repeat its one channel.
      for (let p = 0; p < width * height; p++) x.fill(d.bytes[p]! / 255, base + 3 * p, base + 3 * p + 3);
    } else {
      for (let k = 0; k < size; k++) x[base + k] = d.bytes[k]! / 255;
    }
  }

  const labels = files[0]!.label === null ? null : files.map((f) => f.label!);
  const dataset = finishDataset(
    ctx,
    {
      kind: 'image',
      shape: [height, width, channels],
      preprocessing: [
        'alpha channel, if any, ignored',
        channels === 1
          ? 'one channel kept (R = G = B in every pixel of every image)'
          : decoded.some((d) => d.gray)
            ? 'grey images repeated over the 3 channels'
            : 'RGB kept',
        BYTES_TO_UNIT,
      ],
    },
    { x, n: files.length, labels, file: folderName, labelFile: folderName },
  );
  ctx.progress(1, 'done');
  return dataset;
}
