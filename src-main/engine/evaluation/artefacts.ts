/**
 * What a finished model is looked at with (on the test split): a 2-D projection of the latent
 * means, reconstructions next to their originals, and per cluster its most confident members
 * and samples generated from its component. Payloads are plain JSON for the store and the UI.
 */
import type {
  ClusterMember,
  ClusterSamplesPayload,
  ProjectionPayload,
  ReconstructionsPayload,
} from '../../common/artefacts.ts';
import type { DatasetSplit, LoadedDataset } from '../../common/dataset.ts';
import { exampleSize } from '../../common/dataset.ts';
import type { ArtefactKind, CheckpointKind, RunRecord } from '../../common/run.ts';
import { deriveSeed, permutation } from '../../common/random.ts';
import { SEED_STREAM, gatherRows } from '../data/batches.ts';
import type { Gmvae } from '../model/gmvae.ts';
import type { Store } from '../../host/store/index.ts';
import { tf } from '../tf.ts';
import { clusterSplit, type ClusterResult } from './evaluate.ts';
import { pcaProjection, umapProjection } from './projection.ts';

export type { ClusterSamplesPayload, ProjectionPayload, ReconstructionsPayload };

export interface ArtefactOptions {
  seed: number;
  /** Points in the projection (default 10,000) and in its UMAP subsample (default 3,000). */
  maxPoints?: number;
  umapPoints?: number;
  perCluster?: number;
  reconstructions?: number;
  /** Told as each stage starts: a fraction of the work (0..1) and what is done now. */
  onStage?: (fraction: number, message: string) => void;
  /** Checked between stages: an abort ends the computation (nothing is stored). */
  signal?: AbortSignal;
}

const round = (v: number) => Math.round(v * 1e4) / 1e4;
const toList = (a: ArrayLike<number>) => Array.from(a, round);

async function latentMeans(
  model: Gmvae,
  x: Float32Array,
  n: number,
  d: number,
): Promise<{ muX: Float32Array; muW: Float32Array | null }> {
  const muX = new Float32Array(n * model.config.xDim);
  // Shu's model has no w.
  const muW = model.config.model === 'shu' ? null : new Float32Array(n * model.config.wDim);
  for (let start = 0; start < n; start += 500) {
    const rows = Array.from({ length: Math.min(500, n - start) }, (_, i) => start + i);
    const [meanX, meanW] = tf.tidy(() => {
      const means = model.latentMeans(tf.tensor2d(gatherRows(x, d, rows), [rows.length, d]));
      return means.w ? [means.x, means.w] : [means.x];
    });
    muX.set(await readAndDispose(meanX!), start * model.config.xDim);
    if (meanW) muW?.set(await readAndDispose(meanW), start * model.config.wDim);
  }
  return { muX, muW };
}

/** A tensor's values, read without blocking (WebGPU has no synchronous read in Node), then freed. */
async function readAndDispose(t: tf.Tensor): Promise<Float32Array> {
  const values = (await t.data()) as Float32Array;
  t.dispose();
  return values;
}

/** `f` over `items` one at a time (each holds tensors on the device only while it runs). */
async function mapInOrder<T, U>(items: T[], f: (item: T, index: number) => Promise<U>): Promise<U[]> {
  const out: U[] = [];
  for (const [i, item] of items.entries()) out.push(await f(item, i));
  return out;
}

/** p(z = assigned cluster | .) per example. */
function assignedConfidence(clusters: ClusterResult, k: number): number[] {
  return Array.from(clusters.assignments, (c, i) => round(clusters.confidence[i * k + c]!));
}

/**
 * Per cluster: how many examples it holds and its `count` most confident members, ranked by
 * log-odds (by probability, the many members at exactly 1 would come in the split's order).
 */
function topMembers(
  clusters: ClusterResult,
  split: DatasetSplit,
  d: number,
  k: number,
  count: number,
): { size: number; members: ClusterMember[] }[] {
  const rows: number[][] = Array.from({ length: k }, () => []);
  clusters.assignments.forEach((c, i) => rows[c]!.push(i));
  return rows.map((indices, c) => ({
    size: indices.length,
    members: indices
      .map((i) => ({ i, logOdds: clusters.logOdds[i * k + c]! }))
      .sort((a, b) => b.logOdds - a.logOdds)
      .slice(0, count)
      .map(({ i }) => ({
        index: i,
        confidence: round(clusters.confidence[i * k + c]!),
        label: split.y ? split.y[i]! : null,
        values: toList(split.x.subarray(i * d, (i + 1) * d)),
      })),
  }));
}

