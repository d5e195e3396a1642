import { memo, useEffect, useRef, useState } from 'react';
import { useStore } from 'zustand';
import { PRESETS } from '../experiments/settings';
import type { AppStore } from '../state/store';
import { Banners } from './Banners';
import { BlockStructureView } from './BlockStructureView';
import { Controls } from './Controls';
import { DegreeTable } from './DegreeTable';
import { exportCsv, exportJson, exportPng, exportSvg } from './exports';
import { PanelView } from './PanelView';
import { Presentation } from './Presentation';
import { ShortcutHelp } from './ShortcutHelp';
import { StatusLine } from './StatusLine';
import { installShortcuts } from './shortcuts';
import { SurfaceView } from './surface/SurfaceView';
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
  const present = useStore(store, (s) => s.settings.present);
  const [helpOpen, setHelpOpen] = useState(false);
  const helpOpenRef = useRef(helpOpen);
  helpOpenRef.current = helpOpen;
  useEffect(
    () => installShortcuts(() => ({ store, helpOpen: helpOpenRef.current, setHelpOpen })),
    [store],
  );
  const showHelp = () => setHelpOpen(true);
  return (
    <>
      {present ? (
        <Presentation store={store} onShowHelp={showHelp} />
      ) : (
        <Workbench store={store} onShowHelp={showHelp} />
      )}
      {helpOpen && <ShortcutHelp onClose={() => setHelpOpen(false)} />}
    </>
  );
}

/** The normal page: top bar, settings, the figure, and the analyses below it. */
function Workbench({ store, onShowHelp }: { store: AppStore; onShowHelp(): void }) {
  const stage = useStage();
  const panelCount = useStore(store, (s) => s.panels.length);
  const presetId = useStore(store, (s) => s.presetId);
  const settings = useStore(store, (s) => s.settings);
  const hasResults = useStore(store, (s) => s.results.some(Boolean));
  const figureRef = useRef<HTMLDivElement>(null);
  const preset = PRESETS.find((p) => p.id === presetId);
  const { applyPreset } = store.getState();
  const familyNote =
    settings.family === 'gaussian'
      ? 'Gaussian directions: i.i.d. N(0,1) entries, each layer scaled to unit Frobenius norm. They are nearly orthogonal to what each layer sees, so g moves only by O(1/√m) — flat curves. Theorems 1–2 hold for every direction; aligned ones move g by O(1).'
      : settings.family === 'aligned'
        ? 'Aligned directions: Δ⁽ˡ⁾ = ξ ⊗ h(x)/‖h(x)‖, rank one, random ξ, aligned with the features layer ℓ sees; they move g by O(1). With 1-wide layers ξ = ±1 there, so curves coincide in groups (try “aligned + random tilt”).'
        : settings.family === 'tilted'
          ? 'Tilted directions: aligned ones turned by a random angle θ towards a random orthogonal vector, so each layer moves g by O(cos θ): the curves differ in size, unlike aligned ones, which with 1-wide layers differ only in sign.'
          : settings.family === 'chained'
            ? 'Chained directions: Δ⁽ˡ⁾ = ξₗ ⊗ ξₗ₋₁, each layer reading the previous layer’s ξ (a block’s first layer reads its features), unit norm. Inside a block the second-order terms no longer cancel: the non-multilinear part falls like 1/√m, the theorem’s rate (aligned: 1/m). Every non-constant term is O(1/√m) here, so the curves are small.'
            : 'Gradient directions: Δ = ∇_W g(W₀; xⱼ) for fresh inputs xⱼ, normalised.';
  return (
    <div className="app">
      <header className="topbar">
        <h1>
          Bottleneck networks → multilinear{' '}
          <span className="subtitle">width, bottlenecks and the function of the weights</span>
        </h1>
        <div className="topbar-actions">
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
        </div>
      </header>
      <div className="layout">
        {stage >= 1 ? <ControlsM store={store} /> : <aside className="controls" />}
        <main className="main">
          <BannersM store={store} />
          <p className="note" data-testid="note">
            {preset ? <strong>{preset.name}. </strong> : null}
            {preset ? `${preset.note} ` : ''}
            <span className="muted">
              {familyNote} Normalisation:{' '}
              {settings.normalisation === 'per-layer'
                ? 'unit Frobenius norm per layer'
                : 'one global norm'}
              .
            </span>
          </p>
          <div className={`figure panels-${panelCount}`} ref={figureRef} data-testid="figure">
            {Array.from({ length: panelCount }, (_, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: panels are positional
              <PanelViewM key={i} store={store} index={i} />
            ))}
          </div>
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
