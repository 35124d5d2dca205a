/**
 * Imported datasets: the DatasetInfo as JSON plus each split's x and y as BLOBs.
 *
 * x is stored as uint8 when every value of both splits is exactly (as float32) some k/255, which
 * is what importing 8-bit images produces: a quarter of the space, and decoding k -> k/255 gives
 * back the identical float32 bits, so nothing is lost. Any other data is stored as float32. The
 * test is on the values, not on info.kind, so it is exact for any dataset. y is int32 or NULL.
 * All numbers little-endian (blobs.ts).
 */
import type Database from 'better-sqlite3';
import type { DatasetInfo, DatasetSplit, LoadedDataset } from '../../common/dataset.ts';
import { exampleSize } from '../../common/dataset.ts';
import { bytesToFloat32, bytesToInt32, float32ToBytes, int32ToBytes } from './blobs.ts';
import { StoreError, isUniqueViolation } from './errors.ts';

type XFormat = 'uint8' | 'float32';

interface DatasetRow {
  info: string;
  x_format: XFormat;
  train_x: Buffer;
  train_y: Buffer | null;
  test_x: Buffer;
  test_y: Buffer | null;
}

/** The 256 float32 values k/255, and their bit patterns for an exact comparison. */
const LEVELS = Float32Array.from({ length: 256 }, (_, k) => k / 255);
const LEVEL_BITS = new Uint32Array(LEVELS.buffer);

/** The codes k of x when every value is bit-for-bit float32(k/255); null as soon as one is not. */
export function quantiseUint8(x: Float32Array): Uint8Array | null {
  const bits = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const codes = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const k = Math.round((x[i] as number) * 255);
    // Comparing bits, not values, also rejects -0 (which would come back as +0).
    if (!(k >= 0 && k <= 255) || bits[i] !== LEVEL_BITS[k]) return null;
    codes[i] = k;
  }
  return codes;
}

export function dequantiseUint8(codes: Uint8Array): Float32Array {
  const x = new Float32Array(codes.length);
  for (let i = 0; i < codes.length; i++) x[i] = LEVELS[codes[i] as number] as number;
  return x;
}

function checkSplit(info: DatasetInfo, which: 'train' | 'test', split: DatasetSplit): void {
  const expectedN = which === 'train' ? info.nTrain : info.nTest;
  const where = `dataset "${info.name}" ${which} split`;
  if (split.n !== expectedN) throw new StoreError(`${where}: n is ${split.n} but info says ${expectedN}`);
  const size = split.n * exampleSize(info.shape);
  if (split.x.length !== size)
    throw new StoreError(`${where}: x has ${split.x.length} values, expected ${size}`);
  if (split.y && split.y.length !== split.n)
    throw new StoreError(`${where}: y has ${split.y.length} labels for ${split.n} examples`);
}

export class DatasetTable {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  /** Stores a dataset in one transaction; a taken name is refused and the stored one left as is. */
  save(ds: LoadedDataset): void {
    const { info } = ds;
    if (typeof info.name !== 'string' || info.name.trim() === '')
      throw new StoreError('a dataset needs a name');
    checkSplit(info, 'train', ds.train);
    checkSplit(info, 'test', ds.test);

    const trainCodes = quantiseUint8(ds.train.x);
    const testCodes = trainCodes && quantiseUint8(ds.test.x);
    const format: XFormat = trainCodes && testCodes ? 'uint8' : 'float32';
    const xBytes = (x: Float32Array, codes: Uint8Array | null): Buffer =>
      format === 'uint8' && codes
        ? Buffer.from(codes.buffer, codes.byteOffset, codes.byteLength)
        : float32ToBytes(x);
    const yBytes = (y: Int32Array | null): Buffer | null => (y ? int32ToBytes(y) : null);

    const insert = this.#db.prepare(
      `INSERT INTO datasets (name, kind, info, created_at, x_format, train_x, train_y, test_x, test_y)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const alreadyExists = (): StoreError => new StoreError(`dataset "${info.name}" already exists`);
    try {
      this.#db
        .transaction(() => {
          if (this.info(info.name)) throw alreadyExists();
          insert.run(
            info.name,
            info.kind,
            JSON.stringify(info),
            new Date().toISOString(),
            format,
            xBytes(ds.train.x, trainCodes),
            yBytes(ds.train.y),
            xBytes(ds.test.x, testCodes),
            yBytes(ds.test.y),
          );
        })
        .immediate();
    } catch (err) {
      // Another process may insert the same name between our check and our insert.
      if (isUniqueViolation(err)) throw alreadyExists();
      throw err;
    }
  }

  /** Infos of every imported dataset, by name. Reads no data blobs. */
  list(): DatasetInfo[] {
    return this.#db
      .prepare<[], { info: string }>('SELECT info FROM datasets ORDER BY name')
      .all()
      .map((r) => JSON.parse(r.info) as DatasetInfo);
  }

  info(name: string): DatasetInfo | null {
    const row = this.#db
      .prepare<[string], { info: string }>('SELECT info FROM datasets WHERE name = ?')
      .get(name);
    return row ? (JSON.parse(row.info) as DatasetInfo) : null;
  }

  load(name: string): LoadedDataset | null {
    const row = this.#db
      .prepare<[string], DatasetRow>(
        'SELECT info, x_format, train_x, train_y, test_x, test_y FROM datasets WHERE name = ?',
      )
      .get(name);
    if (!row) return null;
    const info = JSON.parse(row.info) as DatasetInfo;
    const x = (bytes: Buffer): Float32Array =>
      row.x_format === 'uint8' ? dequantiseUint8(bytes) : bytesToFloat32(bytes);
    const split = (xb: Buffer, yb: Buffer | null, n: number): DatasetSplit => {
      const s: DatasetSplit = { x: x(xb), y: yb ? bytesToInt32(yb) : null, n };
      // A blob of the wrong length means a damaged row; fail here rather than deep in training.
      if (s.x.length !== n * exampleSize(info.shape) || (s.y && s.y.length !== n))
        throw new StoreError(`dataset "${name}" is damaged: its data does not match its shape`);
      return s;
    };
    return {
      info,
      train: split(row.train_x, row.train_y, info.nTrain),
      test: split(row.test_x, row.test_y, info.nTest),
    };
  }

  /** Deletes an imported dataset; refused while any run still names it. */
  delete(name: string): void {
    this.#db
      .transaction(() => {
        const users = this.#db
          .prepare<[string], { name: string }>('SELECT name FROM runs WHERE dataset = ? ORDER BY id')
          .all(name)
          .map((r) => r.name);
        if (users.length > 0)
          throw new StoreError(
            `dataset "${name}" is used by ${users.length} run(s) (${users.join(', ')}); delete them first`,
          );
        const { changes } = this.#db.prepare('DELETE FROM datasets WHERE name = ?').run(name);
        if (changes === 0) throw new StoreError(`no dataset named "${name}"`);
      })
      .immediate();
  }
}
