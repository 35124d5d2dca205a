/**
 * How a supervisor steers its engine process, by message: pause and resume a trainer, stop a
 * trainer (with a checkpoint) or cancel a task. The trainer checks between steps and, once its
 * pause is saved, waits; a resume or stop that arrived while it was still saving (a checkpoint's
 * writes can await the GPU) has happened already, so the wait then ends at once rather than
 * hold the run paused until the user asks again.
 */
import type { TrainControl } from '../engine/training/trainer.ts';

export class Steering implements TrainControl {
  readonly #abort = new AbortController();
  #paused = false;
  #wake: (() => void) | null = null;

  /** Aborted by stop(): cancels a task, ends a trainer's run at its next step. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  stopRequested(): boolean {
    return this.#abort.signal.aborted;
  }

  pauseRequested(): boolean {
    return this.#paused;
  }

  waitForResume(): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.#paused && !this.stopRequested()) this.#wake = resolve;
      else resolve();
    });
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    this.#wake?.();
    this.#wake = null;
  }

  stop(): void {
    this.#abort.abort();
    this.resume();
  }
}
