/**
 * The pictures of a reproduction, from its runs' last checkpoints and metrics:
 *  - 2-D data: the test split coloured by cluster, and samples generated from each component;
 *  - images: per cluster, its most confident test members, then samples from its component
 *    (w drawn from its prior, and w = 0);
 *  - training curves of the experiment's runs (test metrics per epoch).
 * Returns the files written, relative to `outDir`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ClusterSamplesPayload } from '../../common/artefacts.ts';
import { exampleSize } from '../../common/dataset.ts';
import { metricName } from '../../common/metric-names.ts';
import { deriveSeed } from '../../common/random.ts';
import type { RunRecord } from '../../common/run.ts';
import { withCheckpointModel } from '../checkpoint/restore.ts';
import { saveCheckpointArtefacts } from '../evaluation/artefacts.ts';
import { clusterSplit } from '../evaluation/evaluate.ts';
import type { Gmvae } from '../model/gmvae.ts';
import type { Store } from '../../host/store/index.ts';
import type { PictureKind } from './experiments.ts';
import { curvesSpec, imageGridPng, renderSvg, scatterSpec, type CurvePoint } from './pictures.ts';

/** Samples drawn from each component for the 2-D pictures (enough to show its shape). */
const SAMPLES_PER_COMPONENT = 150;

/** The test metrics drawn per epoch, with their chart titles. */
export const CURVE_METRICS: Record<string, string> = {
  accuracy: 'accuracy (paper protocol)',
  accuracy_majority: 'accuracy (majority vote)',
  clusters_used: 'clusters used',
  elbo: 'ELBO (nats)',
  z_prior: 'z-prior KL (nats)',
  conditional_prior: 'conditional prior KL (nats)',
};

export function runPictureStem(variant: string, seed: number): string {
  return `${variant}-seed${seed}`;
}

/** Samples from component k as one flat array ([n * D] values). */
async function componentSamples(
  model: Gmvae,
  k: number,
  n: number,
  seed: number,
  w: 'prior' | 'zero',
): Promise<Float32Array> {
  const drawn = model.sampleFromComponent(k, n, seed, w);
  const values = (await drawn.data()) as Float32Array;
  drawn.dispose();
  return values;
}

async function drawScatterRun(store: Store, run: RunRecord, outDir: string, stem: string): Promise<string[]> {
  // Clusters and samples need neither Shu's q(x|y,z) network nor a checkpoint that has it.
  const partial = { withoutPosteriorNetwork: true };
  return withCheckpointModel(
    store,
    run.id,
    'last',
    async ({ model, data, epoch }) => {
      const { test } = data;
      const d = exampleSize(data.info.shape);
      const clusters = await clusterSplit(model, test, data.info.shape);
      const byCluster = Array.from(clusters.assignments, (group, i) => ({
        x: test.x[i * d]!,
        y: test.x[i * d + 1]!,
        group,
      }));
      const samples = [];
      for (let k = 0; k < model.config.k; k++) {
        const seed = deriveSeed(run.config.seed, 7, k);
        const values = await componentSamples(model, k, SAMPLES_PER_COMPONENT, seed, 'prior');
        for (let s = 0; s < SAMPLES_PER_COMPONENT; s++)
          samples.push({ x: values[s * d]!, y: values[s * d + 1]!, group: k });
      }
      const charts = [
        {
          file: `${stem}-clusters.svg`,
          points: byCluster,
          title: 'Test points by cluster',
          legend: 'cluster',
        },
        {
          file: `${stem}-samples.svg`,
          points: samples,
          title: 'Samples from each component',
          legend: 'component',
        },
      ];
      for (const chart of charts) {
        const title = `${chart.title} (lambda ${run.config.lambda}, epoch ${epoch})`;
        const svg = await renderSvg(scatterSpec(chart.points, model.config.k, title, chart.legend));
        fs.writeFileSync(path.join(outDir, chart.file), svg);
      }
      return charts.map((c) => c.file);
    },
    partial,
  );
}

/**
 * Per cluster: its most confident test members, samples with w ~ p(w), and samples with w = 0.
 * The first two come from the checkpoint's stored artefacts (computed here if missing or older).
 */
async function drawImageRun(store: Store, run: RunRecord, outDir: string, stem: string): Promise<string[]> {
  // With the stored artefacts current, only samples are drawn here: a checkpoint without Shu's
  // q(x|y,z) network serves. Otherwise the artefacts (reconstructions too) need all of it.
  const lastEpoch = store.listCheckpoints(run.id).find((c) => c.kind === 'last')?.epoch;
  const partial = {
    withoutPosteriorNetwork: store.getArtefact(run.id, 'cluster-samples', 'last')?.epoch === lastEpoch,
  };
  return withCheckpointModel(
    store,
    run.id,
    'last',
    async (loaded) => {
      let artefact = store.getArtefact(run.id, 'cluster-samples', 'last');
      if (!artefact || artefact.epoch !== loaded.epoch) {
        await saveCheckpointArtefacts(store, loaded, 'last');
        artefact = store.getArtefact(run.id, 'cluster-samples', 'last');
      }
      const payload = artefact!.payload as ClusterSamplesPayload;
      const [h, w] = payload.shape as [number, number];
      const perGroup = Math.max(...payload.clusters.map((c) => Math.max(c.members.length, c.samples.length)));
      const padded = (images: ArrayLike<number>[]) => [
        ...images,
        ...Array.from({ length: perGroup - images.length }, () => []),
      ];
      const rows: ArrayLike<number>[][] = [];
      for (const c of payload.clusters) {
        const seed = deriveSeed(run.config.seed, 8, c.k);
        const atZero = await componentSamples(loaded.model, c.k, perGroup, seed, 'zero');
        rows.push([
          ...padded(c.members.map((m) => m.values)),
          ...padded(c.samples),
          ...Array.from({ length: perGroup }, (_, s) => atZero.subarray(s * h * w, (s + 1) * h * w)),
        ]);
      }
      const file = `${stem}-clusters.png`;
      const png = imageGridPng(rows, { size: [h, w], gapsBefore: [perGroup, 2 * perGroup] });
      fs.writeFileSync(path.join(outDir, file), png);
      return [file];
    },
    partial,
  );
}

export async function drawRun(
  store: Store,
  run: RunRecord,
  kind: PictureKind,
  outDir: string,
  stem: string,
): Promise<string[]> {
  if (!store.listCheckpoints(run.id).some((c) => c.kind === 'last')) return [];
  return kind === 'scatter-2d'
    ? drawScatterRun(store, run, outDir, stem)
    : drawImageRun(store, run, outDir, stem);
}

/** Test metrics per epoch of the given runs, one chart per metric. */
export async function drawCurves(
  store: Store,
  runs: { label: string; run: RunRecord }[],
  title: string,
  outDir: string,
  file = 'curves.svg',
): Promise<string[]> {
  const points: CurvePoint[] = [];
  for (const { label, run } of runs)
    for (const [metric, chart] of Object.entries(CURVE_METRICS))
      for (const p of store.metrics(run.id, [metricName('test', metric)]))
        points.push({ run: label, epoch: p.epoch, metric: chart, value: p.value });
  if (points.length === 0) return [];
  const charts = Object.values(CURVE_METRICS);
  fs.writeFileSync(path.join(outDir, file), await renderSvg(curvesSpec(points, title, charts)));
  return [file];
}
