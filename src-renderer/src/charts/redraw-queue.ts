/**
 * Spreads chart redraws over animation frames: when an epoch ends, nine charts want to redraw at
 * once; drawing one per frame keeps each main-thread task short instead of one long stall.
 */

// The browser's; declared here so that the module also type-checks in the Node test program,
// which has no DOM library (the tests install a stand-in).
declare function requestAnimationFrame(draw: () => void): number;

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
