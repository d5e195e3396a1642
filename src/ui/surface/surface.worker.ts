// The surface worker: draws the three.js scene into the page's canvas through an OffscreenCanvas,
// so WebGL context creation, shader compilation and every frame (with a software rasteriser the
// page's compositor would otherwise wait on each one) stay off the page's main thread. The page
// sends the grid, the canvas size and its pointer events (OrbitControls run here, on a stand-in
// for the canvas); frames are drawn at most once per animation frame.

/// <reference lib="webworker" />
import { CanvasStandIn, type ForwardedEvent } from './surfaceEvents';
import type { SurfaceGrid } from './surfaceMesh';
import { SurfaceScene } from './surfaceScene';

declare const self: DedicatedWorkerGlobalScope;

export type ToSurfaceWorker =
  | { type: 'init'; canvas: OffscreenCanvas; width: number; height: number; pixelRatio: number }
  | { type: 'grid'; grid: SurfaceGrid; version: number }
  | { type: 'size'; width: number; height: number; pixelRatio: number }
  | { type: 'event'; event: ForwardedEvent };

export type FromSurfaceWorker =
  | { type: 'drawn'; version: number; ms: number }
  | { type: 'error'; message: string };

const standIn = new CanvasStandIn();
let scene: SurfaceScene | null = null;
let version = 0;
let scheduled = false;

const nextFrame: (callback: () => void) => void =
  typeof self.requestAnimationFrame === 'function'
    ? (callback) => self.requestAnimationFrame(callback)
    : (callback) => setTimeout(callback, 16);

function post(message: FromSurfaceWorker): void {
  self.postMessage(message);
}

function schedule(): void {
  if (scheduled || !scene) return;
  scheduled = true;
  nextFrame(() => {
    scheduled = false;
    if (!scene) return;
    const start = performance.now();
    scene.render();
    post({ type: 'drawn', version, ms: performance.now() - start });
  });
}

self.onmessage = (event: MessageEvent<ToSurfaceWorker>) => {
  const message = event.data;
  try {
    switch (message.type) {
      case 'init':
        standIn.setSize(message.width, message.height);
        scene = new SurfaceScene(message.canvas, standIn as unknown as HTMLElement, schedule);
        scene.setSize(message.width, message.height, message.pixelRatio);
        break;
      case 'grid':
        scene?.setGrid(message.grid);
        version = message.version;
        break;
      case 'size':
        standIn.setSize(message.width, message.height);
        if (!scene?.setSize(message.width, message.height, message.pixelRatio)) return;
        break;
      case 'event':
        // OrbitControls call schedule() through their 'change' event when the camera moves.
        standIn.dispatch(message.event);
        return;
    }
    schedule();
  } catch (error) {
    scene = null;
    post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
};
