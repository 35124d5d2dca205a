/**
 * The training loop of one run: one flat sequence of labelled steps, like nanoGPT's train.py.
 *
 *   1. load the run, its dataset and the compute backend
 *   2. build the model (seeded) and Adam; restore the last checkpoint if there is one
 *   3. per batch: seeded noise, ELBO terms, Adam step, finite check, progress
 *   4. per epoch: evaluate on the test split, commit checkpoint + metrics + progress atomically
 *   5. at the end: evaluation artefacts, status 'completed'
 *
 * Everything random is a function of (seed, epoch, step), so a run resumed from a checkpoint
 * produces exactly the numbers it would have produced uninterrupted (on the same backend).
 */
import type { RunProgress } from '../../common/api/contract.ts';
import type { LoadedDataset } from '../../common/dataset.ts';
import { exampleSize } from '../../common/dataset.ts';
import { MEMORY_METRICS, TRAIN_METRICS, metricName, type TrainMetric } from '../../common/metric-names.ts';
import { deriveSeed } from '../../common/random.ts';
import type { CheckpointData, MetricPoint, RunRecord, StoredTensor } from '../../common/run.ts';
import type { TrainEventListener, TrainPhase } from '../../common/training-events.ts';
import { BACKEND_ORDER, type BackendName } from '../../common/backends.ts';
import { selectBackend, type BackendSelection } from '../backend/backends.ts';
import { saveCheckpointArtefacts } from '../evaluation/artefacts.ts';
import { evaluateSplit } from '../evaluation/evaluate.ts';
import { Gmvae } from '../model/gmvae.ts';
import type { Store } from '../../host/store/index.ts';
import { tf } from '../tf.ts';
import { SEED_STREAM, batchCount, batchIndices, epochOrder, gatherRows } from '../data/batches.ts';
import {
  captureOptimizer,
  captureWeights,
  MISSING_POSTERIOR_NETWORK,
  restoreOptimizer,
  restoreWeights,
} from '../checkpoint/state.ts';
import { learningRateAt } from './lr-schedule.ts';
import { createOptimizer } from './optimizer.ts';
import { SittingClock } from './sitting-clock.ts';
import { readTerms, trainStep, type StepTerms } from './step.ts';

/** How a supervisor (or Ctrl-C) steers a running trainer; checked between steps. */
export interface TrainControl {
  stopRequested(): boolean;
  pauseRequested(): boolean;
  /** Resolves when the trainer may continue (or should stop). */
  waitForResume(): Promise<void>;
}

export const noControl: TrainControl = {
  stopRequested: () => false,
  pauseRequested: () => false,
  waitForResume: async () => {},
};

export interface TrainOptions {
  store: Store;
  runId: number;
  loadDataset: (name: string) => Promise<LoadedDataset>;
  control?: TrainControl;
  onEvent?: TrainEventListener;
  /** Test hook: stop the process-level loop after this many steps (simulates a stop). */
  maxSteps?: number;
}

export class NonFiniteLossError extends Error {
  override name = 'NonFiniteLossError';
}

const HEARTBEAT_MS = 3000;
const PROGRESS_MS = 500;
/**
 * Trainer state kept beside Adam's slots in a checkpoint: the running sums of the epoch, and
 * the run's training seconds when the epoch began (so 'epoch_seconds' of an epoch resumed
 * part-way counts its time before the stop). float64 values travel bit-exact as pairs of
 * float32 words.
 */
const EPOCH_SUMS = 'trainer/epoch_sums';
const EPOCH_START = 'trainer/epoch_start_seconds';

const float64Words = (name: string, values: Float64Array): StoredTensor => {
  const data = new Float32Array(values.slice().buffer);
  return { name, shape: [data.length], data };
};
const float64Values = (t: StoredTensor): Float64Array<ArrayBuffer> =>
  new Float64Array(t.data.slice().buffer as ArrayBuffer);

