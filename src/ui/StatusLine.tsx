import { useStore } from 'zustand';
import type { AppStore } from '../state/store';

export function StatusLine({ store }: { store: AppStore }) {
  const engine = useStore(store, (s) => s.engine);
  const gpuStatus = useStore(store, (s) => s.gpuStatus);
  const computing = useStore(store, (s) => s.computing);
  const progress = useStore(store, (s) => s.progress);
  const lastMs = useStore(store, (s) => s.lastMs);
  const agreement = useStore(store, (s) => s.agreement);
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
        {computing
          ? `computing${progress ? ` ${Math.round(progress.fraction * 100)}% — ${progress.stage}` : '…'}`
          : lastMs !== null
            ? `last figure ${lastMs < 1000 ? `${Math.round(lastMs)} ms` : `${(lastMs / 1000).toFixed(2)} s`}`
            : ''}
      </span>
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