export async function computeArtefacts(
  model: Gmvae,
  data: LoadedDataset,
  options: ArtefactOptions,
): Promise<{ kind: ArtefactKind; payload: unknown }[]> {
  const { shape } = data.info;
  const d = exampleSize(shape);
  const test = data.test;
  const n = Math.min(test.n, options.maxPoints ?? 10_000);
  const k = model.config.k;
  const stage = (fraction: number, message: string) => {
    options.signal?.throwIfAborted();
    options.onStage?.(fraction, message);
  };
  stage(0, 'clustering the test set');
  const clusters = await clusterSplit(model, test, shape, n);
  // v1 assigns by q(z|y) but trains p(z|x,w) to agree with it: both rules are worth seeing.
  const bayes = model.config.model === 'v1' ? await clusterSplit(model, test, shape, n, 'bayes') : null;
  const label = test.y ? Array.from(test.y.subarray(0, n)) : null;

  // Projection of the latent means.
  stage(0.2, 'encoding the test set');
  const { muX, muW } = await latentMeans(model, test.x, n, d);
  stage(0.35, 'projections: UMAP');
  const umap = umapProjection(muX, n, model.config.xDim, {
    seed: deriveSeed(options.seed, 1),
    maxPoints: options.umapPoints ?? 3000,
  });
  stage(0.8, 'projections: PCA');
  const projection: ProjectionPayload = {
    n,
    cluster: Array.from(clusters.assignments),
    label,
    confidence: assignedConfidence(clusters, k),
    pcaX: toList(pcaProjection(muX, n, model.config.xDim)),
    pcaW: muW ? toList(pcaProjection(muW, n, model.config.wDim)) : null,
    umapX: { indices: Array.from(umap.indices), coords: toList(umap.coords) },
  };
  if (bayes)
    projection.bayes = { cluster: Array.from(bayes.assignments), confidence: assignedConfidence(bayes, k) };

  // Reconstructions of a seeded pick of test examples, from x = mu_x.
  stage(0.85, 'reconstructions and cluster samples');
  const pick = Array.from(
    permutation(n, deriveSeed(options.seed, 2)).subarray(0, options.reconstructions ?? 16),
  );
  const originals = gatherRows(test.x, d, pick);
  const recon = await readAndDispose(
    tf.tidy(() => model.decodeMean(model.latentMeans(tf.tensor2d(originals, [pick.length, d])).x)),
  );
  const reconstructions: ReconstructionsPayload = {
    shape,
    indices: pick,
    originals: pick.map((_, i) => toList(originals.subarray(i * d, (i + 1) * d))),
    reconstructions: pick.map((_, i) => toList(recon.subarray(i * d, (i + 1) * d))),
  };

  // Per cluster: most confident members and generated samples.
  const perCluster = options.perCluster ?? 8;
  const membersOf = (result: ClusterResult) => topMembers(result, test, d, k, perCluster);
  const assigned = membersOf(clusters);
  const samples: ClusterSamplesPayload = {
    shape,
    clusters: await mapInOrder(assigned, async (cluster, c) => {
      const generated = await readAndDispose(
        model.sampleFromComponent(c, perCluster, deriveSeed(options.seed, 3, c)),
      );
      return {
        k: c,
        ...cluster,
        samples: Array.from({ length: perCluster }, (_, s) => toList(generated.subarray(s * d, (s + 1) * d))),
      };
    }),
  };
  if (bayes) samples.bayes = membersOf(bayes);
  if (shape.length === 1 && d === 2) samples.points = toList(test.x.subarray(0, 2 * Math.min(n, 2000)));

  return [
    { kind: 'projection', payload: projection },
    { kind: 'reconstructions', payload: reconstructions },
    { kind: 'cluster-samples', payload: samples },
  ];
}

/**
 * Computes and stores the artefacts of a model at one of its run's checkpoints. The trainer
 * (at the end of a run), `gmvae eval` and the reproduction's pictures all call this, so the
 * stored artefacts of a checkpoint do not depend on which of them made them.
 */
export async function saveCheckpointArtefacts(
  store: Store,
  loaded: { run: RunRecord; model: Gmvae; data: LoadedDataset; epoch: number },
  kind: CheckpointKind,
  progress: Pick<ArtefactOptions, 'onStage' | 'signal'> = {},
): Promise<void> {
  const { run, model, data, epoch } = loaded;
  const artefacts = await computeArtefacts(model, data, {
    seed: deriveSeed(run.config.seed, SEED_STREAM.artefacts),
    ...progress,
  });
  progress.signal?.throwIfAborted();
  const createdAt = new Date().toISOString();
  for (const a of artefacts) store.saveArtefact({ ...a, runId: run.id, checkpoint: kind, epoch, createdAt });
}
