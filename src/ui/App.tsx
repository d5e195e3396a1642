import { memo, type RefObject, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useStore } from 'zustand';
import { type PageView, PRESETS, settingsToQuery } from '../experiments/settings';
import type { AppStore } from '../state/store';
import { getTrainingStore, type TrainingStore, trainingUrl } from '../state/trainingStore';
import { Banners } from './Banners';
import { BlockStructureView } from './BlockStructureView';
import { Controls } from './Controls';
import { DegreeTable } from './DegreeTable';
import { exportCsv, exportJson, exportPng, exportSvg } from './exports';
import { familyNoteText } from './notes/notes';
import { PANEL_RESULT_EVENT, PanelView } from './PanelView';
import { Presentation } from './Presentation';
import { ShortcutHelp } from './ShortcutHelp';
import { StatusLine } from './StatusLine';
import { installShortcuts } from './shortcuts';
import { SurfaceView } from './surface/SurfaceView';
import { TransitionPlayer } from './TransitionPlayer';
import { PageTabs } from './training/PageTabs';
import { TrainingView } from './training/TrainingView';
import { WidthSweep } from './WidthSweep';

// Every child reads the store itself; their props (the store, an index) never change, so App's
// own re-renders (a preset, a new panel count) do not re-render them.
const ControlsM = memo(Controls);
const BannersM = memo(Banners);
const PanelViewM = memo(PanelView);
const StatusLineM = memo(StatusLine);
const SurfaceViewM = memo(SurfaceView);
const WidthSweepM = memo(WidthSweep);
const BlockStructureViewM = memo(BlockStructureView);
const DegreeTableM = memo(DegreeTable);

/**
 * The page is rendered in stages: first the top bar and the figure, then the settings, then the
 * sections below the figure, each in its own task once the previous one is on the page, so that
 * neither React's first render nor the browser's first style and layout of the whole page is one
 * long task. (Plain tasks, not transitions: a transition would restart on every progress message
 * from the worker and could wait seconds.)
 */
const LAST_STAGE = 5;
function useStage(): number {
  const [stage, setStage] = useState(0);
  useEffect(() => {
    if (stage >= LAST_STAGE) return;
    const timer = setTimeout(() => setStage(stage + 1), 0);
    return () => clearTimeout(timer);
  }, [stage]);
  return stage;
}

/**
 * The page, or in presentation mode (settings.present: key P, ?present=1) the slides instead.
 * The keyboard shortcuts (shortcuts.ts) work in both; key ? lists them.
 */
export function App({ store }: { store: AppStore }) {
  const training = getTrainingStore();
  const view = useStore(training, (s) => s.view);
  const present = useStore(store, (s) => s.settings.present);
  const [helpOpen, setHelpOpen] = useState(false);
  const helpOpenRef = useRef(helpOpen);
  helpOpenRef.current = helpOpen;
  useEffect(
    () => installShortcuts(() => ({ store, helpOpen: helpOpenRef.current, setHelpOpen })),
    [store],
  );
  const showHelp = () => setHelpOpen(true);
  const tabs = usePageTabs(store, training);
  return (
    <>
      {view === 'train' ? (
        <TrainingView store={training} tabs={tabs} />
      ) : present ? (
        <Presentation store={store} onShowHelp={showHelp} />
      ) : (
        <Workbench store={store} onShowHelp={showHelp} tabs={tabs} />
      )}
      {helpOpen && <ShortcutHelp onClose={() => setHelpOpen(false)} />}
    </>
  );
}

interface Tabs {
  figureHref: string;
  trainingHref: string;
  onSwitch(view: PageView): void;
}

/**
 * The two pages, figure and training (`?view=train`), each a URL. A page opened on the training
 * view cancels the figure main.tsx started (it is not shown) and runs the training of its URL;
 * the figure is computed again when its tab is first opened (a page load of its URL).
 */
function usePageTabs(store: AppStore, training: TrainingStore): Tabs {
  const figureSettings = useStore(store, (s) => s.settings);
  const trainingSettings = useStore(training, (s) => s.settings);
  const gpu = useStore(training, (s) => s.gpu);
  // ?gpu=0 carries over between the pages (it is read when a page loads).
  const figureHref = `?${settingsToQuery(figureSettings, gpu ? {} : { gpu: '0' })}`;
  useEffect(() => {
    if (training.getState().view !== 'train') return;
    if (store.getState().busy()) store.getState().cancel();
    training.getState().setView('train', 'replace');
  }, [store, training]);
  // Back to a figure entry from a page that opened on the training view: the figure was never
  // computed (and the store would not recompute unchanged settings), so load its URL.
  useEffect(
    () =>
      training.subscribe((s, previous) => {
        if (s.view !== 'figure' || previous.view !== 'train') return;
        const figure = store.getState();
        if (!figure.lastFigure && !figure.computing) window.location.reload();
      }),
    [store, training],
  );
  return {
    figureHref,
    trainingHref: trainingUrl(trainingSettings, gpu),
    onSwitch(next) {
      if (next === 'train') {
        training.getState().setView('train', 'push');
        if (store.getState().busy()) store.getState().cancel();
        return;
      }
      const figure = store.getState();
      if (!figure.lastFigure && !figure.computing) {
        // The figure was never computed on this page (it opened on the training view).
        window.location.assign(figureHref);
        return;
      }
      window.history.pushState(null, '', figureHref);
      training.getState().setView('figure', 'none');
    },
  };
}

