/**
 * Exports a run: its three networks in the standard TensorFlow.js layers format (each folder
 * loadable with tf.loadLayersModel), a manifest of hyperparameters and metrics, the cluster
 * assignment of every example as CSV, and the metric history as CSV (see metrics-csv.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DatasetInfo } from '../../common/dataset.ts';
import type { CheckpointKind } from '../../common/run.ts';
import { seededSplitRows } from '../data/import/common.ts';
import { withCheckpointModel } from '../checkpoint/restore.ts';
import { clusterSplit } from '../evaluation/evaluate.ts';
import { requireRun } from '../../host/runs.ts';
import type { Store } from '../../host/store/index.ts';
import { tf, type LayersModel } from '../tf.ts';
import { metricsCsv } from './metrics-csv.ts';
import { clusterRule, exportedNetworks, type ExportedNetwork } from './network-manifest.ts';
import type { Networks } from '../model/networks.ts';

export interface ExportOptions {
  outDir: string;
  checkpoint?: CheckpointKind;
}

export interface ExportResult {
  run: number;
  out: string;
  checkpoint: CheckpointKind;
  epoch: number;
  files: string[];
}

export class ExportError extends Error {
  override name = 'ExportError';
}

/** Writes model.json + weights.bin for one network, as tf.io's file handlers would. */
async function saveLayersModel(model: LayersModel, dir: string): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = artifacts.weightData ?? new ArrayBuffer(0);
      const buffer = Array.isArray(weightData)
        ? Buffer.concat(weightData.map((b) => Buffer.from(b)))
        : Buffer.from(weightData);
      fs.writeFileSync(path.join(dir, 'weights.bin'), buffer);
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: null,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return [path.join(dir, 'model.json'), path.join(dir, 'weights.bin')];
}

/**
 * Where each example of a seeded split came from among the source's examples (0-based), or
 * null when each split is its source file's own (then an example's index is its place there).
 */
function sourceIndices(info: DatasetInfo): { train: Int32Array; test: Int32Array } | null {
  if (info.split === 'source') return null;
  return seededSplitRows(info.nTrain + info.nTest, info.split.seed, info.split.testFraction);
}

export async function exportRun(store: Store, runId: number, options: ExportOptions): Promise<ExportResult> {
  const kind = options.checkpoint ?? 'last';
  if (kind !== 'last' && kind !== 'best')
    throw new ExportError(`checkpoint must be 'last' or 'best', not '${kind}'`);
  const run = requireRun(store, runId);
  // Checked before anything is loaded, so a refusal is quick and writes nothing.
  if (!store.listCheckpoints(run.id).some((c) => c.kind === kind))
    throw new ExportError(`run '${run.name}' has no '${kind}' checkpoint to export yet`);
  const out = path.resolve(options.outDir);
  if (fs.existsSync(out) && (!fs.statSync(out).isDirectory() || fs.readdirSync(out).length > 0))
    throw new ExportError(`${out}: export folder must be new or empty (nothing is overwritten)`);

  return withCheckpointModel(store, run.id, kind, async ({ model, data, epoch, step }) => {
    const files: string[] = [];
    const networks = exportedNetworks(run.config);
    for (const [key, network] of Object.entries(networks) as [keyof Networks, ExportedNetwork][])
      files.push(...(await saveLayersModel(model.networks[key]!, path.join(out, network.folder))));

    // Cluster assignments of every example, at the posterior means, with the example's place in
    // the source (docs/export.md).
    const sources = sourceIndices(data.info);
    const lines = ['split,index,source_index,cluster,confidence,label'];
    for (const [name, split] of [
      ['train', data.train],
      ['test', data.test],
    ] as const) {
      const { assignments, confidence } = await clusterSplit(model, split, data.info.shape);
      for (let i = 0; i < split.n; i++) {
        const c = assignments[i]!;
        const p = confidence[i * run.config.k + c]!;
        const source = sources ? sources[name][i]! : i;
        lines.push(`${name},${i},${source},${c},${p.toFixed(6)},${split.y ? split.y[i] : ''}`);
      }
    }
    const csvPath = path.join(out, 'assignments.csv');
    fs.writeFileSync(csvPath, `${lines.join('\n')}\n`);
    files.push(csvPath);

    const history = metricsCsv(store.metrics(run.id));
    for (const [name, text] of [
      ['metrics.csv', history.epochs],
      ['steps.csv', history.steps],
    ] as const) {
      fs.writeFileSync(path.join(out, name), text);
      files.push(path.join(out, name));
    }

    const manifest = {
      format: 'gmvae-workbench-export',
      version: 1,
      run: { id: run.id, name: run.name, dataset: run.dataset, status: run.status, backend: run.backend },
      checkpoint: { kind, epoch, step },
      config: run.config,
      dataset: data.info,
      // What the encoder's input y is, for data the workbench has not seen (docs/export.md).
      input: {
        shape: data.info.shape,
        flattening: 'row-major over the shape: for images [height, width, channels], channels last',
        preprocessing:
          data.info.preprocessing ?? 'not recorded (the dataset was imported by an earlier version)',
        valueRange: data.info.valueRange,
      },
      // What the exported checkpoint had recorded: the best one's epoch, not the run's latest.
      metrics: store.latestMetrics(run.id, step),
      networks: Object.fromEntries(
        Object.entries(networks).map(([key, { folder, ...rest }]) => [
          key,
          { path: `${folder}/model.json`, ...rest },
        ]),
      ),
      clusterRule: clusterRule(run.config),
      exportedAt: new Date().toISOString(),
    };
    const manifestPath = path.join(out, 'manifest.json');
    fs.writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    files.push(manifestPath);
    return {
      run: run.id,
      out,
      checkpoint: kind,
      epoch,
      files: files.map((f) => path.relative(out, f)),
    };
  });
}
