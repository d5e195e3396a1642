// Canvas draws wait for an animation frame and share it: as many as fit in a few milliseconds run
// per frame (always at least one), the rest in the next frames, so a figure of many panels never
// turns into one long task. A draw queued again before it ran runs once, with the newest state.

/** Drawing time per frame before the rest waits for the next one. */
const BUDGET_MS = 8;

const queue = new Map<object, () => void>();
let frame = 0;

function run(): void {
  frame = 0;
  const start = performance.now();
  for (const [key, draw] of queue) {
    queue.delete(key);
    draw();
    if (performance.now() - start > BUDGET_MS) break;
  }
  if (queue.size > 0) frame = requestAnimationFrame(run);
}

/** Draws `key` (a canvas) in an animation frame soon; replaces a draw of `key` still waiting. */
export function queueDraw(key: object, draw: () => void): void {
  queue.set(key, draw);
  if (!frame) frame = requestAnimationFrame(run);
}

export function cancelDraw(key: object): void {
  queue.delete(key);
}

/** Runs every waiting draw now (before reading the canvases, e.g. for an export). */
export function flushDraws(): void {
  for (const [key, draw] of queue) {
    queue.delete(key);
    draw();
  }
}