/**
 * The backend of a sitting. A resumed 'auto' run stays on the backend it started on, because
 * another backend rounds differently and the run would not repeat its uninterrupted results;
 * if that backend is gone, 'auto' picks again and the skipped lines say so.
 */
async function chooseBackend(run: RunRecord, resuming: boolean): Promise<BackendSelection> {
  const needs = { trainsConv2d: run.config.arch === 'conv' };
  const previous = run.backend as BackendName | null;
  if (!resuming || run.config.backend !== 'auto' || !previous || !BACKEND_ORDER.includes(previous))
    return selectBackend(run.config.backend, needs);
  try {
    return await selectBackend(previous, needs);
  } catch (error) {
    const selection = await selectBackend('auto', needs);
    const reason = error instanceof Error ? error.message : String(error);
    selection.skipped.unshift(
      `${previous} (this run's backend so far; results will differ from an uninterrupted run): ${reason}`,
    );
    return selection;
  }
}

/**
 * The running sums of an epoch from a checkpoint. Checkpoints written before `consistency` was
 * recorded hold six sums and the count; the new term's sum is 0 there.
 */
function restoreEpochSums(t: StoredTensor): Float64Array<ArrayBuffer> {
  const stored = float64Values(t);
  if (stored.length === TRAIN_METRICS.length + 1) return stored;
  const sums = new Float64Array(TRAIN_METRICS.length + 1);
  sums.set(stored.subarray(0, stored.length - 1));
  sums[TRAIN_METRICS.length] = stored[stored.length - 1]!;
  return sums;
}

/** MEMORY_METRICS now: what tfjs holds, and on a GPU backend what it holds on the device. */
function memoryMetrics(): Record<string, number> {
  const memory = tf.memory() as ReturnType<typeof tf.memory> & { numBytesInGPU?: number };
  const [tensors, bytes, gpuBytes] = MEMORY_METRICS;
  return {
    [tensors]: memory.numTensors,
    [bytes]: memory.numBytes,
    ...(memory.numBytesInGPU === undefined ? {} : { [gpuBytes]: memory.numBytesInGPU }),
  };
}

