/**
 * CSV (and TSV) tables: a header row of column names, then one example per row. Every column
 * but the label column must be numeric. The label column is the `labelColumn` option, else a
 * column named label, class or y (any case), else there are no labels. Labels may be strings.
 * One file gets a seeded split; a train file and a test file (names containing train / test)
 * keep their own split.
 *
 * Error messages name the file, the row and the column by number, never what the file holds:
 * a file that is not a table at all (a key file, a .env renamed .txt) would otherwise have its
 * first line or a cell shown to whoever asked for the import.
 */
import { parse } from 'csv-parse';
import { finished } from 'node:stream/promises';

import type { LoadedDataset } from '../../../common/dataset.ts';
import { fileLabel, finishDataset, groupByRole, readInputFile, yieldToEventLoop } from './common.ts';
import type { ExamplesPart, ImportContext, RawLabels } from './common.ts';
import { DatasetImportError, throwIfAborted } from './errors.ts';

/** Column names taken as the labels when no labelColumn is given, in order of preference. */
const LABEL_NAMES = ['label', 'class', 'y'];

/** A plain decimal number; Number() alone would also accept '', '0x1f' and ' '. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NON_FINITE = /^[+-]?(nan|inf|infinity)$/i;
const INTEGER = /^[+-]?\d+$/;

/**
 * A file's text goes to the parser, and its rows to the checks, in slices of this many characters
 * and rows, with a turn of the event loop between slices: for the progress bar to move, and for a
 * cancel to be heard, in a file of many megabytes.
 */
const TEXT_SLICE = 1 << 20;
const ROW_SLICE = 20_000;

/** A parsed row and the line it ends on (csv-parse's `info`). */
interface CsvRow {
  record: string[];
  info: { lines: number };
}

interface ParsedCsv {
  file: string;
  header: string[];
  labelIndex: number;
  part: ExamplesPart;
}

export async function importCsv(paths: readonly string[], ctx: ImportContext): Promise<LoadedDataset> {
  const roles = groupByRole(paths);
  if (!roles && paths.length > 1) {
    throw new DatasetImportError(
      fileLabel(paths[0]!),
      `expected one CSV file, or one train and one test file, got ${paths.length} files`,
    );
  }
  if (roles && (roles.train.length > 1 || roles.test.length > 1)) {
    throw new DatasetImportError(
      fileLabel(paths[0]!),
      `expected one train and one test CSV file, got ${roles.train.length} and ${roles.test.length}`,
    );
  }

  const ordered = roles ? [roles.train[0]!, roles.test[0]!] : [paths[0]!];
  const parsed: ParsedCsv[] = [];
  for (const [i, path] of ordered.entries()) {
    throwIfAborted(ctx.signal);
    const file = fileLabel(path);
    // Each file's share of the bar: parsing its text, then checking its rows.
    const progress = (done: number) => ctx.progress((0.9 * (i + done)) / ordered.length, `reading ${file}`);
    progress(0);
    parsed.push(await parseCsv((await readInputFile(path)).toString('utf8'), file, ctx, progress));
    await yieldToEventLoop();
  }
  throwIfAborted(ctx.signal);

  const [train, test] = parsed as [ParsedCsv, ParsedCsv | undefined];
  if (test && test.header.join('\u0000') !== train.header.join('\u0000')) {
    const differs =
      test.header.length !== train.header.length
        ? `${test.header.length} columns against ${train.header.length}`
        : `column ${test.header.findIndex((h, i) => h !== train.header[i]) + 1}`;
    throw new DatasetImportError(test.file, `its header row differs from that of ${train.file} (${differs})`);
  }
  const features = train.header.length - (train.labelIndex >= 0 ? 1 : 0);
  const dataset = finishDataset(ctx, { kind: 'table', shape: [features] }, train.part, test?.part);
  ctx.progress(1, 'done');
  return dataset;
}

/** Picks the most frequent of comma, semicolon and tab in the header line. */
function sniffDelimiter(text: string): string {
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  let best = ',';
  let bestCount = 0;
  for (const d of [',', ';', '\t']) {
    const count = firstLine.split(d).length - 1;
    if (count > bestCount) [best, bestCount] = [d, count];
  }
  return best;
}

/**
 * The rows of `text`, parsed a slice at a time (`progress` from 0 to 0.5 of the file's share).
 * csv-parse's own messages quote the offending field; its error code and line number do not.
 */
