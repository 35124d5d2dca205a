/** A small labelled dataset for fast training tests: three well separated 2-D Gaussian blobs. */
import fs from 'node:fs';
import path from 'node:path';
import type { LoadedDataset } from '../../src-main/common/dataset.ts';
import { createNormalRng } from '../../src-main/common/random.ts';
import { tempDir } from './temp.ts';

export function blobs(nTrain = 600, nTest = 150, seed = 3): LoadedDataset {
  const normal = createNormalRng(seed);
  const centres = [
    [-4, 0],
    [4, 0],
    [0, 5],
  ];
  const make = (n: number) => {
    const x = new Float32Array(n * 2);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const c = i % 3;
      y[i] = c;
      x[2 * i] = centres[c]![0]! + 0.4 * normal();
      x[2 * i + 1] = centres[c]![1]! + 0.4 * normal();
    }
    return { x, y, n };
  };
  const train = make(nTrain);
  const test = make(nTest);
  return {
    info: {
      name: 'blobs',
      kind: 'table',
      shape: [2],
      nTrain,
      nTest,
      valueRange: [-6, 7],
      numClasses: 3,
      source: 'test',
      split: 'source',
    },
    train,
    test,
  };
}

/** The training split of blobs(n, 0) as a CSV file (x1,x2,label) in a new temporary folder, for the CLI. */
export function blobsCsv(n: number): string {
  const data = blobs(n, 0);
  const rows = ['x1,x2,label'];
  for (let i = 0; i < data.train.n; i++)
    rows.push(`${data.train.x[2 * i]},${data.train.x[2 * i + 1]},${data.train.y![i]}`);
  const file = path.join(tempDir(), 'blobs.csv');
  fs.writeFileSync(file, rows.join('\n'));
  return file;
}