export async function trainRun(options: TrainOptions): Promise<RunRecord> {
  const { store, runId, control = noControl } = options;
  const emit = options.onEvent ?? (() => {});
  const run = store.getRun(runId);
  if (!run) throw new Error(`run ${runId} does not exist`);
  const config = run.config;

  // 1. dataset and backend (a failure here is recorded on the run like any other)
  const last = store.loadCheckpoint(runId, 'last');
  let data: LoadedDataset;
  let selection: BackendSelection;
  try {
    data = await options.loadDataset(run.dataset);
    selection = await chooseBackend(run, last !== null);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    store.updateRun(runId, { status: 'failed', error: message, pid: null });
    emit({ type: 'status', runId, status: 'failed', error: message });
    throw error;
  }
  const shape = data.info.shape;
  const d = exampleSize(shape);

  // 2. model and optimizer, restored from the last checkpoint when resuming
  const model = new Gmvae(config, { shape });
  const optimizer = createOptimizer(config);
  const variables = model.trainableVariables;
  let epoch = 0;
  let batchInEpoch = 0;
  let step = 0;
  let trainSeconds = 0;
  let epochStartSeconds: number | undefined; // checkpoints before it was kept: where they were written
  let epochSums = new Float64Array(TRAIN_METRICS.length + 1); // term sums, then example count
  let termNames: readonly TrainMetric[] = []; // the terms the run's formulation records
  const warnings: string[] = [];
  if (last) {
    if (restoreWeights(model, last.weights).length > 0)
      warnings.push(`${MISSING_POSTERIOR_NETWORK}: that network restarts from its initialisation`);
    const trainerState = (name: string) => last.optimizer.find((t) => t.name === name);
    await restoreOptimizer(
      optimizer,
      last.optimizer.filter((t) => t.name !== EPOCH_SUMS && t.name !== EPOCH_START),
    );
    const sums = trainerState(EPOCH_SUMS);
    if (sums) epochSums = restoreEpochSums(sums);
    const start = trainerState(EPOCH_START);
    if (start) epochStartSeconds = float64Values(start)[0];
    ({ epoch, batchInEpoch, step, trainSeconds } = last);
  }
  // Metrics logged after the last checkpoint belong to steps that will now be repeated: all of
  // them when a trainer was killed before its first checkpoint (step metrics are written between
  // checkpoints).
  store.deleteMetricsAfter(runId, last ? step : -1);
  let bestScore = store.listCheckpoints(runId).find((c) => c.kind === 'best')?.score ?? -Infinity;

  const now = () => new Date().toISOString();
  store.updateRun(runId, {
    status: 'running',
    pid: process.pid,
    backend: selection.backend,
    device: selection.device,
    startedAt: run.startedAt ?? now(),
    finishedAt: null,
    error: null,
  });
  emit({
    type: 'started',
    runId,
    backend: selection.backend,
    device: selection.device,
    skipped: selection.skipped,
    resumedFrom: last ? { epoch, step } : null,
    warnings,
  });

  const batches = batchCount(data.train.n, config.batchSize);
  const logEvery = Math.max(1, Math.round(batches / 20));
  const totalSteps = config.epochs * batches; // the learning-rate schedule's T
  const clock = new SittingClock(
    { trainSeconds, epochStartSeconds },
    { heartbeatMs: HEARTBEAT_MS, progressMs: PROGRESS_MS, checkpointMs: config.checkpointMinutes * 60_000 },
  );
  let stepsThisProcess = 0;
  // The latest step's loss and speed, repeated by the progress events between epochs.
  let lastLoss = 0;
  let lastRate = 0;
  // The latest progress also goes to the store with each heartbeat, for interfaces in other
  // processes (the app watching a terminal's `gmvae reproduce`).
  let reported: RunProgress | undefined;
  const progress = (phase: TrainPhase, inEpoch: number, batch: number) => {
    reported = { phase, epoch: inEpoch, batch, batches, step, loss: lastLoss, examplesPerSecond: lastRate };
    emit({ type: 'progress', runId, ...reported });
    // Evaluation and the final artefacts send no heartbeats while they last: say so at once.
    if (phase !== 'training') store.heartbeat(runId, reported);
  };

  const checkpoint = async (best: boolean, metrics: MetricPoint[], score: number | null): Promise<void> => {
    trainSeconds = clock.trainSeconds();
    // Exact float64 sums, so a resumed epoch averages exactly.
    const sums = float64Words(EPOCH_SUMS, epochSums);
    const start = float64Words(EPOCH_START, new Float64Array([clock.epochStartSeconds()]));
    const data: CheckpointData = {
      runId,
      kind: 'last',
      epoch,
      step,
      batchInEpoch,
      createdAt: now(),
      score,
      trainSeconds,
      weights: await captureWeights(model),
      optimizer: [...(await captureOptimizer(optimizer)), sums, start],
    };
    store.commitCheckpoint({ checkpoint: data, alsoBest: best, metrics, run: { epoch, step, trainSeconds } });
    clock.checkpointed();
    emit({ type: 'checkpoint', runId, epoch, step, best });
  };

  const finish = (status: 'completed' | 'stopped' | 'failed' | 'paused', error: string | null = null) => {
    const record = store.updateRun(runId, {
      status,
      error,
      pid: status === 'paused' ? process.pid : null,
      finishedAt: status === 'completed' ? now() : null,
      trainSeconds: clock.trainSeconds(),
    });
    emit({ type: 'status', runId, status, error });
    return record;
  };

  try {
    while (epoch < config.epochs) {
      const order = epochOrder(data.train.n, config.seed, epoch);
      // 3. one epoch of Adam steps
      while (batchInEpoch < batches) {
        if (control.pauseRequested()) {
          await checkpoint(false, [], null);
          finish('paused');
          const resumed = clock.pause();
          await control.waitForResume();
          resumed();
          if (!control.stopRequested()) {
            store.updateRun(runId, { status: 'running', pid: process.pid });
            emit({ type: 'status', runId, status: 'running', error: null });
          }
        }
        if (
          control.stopRequested() ||
          (options.maxSteps !== undefined && stepsThisProcess >= options.maxSteps)
        ) {
          await checkpoint(false, [], null);
          return finish('stopped');
        }
        const rows = batchIndices(order, config.batchSize, batchInEpoch);
        const stepLr = learningRateAt(config.lrSchedule, config.lr, step, totalSteps);
        const y = tf.tensor2d(gatherRows(data.train.x, d, rows), [rows.length, d]);
        let terms: StepTerms;
        try {
          const noiseSeed = deriveSeed(config.seed, SEED_STREAM.stepNoise, step);
          optimizer.setLearningRate(stepLr);
          terms = await readTerms(trainStep(model, optimizer, variables, y, noiseSeed));
        } finally {
          y.dispose();
        }
        if (!Object.values(terms).every(Number.isFinite))
          throw new NonFiniteLossError(
            `the loss became ${terms.loss} at epoch ${epoch + 1}, step ${step + 1}; ` +
              'the last good checkpoint is kept. Try a lower learning rate.',
          );
        termNames = Object.keys(terms) as TrainMetric[];
        TRAIN_METRICS.forEach((name, i) => (epochSums[i]! += (terms[name] ?? 0) * rows.length));
        epochSums[TRAIN_METRICS.length]! += rows.length;
        step++;
        batchInEpoch++;
        stepsThisProcess++;

        if (step % logEvery === 0) {
          const time = Date.now();
          store.appendMetrics([
            { runId, step, epoch, name: 'train/step_loss', value: terms.loss!, time },
            { runId, step, epoch, name: 'train/step_elbo', value: terms.elbo!, time },
            { runId, step, epoch, name: 'train/lr', value: stepLr, time },
          ]);
        }
        lastLoss = terms.loss!;
        const rate = clock.progress(rows.length);
        if (rate !== null) {
          lastRate = rate;
          progress('training', epoch, batchInEpoch);
        }
        if (clock.heartbeatDue()) store.heartbeat(runId, reported);
        if (clock.checkpointDue() && batchInEpoch < batches) await checkpoint(false, [], null);
        // Let IPC messages (pause, stop) in between steps.
        await new Promise((resolve) => setImmediate(resolve));
      }

      // 4. end of epoch: evaluation, then checkpoint + metrics + progress in one transaction
      progress('evaluating', epoch, batches);
      epoch++;
      batchInEpoch = 0;
      const time = Date.now();
      const count = epochSums[TRAIN_METRICS.length]!;
      const epochMetrics: Record<string, number> = {};
      TRAIN_METRICS.forEach((name, i) => {
        if (termNames.includes(name)) epochMetrics[metricName('train', name)] = epochSums[i]! / count;
      });
      const evaluation = await evaluateSplit(model, data.test, shape, data.info.numClasses, config.seed);
      for (const [name, value] of Object.entries(evaluation.metrics))
        epochMetrics[metricName('test', name)] = value as number;
      epochMetrics['epoch_seconds'] = clock.endEpoch();
      Object.assign(epochMetrics, memoryMetrics());
      epochSums = new Float64Array(TRAIN_METRICS.length + 1);
      const score = evaluation.metrics.elbo ?? -Infinity;
      const best = score > bestScore;
      if (best) bestScore = score;
      const points = Object.entries(epochMetrics).map(([name, value]) => ({
        runId,
        step,
        epoch,
        name,
        value,
        time,
      }));
      await checkpoint(best, points, score);
      emit({ type: 'epoch', runId, epoch, seconds: epochMetrics['epoch_seconds']!, metrics: epochMetrics });
    }

    // 5. artefacts of the final model, then done
    progress('artefacts', epoch - 1, batches);
    await saveCheckpointArtefacts(store, { run, model, data, epoch }, 'last');
    return finish('completed');
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    finish('failed', message);
    throw error;
  } finally {
    model.dispose();
    optimizer.dispose();
  }
}
