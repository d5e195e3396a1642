import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import { formatEstimate } from '../experiments/estimate';
import type { AppStore } from '../state/store';
import { summariseWeights } from '../state/weights';
import './progress.css';

/** A computation shows its progress bar once it has run this long. */
export const PROGRESS_DELAY_MS = 300;

/**
 * Milliseconds since `job` (a key that changes with each computation) started while `active`,
 * re-rendering every 250 ms; null before PROGRESS_DELAY_MS or when not active.
 */
export function useJobElapsed(active: boolean, job: unknown): number | null {
  const [now, setNow] = useState<{ start: number; elapsed: number | null }>({
    start: 0,
    elapsed: null,
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new job restarts the clock
  useEffect(() => {
    if (!active) {
      setNow({ start: 0, elapsed: null });
      return;
    }
    const start = performance.now();
    setNow({ start, elapsed: null });
    let timer: ReturnType<typeof setInterval> | null = null;
    const delay = setTimeout(() => {
      const tick = () => setNow({ start, elapsed: performance.now() - start });
      tick();
      timer = setInterval(tick, 250);
    }, PROGRESS_DELAY_MS);
    return () => {
      clearTimeout(delay);
      if (timer !== null) clearInterval(timer);
    };
  }, [active, job]);
  return active ? now.elapsed : null;
}

function formatSeconds(ms: number): string {
  const s = Math.max(0, ms / 1000);
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  return `${Math.floor(s / 60)} min ${String(Math.round(s % 60)).padStart(2, '0')} s`;
}

/**
 * "about 3.2 s left" from the time so far and the fraction done; before 5 % from the job's
 * estimate (estimate.ts) while it has not run out, else "estimating…".
 */
export function timeLeft(elapsedMs: number, fraction: number, estimateMs?: number | null): string {
  if (!(fraction > 0.05) || fraction >= 1) {
    if (estimateMs != null && fraction < 1 && estimateMs > elapsedMs)
      return `about ${formatSeconds(estimateMs - elapsedMs)} left`;
    return 'estimating…';
  }
  return `about ${formatSeconds((elapsedMs * (1 - fraction)) / fraction)} left`;
}

/** The bar of a computation that has run over PROGRESS_DELAY_MS: stage, time left, Cancel. */
export function ProgressBar({
  elapsed,
  progress,
  onCancel,
  testId = 'progress',
  estimateMs = null,
}: {
  elapsed: number;
  progress: { fraction: number; stage: string } | null;
  onCancel: () => void;
  testId?: string;
  /** The job's estimate before it started, for the time left early on. */
  estimateMs?: number | null;
}) {
  const fraction = progress?.fraction ?? 0;
  return (
    <span className="progress-bar" data-testid={testId}>
      <progress max={1} value={fraction} aria-label="progress" />
      <span data-testid="progress-stage">
        {Math.round(fraction * 100)}% — {progress?.stage || 'starting'}
      </span>
      <span className="progress-eta muted" data-testid="progress-eta">
        {timeLeft(elapsed, fraction, estimateMs)}
      </span>
      <button type="button" data-testid="cancel" onClick={onCancel} title="Cancel (Esc)">
        Cancel
      </button>
    </span>
  );
}

export function StatusLine({ store }: { store: AppStore }) {
  const engine = useStore(store, (s) => s.engine);
  const gpuStatus = useStore(store, (s) => s.gpuStatus);
  const computing = useStore(store, (s) => s.computing);
  const progress = useStore(store, (s) => s.progress);
  const lastMs = useStore(store, (s) => s.lastMs);
  const agreement = useStore(store, (s) => s.agreement);
  const workerFailure = useStore(store, (s) => s.workerFailure);
  const requestId = useStore(store, (s) => s.requestId);
  const cancelled = useStore(store, (s) => s.cancelled);
  const pngScale = useStore(store, (s) => s.pngScale);
  const estimateMs = useStore(store, (s) => s.estimate?.ms ?? null);
  const notRun = useStore(store, (s) => s.notRun);
  // The figure waits for the reader's answer (AskFirst): no progress bar, nothing runs.
  const asking = useStore(store, (s) =>
    s.asks.some((a) => a.job === 'figure' && a.id === s.requestId),
  );
  const elapsed = useJobElapsed(computing && !asking, requestId);
  // Which weight path the panels ran and what the store holds (the text only changes with them).
  const weights = useStore(
    store,
    useShallow((s) => {
      const summary = summariseWeights(s.results);
      return summary ? [summary.path, summary.text, summary.detail] : [];
    }),
  );
  const engineText = engine
    ? engine.kind === 'webgpu'
      ? `WebGPU · ${engine.adapter} · ${engine.precision}`
      : `CPU engine · ${engine.precision}`
    : gpuStatus === 'pending'
      ? 'starting engine…'
      : 'no engine';
  return (
    <div className="status" data-testid="status" role="status" aria-live="polite">
      <span data-testid="engine" data-engine-kind={engine?.kind ?? ''}>
        {engineText}
      </span>
      <span data-testid="timing">
        {workerFailure !== null
          ? 'compute worker stopped'
          : asking
            ? 'waiting for an answer: run this figure?'
            : computing
              ? `computing${progress ? ` ${Math.round(progress.fraction * 100)}% — ${progress.stage}` : '…'}`
              : lastMs !== null
                ? `last figure ${lastMs < 1000 ? `${Math.round(lastMs)} ms` : `${(lastMs / 1000).toFixed(2)} s`}${cancelled ? ' · cancelled' : ''}`
                : cancelled
                  ? 'cancelled'
                  : ''}
      </span>
      {notRun && !computing && (
        <span className="not-run" data-testid="not-run">
          not run: these settings would take {formatEstimate(notRun.ms)}
          <button
            type="button"
            data-testid="run-not-run"
            onClick={() => store.getState().runNotRun()}
          >
            Run
          </button>
        </span>
      )}
      {weights.length > 0 && (
        <span data-testid="weights" data-path={weights[0]} title={weights[2]}>
          {weights[1]}
        </span>
      )}
      {agreement && (
        <span data-testid="agreement" title={`GPU float32 vs CPU float64 on ${agreement.spec}`}>
          GPU vs CPU check: max rel. error {agreement.maxRelativeError.toExponential(1)}{' '}
          {agreement.maxRelativeError < 1e-4 ? '✓' : '✗ (above 1e-4)'}
        </span>
      )}
      {computing && elapsed !== null && (
        <ProgressBar
          elapsed={elapsed}
          progress={progress}
          estimateMs={estimateMs}
          onCancel={() => store.getState().cancel()}
        />
      )}
      <label className="muted" title="Size of the PNG export against the figure on screen">
        PNG{' '}
        <select
          data-testid="png-scale"
          value={pngScale}
          onChange={(e) => store.getState().setPngScale(Number(e.target.value))}
        >
          {[1, 2, 3, 4].map((k) => (
            <option key={k} value={k}>
              {k}×
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
