// Frame of an on-demand analysis: a title, a run button, what it shows, status and a figure.
import type { ReactNode } from 'react';
import { useStore } from 'zustand';
import { isLinearFigure } from '../experiments/settings';
import { type AppStore, CANCELLED } from '../state/store';
import type { AnalysisKind } from '../worker/protocol';
import { Tex } from './notes/Tex';
import { ProgressBar, useJobElapsed } from './StatusLine';

interface Props {
  store: AppStore;
  kind: AnalysisKind;
  title: string;
  button: string;
  about: string;
  /** One line describing the finished result, or null while there is none. */
  summary: string | null;
  /** A short typeset note (see notes/notes.ts): what is plotted and which result it shows. */
  note?: string;
  /** Whether it needs a linear network (it reads the exact polynomial); default true. */
  needsLinear?: boolean;
  children: ReactNode;
}

export function AnalysisSection({
  store,
  kind,
  title,
  button,
  about,
  summary,
  note,
  needsLinear = true,
  children,
}: Props) {
  const state = useStore(store, (s) => s.analyses[kind]);
  const linear = useStore(store, (s) => !needsLinear || isLinearFigure(s.settings));
  const elapsed = useJobElapsed(state?.running ?? false, state?.id);
  return (
    <section className="analysis" data-testid={`analysis-${kind}`}>
      <div className="analysis-head">
        <h2>{title}</h2>
        <button
          type="button"
          data-testid={`run-${kind}`}
          disabled={!linear || state?.running}
          onClick={() => store.getState().runAnalysis(kind)}
        >
          {state?.running ? 'Computing…' : button}
        </button>
        <span className="muted">
          {linear ? about : 'Needs a linear network (σ = identity): it reads the exact polynomial.'}
        </span>
      </div>
      {note && <Tex className="math-note" block defer text={note} />}
      {state && (
        <>
          {children}
          <div className="muted" data-testid={`${kind}-status`}>
            {state.error === CANCELLED
              ? 'Cancelled.'
              : state.error
                ? `Failed: ${state.error}`
                : state.running
                  ? `${Math.round((state.progress?.fraction ?? 0) * 100)}% — ${state.progress?.stage ?? 'starting'}`
                  : `${summary ?? ''} · ${((state.ms ?? 0) / 1000).toFixed(1)} s`}
          </div>
          {state.running && elapsed !== null && (
            <ProgressBar
              testId={`${kind}-progress`}
              elapsed={elapsed}
              progress={state.progress}
              onCancel={() => store.getState().cancel()}
            />
          )}
        </>
      )}
    </section>
  );
}
