// Live controls and the transition (docs/live.md), on the store with a fake compute client: one
// frame in flight, the newest settings next; every panel keeps its curves until replaced; the
// σ panel a frame leaves out is marked stale; one history entry per gesture, the URL following
// the figure on screen; the play control's ladder, trace and stop.

import { describe, expect, it, vi } from 'vitest';
import type { PanelResult } from '../src/experiments/figure';
import { planPanels } from '../src/experiments/figure';
import { FIGURE1, type FigureSettings } from '../src/experiments/settings';
import { TRANSITION_FROM, transitionWidths } from '../src/experiments/transition';
import { type ComputeClient, createAppStore } from '../src/state/store';

function fakeClient() {
  const calls: { id: number; settings: FigureSettings; live: boolean }[] = [];
  const client: ComputeClient = {
    compute: (id, settings, _ask, live = false) => calls.push({ id, settings, live }),
    analyse: () => undefined,
    retryGpu: () => undefined,
  };
  return { client, calls };
}

/** A result for panel `id` at width m, with the coefficients the trace reads. */
const resultFor = (id: string, m: number) =>
  ({
    panel: { id, spec: { blocks: [{ width: m }, { width: m }] } },
    coefficients: [[0.3, 1, 1 + 1 / m, 1 / m]],
    nonMultilinear: [1 / m],
  }) as unknown as PanelResult;

/** Answers request `call` as the worker would: its plan, every panel, done. */
function answer(
  store: ReturnType<typeof createAppStore>,
  call: { id: number; settings: FigureSettings },
) {
  const { handle } = store.getState();
  const panels = planPanels(call.settings);
  handle({ type: 'plan', id: call.id, panels });
  panels.forEach((p, index) => {
    handle({ type: 'panel', id: call.id, index, result: resultFor(p.id, call.settings.widths[0]) });
  });
  handle({ type: 'done', id: call.id, ms: 5 });
}

const at = (m: number): FigureSettings => ({ ...FIGURE1, widths: [m, m] });

describe('live frames', () => {
  it('one frame in flight; the newest settings go next; one history entry per gesture', () => {
    const { client, calls } = fakeClient();
    const history: string[] = [];
    const store = createAppStore(client, { settings: at(1000) }, (s, mode) =>
      history.push(`${mode}:${s.widths[0]}`),
    );
    store.getState().setSettings(at(1000), { history: 'none' });
    answer(store, calls[0]);
    expect(store.getState().results.map((r) => r?.panel.id)).toEqual([
      'contrast',
      'all',
      'block-1',
      'block-2',
    ]);
    // The hand moves: 900, 800, 700 while the first frame computes.
    store.getState().liveChange(at(900));
    store.getState().liveChange(at(800));
    store.getState().liveChange(at(700));
    expect(calls).toHaveLength(2);
    expect(calls[1]).toMatchObject({ live: true });
    // A frame leaves the σ contrast panel out (a grid: the slow one).
    expect(calls[1].settings.contrast).toBe('none');
    expect(calls[1].settings.widths).toEqual([900, 900]);
    // The controls show the hand's value at once; the URL waits for the figure.
    expect(store.getState().settings.widths).toEqual([700, 700]);
    expect(history).toEqual([]);
    // The frame's plan keeps every panel's curves; its panels land in their places.
    const { handle } = store.getState();
    handle({ type: 'plan', id: calls[1].id, panels: planPanels(calls[1].settings) });
    expect(store.getState().results.every((r) => r !== null)).toBe(true);
    handle({ type: 'panel', id: calls[1].id, index: 0, result: resultFor('all', 900) });
    expect(store.getState().results[1]?.panel.spec.blocks[0].width).toBe(900);
    expect(store.getState().results[0]?.panel.id).toBe('contrast');
    handle({ type: 'panel', id: calls[1].id, index: 1, result: resultFor('block-1', 900) });
    handle({ type: 'panel', id: calls[1].id, index: 2, result: resultFor('block-2', 900) });
    handle({ type: 'done', id: calls[1].id, ms: 3 });
    // Done: the URL names the figure on screen (a new entry), the contrast panel is stale, and
    // the newest settings (700; 800 was overtaken while waiting) go next.
    expect(history).toEqual(['push:900']);
    expect(store.getState().shownSettings?.widths).toEqual([900, 900]);
    expect(store.getState().stalePanels).toEqual(['contrast']);
    expect(calls).toHaveLength(3);
    expect(calls[2].settings.widths).toEqual([700, 700]);
    answer(store, calls[2]);
    expect(history).toEqual(['push:900', 'replace:700']);
    // Release: the whole figure (σ panel too), in the same history entry.
    store.getState().commitChange(at(700));
    expect(calls).toHaveLength(4);
    expect(calls[3]).toMatchObject({ live: false });
    expect(calls[3].settings.contrast).toBe('tanh');
    expect(history).toEqual(['push:900', 'replace:700', 'replace:700']);
    answer(store, calls[3]);
    expect(store.getState().stalePanels).toEqual([]);
    // The next gesture gets its own entry.
    store.getState().liveChange(at(600));
    answer(store, calls[4]);
    expect(history.at(-1)).toBe('push:600');
  });

  it('a frame over the ask-first threshold is skipped, never asked about', () => {
    const { client, calls } = fakeClient();
    const store = createAppStore(client, { settings: at(1000) });
    store.getState().setSettings(at(1000), { history: 'none' });
    answer(store, calls[0]);
    store.getState().liveChange(at(60000));
    store.getState().liveChange(at(50000));
    const estimate = { job: 'figure', ms: 20_000, multiplyAdds: 1e12, engine: 'CPU', adapter: '' };
    store.getState().handle({ type: 'ask', id: calls[1].id, estimate } as never);
    expect(store.getState().asks).toEqual([]);
    // The waiting settings go next.
    expect(calls[2].settings.widths).toEqual([50000, 50000]);
  });
});

