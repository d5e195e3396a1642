// The browser side of the compute worker.
import type { FigureSettings } from '../experiments/settings';
import type { AnalysisKind, FromWorker, ToWorker } from '../worker/protocol';
import type { ComputeClient } from './store';

export interface WorkerClient extends ComputeClient {
  /** Test hook: make the worker's GPU device be lost. */
  simulateDeviceLoss(): void;
}

export function createWorkerClient(
  onMessage: (message: FromWorker) => void,
  useGpu: boolean,
): WorkerClient {
  const worker = new Worker(new URL('../worker/compute.worker.ts', import.meta.url), {
    type: 'module',
    name: 'compute',
  });
  worker.onmessage = (event: MessageEvent<FromWorker>) => onMessage(event.data);
  worker.onerror = (event) => {
    onMessage({
      type: 'error',
      id: -1,
      message: `Compute worker failed: ${event.message}`,
      field: null,
    });
  };
  const send = (message: ToWorker) => worker.postMessage(message);
  send({ type: 'init', useGpu });
  return {
    compute: (id: number, settings: FigureSettings) => send({ type: 'compute', id, settings }),
    retryGpu: () => send({ type: 'retry-gpu' }),
    analyse: (kind: AnalysisKind, id: number, settings: FigureSettings) =>
      send({ type: 'analysis', kind, id, settings }),
    simulateDeviceLoss: () => send({ type: 'simulate-device-loss' }),
  };
}
