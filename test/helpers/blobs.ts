/** A small labelled dataset for fast training tests: three well separated 2-D Gaussian blobs. */
import type { LoadedDataset } from '../../src-main/common/dataset.ts';
import { createNormalRng } from '../../src-main/common/random.ts';

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
