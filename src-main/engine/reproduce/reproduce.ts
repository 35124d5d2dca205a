/**
 * One experiment end to end: plan its runs, adopt the ones already stored, train what is left
 * (in engine processes, resumable), then write its results and pictures to a folder:
 *   results.json   every run and every variant summary
 *   results.md     the tables (paper beside ours) and the pictures
 *   *.svg, *.png   per variant (first seed): clusters and component samples; curves.svg
 * The runs land in the store like any other, so the desktop app can compare them.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { RunRecord } from '../../common/run.ts';
import type { TrainEventListener } from '../../common/training-events.ts';
import { builtinInfo } from '../../host/datasets.ts';
import type { Store } from '../../host/store/index.ts';
import type { EngineSupervisor } from '../../host/supervisor.ts';
import { adoptOrCreateRun, findOtherLengths, findPlannedRun, plannedSettings } from './adopt.ts';
import { drawCurves, drawRun, runPictureStem } from './draw.ts';
import { planRuns, type Experiment, type PlannedRun, type ReproductionChoices } from './experiments.ts';
import { collectResults, resultsMarkdown, type ExperimentResults } from './report.ts';
import { trainRuns } from './schedule.ts';

export interface ReproduceOptions extends ReproductionChoices {
  outDir: string;
  /** Runs training at once (each in its own process). */
  jobs: number;
  /** Report on what is stored without training anything. */
  reportOnly?: boolean;
  signal?: AbortSignal;
  onEvent?: TrainEventListener;
  onNote?: (line: string) => void;
}

export interface ReproduceOutcome {
  results: ExperimentResults;
  /** Files written, relative to outDir. */
  files: string[];
}

/** Fails before anything trains when a dataset the experiment needs is not in the store, saying how to import it. */
export function requireDatasets(store: Store, experiment: Experiment): void {
  for (const name of new Set(experiment.variants.map((v) => v.dataset))) {
    if (builtinInfo(name) ?? store.getDatasetInfo(name)) continue;
    const how = experiment.importHint ? `; import it first: ${experiment.importHint}` : '';
    throw new Error(
      `experiment '${experiment.id}' trains on '${name}', which this store does not hold${how}`,
    );
  }
}

/**
 * Why a report finds no run for `plan`: none was started, or the runs with its settings have
 * another length, named after the --epochs they were started with (then how to report on them).
 */
function notStoredNote(store: Store, plan: PlannedRun): string {
  const [other] = findOtherLengths(store, plan);
  if (!other) return 'not started yet';
  return (
    `no run with ${plannedSettings(store, plan).config.epochs} epochs; run ${other.id} '${other.name}' ` +
    `has these settings with ${other.config.epochs} (at epoch ${other.epoch}): ` +
    `report on it with --epochs ${other.config.epochs}`
  );
}

export async function reproduce(
  store: Store,
  supervisor: EngineSupervisor,
  experiment: Experiment,
  options: ReproduceOptions,
): Promise<ReproduceOutcome> {
  const note = options.onNote ?? (() => {});
  requireDatasets(store, experiment);
  const planned: { plan: PlannedRun; run: RunRecord }[] = [];
  for (const plan of planRuns(experiment, options)) {
    if (options.reportOnly) {
      const run = findPlannedRun(store, plan);
      if (run) planned.push({ plan, run });
      else note(`${plan.name}: ${notStoredNote(store, plan)}`);
      continue;
    }
    const { run, adopted, extendedFrom } = adoptOrCreateRun(store, plan);
    note(
      !adopted
        ? `${plan.name}: new run ${run.id}`
        : extendedFrom !== undefined
          ? `${plan.name}: run ${run.id} '${run.name}' (epoch ${run.epoch} of ${extendedFrom}), trained further to epoch ${run.config.epochs}`
          : `${plan.name}: run ${run.id} '${run.name}' (${run.status}, epoch ${run.epoch})`,
    );
    planned.push({ plan, run });
  }

  if (!options.reportOnly)
    await trainRuns(
      store,
      supervisor,
      planned.map((p) => p.run.id),
      { jobs: options.jobs, signal: options.signal, onEvent: options.onEvent, onNote: note },
    );

  // The records as training left them (status, epoch, time), read once for the report and pictures.
  const current = planned.map((p) => ({ ...p, run: store.getRun(p.run.id) ?? p.run }));
  const results = collectResults(store, experiment, current);
  // Stopped by the user: report where the runs stand, but leave the folder (and the minutes the
  // pictures take) to the sitting that finishes them.
  if (options.signal?.aborted) return { results, files: [] };
  fs.mkdirSync(options.outDir, { recursive: true });
  const files: string[] = [];
  // Pictures of each variant's first seed; curves of every run.
  for (const variant of new Set(current.map((p) => p.plan.variant.id))) {
    const first = current.find((p) => p.plan.variant.id === variant)!;
    note(`drawing ${first.plan.name}...`);
    files.push(
      ...(await drawRun(
        store,
        first.run,
        experiment.pictures,
        options.outDir,
        runPictureStem(variant, first.plan.seed),
      )),
    );
  }
  files.push(
    ...(await drawCurves(
      store,
      current.map((p) => ({ label: `${p.plan.variant.id} seed ${p.plan.seed}`, run: p.run })),
      `${experiment.title}: test metrics per epoch`,
      options.outDir,
    )),
  );
  fs.writeFileSync(path.join(options.outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  const pictures = files.map((f) => `![${f}](${f})`).join('\n\n');
  fs.writeFileSync(
    path.join(options.outDir, 'results.md'),
    `# ${experiment.title}\n\n${experiment.summary}\n\nGenerated ${results.generatedAt}.\n\n` +
      `${resultsMarkdown(results)}\n${pictures}\n`,
  );
  files.push('results.json', 'results.md');
  return { results, files };
}
