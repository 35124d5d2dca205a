/**
 * The wall-clock side of one sitting of a trainer (from its start or resume to its stop): the
 * run's training time, which continues the seconds its checkpoint recorded and leaves out pauses;
 * the length of the current epoch; and when the next heartbeat, progress report and time-based
 * checkpoint are due. Kept apart from the training loop so that the loop reads as its steps.
 */
export interface ClockIntervals {
  heartbeatMs: number;
  progressMs: number;
  checkpointMs: number;
}

export class SittingClock {
  readonly #now: () => number;
  readonly #intervals: ClockIntervals;
  readonly #secondsBefore: number;
  #start: number;
  #epochStartSeconds: number;
  #lastCheckpoint: number;
  #lastHeartbeat = -Infinity;
  #lastProgress = -Infinity;
  // The examples trained since the current epoch began in this sitting, and the training seconds
  // at which counting began: the speed progress reports.
  #rateSince: number;
  #examples = 0;

  /**
   * `soFar`: the run's training seconds at the checkpoint resumed from (0 for a new run) and
   * those at which that checkpoint's epoch began, so that an epoch resumed part-way counts its
   * time before the stop too (default: it began at the checkpoint).
   */
  constructor(
    soFar: { trainSeconds: number; epochStartSeconds?: number | undefined },
    intervals: ClockIntervals,
    now: () => number = () => performance.now(),
  ) {
    this.#now = now;
    this.#intervals = intervals;
    this.#secondsBefore = soFar.trainSeconds;
    this.#start = now();
    this.#epochStartSeconds = soFar.epochStartSeconds ?? soFar.trainSeconds;
    this.#lastCheckpoint = this.#start;
    this.#rateSince = soFar.trainSeconds;
  }

  /** The run's training seconds: those before this sitting, plus this sitting's less its pauses. */
  trainSeconds(): number {
    return this.#secondsBefore + (this.#now() - this.#start) / 1000;
  }

  /** The run's training seconds when the current epoch began (kept in checkpoints). */
  epochStartSeconds(): number {
    return this.#epochStartSeconds;
  }

  /** Training seconds since the current epoch began; the next epoch begins now. */
  endEpoch(): number {
    const now = this.trainSeconds();
    const seconds = now - this.#epochStartSeconds;
    this.#epochStartSeconds = now;
    this.#rateSince = now;
    this.#examples = 0;
    return seconds;
  }

  /** Starts a pause; the returned function ends it, and the time between is not training time. */
  pause(): () => void {
    const paused = this.#now();
    return () => {
      this.#start += this.#now() - paused;
    };
  }

  checkpointed(): void {
    this.#lastCheckpoint = this.#now();
  }

  /** Whether `checkpointMs` have passed since the last checkpoint. */
  checkpointDue(): boolean {
    return this.#now() - this.#lastCheckpoint > this.#intervals.checkpointMs;
  }

  /** Whether a heartbeat is due; if so, it counts as sent. */
  heartbeatDue(): boolean {
    const now = this.#now();
    if (now - this.#lastHeartbeat <= this.#intervals.heartbeatMs) return false;
    this.#lastHeartbeat = now;
    return true;
  }

  /**
   * Counts the examples of a step. When a progress report is due (at most every progressMs),
   * returns the examples per training second since the current epoch began in this sitting;
   * otherwise null. An average over the epoch rather than over the last report's half second, so
   * that the time left it gives holds steady (a step's time varies, more so when runs share the
   * cores), as Keras's progress bar does. Pauses do not count, as in the training time.
   */
  progress(examples: number): number | null {
    this.#examples += examples;
    const now = this.#now();
    if (now - this.#lastProgress <= this.#intervals.progressMs) return null;
    this.#lastProgress = now;
    return this.#examples / Math.max(1e-3, this.trainSeconds() - this.#rateSince);
  }
}