async function parseRows(
  text: string,
  file: string,
  ctx: ImportContext,
  progress: (done: number) => void,
): Promise<CsvRow[]> {
  const parser = parse({
    bom: true,
    delimiter: sniffDelimiter(text),
    skip_empty_lines: true,
    relax_column_count: true, // ragged rows are reported by the checks, with the row number
    trim: true,
    info: true, // each record comes with its line number
  });
  const rows: CsvRow[] = [];
  let failure: Error | null = null;
  parser.on('data', (row: CsvRow) => rows.push(row));
  parser.on('error', (err) => (failure ??= err));
  try {
    for (let at = 0; at < text.length; at += TEXT_SLICE) {
      throwIfAborted(ctx.signal);
      parser.write(text.slice(at, at + TEXT_SLICE));
      progress((0.5 * at) / text.length);
      await yieldToEventLoop(); // the parser reports an error on the next tick
      if (failure) throw failure;
    }
    parser.end();
    await finished(parser);
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    const { code, lines } = err as { code?: string; lines?: number };
    const what = (code ?? 'malformed').replace(/^CSV_/, '').toLowerCase().replaceAll('_', ' ');
    throw new DatasetImportError(file, `cannot parse CSV${lines ? ` at line ${lines}` : ''}: ${what}`);
  } finally {
    parser.destroy();
  }
  return rows;
}

async function parseCsv(
  text: string,
  file: string,
  ctx: ImportContext,
  progress: (done: number) => void,
): Promise<ParsedCsv> {
  const rows = await parseRows(text, file, ctx, progress);
  const { labelColumn } = ctx;
  if (rows.length === 0) throw new DatasetImportError(file, 'file is empty');
  const header = rows[0]!.record;
  if (header.every((h) => NUMBER.test(h))) {
    throw new DatasetImportError(
      file,
      'the first row must be a header of column names, but it holds only numbers',
    );
  }
  if (rows.length === 1) throw new DatasetImportError(file, 'has a header row but no data rows');

  const labelIndex = findLabelColumn(header, labelColumn, file);
  const width = header.length;
  const features = width - (labelIndex >= 0 ? 1 : 0);
  if (features === 0) throw new DatasetImportError(file, 'has no feature columns besides the label column');

  const n = rows.length - 1;
  const x = new Float32Array(n * features);
  const labelCells: string[] = [];
  for (let r = 0; r < n; r++) {
    if (r % ROW_SLICE === ROW_SLICE - 1) {
      throwIfAborted(ctx.signal);
      progress(0.5 + (0.5 * r) / n);
      await yieldToEventLoop();
    }
    const { record, info } = rows[r + 1]!;
    // Row numbers as in a spreadsheet: the header is row 1, empty lines count.
    const row = info.lines;
    if (record.length !== width) {
      throw new DatasetImportError(
        file,
        `row ${row} has ${record.length} fields, expected ${width} like the header`,
      );
    }
    let f = 0;
    for (let c = 0; c < width; c++) {
      const cell = record[c]!;
      const where = `row ${row}, column ${c + 1}`;
      if (c === labelIndex) {
        if (cell === '') throw new DatasetImportError(file, `${where}: the label is empty`);
        labelCells.push(cell);
        continue;
      }
      if (!NUMBER.test(cell)) {
        if (NON_FINITE.test(cell)) {
          throw new DatasetImportError(
            file,
            `${where}: not a finite number (NaN and Infinity are not allowed)`,
          );
        }
        if (cell === '')
          throw new DatasetImportError(
            file,
            `${where}: the cell is empty (missing values are not supported)`,
          );
        // Without a label column, a text column is most likely the labels under another name.
        const hint =
          labelIndex < 0 ? `; if column ${c + 1} holds the labels, choose it as the label column` : '';
        throw new DatasetImportError(file, `${where}: not a number${hint}`);
      }
      const v = Math.fround(Number(cell));
      if (!Number.isFinite(v)) {
        throw new DatasetImportError(file, `${where}: too large for a 32-bit float`);
      }
      x[r * features + f++] = v;
    }
  }

  let labels: RawLabels | null = null;
  if (labelIndex >= 0) {
    // Integer labels stay numbers (so 0..9 need no names); anything else is a class name.
    labels = labelCells.every((c) => INTEGER.test(c)) ? Float64Array.from(labelCells, Number) : labelCells;
  }
  return { file, header, labelIndex, part: { x, n, labels, file, labelFile: file } };
}

/** Index of the label column, or -1 for none. */
function findLabelColumn(header: string[], labelColumn: string | undefined, file: string): number {
  if (labelColumn !== undefined) {
    let i = header.indexOf(labelColumn);
    if (i < 0) i = header.findIndex((h) => h.toLowerCase() === labelColumn.toLowerCase());
    if (i < 0) {
      throw new DatasetImportError(
        file,
        `label column "${labelColumn}" is not a column name in the header row (${header.length} columns)`,
      );
    }
    return i;
  }
  for (const name of LABEL_NAMES) {
    const i = header.findIndex((h) => h.toLowerCase() === name);
    if (i >= 0) return i;
  }
  return -1;
}
