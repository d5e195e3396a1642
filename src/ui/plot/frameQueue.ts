// Canvas draws wait for an animation frame and share it: as many as fit in a few milliseconds run
// per frame (always at least one; a draw starts only if one as long as the longest so far still
// fits), the rest in the next frames, so a figure of many panels never
// turns into one long task. A draw queued again before it ran runs once, with the newest state.
//
// The first draws also wait for the bundled font (fonts.ts): canvas text drawn before it is
// loaded would keep a fallback font. The queue is what the page's ready signal reads
// (state/pageState.ts): a canvas keyed here carries data-drawn="true" while it shows its latest
// drawing, and loses it when a new draw is queued.

import { loadFonts } from '../fonts';

/** Drawing time per frame before the rest waits for the next one. */
const BUDGET_MS = 8;

/** A waiting draw, and the number of the queueDraw call that asked for it. */
const queue = new Map<object, { draw: () => void; seq: number }>();
/** For each key, the number of the queueDraw call whose drawing it shows. */
const drawnSeq = new WeakMap<object, number>();
const listeners = new Set<() => void>();
let seq = 0;
let frame = 0;
let fontsLoaded = false;
let fontsAsked = false;

function notify(): void {
  for (const listener of listeners) listener();
}

/** Marks a canvas (or any element) used as a key; other keys carry nothing. */
function mark(key: object, drawn: boolean): void {
  const dataset = (key as { dataset?: DOMStringMap }).dataset;
  if (!dataset) return;
  if (drawn) dataset.drawn = 'true';
  else delete dataset.drawn;
}

function runOne(key: object, entry: { draw: () => void; seq: number }): void {
  queue.delete(key);
  try {
    entry.draw();
  } finally {
    drawnSeq.set(key, entry.seq);
    mark(key, true);
  }
}

function schedule(): void {
  if (!frame && fontsLoaded && queue.size > 0) frame = requestAnimationFrame(run);
}

function run(): void {
  frame = 0;
  const start = performance.now();
  // The longest draw of this frame so far: a draw that would not fit the budget after it waits
  // for the next frame (a slow machine then draws one panel per frame, not two past the budget).
  let longest = 0;
  try {
    for (const [key, entry] of queue) {
      const before = performance.now();
      if (longest > 0 && before - start + longest > BUDGET_MS) break;
      runOne(key, entry);
      longest = Math.max(longest, performance.now() - before, Number.MIN_VALUE);
    }
  } finally {
    schedule();
    notify();
  }
}

/** Draws `key` (a canvas) in an animation frame soon; replaces a draw of `key` still waiting. */
export function queueDraw(key: object, draw: () => void): void {
  queue.set(key, { draw, seq: ++seq });
  mark(key, false);
  if (!fontsAsked) {
    fontsAsked = true;
    loadFonts().then(() => {
      fontsLoaded = true;
      schedule();
    });
  }
  schedule();
  notify();
}

export function cancelDraw(key: object): void {
  if (queue.delete(key)) notify();
}

/** Runs every waiting draw now (before reading the canvases, e.g. for an export). */
export function flushDraws(): void {
  if (queue.size === 0) return;
  try {
    for (const [key, entry] of queue) runOne(key, entry);
  } finally {
    notify();
  }
}

/** How many draws are waiting. */
export function pendingDraws(): number {
  return queue.size;
}

/** The number of the latest queueDraw call (0 before the first). */
export function drawSequence(): number {
  return seq;
}

/**
 * The number of the queueDraw call whose drawing `key` shows (undefined if it was never drawn): a
 * drawing asked for after some event has a number above drawSequence() at that event.
 */
export function drawnSequence(key: object): number | undefined {
  return drawnSeq.get(key);
}

/**
 * Calls `listener` (synchronously) whenever a draw is queued, cancelled, or drawn; returns a
 * function that stops it.
 */
export function onDrawsChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
