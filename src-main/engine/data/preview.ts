/**
 * What the interface shows of a decoded dataset: the Datasets screen's preview (first examples,
 * class counts, simple statistics) and single examples (hovering over a projection).
 */
import type { DatasetExample, DatasetPreview, ExampleRequest } from '../../common/api/contract.ts';
import type { LoadedDataset } from '../../common/dataset.ts';
import { exampleSize } from '../../common/dataset.ts';

const PREVIEW_EXAMPLES = 48;
const round = (v: number) => Math.round(v * 1e4) / 1e4;

export function datasetPreview(data: LoadedDataset): DatasetPreview {
  const { info, train } = data;
  const d = exampleSize(info.shape);
  const examples = Array.from({ length: Math.min(PREVIEW_EXAMPLES, train.n) }, (_, i) => ({
    index: i,
    label: train.y ? train.y[i]! : null,
    values: Array.from(train.x.subarray(i * d, (i + 1) * d), round),
  }));
  const classCounts = new Array<number>(info.numClasses).fill(0);
  if (train.y) for (const label of train.y) classCounts[label]!++;
  // Per feature for tables; one overall figure for images (per-pixel statistics say little).
  const features = info.kind === 'table' ? d : 1;
  const sum = new Float64Array(features);
  const sumSq = new Float64Array(features);
  for (let i = 0; i < train.x.length; i++) {
    const f = features === 1 ? 0 : i % d;
    const v = train.x[i]!;
    sum[f]! += v;
    sumSq[f]! += v * v;
  }
  const count = train.x.length / features || 1;
  const mean = Array.from(sum, (s) => s / count);
  const std = Array.from(sumSq, (s, f) => Math.sqrt(Math.max(0, s / count - mean[f]! ** 2)));
  return { info, examples, classCounts, mean: mean.map(round), std: std.map(round) };
}

/** One example of a split; the request comes from the interface, so its index is checked. */
export function datasetExample(data: LoadedDataset, request: ExampleRequest): DatasetExample {
  const split = request.split === 'train' ? data.train : data.test;
  if (!Number.isInteger(request.index) || request.index < 0 || request.index >= split.n)
    throw new Error(`${request.dataset} has no ${request.split} example ${request.index}`);
  const d = exampleSize(data.info.shape);
  return {
    values: Array.from(split.x.subarray(request.index * d, (request.index + 1) * d)),
    label: split.y ? split.y[request.index]! : null,
    shape: data.info.shape,
  };
}
