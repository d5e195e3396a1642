import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { AppStore } from '../state/store';
import { summariseWeights } from '../state/weights';

export function StatusLine({ store }: { store: AppStore }) {
  const engine = useStore(store, (s) => s.engine);
  const gpuStatus = useStore(store, (s) => s.gpuStatus);
  const computing = useStore(store, (s) => s.computing);
  const progress = useStore(store, (s) => s.progress);
  const lastMs = useStore(store, (s) => s.lastMs);
  const agreement = useStore(store, (s) => s.agreement);
  const workerFailure = useStore(store, (s) => s.workerFailure);
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
          : computing
            ? `computing${progress ? ` ${Math.round(progress.fraction * 100)}% — ${progress.stage}` : '…'}`
            : lastMs !== null
              ? `last figure ${lastMs < 1000 ? `${Math.round(lastMs)} ms` : `${(lastMs / 1000).toFixed(2)} s`}`
              : ''}
      </span>
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
      {computing && progress && (
        <progress max={1} value={progress.fraction} aria-label="progress" />
      )}
    </div>
  );
}
