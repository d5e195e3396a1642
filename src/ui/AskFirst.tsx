// Ask first: a job estimated over ASK_FIRST_MS (estimate.ts) waits for the reader. An inline
// alert dialog above the figure, not a modal: the settings stay usable (changing one drops the
// question and asks about the new settings, if they need it). Esc and Cancel mean "Don't run".
import { type KeyboardEvent, useEffect, useRef } from 'react';
import { useStore } from 'zustand';
import { formatEstimate } from '../experiments/estimate';
import type { AppStore } from '../state/store';
import './progress.css';

const JOB_NAME = {
  figure: 'This figure',
  sweep: 'The width sweep',
  blocks: 'The block-structure analysis',
  verdict: 'The degree verdict over widths',
} as const;

export function AskFirst({ store }: { store: AppStore }) {
  const ask = useStore(store, (s) => s.asks[0] ?? null);
  const askFirstOff = useStore(store, (s) => s.askFirstOff);
  const hasFigure = useStore(store, (s) => s.lastFigure !== null);
  const focusRef = useRef<HTMLButtonElement>(null);
  const key = ask ? `${ask.job}:${ask.id}` : null;
  // Focus moves into the dialog when it opens, and back where it was when it closes.
  useEffect(() => {
    if (!key) return;
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    focusRef.current?.focus();
    return () => {
      const inside = document.activeElement;
      if (before?.isConnected && (!inside || inside === document.body || !inside.isConnected))
        before.focus({ preventScroll: true });
    };
  }, [key]);
  if (!ask) return null;
  const { estimate } = ask;
  const { confirmRun, declineRun, setAskFirstOff } = store.getState();
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Escape') return;
    event.stopPropagation();
    event.preventDefault();
    declineRun();
  };
  const kept =
    ask.job === 'figure'
      ? hasFigure
        ? 'the last figure stays on screen and the settings stay, to be changed'
        : 'nothing is computed and the settings stay, to be changed'
      : 'nothing is computed';
  return (
    <div
      className="banner warn ask-first"
      role="alertdialog"
      aria-modal="false"
      aria-labelledby="ask-first-title"
      aria-describedby="ask-first-detail"
      data-testid="ask-first"
      data-job={ask.job}
      data-estimate-ms={Math.round(estimate.ms)}
      onKeyDown={onKeyDown}
    >
      <div className="banner-body">
        <strong id="ask-first-title" data-testid="ask-first-estimate">
          {JOB_NAME[ask.job]} would take {formatEstimate(estimate.ms)} on {estimate.engine}.
        </strong>{' '}
        <span id="ask-first-detail">
          Run it anyway? If not, {kept}.{' '}
          <span className="muted">
            Estimated from {scientific(estimate.multiplyAdds)} multiply-adds and a measurement of
            this engine (adapter: {estimate.adapter}).
          </span>
        </span>
        <div className="ask-first-actions">
          <button
            type="button"
            className="primary"
            data-testid="confirm-run"
            onClick={() => confirmRun()}
          >
            Run anyway
          </button>
          <button
            type="button"
            ref={focusRef}
            data-testid="confirm-cancel"
            onClick={() => declineRun()}
            title="Don't run (Esc)"
          >
            Don’t run
          </button>
          <label className="muted">
            <input
              type="checkbox"
              data-testid="ask-first-off"
              checked={askFirstOff}
              onChange={(e) => setAskFirstOff(e.target.checked)}
            />{' '}
            Don’t ask again this session
          </label>
        </div>
      </div>
    </div>
  );
}

const SUPERSCRIPT_DIGITS = '⁰¹²³⁴⁵⁶⁷⁸⁹';

/** 1.2·10¹⁰: a count as the rest of the page writes it. */
export function scientific(value: number): string {
  const [mantissa, exponent] = value.toExponential(1).split('e');
  const power = Number(exponent);
  const digits = String(Math.abs(power)).replace(/\d/g, (d) => SUPERSCRIPT_DIGITS[Number(d)]);
  return `${mantissa}·10${power < 0 ? '⁻' : ''}${digits}`;
}
