// Presentation mode (key P, or ?present=1): the presets as slides for a lecture. No settings, no
// analyses, no exports: the slide's one-line claim as a headline above the figure's panels, large
// enough for a projector at 1280×720. ← → (and a clicker's Page Up / Page Down) change slides
// through the store's applyPreset, so each slide is a URL; Esc leaves (shortcuts.ts).

import { memo, useEffect, useRef } from 'react';
import { useStore } from 'zustand';
import { PRESETS } from '../experiments/settings';
import type { AppStore } from '../state/store';
import { Banners } from './Banners';
import { PanelView } from './PanelView';
import './presentation.css';

const PanelViewM = memo(PanelView);
const BannersM = memo(Banners);

/**
 * Moves `delta` slides. The slides are the presets in order; settings that match none are a
 * "Custom settings" slide before the first, from which → goes to the first preset.
 */
export function stepSlide(store: AppStore, delta: number): void {
  const { presetId, applyPreset } = store.getState();
  const index = PRESETS.findIndex((p) => p.id === presetId);
  const next = index < 0 ? (delta > 0 ? 0 : -1) : index + delta;
  if (next >= 0 && next < PRESETS.length) applyPreset(PRESETS[next].id);
}

/** Text with its subscripts set as such: "W_1" → W₁ (a <sub>). */
function Subscripted({ text }: { text: string }) {
  const parts = text.split(/_([A-Za-z0-9])/);
  // split keeps the captured subscripts at the odd indices.
  // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one fixed string
  return <>{parts.map((p, i) => (i % 2 ? <sub key={i}>{p}</sub> : p))}</>;
}

/** Columns for n panels in a 16:9 slide: 1–3 in a row, 4 as 2 × 2, then rows of 3 or 4. */
function columns(n: number): number {
  if (n <= 3) return Math.max(n, 1);
  if (n === 4) return 2;
  if (n <= 6) return 3;
  return 4;
}

export function Presentation({ store, onShowHelp }: { store: AppStore; onShowHelp(): void }) {
  const presetId = useStore(store, (s) => s.presetId);
  const panelCount = useStore(store, (s) => s.panels.length);
  const computing = useStore(store, (s) => s.computing);
  const fraction = useStore(store, (s) => s.progress?.fraction ?? null);
  const engine = useStore(store, (s) => s.engine?.kind ?? null);
  const index = PRESETS.findIndex((p) => p.id === presetId);
  const preset = index >= 0 ? PRESETS[index] : null;
  const { update } = store.getState();

  // Keys reach the window wherever focus is; focusing the slide also moves focus off a control
  // that has just disappeared (the sidebar's button), so the page is not left without focus.
  const rootRef = useRef<HTMLElement>(null);
  useEffect(() => {
    if (!rootRef.current?.contains(document.activeElement)) rootRef.current?.focus();
  }, []);

  const cols = columns(panelCount);
  const rows = Math.max(1, Math.ceil(panelCount / cols));
  return (
    <section
      className="presentation"
      data-testid="presentation"
      ref={rootRef}
      tabIndex={-1}
      aria-roledescription="slide"
      aria-label={preset ? preset.name : 'Custom settings'}
    >
      <header className="slide-head">
        <span className="slide-name" data-testid="slide-name">
          {preset ? (
            <Subscripted text={preset.name} />
          ) : (
            'Not one of the presets: → goes to the first'
          )}
        </span>
        <span className="slide-number" data-testid="slide-number">
          {preset ? `${index + 1} / ${PRESETS.length}` : `– / ${PRESETS.length}`}
        </span>
      </header>
      <h1 className="slide-claim" data-testid="slide-claim" aria-live="polite">
        {preset ? <Subscripted text={preset.claim} /> : 'Custom settings'}
      </h1>
      <BannersM store={store} />
      <div
        className={`slide-figure panels-${panelCount}`}
        data-testid="figure"
        style={{
          gridTemplateColumns: `repeat(${cols}, minmax(0, 1fr))`,
          // Each panel spans two rows (presentation.css): its canvas, then its readout.
          gridTemplateRows: `repeat(${rows}, minmax(0, 1fr) auto)`,
        }}
      >
        {Array.from({ length: panelCount }, (_, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: panels are positional
          <PanelViewM key={i} store={store} index={i} />
        ))}
      </div>
      <footer className="slide-hints">
        <span>
          <button
            type="button"
            className="key"
            aria-label="Previous slide"
            disabled={index <= 0}
            onClick={() => stepSlide(store, -1)}
          >
            ←
          </button>{' '}
          <button
            type="button"
            className="key"
            aria-label="Next slide"
            disabled={index >= PRESETS.length - 1}
            onClick={() => stepSlide(store, 1)}
          >
            →
          </button>{' '}
          slides ·{' '}
          <button
            type="button"
            className="key"
            aria-label="Leave presentation mode"
            onClick={() => update({ present: false })}
          >
            Esc
          </button>{' '}
          leaves ·{' '}
          <button
            type="button"
            className="key"
            aria-label="Keyboard shortcuts"
            onClick={onShowHelp}
          >
            ?
          </button>{' '}
          shortcuts
        </span>
        <span className="slide-status" data-testid="slide-status">
          {computing
            ? `computing${fraction !== null ? ` ${Math.round(fraction * 100)}%` : ''}…`
            : engine === 'webgpu'
              ? 'WebGPU'
              : engine === 'cpu'
                ? 'CPU engine'
                : ''}
        </span>
      </footer>
    </section>
  );
}
