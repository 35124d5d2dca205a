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
  #progressSince: number;
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
    this.#progressSince = this.#start;
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
   * Counts the examples of a step. When a progress report is due, returns the examples per
   * second since the previous report (and starts counting anew); otherwise null.
   */
  progress(examples: number): number | null {
    this.#examples += examples;
    const now = this.#now();
    if (now - this.#lastProgress <= this.#intervals.progressMs) return null;
    const rate = (this.#examples * 1000) / Math.max(1, now - this.#progressSince);
    this.#lastProgress = now;
    this.#progressSince = now;
    this.#examples = 0;
    return rate;
  }
}