describe('the transition', () => {
  it('a log ladder from 16, six notches per doubling, up to what a frame affords', () => {
    const widths = transitionWidths(FIGURE1);
    expect(widths[0]).toBe(TRANSITION_FROM);
    expect(widths[6]).toBe(32);
    expect(widths.at(-1)).toBeLessThanOrEqual(65536);
    // Square layers (L_b = 3) cost m² per frame: the ladder stops far earlier.
    const deep = transitionWidths({ ...FIGURE1, layers: [3, 3] });
    expect(deep.at(-1)).toBeLessThan(widths.at(-1) ?? 0);
    expect(deep.at(-1)).toBeGreaterThan(64);
    // Reduced motion: one step per doubling.
    expect(transitionWidths(FIGURE1, { steps: true }).slice(0, 3)).toEqual([16, 32, 64]);
  });

  it('plays up the ladder and back, traces each frame, and stops where it is', () => {
    vi.useFakeTimers();
    try {
      const { client, calls } = fakeClient();
      const history: string[] = [];
      const store = createAppStore(client, { settings: at(1000) }, (s, mode) =>
        history.push(`${mode}:${s.widths[0]}`),
      );
      store.getState().setSettings({ ...at(1000), contrast: 'none' }, { history: 'none' });
      answer(store, calls[0]);
      store.getState().toggleTransition();
      const { widths } = store.getState().transition;
      expect(store.getState().transition.playing).toBe(true);
      expect(calls.at(-1)?.settings.widths).toEqual([16, 16]);
      const played: number[] = [];
      for (let i = 0; i < widths.length + 3; i++) {
        const call = calls.at(-1);
        if (!call) throw new Error('no frame');
        played.push(call.settings.widths[0]);
        answer(store, call);
        vi.advanceTimersByTime(1000);
      }
      // Up to the top, then back down.
      expect(played.slice(0, widths.length)).toEqual(widths);
      expect(played.slice(widths.length)).toEqual([widths.at(-2), widths.at(-3), widths.at(-4)]);
      const trace = store.getState().transition.trace;
      expect(trace.map((p) => p.width)).toEqual(widths);
      expect(trace[0]).toMatchObject({ width: 16, nonMultilinear: 1 / 16, cB1: 1 / 16 });
      // One history entry for the whole play.
      expect(history.filter((h) => h.startsWith('push'))).toHaveLength(1);
      // Stop: stays where it is (the whole figure there), nothing more is stepped.
      const before = calls.length;
      store.getState().toggleTransition();
      expect(store.getState().transition.playing).toBe(false);
      const stopAt = store.getState().settings.widths[0];
      vi.advanceTimersByTime(5000);
      expect(store.getState().settings.widths[0]).toBe(stopAt);
      expect(calls.length).toBeLessThanOrEqual(before + 1);
      // The reader's hand stops a play too.
      store.getState().toggleTransition();
      store.getState().liveChange(at(3000));
      expect(store.getState().transition.playing).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });
});
