// Where the surface is drawn. Where the browser can hand a canvas to a worker
// (transferControlToOffscreen), three.js runs in the surface worker, OrbitControls included, and
// the page only forwards pointer events: no three.js on the main thread at all. Otherwise the
// scene is drawn on the page, one frame per animation frame.

import type { FromSurfaceWorker, ToSurfaceWorker } from './surface.worker';
import { forwardCanvasEvents } from './surfaceEvents';
import type { SurfaceGrid } from './surfaceMesh';

export interface SurfaceHost {
  /** 'worker' when three.js runs off the main thread. */
  readonly where: 'worker' | 'page';
  setGrid(grid: SurfaceGrid, version: number): void;
  resize(width: number, height: number): void;
  dispose(): void;
}

export interface SurfaceHostEvents {
  /** A frame showing the grid of this version is on the canvas. */
  onDrawn(version: number): void;
  onError(message: string): void;
}

export async function createSurfaceHost(
  canvas: HTMLCanvasElement,
  events: SurfaceHostEvents,
): Promise<SurfaceHost> {
  const pixelRatio = () => window.devicePixelRatio || 1;
  const width = canvas.clientWidth || 600;
  const height = canvas.clientHeight || 400;

  if (typeof canvas.transferControlToOffscreen === 'function' && typeof Worker === 'function') {
    const worker = new Worker(new URL('./surface.worker.ts', import.meta.url), {
      type: 'module',
      name: 'surface',
    });
    const send = (message: ToSurfaceWorker, transfer: Transferable[] = []) =>
      worker.postMessage(message, transfer);
    worker.onmessage = (event: MessageEvent<FromSurfaceWorker>) => {
      if (event.data.type === 'drawn') events.onDrawn(event.data.version);
      else events.onError(event.data.message);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      events.onError(event.message || 'the surface worker failed to start');
    };
    const offscreen = canvas.transferControlToOffscreen();
    send({ type: 'init', canvas: offscreen, width, height, pixelRatio: pixelRatio() }, [offscreen]);
    const stopEvents = forwardCanvasEvents(canvas, (event) => send({ type: 'event', event }));
    return {
      where: 'worker',
      setGrid: (grid, version) => send({ type: 'grid', grid, version }),
      resize(w, h) {
        if (w > 0 && h > 0) send({ type: 'size', width: w, height: h, pixelRatio: pixelRatio() });
      },
      dispose() {
        stopEvents();
        worker.terminate();
      },
    };
  }

  // No OffscreenCanvas: three.js on the page.
  const { SurfaceScene } = await import('./surfaceScene');
  let frame = 0;
  let version = 0;
  const render = () => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      scene.render();
      events.onDrawn(version);
    });
  };
  const scene = new SurfaceScene(canvas, canvas, render);
  scene.setSize(width, height, pixelRatio());
  render();
  return {
    where: 'page',
    setGrid(grid, v) {
      scene.setGrid(grid);
      version = v;
      render();
    },
    resize(w, h) {
      if (w > 0 && h > 0 && scene.setSize(w, h, pixelRatio())) render();
    },
    dispose() {
      cancelAnimationFrame(frame);
      scene.dispose();
    },
  };
}
