import { useStore } from 'zustand';
import type { AppStore } from '../state/store';

export function Banners({ store }: { store: AppStore }) {
  const gpuStatus = useStore(store, (s) => s.gpuStatus);
  const gpuMessage = useStore(store, (s) => s.gpuMessage);
  const cpuCap = useStore(store, (s) => s.cpuCap);
  const urlProblems = useStore(store, (s) => s.urlProblems);
  const error = useStore(store, (s) => s.error);
  const workerFailure = useStore(store, (s) => s.workerFailure);
  const { retryGpu, setUrlProblems } = store.getState();
  return (
    <div className="banners">
      {workerFailure !== null && (
        <div className="banner error" data-testid="worker-error-banner" role="alert">
          <strong>The compute worker stopped:</strong> {workerFailure}. Nothing is being computed
          now. Reloading the page starts a new worker with the same settings (they are in the
          address).{' '}
          <button type="button" onClick={() => window.location.reload()}>
            Reload
          </button>
        </div>
      )}
      {(gpuStatus === 'unsupported' || gpuStatus === 'no-adapter' || gpuStatus === 'error') && (
        <div className="banner warn" data-testid="cpu-fallback-banner" role="alert">
          <strong>No WebGPU here — computing on the CPU.</strong>{' '}
          {gpuStatus === 'unsupported'
            ? `${gpuMessage ?? 'This browser has no WebGPU.'} Use a recent Chrome or Edge for the GPU engine.`
            : gpuStatus === 'no-adapter'
              ? 'WebGPU is present but found no GPU adapter (blocklisted or headless GPU).'
              : `Starting WebGPU failed: ${gpuMessage}`}{' '}
          {cpuCap}
        </div>
      )}
      {gpuStatus === 'lost' && (
        <div className="banner warn" data-testid="device-lost-banner" role="alert">
          <strong>The GPU device was lost.</strong> {gpuMessage} {cpuCap}{' '}
          <button type="button" onClick={retryGpu}>
            Retry the GPU
          </button>
        </div>
      )}
      {urlProblems.length > 0 && (
        <div className="banner info" data-testid="url-problems" role="alert">
          <strong>Some settings in the link were not valid and were replaced by defaults:</strong>
          <ul>
            {urlProblems.map((p) => (
              <li key={p.param}>
                <code>
                  {p.param}={p.value}
                </code>{' '}
                {p.message}
              </li>
            ))}
          </ul>
          <button type="button" onClick={() => setUrlProblems([])}>
            Dismiss
          </button>
        </div>
      )}
      {error && (
        <div className="banner error" data-testid="compute-error" role="alert">
          <strong>Could not compute this figure{error.field ? ` (${error.field})` : ''}:</strong>{' '}
          {error.message} The settings were kept; change one to try again.
        </div>
      )}
    </div>
  );
}
