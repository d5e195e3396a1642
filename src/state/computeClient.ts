// The browser side of the compute worker.
import type { FigureSettings } from '../experiments/settings';
import type { AnalysisKind, FromWorker, ToWorker } from '../worker/protocol';
import type { ComputeClient } from './store';

export interface WorkerClient extends ComputeClient {
  /** Test hook: make the worker's GPU device be lost. */
  simulateDeviceLoss(): void;
  /** Test hook: make the worker throw an error nothing catches. */
  simulateCrash(): void;
}

/** What worker.onerror says: an ErrorEvent for a thrown error, a bare Event for a failed load. */
export function workerErrorMessage(event: Event): string {
  if (typeof ErrorEvent !== 'undefined' && event instanceof ErrorEvent && event.message) {
    const where = event.filename
      ? ` (${event.filename.split('/').pop()}${event.lineno ? `:${event.lineno}` : ''})`
      : '';
    return `${event.message}${where}`;
  }
  return 'the worker script could not be loaded or failed to start';
}

export function createWorkerClient(
  onMessage: (message: FromWorker) => void,
  useGpu: boolean,
): WorkerClient {
  const worker = new Worker(new URL('../worker/compute.worker.ts', import.meta.url), {
    type: 'module',
    name: 'compute',
  });
  let failed = false;
  // After a failure the worker is stopped: its state is unknown, and nothing it still sends can
  // be trusted to belong to a request the page is waiting for. The page says so and offers a reload.
  const fail = (message: string) => {
    if (failed) return;
    failed = true;
    worker.terminate();
    onMessage({ type: 'worker-failed', message });
  };
  worker.onmessage = (event: MessageEvent<FromWorker>) => {
    if (failed) return;
    if (event.data.type === 'worker-failed') fail(event.data.message);
    else onMessage(event.data);
  };
  worker.onerror = (event) => fail(workerErrorMessage(event));
  worker.onmessageerror = () => fail('a message from the worker could not be read');
  const send = (message: ToWorker) => {
    if (!failed) worker.postMessage(message);
  };
  send({ type: 'init', useGpu });
  return {
    compute: (
      id: number,
      settings: FigureSettings,
      askAboveMs: number | null = null,
      live = false,
    ) => send({ type: 'compute', id, settings, askAboveMs, live }),
    retryGpu: () => send({ type: 'retry-gpu' }),
    cancel: () => send({ type: 'cancel' }),
    analyse: (
      kind: AnalysisKind,
      id: number,
      settings: FigureSettings,
      askAboveMs: number | null = null,
    ) => send({ type: 'analysis', kind, id, settings, askAboveMs }),
    simulateDeviceLoss: () => send({ type: 'simulate-device-loss' }),
    simulateCrash: () => send({ type: 'simulate-crash' }),
  };
}
