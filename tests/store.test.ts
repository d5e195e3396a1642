import { describe, expect, it } from 'vitest';
import type { PanelResult } from '../src/experiments/figure';
import { FIGURE1, type FigureSettings } from '../src/experiments/settings';
import { type ComputeClient, createAppStore } from '../src/state/store';

function fakeClient() {
  const calls: { id: number; settings: FigureSettings }[] = [];
  const client: ComputeClient = {
    compute: (id, settings) => calls.push({ id, settings }),
    analyse: () => undefined,
    retryGpu: () => undefined,
  };
  return { client, calls };
}

const fakeResult = (tag: string) => ({ panel: { id: tag } }) as unknown as PanelResult;

describe('store', () => {
  it('a newer request supersedes an older one: late messages of the old one are dropped', () => {
    const { client, calls } = fakeClient();
    const history: string[] = [];
    const store = createAppStore(client, {}, (_s, mode) => history.push(mode));
    store.getState().setSettings(FIGURE1, { history: 'replace' });
    store.getState().update({ radius: 3 });
    expect(calls.map((c) => c.id)).toEqual([1, 2]);
    expect(history).toEqual(['replace', 'push']);
    const { handle } = store.getState();
    handle({ type: 'plan', id: 1, panels: [] });
    handle({ type: 'panel', id: 1, index: 0, result: fakeResult('old') });
    handle({ type: 'done', id: 1, ms: 5 });
    expect(store.getState().computing).toBe(true);
    expect(store.getState().lastMs).toBeNull();
    handle({ type: 'plan', id: 2, panels: [{ id: 'all' } as never] });
    handle({ type: 'panel', id: 2, index: 0, result: fakeResult('new') });
    handle({ type: 'done', id: 2, ms: 7 });
    expect(store.getState().results[0]?.panel.id).toBe('new');
    expect(store.getState().computing).toBe(false);
    expect(store.getState().lastMs).toBe(7);
    expect(store.getState().resultSettings?.radius).toBe(3);
  });

  it('keeps the settings and reports the field when a computation fails', () => {
    const { client } = fakeClient();
    const store = createAppStore(client);
    store.getState().update({ widths: [65536, 65536] });
    store.getState().handle({ type: 'error', id: 1, message: 'too much', field: 'widths' });
    expect(store.getState().settings.widths).toEqual([65536, 65536]);
    expect(store.getState().error).toEqual({ message: 'too much', field: 'widths' });
    expect(store.getState().computing).toBe(false);
  });

  it('matches presets and new seeds leave the preset', () => {
    const { client } = fakeClient();
    const store = createAppStore(client);
    expect(store.getState().presetId).toBe('figure1');
    store.getState().newDirections();
    expect(store.getState().settings.directionSeed).not.toBe(FIGURE1.directionSeed);
    expect(store.getState().presetId).toBeNull();
    store.getState().applyPreset('two-bottlenecks');
    expect(store.getState().settings.blocks).toBe(3);
    expect(store.getState().presetId).toBe('two-bottlenecks');
  });
});
