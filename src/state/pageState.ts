// The page's ready signal, for tests, screenshots and pages that embed the app (docs/testing.md):
// <html data-state="…"> is
//   computing  while anything computes or waits to be drawn (also the first value, in index.html),
//   ready      once the figure and every open analysis are on the page: the store computes
//              nothing, every panel canvas, the (t₁, t₂) surface and each finished analysis's
//              canvases show their latest drawing, no canvas draw is queued (plot/frameQueue.ts)
//              and no font is loading (the bundled one included: canvas text waits for it);
//              a surface whose three.js host failed (no WebGL: data-error) is not waited for,
//   error      when the figure's computation failed (the store's error), the compute worker
//              stopped (workerFailure), or an analysis failed; until the next request.
// It turns `computing` at once on any new request (settings, an analysis run), on a view-only
// change (y axes, deviation: a redraw) and on any queued draw; it turns `ready` only from a
// check run after the store's listeners, React's commit and its effects have had their turn
// (a task later), so it never passes through `ready` between two steps of one computation.
//
// Also <html data-motion="on|off">: off under prefers-reduced-motion or ?motion=0
// (settings.motion); styles.css stops every transition and animation then.

import { loadFonts } from '../ui/fonts';
import { drawnSequence, drawSequence, onDrawsChange, pendingDraws } from '../ui/plot/frameQueue';
import type { AnalysisKind } from '../worker/protocol';
import type { AppState, AppStore } from './store';
import type { TrainingState, TrainingStore } from './trainingStore';

export type PageState = 'computing' | 'ready' | 'error';

/**
 * What the store alone says: a failure, something in flight (or not yet asked for), or idle —
 * then the page is ready once everything is drawn (which the DOM and the draw queue tell).
 */
export function storeState(state: AppState): 'error' | 'computing' | 'idle' {
  const analyses = Object.values(state.analyses);
  if (state.error || state.workerFailure || analyses.some((a) => a?.error)) return 'error';
  if (state.computing || analyses.some((a) => a?.running)) return 'computing';
  // A figure declined before any was drawn (ask first, "Don't run"): nothing more will come.
  if (state.notRun && state.results.length === 0) return 'idle';
  // Nothing asked for yet, or a figure without all its results (never once 'done' came).
  if (state.requestId === 0 || state.results.length === 0 || state.results.some((r) => !r))
    return 'computing';
  return 'idle';
}

/**
 * On the training page (?view=train) the signal follows the training job instead: computing while
 * it runs or is paused (or before it starts), error when it failed, else idle (ready once drawn).
 */
export function trainingPageState(state: TrainingState): 'error' | 'computing' | 'idle' {
  const job = state.job;
  if (state.workerFailure) return 'error';
  if (!job || job.state === 'running' || job.state === 'paused') return 'computing';
  return job.state === 'error' ? 'error' : 'idle';
}

/** Whether animations are off: ?motion=0, or the reader's system asks for reduced motion. */
export function motionOff(state: AppState, reducedMotion: boolean): boolean {
  return !state.settings.motion || reducedMotion;
}

const isDrawn = (canvas: HTMLCanvasElement) => canvas.dataset.drawn === 'true';

/**
 * Whether everything the store holds is on the page. `since[kind]` is drawSequence() when that
 * analysis last changed: its canvases must show a drawing asked for after it (an analysis's
 * canvases stay mounted across runs, and React queues their draws in effects, after the store).
 */
function drawnOnPage(
  state: AppState,
  doc: Document,
  since: Map<AnalysisKind, number>,
  surfaceWaiting: (canvas: HTMLCanvasElement) => boolean,
): boolean {
  if (state.notRun && state.results.length === 0) return true; // nothing to draw: declined
  const present = state.settings.present;
  // The page renders the sections below the figure a few tasks after it (App.tsx): wait for them.
  if (!present && !doc.querySelector('[data-testid="analysis-blocks"]')) return false;
  const panels = doc.querySelectorAll('[data-testid="panel"]');
  if (panels.length !== state.panels.length) return false;
  for (const panel of panels) {
    const canvas = panel.querySelector('canvas');
    if (!canvas || !isDrawn(canvas)) return false;
  }
  // The (t₁, t₂) surface, drawn by three.js in its own worker (SurfaceView sets data-drawn).
  const surface = doc.querySelector<HTMLCanvasElement>('[data-testid="surface-canvas"]');
  if (surface && surfaceWaiting(surface)) return false;
  if (present) return true; // slides show no analyses
  for (const [kind, analysis] of Object.entries(state.analyses) as [
    AnalysisKind,
    AppState['analyses'][AnalysisKind],
  ][]) {
    if (!analysis?.result) continue;
    const section = doc.querySelector(`[data-testid="analysis-${kind}"]`);
    if (!section) return false;
    const after = since.get(kind) ?? 0;
    for (const canvas of section.querySelectorAll('canvas')) {
      if (!isDrawn(canvas) || (drawnSequence(canvas) ?? -1) <= after) return false;
    }
  }
  return true;
}

