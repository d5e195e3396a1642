// Recording the figure as a WebM for slides (docs/live.md): the panels' canvases are copied side
// by side onto one canvas every animation frame, and MediaRecorder encodes that canvas's stream.
// The figure's own canvases are drawn by the panels as usual; nothing here changes them.

export interface FigureRecording {
  /** Stops, and gives the WebM (null where the browser recorded nothing). */
  stop(): Promise<Blob | null>;
}

/** Whether this browser can record a canvas (MediaRecorder with a WebM codec, captureStream). */
export function canRecord(): boolean {
  return (
    typeof MediaRecorder !== 'undefined' &&
    typeof HTMLCanvasElement !== 'undefined' &&
    'captureStream' in HTMLCanvasElement.prototype &&
    (MediaRecorder.isTypeSupported('video/webm;codecs=vp9') ||
      MediaRecorder.isTypeSupported('video/webm'))
  );
}

/** Starts recording the canvases under `root` (the figure), 30 frames per second. */
export function recordFigure(root: HTMLElement): FigureRecording {
  const sources = Array.from(root.querySelectorAll<HTMLCanvasElement>('canvas'));
  const gap = 8;
  const height = Math.max(1, ...sources.map((c) => c.height));
  const width = Math.max(
    1,
    sources.reduce((s, c) => s + c.width + gap, -gap),
  );
  const target = document.createElement('canvas');
  // Even sizes: VP8/VP9 encoders want them.
  target.width = width + (width % 2);
  target.height = height + (height % 2);
  const ctx = target.getContext('2d');
  if (!ctx) throw new Error('no 2D context to record into');
  let running = true;
  const paint = () => {
    if (!running) return;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, target.width, target.height);
    let x = 0;
    for (const c of sources) {
      ctx.drawImage(c, x, 0);
      x += c.width + gap;
    }
    requestAnimationFrame(paint);
  };
  paint();
  const mimeType = MediaRecorder.isTypeSupported('video/webm;codecs=vp9')
    ? 'video/webm;codecs=vp9'
    : 'video/webm';
  const recorder = new MediaRecorder(target.captureStream(30), { mimeType });
  const chunks: Blob[] = [];
  recorder.ondataavailable = (e) => {
    if (e.data.size > 0) chunks.push(e.data);
  };
  recorder.start(250);
  return {
    stop: () =>
      new Promise((resolve) => {
        running = false;
        recorder.onstop = () =>
          resolve(chunks.length ? new Blob(chunks, { type: 'video/webm' }) : null);
        recorder.stop();
      }),
  };
}
