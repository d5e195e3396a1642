// Entry point: store ← URL, worker client; React renders controls and layout. The bundled font
// (Inter, ui/fonts.ts) comes first; <html data-state> says when the page is ready (pageState.ts).
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import 'inter-ui/inter-variable.css';
import { createWorkerClient } from './state/computeClient';
import { startPageState } from './state/pageState';
import { createAppStore } from './state/store';
import { getTrainingStore } from './state/trainingStore';
import { bindHistory, readUrl, writeUrl } from './state/url';
import { App } from './ui/App';
import type { FromWorker } from './worker/protocol';
import './ui/styles.css';

const { settings, problems } = readUrl();
// ?gpu=0 forces the CPU engine (also what a browser without WebGPU gets).
// Without navigator.gpu the worker reports 'unsupported' itself.
const useGpu = new URLSearchParams(window.location.search).get('gpu') !== '0';
let store: ReturnType<typeof createAppStore> | null = null;
const pending: FromWorker[] = [];
const client = createWorkerClient((message) => {
  if (store) store.getState().handle(message);
  else pending.push(message);
}, useGpu);
store = createAppStore(client, { settings, problems }, writeUrl);
for (const m of pending) store.getState().handle(m);
bindHistory(store);
// Normalise the URL (fills in defaults) without adding a history entry, then compute.
store.getState().setSettings(settings, { history: 'replace' });
// <html data-state="computing|ready|error"> and data-motion (docs/testing.md).
startPageState(store, document, getTrainingStore());
// Handles for tests and the console: the store, and a way to make the GPU device be lost.
Object.assign(window, { __store: store, __loseGpuDevice: () => client.simulateDeviceLoss() });

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App store={store} />
    </StrictMode>,
  );
}
