import { useState } from 'react';
import { useStore } from 'zustand';
import type { AppStore } from '../state/store';
import { AskFirst } from './AskFirst';

/** The × of a banner that may be dismissed (warnings and notices; errors stay until fixed). */
/** The named problems of a link's settings, each replaced by its default (figure and training pages). */
export function UrlProblemsBanner({
  problems,
  onDismiss,
}: {
  problems: readonly { param: string; value: string; message: string }[];
  onDismiss: () => void;
}) {
  return (
    <div className="banner info" data-testid="url-problems" role="alert">
      <div className="banner-body">
        <strong>Some settings in the link were not valid and were replaced by defaults:</strong>
        <ul>
          {problems.map((p) => (
            <li key={p.param}>
              <code>
                {p.param}={p.value}
              </code>{' '}
              {p.message}
            </li>
          ))}
        </ul>
      </div>
      <DismissButton onClick={onDismiss} />
    </div>
  );
}

function DismissButton({ onClick }: { onClick: () => void }) {
  return (
    <button type="button" className="banner-dismiss" aria-label="Dismiss" onClick={onClick}>
      ×
    </button>
  );
}

export function Banners({ store }: { store: AppStore }) {
  const gpuStatus = useStore(store, (s) => s.gpuStatus);
  const gpuMessage = useStore(store, (s) => s.gpuMessage);
  const cpuCap = useStore(store, (s) => s.cpuCap);
  const urlProblems = useStore(store, (s) => s.urlProblems);
  const error = useStore(store, (s) => s.error);
  const workerFailure = useStore(store, (s) => s.workerFailure);
  const { retryGpu, setUrlProblems } = store.getState();
  // Dismissed warnings, by what they said: a new GPU status or message shows its banner again.
  const [dismissed, setDismissed] = useState<ReadonlySet<string>>(() => new Set());
  const dismiss = (key: string) => setDismissed((d) => new Set(d).add(key));
  const gpuKey = `${gpuStatus}:${gpuMessage ?? ''}`;
  const fallback =
    (gpuStatus === 'unsupported' || gpuStatus === 'no-adapter' || gpuStatus === 'error') &&
    !dismissed.has(gpuKey);
  return (
    <div className="banners">
      <AskFirst store={store} />
      {workerFailure !== null && (
        <div className="banner error" data-testid="worker-error-banner" role="alert">
          <div className="banner-body">
            <strong>The compute worker stopped:</strong> {workerFailure}. Nothing is being computed
            now. Reloading the page starts a new worker with the same settings (they are in the
            address).{' '}
            <button type="button" onClick={() => window.location.reload()}>
              Reload
            </button>
          </div>
        </div>
      )}
      {fallback && (
        <div className="banner warn" data-testid="cpu-fallback-banner" role="alert">
          <details className="banner-body">
            <summary>
              <strong>No WebGPU here — computing on the CPU.</strong>{' '}
              <span className="banner-more">Why?</span>
            </summary>
            {gpuStatus === 'unsupported'
              ? `${gpuMessage ?? 'This browser has no WebGPU.'} Use a recent Chrome or Edge for the GPU engine.`
              : gpuStatus === 'no-adapter'
                ? 'WebGPU is present but found no GPU adapter (blocklisted or headless GPU).'
                : `Starting WebGPU failed: ${gpuMessage}`}{' '}
            {cpuCap}
          </details>
          <DismissButton onClick={() => dismiss(gpuKey)} />
        </div>
      )}
      {gpuStatus === 'lost' && !dismissed.has(gpuKey) && (
        <div className="banner warn" data-testid="device-lost-banner" role="alert">
          <div className="banner-body">
            <strong>The GPU device was lost.</strong> {gpuMessage} {cpuCap}{' '}
            <button type="button" onClick={retryGpu}>
              Retry the GPU
            </button>
          </div>
          <DismissButton onClick={() => dismiss(gpuKey)} />
        </div>
      )}
      {urlProblems.length > 0 && (
        <UrlProblemsBanner problems={urlProblems} onDismiss={() => setUrlProblems([])} />
      )}
      {error && (
        <div className="banner error" data-testid="compute-error" role="alert">
          <div className="banner-body">
            <strong>Could not compute this figure{error.field ? ` (${error.field})` : ''}:</strong>{' '}
            {error.message} The settings were kept; change one to try again.
          </div>
        </div>
      )}
    </div>
  );
}
