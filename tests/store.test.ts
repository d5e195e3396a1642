import { describe, expect, it } from 'vitest';
import type { StoreReport } from '../src/engine/types';
import type { PanelResult } from '../src/experiments/figure';
import { FIGURE1, type FigureSettings } from '../src/experiments/settings';
import { type ComputeClient, createAppStore, WORKER_STOPPED } from '../src/state/store';
import { formatBytes, summariseWeights } from '../src/state/weights';
import type { AnalysisKind, FromWorker } from '../src/worker/protocol';
import { fakeWorkerScope } from './helpers/fakeWorker';

function fakeClient() {
  const calls: { id: number; settings: FigureSettings }[] = [];
  const analyses: { kind: AnalysisKind; id: number; settings: FigureSettings }[] = [];
  let crashes = 0;
  const client: ComputeClient = {
    compute: (id, settings) => calls.push({ id, settings }),
    analyse: (kind, id, settings) => analyses.push({ kind, id, settings }),
    retryGpu: () => undefined,
    simulateCrash: () => {
      crashes++;
    },
  };
  return { client, calls, analyses, crashes: () => crashes };
}

const fakeResult = (tag: string) => ({ panel: { id: tag } }) as unknown as PanelResult;

describe('store', () => {
  it('cancel restores the last finished figure and its settings, and drops late messages', () => {
    const { client, calls } = fakeClient();
    let cancels = 0;
    client.cancel = () => {
      cancels++;
    };
    const history: string[] = [];
    const store = createAppStore(client, {}, (s, mode) => history.push(`${mode}:${s.radius}`));
    const { handle } = store.getState();
    store.getState().setSettings(FIGURE1, { history: 'replace' });
    expect(store.getState().cancel()).toBe(true);
    // Nothing finished yet: nothing to restore, the status says cancelled.
    expect(store.getState()).toMatchObject({ computing: false, cancelled: true, results: [] });
    store.getState().update({ radius: 2 });
    const id = store.getState().requestId;
    handle({ type: 'plan', id, panels: [{ id: 'all' } as never] });
    handle({ type: 'panel', id, index: 0, result: fakeResult('old') });
    handle({ type: 'done', id, ms: 9 });
    expect(store.getState().lastFigure?.results[0]?.panel.id).toBe('old');
    // A new request whose plan has already cleared the results, then Cancel.
    store.getState().update({ radius: 3, yAxis: 'shared' });
    store.getState().update({ radius: 4 });
    const newId = store.getState().requestId;
    handle({ type: 'plan', id: newId, panels: [{ id: 'a' } as never, { id: 'b' } as never] });
    handle({ type: 'progress', id: newId, fraction: 0.3, stage: 'panel 1' });
    expect(store.getState().results).toEqual([null, null]);
    history.length = 0;
    expect(store.getState().cancel()).toBe(true);
    expect(cancels).toBe(2);
    let state = store.getState();
    expect(state.computing).toBe(false);
    expect(state.progress).toBeNull();
    expect(state.cancelled).toBe(true);
    expect(state.results.map((r) => r?.panel.id)).toEqual(['old']);
    expect(state.panels).toEqual([{ id: 'all' }]);
    expect(state.resultSettings?.radius).toBe(2);
    expect(state.lastMs).toBe(9);
    // The settings go back to the figure's (view toggles stay), replacing the URL entry.
    expect(state.settings.radius).toBe(2);
    expect(state.settings.yAxis).toBe('shared');
    expect(history).toEqual(['replace:2']);
    // Late messages of the cancelled request change nothing.
    handle({ type: 'panel', id: newId, index: 0, result: fakeResult('late') });
    handle({ type: 'progress', id: newId, fraction: 0.6, stage: 'late' });
    handle({ type: 'done', id: newId, ms: 1 });
    state = store.getState();
    expect(state.results.map((r) => r?.panel.id)).toEqual(['old']);
    expect(state.progress).toBeNull();
    expect(state.lastMs).toBe(9);
    // Nothing running: cancel does nothing; the next request gets a fresh id and computes.
    expect(store.getState().cancel()).toBe(false);
    expect(cancels).toBe(2);
    store.getState().update({ radius: 5 });
    expect(store.getState().requestId).toBeGreaterThan(newId);
    expect(store.getState().cancelled).toBe(false);
    expect(calls.at(-1)?.settings.radius).toBe(5);
  });

  it('cancel stops running analyses and drops their late messages', () => {
    const { client } = fakeClient();
    const store = createAppStore(client);
    store.getState().setSettings(FIGURE1, { history: 'replace' });
    store.getState().handle({ type: 'done', id: 1, ms: 3 });
    store.getState().runAnalysis('sweep');
    const id = store.getState().analyses.sweep?.id ?? -1;
    expect(store.getState().busy()).toBe(true);
    expect(store.getState().cancel()).toBe(true);
    expect(store.getState().analyses.sweep).toMatchObject({ running: false, error: 'cancelled' });
    expect(store.getState().busy()).toBe(false);
    // The figure was not running: it is not touched.
    expect(store.getState().cancelled).toBe(false);
    store.getState().handle({
      type: 'analysis-done',
      kind: 'sweep',
      id,
      result: {} as never,
      ms: 5,
    });
    // A late 'done' of the cancelled run is dropped: the section says cancelled, with no result.
    expect(store.getState().analyses.sweep).toMatchObject({ running: false, result: null });
    expect(store.getState().analyses.sweep?.error).toBe('cancelled');
  });

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

  it('view settings (y axes, deviation, presentation) redraw without recomputing', () => {
    const { client, calls } = fakeClient();
    const history: string[] = [];
    const store = createAppStore(client, {}, (s, mode) => history.push(`${mode}:${s.yAxis}`));
    store.getState().setSettings(FIGURE1, { history: 'replace' });
    store.getState().update({ yAxis: 'shared' });
    store.getState().update({ deviation: true });
    store.getState().update({ present: true });
    expect(calls).toHaveLength(1);
    expect(history).toEqual(['replace:fit', 'push:shared', 'push:shared', 'push:shared']);
    expect(store.getState().settings).toMatchObject({ yAxis: 'shared', deviation: true });
    expect(store.getState().presetId).toBe('figure1');
    // A preset keeps the reader's toggles; a compute setting recomputes.
    store.getState().applyPreset('two-bottlenecks');
    expect(calls).toHaveLength(2);
    expect(store.getState().settings).toMatchObject({ blocks: 3, deviation: true, present: true });
    store.getState().update({ radius: 1 });
    expect(calls).toHaveLength(3);
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

  it('a worker failure stops the figure and every running analysis, and is kept', () => {
    const { client, calls, analyses, crashes } = fakeClient();
    const store = createAppStore(client);
    store.getState().setSettings(FIGURE1, { history: 'none' });
    store.getState().runAnalysis('sweep');
    store.getState().handle({ type: 'plan', id: 1, panels: [{ id: 'all' } as never] });
    store.getState().handle({ type: 'progress', id: 1, fraction: 0.5, stage: 'x' });
    expect(store.getState().computing).toBe(true);
    expect(store.getState().analyses.sweep?.running).toBe(true);

    store.getState().simulateWorkerCrash();
    expect(crashes()).toBe(1);
    // What the worker client turns worker.onerror into (it used to be an 'error' with id −1,
    // which matched no request and was dropped: "computing…" forever).
    store.getState().handle({ type: 'worker-failed', message: 'Uncaught Error: boom' });
    const failed = store.getState();
    expect(failed.workerFailure).toBe('Uncaught Error: boom');
    expect(failed.computing).toBe(false);
    expect(failed.progress).toBeNull();
    expect(failed.analyses.sweep).toMatchObject({ running: false, error: WORKER_STOPPED });

    // Nothing answers any more: new settings and analyses must not promise a result.
    store.getState().update({ radius: 3 });
    expect(store.getState().computing).toBe(false);
    expect(store.getState().workerFailure).toBe('Uncaught Error: boom');
    store.getState().runAnalysis('blocks');
    expect(store.getState().analyses.blocks).toMatchObject({
      running: false,
      error: WORKER_STOPPED,
    });
    expect(analyses.map((a) => a.kind)).toEqual(['sweep']);
    expect(calls).toHaveLength(2);
  });

  it('new settings forget running analyses; their late messages never reach a newer run', () => {
    const { client, analyses } = fakeClient();
    const store = createAppStore(client);
    store.getState().setSettings(FIGURE1, { history: 'none' });
    store.getState().runAnalysis('sweep');
    store.getState().runAnalysis('blocks');
    const [oldSweep, oldBlocks] = analyses;
    store.getState().update({ widths: [1000, 1000] });
    // Idle, not running on the old settings and not showing their result.
    expect(store.getState().analyses).toEqual({});
    const late = (id: number, kind: AnalysisKind = 'sweep', tag = 'old'): FromWorker => ({
      type: 'analysis-done',
      kind,
      id,
      result: { tag } as never,
      ms: 1,
    });
    store.getState().handle(late(oldBlocks.id, 'blocks'));
    expect(store.getState().analyses.blocks).toBeUndefined();

    // A new sweep on the new settings gets a fresh id, so the old run's late messages (sent
    // before the worker cancelled it) are dropped rather than taken for the new run's.
    store.getState().runAnalysis('sweep');
    const newSweep = analyses[analyses.length - 1];
    expect(newSweep.id).not.toBe(oldSweep.id);
    expect(newSweep.settings.widths).toEqual([1000, 1000]);
    store.getState().handle({
      type: 'analysis-progress',
      kind: 'sweep',
      id: oldSweep.id,
      fraction: 0,
      stage: '',
      partial: { tag: 'old partial' } as never,
    });
    store.getState().handle(late(oldSweep.id));
    expect(store.getState().analyses.sweep).toMatchObject({ running: true, result: null });
    store.getState().handle(late(newSweep.id, 'sweep', 'new'));
    expect(store.getState().analyses.sweep).toMatchObject({
      running: false,
      result: { tag: 'new' },
    });
  });

  it('summarises the weight path and the store size of the panels drawn', () => {
    const report = (path: StoreReport['path'], bytes: number, budgetBytes: number) =>
      ({
        panel: { title: 'p' },
        store: { path, storedMatrices: 1, generatedMatrices: 0, bytes, budgetBytes },
      }) as unknown as PanelResult;
    const MiB = 2 ** 20;
    expect(summariseWeights([null, fakeResult('no report')])).toBeNull();
    expect(summariseWeights([report('stored', 50 * MiB, 512 * MiB), null])?.text).toBe(
      'weights stored · 50 MiB',
    );
    expect(
      summariseWeights([
        report('stored', 50 * MiB, 512 * MiB),
        report('stored', 96 * MiB, 512 * MiB),
      ])?.text,
    ).toBe('weights stored · 96 MiB');
    expect(summariseWeights([report('generated', 0, 512 * MiB)])?.text).toBe(
      'weights generated (over the 512 MiB budget)',
    );
    const mixed = summariseWeights([
      report('stored', 96 * MiB, 512 * MiB),
      report('generated', 96 * MiB, 512 * MiB),
    ]);
    expect(mixed?.path).toBe('mixed');
    expect(mixed?.text).toBe(
      'weights partly stored · 96 MiB, the rest generated (over the 512 MiB budget)',
    );
    expect(formatBytes(1.5 * 1024 * MiB)).toBe('1.5 GiB');
    expect(formatBytes(2.5 * MiB)).toBe('2.5 MiB');
  });
});

describe('compute worker (Node, CPU engine)', () => {
  const { posted, send, waitFor } = fakeWorkerScope();

  it('a compute request for new settings cancels the running analyses', async () => {
    await import('../src/worker/compute.worker');
    send({ type: 'init', useGpu: false });
    // Deep blocks: the CPU sweep runs m = 16 … 512 over a 25-term polynomial, a few seconds.
    const old: FigureSettings = { ...FIGURE1, layers: [4, 4], contrast: 'none' };
    send({ type: 'analysis', kind: 'sweep', id: 1, settings: old });
    send({ type: 'analysis', kind: 'blocks', id: 2, settings: old });
    const isAnalysis = (m: FromWorker) => m.type.startsWith('analysis');
    await waitFor(
      () => posted.some((m) => m.type === 'analysis-progress' && m.kind === 'sweep'),
      'the sweep to start',
    );
    send({
      type: 'compute',
      id: 1,
      settings: { ...FIGURE1, widths: [50, 50], contrast: 'none' },
    });
    const cancelledAt = posted.length;
    // Give a still-running sweep time to report again; a cancelled one stays silent.
    await new Promise((r) => setTimeout(r, 1500));
    expect(posted.slice(cancelledAt).filter(isAnalysis)).toEqual([]);
    await waitFor(() => posted.some((m) => m.type === 'done' || m.type === 'error'), 'the figure');
    expect(posted.find((m) => m.type === 'error')).toBeUndefined();
    expect(posted.slice(cancelledAt).filter(isAnalysis)).toEqual([]);
    expect(posted.some((m) => m.type === 'analysis-done')).toBe(false);

    // An analysis asked for after the change runs to the end.
    send({ type: 'analysis', kind: 'blocks', id: 3, settings: { ...FIGURE1, widths: [50, 50] } });
    await waitFor(
      () => posted.some((m) => m.type === 'analysis-done' || m.type === 'analysis-error'),
      'the new analysis',
    );
    expect(posted.filter((m) => m.type === 'analysis-done').map((m) => 'id' in m && m.id)).toEqual([
      3,
    ]);
  });
});