/**
 * Keeps <html data-state> and <html data-motion> up to date from the store, the draw queue, the
 * page and its fonts. Returns a function that stops it.
 */
export function startPageState(
  store: AppStore,
  doc: Document = document,
  training?: TrainingStore,
): () => void {
  const root = doc.documentElement;
  const since = new Map<AnalysisKind, number>();
  let fontsLoaded = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;

  /**
   * Whether the surface is still to be drawn: not while there is no surface to draw (class
   * 'pending'), nor once its view reports that it cannot draw (data-error: no WebGL).
   */
  const surfaceWaiting = (canvas: HTMLCanvasElement): boolean =>
    !canvas.classList.contains('pending') && !isDrawn(canvas) && canvas.dataset.error === undefined;
  const write = (next: PageState) => {
    if (root.dataset.state !== next) root.dataset.state = next;
  };
  const evaluate = () => {
    timer = null;
    if (stopped) return;
    const state = store.getState();
    const trainingState = training?.getState();
    if (trainingState?.view === 'train') {
      const fromJob = trainingPageState(trainingState);
      if (fromJob !== 'idle') return write(fromJob);
      const idle =
        fontsLoaded &&
        doc.fonts?.status !== 'loading' &&
        pendingDraws() === 0 &&
        (trainingState.job?.state === 'cancelled' ||
          doc.querySelector('[data-testid="training-view"][data-ready="true"]') !== null);
      return write(idle ? 'ready' : 'computing');
    }
    const fromStore = storeState(state);
    if (fromStore === 'error') return write('error');
    const idle =
      fromStore === 'idle' &&
      fontsLoaded &&
      doc.fonts?.status !== 'loading' &&
      pendingDraws() === 0 &&
      drawnOnPage(state, doc, since, surfaceWaiting);
    write(idle ? 'ready' : 'computing');
  };
  // A task later: after the store's other listeners (the panels queue their draws there), React's
  // commit and its effects (the analyses queue theirs there), and the observers' callbacks.
  const schedule = () => {
    if (timer === null && !stopped) timer = setTimeout(evaluate, 0);
  };
  /** Something will be drawn or computed: never `ready` until the check says so again. */
  const busy = () => {
    if (root.dataset.state === 'ready') write('computing');
    schedule();
  };

  const media =
    typeof window !== 'undefined' && typeof window.matchMedia === 'function'
      ? window.matchMedia('(prefers-reduced-motion: reduce)')
      : null;
  const applyMotion = () => {
    root.dataset.motion = motionOff(store.getState(), media?.matches ?? false) ? 'off' : 'on';
  };
  media?.addEventListener('change', applyMotion);
  applyMotion();

  const unsubscribe = store.subscribe((state, previous) => {
    for (const kind of Object.keys(state.analyses) as AnalysisKind[]) {
      if (state.analyses[kind] !== previous.analyses[kind]) since.set(kind, drawSequence());
    }
    if (state.settings.motion !== previous.settings.motion) applyMotion();
    const fromStore = storeState(state);
    if (fromStore === 'error') write('error');
    else if (fromStore === 'computing') write('computing');
    // A view-only change (y axes, deviation, slides) redraws without computing.
    else if (state.settings !== previous.settings) busy();
    schedule();
  });
  const unsubscribeTraining = training?.subscribe(busy);
  const stopDraws = onDrawsChange(() => {
    if (pendingDraws() > 0) busy();
    else schedule();
  });
  // data-drawn of the surface (set by its worker's answer), sections rendered late, canvases
  // mounted or removed.
  const observer = new MutationObserver(schedule);
  observer.observe(root, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ['data-drawn', 'data-error', 'class'],
  });
  const fonts = doc.fonts;
  fonts?.addEventListener('loading', busy);
  fonts?.addEventListener('loadingdone', schedule);
  fonts?.addEventListener('loadingerror', schedule);
  loadFonts().then(() => {
    fontsLoaded = true;
    schedule();
  });

  write(storeState(store.getState()) === 'error' ? 'error' : 'computing');
  schedule();

  return () => {
    stopped = true;
    if (timer !== null) clearTimeout(timer);
    unsubscribe();
    unsubscribeTraining?.();
    stopDraws();
    observer.disconnect();
    media?.removeEventListener('change', applyMotion);
    fonts?.removeEventListener('loading', busy);
    fonts?.removeEventListener('loadingdone', schedule);
    fonts?.removeEventListener('loadingerror', schedule);
  };
}
