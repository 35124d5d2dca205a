/**
 * Spreads chart redraws over animation frames: when an epoch ends, nine charts want to redraw at
 * once; drawing one per frame keeps each main-thread task short instead of one long stall.
 */
const queue = new Map<object, () => void>();
let scheduled = false;

function run(): void {
  scheduled = false;
  const next = queue.entries().next();
  if (next.done) return;
  const [key, draw] = next.value;
  queue.delete(key);
  draw();
  if (queue.size > 0) schedule();
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(run);
}

/** Queues `draw` for `key` (a later request for the same key replaces an earlier one). */
export function queueRedraw(key: object, draw: () => void): void {
  queue.set(key, draw);
  schedule();
}

export function cancelRedraw(key: object): void {
  queue.delete(key);
}
