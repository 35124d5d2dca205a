/**
 * The learning rate at each step (docs/model.md, "Learning-rate schedule"). With t the steps
 * done and T the run's steps (its epochs times the batches of one epoch):
 *
 *   constant:  lr_t = lr
 *   cosine:    lr_t = lr * (1 + cos(pi * t / T)) / 2      (from lr at t = 0 to about
 *                                                          lr * pi^2 / 4T^2 at the last step, T - 1)
 *
 * A function of the step count alone, so a run resumed from a checkpoint continues the same
 * schedule; the optimizer keeps no schedule state.
 */
import type { LrSchedule } from '../../common/settings.ts';

export function learningRateAt(schedule: LrSchedule, lr: number, step: number, totalSteps: number): number {
  if (schedule === 'constant' || totalSteps <= 0) return lr;
  const progress = Math.min(1, Math.max(0, step / totalSteps));
  return (lr * (1 + Math.cos(Math.PI * progress))) / 2;
}