const SIDEBAR_KEY = 'bn-sidebar-collapsed';
const NARROW = '(max-width: 699px)';

/** Whether the viewport is narrow (phones): the settings then open in a drawer. */
function useNarrow(): boolean {
  const [narrow, setNarrow] = useState(
    () => typeof window.matchMedia === 'function' && window.matchMedia(NARROW).matches,
  );
  useEffect(() => {
    if (typeof window.matchMedia !== 'function') return;
    const query = window.matchMedia(NARROW);
    const onChange = () => setNarrow(query.matches);
    query.addEventListener('change', onChange);
    onChange();
    return () => query.removeEventListener('change', onChange);
  }, []);
  return narrow;
}

function readCollapsed(): boolean {
  try {
    return window.localStorage.getItem(SIDEBAR_KEY) === '1';
  } catch {
    return false;
  }
}

/**
 * Sizes the panels' canvases so that every panel of the figure fits in the first screen: the
 * height left under the figure's top, split over its rows, less each panel's caption. Sets
 * --panel-fit on the figure; styles.css clamps it (and ignores it on narrow screens).
 */
function useFitFigure(figureRef: RefObject<HTMLDivElement | null>, panelCount: number) {
  // biome-ignore lint/correctness/useExhaustiveDependencies: new panels need observing
  useLayoutEffect(() => {
    const figure = figureRef.current;
    if (!figure) return;
    let frame = 0;
    const fitPanels = () => {
      frame = 0;
      const panels = Array.from(figure.querySelectorAll<HTMLElement>('.panel'));
      if (panels.length === 0) return;
      const rows = new Set(panels.map((p) => p.offsetTop)).size;
      let chrome = 0;
      for (const p of panels) {
        const canvas = p.querySelector('canvas');
        chrome = Math.max(chrome, p.offsetHeight - (canvas?.offsetHeight ?? 0));
      }
      const gap = Number.parseFloat(getComputedStyle(figure).rowGap) || 0;
      const top = figure.getBoundingClientRect().top + window.scrollY;
      const avail = window.innerHeight - top - 10;
      const h = Math.floor((avail - gap * (rows - 1)) / rows - chrome);
      const value = `${h}px`;
      if (figure.style.getPropertyValue('--panel-fit') !== value)
        figure.style.setProperty('--panel-fit', value);
    };
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(fitPanels);
    };
    fitPanels();
    const observer = new ResizeObserver(schedule);
    observer.observe(document.body);
    for (const el of figure.querySelectorAll('.panel figcaption')) observer.observe(el);
    // A panel's readouts grow when its result lands (on the GPU every panel lands at once, at
    // the end of the batch): the chrome under each canvas changes, so fit again at once, in the
    // commit that rendered them (PanelView's layout effect).
    figure.addEventListener(PANEL_RESULT_EVENT, fitPanels);
    const above = figure.parentElement?.querySelectorAll('.banners, .note');
    if (above) for (const el of above) observer.observe(el);
    const header = document.querySelector('.topbar');
    if (header) observer.observe(header);
    window.addEventListener('resize', schedule);
    return () => {
      if (frame) cancelAnimationFrame(frame);
      observer.disconnect();
      figure.removeEventListener(PANEL_RESULT_EVENT, fitPanels);
      window.removeEventListener('resize', schedule);
    };
  }, [figureRef, panelCount]);
}

/** "Copy link": the current address (the settings are in it), with "Copied" for a moment. */
function CopyLinkButton() {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), 1500);
    return () => clearTimeout(timer);
  }, [state]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(window.location.href);
      setState('copied');
    } catch {
      setState('failed');
    }
  };
  return (
    <button
      type="button"
      data-testid="copy-link"
      title="Copy a link to these settings"
      onClick={copy}
    >
      <span aria-live="polite">
        {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : 'Copy link'}
      </span>
    </button>
  );
}

