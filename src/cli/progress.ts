// Progress on stderr: on a terminal one line redrawn in place (bar, stage, ETA; fitted to the
// terminal's width), otherwise plain lines, one per stage or panel.

export interface Reporter {
  /** A line that stays (a panel done, the engine chosen). */
  line(text: string): void;
  /** Fraction of the whole command (0…1) and what is being done: the bar only. */
  progress(fraction: number, stage: string): void;
  /** Clears the bar. */
  finish(): void;
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '--';
  if (s < 10) return `${s.toFixed(1)}s`;
  if (s < 60) return `${Math.round(s)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - 60 * m)).padStart(2, '0')}s`;
}

/**
 * One line of at most `columns − 1` characters: percentage, bar, ETA, stage (cut to fit).
 * The ETA is elapsed · (1 − f) / f once there is something to go by.
 */
export function renderBar(
  fraction: number,
  stage: string,
  elapsedMs: number,
  columns: number,
): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const width = Math.max(20, columns) - 1;
  const barWidth = Math.max(8, Math.min(30, Math.floor(width / 4)));
  const filled = Math.round(f * barWidth);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]`;
  const eta =
    f > 0.005 && elapsedMs > 300 ? formatSeconds(((elapsedMs / 1000) * (1 - f)) / f) : '--';
  const head = `${String(Math.floor(f * 100)).padStart(3)}% ${bar} ETA ${eta.padEnd(6)} `;
  const room = width - head.length;
  const text = room <= 0 ? '' : stage.length > room ? `${stage.slice(0, room - 1)}…` : stage;
  return `${head}${text}`.slice(0, width);
}

export function createReporter(
  stream: NodeJS.WriteStream,
  bar: boolean,
  now: () => number = () => performance.now(),
): Reporter {
  if (!bar) {
    return {
      line: (text) => stream.write(`${text}\n`),
      progress: () => {},
      finish: () => {},
    };
  }
  const start = now();
  let last = { fraction: 0, stage: '' };
  let drawnAt = -Infinity;
  let shown = false;
  const draw = () => {
    drawnAt = now();
    shown = true;
    stream.write(
      `\r${renderBar(last.fraction, last.stage, drawnAt - start, stream.columns ?? 80)}\x1b[K`,
    );
  };
  const clear = () => {
    if (shown) stream.write('\r\x1b[K');
    shown = false;
  };
  const onResize = () => {
    if (shown) draw();
  };
  stream.on('resize', onResize);
  return {
    line(text) {
      clear();
      stream.write(`${text}\n`);
      if (last.stage) draw();
    },
    progress(fraction, stage) {
      last = { fraction, stage };
      // At most ~12 redraws a second.
      if (now() - drawnAt >= 80) draw();
    },
    finish() {
      clear();
      stream.off('resize', onResize);
    },
  };
}
