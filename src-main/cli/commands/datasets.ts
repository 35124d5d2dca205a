/** gmvae datasets import | list */
import type { Command } from 'commander';
import type { DatasetInfo } from '../../common/dataset.ts';
import { isBuiltin, listDatasets } from '../../host/datasets.ts';
import { importDataset } from '../../engine/data/import/index.ts';
import { withStore, type GlobalOptions } from '../context.ts';
import { number, integer } from '../options.ts';
import { CliError, emitResult, note, table } from '../output.ts';

const describe = (d: DatasetInfo) => ({
  name: d.name,
  kind: d.kind,
  n_train: d.nTrain,
  n_test: d.nTest,
  shape: d.shape,
  num_classes: d.numClasses,
  value_range: d.valueRange,
  source: d.source,
});

export function registerDatasetCommands(program: Command, globals: () => GlobalOptions): void {
  const datasets = program.command('datasets').description('import and list datasets');

  datasets
    .command('import')
    .description('import IDX (raw or .gz), CSV, NPY files or a folder of PNG/JPEG images')
    .argument('<paths...>', 'files, or one folder of images (sub-folder name = label)')
    .option('--name <name>', 'dataset name (default: the first file name)')
    .option('--label-column <column>', 'CSV column holding the labels')
    .option('--test-fraction <f>', 'held-out fraction when the source has no test split', number, 0.2)
    .option('--seed <n>', 'seed of the train/test split', integer, 0)
    .option('--json', 'print one JSON object')
    .action(async (paths: string[], opts) => {
      const options = { ...globals(), ...opts };
      await withStore(options, async (store) => {
        let lastShown = -1;
        const data = await importDataset(paths, {
          name: opts.name,
          labelColumn: opts.labelColumn,
          testFraction: opts.testFraction,
          seed: opts.seed,
          onProgress: (fraction, message) => {
            const pct = Math.floor(fraction * 100);
            if (pct >= lastShown + 10 || fraction === 1) {
              note(`importing: ${pct}% ${message}`);
              lastShown = pct;
            }
          },
        });
        if (isBuiltin(data.info.name))
          throw new CliError(`'${data.info.name}' is a built-in dataset; choose another --name`);
        store.saveDataset(data);
        emitResult(options, { dataset: describe(data.info) }, () => {
          const i = data.info;
          return `imported '${i.name}': ${i.nTrain} train + ${i.nTest} test examples of shape ${i.shape.join('x')}, ${i.numClasses} classes`;
        });
      });
    });

  datasets
    .command('list')
    .description('list built-in and imported datasets')
    .option('--json', 'print one JSON object')
    .action(async (opts) => {
      const options = { ...globals(), ...opts };
      await withStore(options, async (store) => {
        const all = listDatasets(store);
        emitResult(options, { datasets: all.map(describe) }, () =>
          table(
            ['NAME', 'KIND', 'SHAPE', 'TRAIN', 'TEST', 'CLASSES', 'SOURCE'],
            all.map((d) => [d.name, d.kind, d.shape.join('x'), d.nTrain, d.nTest, d.numClasses, d.source]),
          ),
        );
      });
    });
}