/** The normal page: top bar, settings, the figure, and the analyses below it. */
function Workbench({
  store,
  onShowHelp,
  tabs,
}: {
  store: AppStore;
  onShowHelp(): void;
  tabs: Tabs;
}) {
  const stage = useStage();
  const panelCount = useStore(store, (s) => s.panels.length);
  const presetId = useStore(store, (s) => s.presetId);
  const settings = useStore(store, (s) => s.settings);
  const hasResults = useStore(store, (s) => s.results.some(Boolean));
  const figureRef = useRef<HTMLDivElement>(null);
  const narrow = useNarrow();
  const [collapsed, setCollapsed] = useState(readCollapsed);
  const [drawerOpen, setDrawerOpen] = useState(false);
  const drawerRef = useRef<HTMLDivElement>(null);
  useFitFigure(figureRef, panelCount);
  useEffect(() => {
    if (!narrow) setDrawerOpen(false);
  }, [narrow]);
  useEffect(() => {
    if (!drawerOpen) return;
    drawerRef.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setDrawerOpen(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [drawerOpen]);
  const preset = PRESETS.find((p) => p.id === presetId);
  const { applyPreset } = store.getState();
  const settingsShown = narrow ? drawerOpen : !collapsed;
  const toggleSettings = () => {
    if (narrow) {
      setDrawerOpen(!drawerOpen);
      return;
    }
    const next = !collapsed;
    setCollapsed(next);
    try {
      window.localStorage.setItem(SIDEBAR_KEY, next ? '1' : '0');
    } catch {
      // No storage (private mode): the choice lasts for this page only.
    }
  };
  // Worded for the settings' L_b: rates that hold for them only (docs/claims.md).
  const familyNote = familyNoteText(settings.family, settings.layers);
  const layoutClass = [
    'layout',
    narrow ? 'narrow' : '',
    !narrow && collapsed ? 'collapsed' : '',
    narrow && drawerOpen ? 'drawer-open' : '',
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <div className="app">
      <header className="topbar">
        <h1>
          Bottleneck networks → multilinear{' '}
          <span className="subtitle">width, bottlenecks and the function of the weights</span>
        </h1>
        <div className="topbar-actions">
          <PageTabs view="figure" {...tabs} />
          <button
            type="button"
            className="settings-toggle"
            data-testid="settings-toggle"
            aria-expanded={settingsShown}
            aria-controls="settings-panel"
            onClick={toggleSettings}
          >
            Settings
          </button>
          <span className="preset-picker">
            <label htmlFor="preset">Preset</label>
            <select
              id="preset"
              data-testid="preset"
              value={presetId ?? ''}
              onChange={(e) => applyPreset(e.target.value)}
            >
              {presetId === null && <option value="">(custom)</option>}
              {PRESETS.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </span>
          <span className="button-group">
            <CopyLinkButton />
            <button
              type="button"
              data-testid="reset"
              title={`Back to the settings of “${preset?.name ?? PRESETS[0].name}”`}
              onClick={() => applyPreset(presetId ?? 'figure1')}
            >
              Reset
            </button>
          </span>
          <span className="button-group">
            <button
              type="button"
              data-testid="export-png"
              disabled={!hasResults}
              onClick={() => figureRef.current && exportPng(store.getState(), figureRef.current)}
            >
              PNG
            </button>
            <button
              type="button"
              data-testid="export-svg"
              disabled={!hasResults}
              onClick={() => exportSvg(store.getState())}
            >
              SVG
            </button>
            <button
              type="button"
              data-testid="export-csv"
              disabled={!hasResults}
              onClick={() => exportCsv(store.getState())}
            >
              CSV
            </button>
            <button
              type="button"
              data-testid="export-json"
              disabled={!hasResults}
              onClick={() => exportJson(store.getState())}
            >
              JSON
            </button>
            <button
              type="button"
              data-testid="show-shortcuts"
              aria-label="Keyboard shortcuts"
              title="Keyboard shortcuts (?)"
              onClick={onShowHelp}
            >
              ?
            </button>
          </span>
        </div>
      </header>
      <div className={layoutClass}>
        {narrow && drawerOpen && (
          <div
            className="drawer-backdrop"
            aria-hidden="true"
            onClick={() => setDrawerOpen(false)}
          />
        )}
        <div
          className="sidebar"
          id="settings-panel"
          ref={drawerRef}
          tabIndex={-1}
          hidden={!settingsShown}
        >
          {narrow && (
            <button type="button" className="drawer-close" onClick={() => setDrawerOpen(false)}>
              Close settings
            </button>
          )}
          {stage >= 1 ? <ControlsM store={store} /> : <aside className="controls" />}
        </div>
        <main className="main">
          <BannersM store={store} />
          <details className="note" data-testid="note">
            <summary>
              <span className="note-head">
                {preset ? <strong>{preset.name}. </strong> : null}
                {preset ? preset.note : <strong>Custom settings.</strong>}
              </span>
              <span className="note-more" aria-hidden="true" />
            </summary>
            <p className="muted">
              {familyNote} Normalisation:{' '}
              {settings.normalisation === 'per-layer'
                ? 'unit Frobenius norm per layer'
                : 'one global norm'}
              .
            </p>
          </details>
          <div className={`figure panels-${panelCount}`} ref={figureRef} data-testid="figure">
            {Array.from({ length: panelCount }, (_, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: panels are positional
              <PanelViewM key={i} store={store} index={i} />
            ))}
          </div>
          {stage >= 2 && <TransitionPlayer store={store} figureRef={figureRef} />}
          <StatusLineM store={store} />
          {/* One section per task: together they were a 45–70 ms task on a slow machine. */}
          {stage >= 2 && <DegreeTableM store={store} />}
          {stage >= 3 && <SurfaceViewM store={store} />}
          {stage >= 4 && <WidthSweepM store={store} />}
          {stage >= 5 && <BlockStructureViewM store={store} />}
        </main>
      </div>
    </div>
  );
}
