// Pointer and wheel events from the page's canvas to OrbitControls in the surface worker. The page
// side listens on the canvas (capturing the pointer while a button is down) and sends plain
// copies; the worker side is a stand-in for the canvas element that OrbitControls listens to.

export interface ForwardedEvent {
  type: 'pointerdown' | 'pointermove' | 'pointerup' | 'pointercancel' | 'wheel';
  pointerId: number;
  pointerType: string;
  button: number;
  clientX: number;
  clientY: number;
  pageX: number;
  pageY: number;
  deltaY: number;
  deltaMode: number;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  /** The canvas's box at a pointerdown or wheel (zoom to the cursor needs it). */
  rect?: { left: number; top: number; width: number; height: number };
}

/** Page side: forwards the canvas's events; returns a function that stops it. */
export function forwardCanvasEvents(
  canvas: HTMLCanvasElement,
  send: (event: ForwardedEvent) => void,
): () => void {
  const down = new Set<number>();
  const copy = (e: PointerEvent | WheelEvent, withRect: boolean): ForwardedEvent => {
    const box = withRect ? canvas.getBoundingClientRect() : null;
    return {
      type: e.type as ForwardedEvent['type'],
      pointerId: 'pointerId' in e ? e.pointerId : 0,
      pointerType: 'pointerType' in e ? e.pointerType : 'mouse',
      button: e.button,
      clientX: e.clientX,
      clientY: e.clientY,
      pageX: e.pageX,
      pageY: e.pageY,
      deltaY: 'deltaY' in e ? e.deltaY : 0,
      deltaMode: 'deltaMode' in e ? e.deltaMode : 0,
      ctrlKey: e.ctrlKey,
      metaKey: e.metaKey,
      shiftKey: e.shiftKey,
      rect: box
        ? { left: box.left, top: box.top, width: box.width, height: box.height }
        : undefined,
    };
  };
  const onDown = (e: PointerEvent) => {
    canvas.setPointerCapture(e.pointerId);
    down.add(e.pointerId);
    canvas.style.cursor = 'grabbing';
    send(copy(e, true));
  };
  const onMove = (e: PointerEvent) => {
    if (down.has(e.pointerId)) send(copy(e, false));
  };
  const onUp = (e: PointerEvent) => {
    if (!down.delete(e.pointerId)) return;
    if (canvas.hasPointerCapture(e.pointerId)) canvas.releasePointerCapture(e.pointerId);
    if (down.size === 0) canvas.style.cursor = '';
    send(copy(e, false));
  };
  const onWheel = (e: WheelEvent) => {
    e.preventDefault();
    send(copy(e, true));
  };
  const onMenu = (e: Event) => e.preventDefault();
  canvas.style.touchAction = 'none';
  canvas.addEventListener('pointerdown', onDown);
  canvas.addEventListener('pointermove', onMove);
  canvas.addEventListener('pointerup', onUp);
  canvas.addEventListener('pointercancel', onUp);
  canvas.addEventListener('wheel', onWheel, { passive: false });
  canvas.addEventListener('contextmenu', onMenu);
  return () => {
    canvas.removeEventListener('pointerdown', onDown);
    canvas.removeEventListener('pointermove', onMove);
    canvas.removeEventListener('pointerup', onUp);
    canvas.removeEventListener('pointercancel', onUp);
    canvas.removeEventListener('wheel', onWheel);
    canvas.removeEventListener('contextmenu', onMenu);
  };
}

type Listener = (event: unknown) => void;

/**
 * Worker side: what OrbitControls needs of its element (listeners, its document, size, pointer
 * capture), fed with the forwarded events. The page does the capture and preventDefault.
 */
export class CanvasStandIn {
  readonly style: Record<string, string> = {};
  clientWidth = 0;
  clientHeight = 0;
  private rect = { left: 0, top: 0, width: 0, height: 0 };
  private readonly listeners = new Map<string, Set<Listener>>();

  get ownerDocument(): CanvasStandIn {
    return this;
  }
  getRootNode(): CanvasStandIn {
    return this;
  }
  addEventListener(type: string, listener: Listener): void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener);
  }
  removeEventListener(type: string, listener: Listener): void {
    this.listeners.get(type)?.delete(listener);
  }
  setPointerCapture(): void {}
  releasePointerCapture(): void {}
  hasPointerCapture(): boolean {
    return false;
  }
  focus(): void {}
  getBoundingClientRect() {
    const { left, top, width, height } = this.rect;
    return { left, top, width, height, x: left, y: top, right: left + width, bottom: top + height };
  }
  setSize(width: number, height: number): void {
    this.clientWidth = width;
    this.clientHeight = height;
    this.rect = { ...this.rect, width, height };
  }
  dispatch(event: ForwardedEvent): void {
    if (event.rect) this.rect = event.rect;
    const e = { ...event, target: this, preventDefault() {}, stopPropagation() {} };
    for (const listener of [...(this.listeners.get(event.type) ?? [])]) listener(e);
  }
}
