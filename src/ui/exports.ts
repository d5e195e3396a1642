// Downloads: PNG of the figure (all panel canvases composed), SVG (the same drawing code, as
// vectors), CSV and JSON of the data.
import { figureCsv, figureJson } from '../experiments/export';
import type { FigureSettings } from '../experiments/settings';
import type { AppState } from '../state/store';
import { plotFont } from './plot/canvas';
import { CAPTION_HEIGHT, figureCaption, figureSvg } from './plot/figureSvg';
import { flushDraws } from './plot/frameQueue';

function download(name: string, blob: Blob): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/**
 * The settings the figure shows: R and the rest belong to the results, the view settings (y axis,
 * deviation) to the page now (as PanelView draws them).
 */
function shownSettings(state: AppState): FigureSettings {
  const { yAxis, deviation } = state.settings;
  return { ...(state.resultSettings ?? state.settings), yAxis, deviation };
}

export function exportJson(state: AppState): void {
  const settings = state.resultSettings ?? state.settings;
  download(
    'bottleneck-figure.json',
    new Blob([figureJson(settings, state.results)], { type: 'application/json' }),
  );
}

export function exportCsv(state: AppState): void {
  const settings = state.resultSettings ?? state.settings;
  download(
    'bottleneck-figure.csv',
    new Blob([figureCsv(settings, state.results)], { type: 'text/csv' }),
  );
}

/** Composes the panel canvases (already at device resolution) into one PNG with a caption. */
export function exportPng(state: AppState, root: HTMLElement): void {
  // Panels draw in animation frames: bring every canvas up to date first.
  flushDraws();
  const canvases = Array.from(root.querySelectorAll<HTMLCanvasElement>('canvas.panel-canvas'));
  if (canvases.length === 0) return;
  const columns = canvases.length <= 4 ? 2 : 3;
  const w = Math.max(...canvases.map((c) => c.width));
  const h = Math.max(...canvases.map((c) => c.height));
  const rows = Math.ceil(canvases.length / columns);
  const caption = Math.round(CAPTION_HEIGHT * (w / (canvases[0].clientWidth || w)));
  const out = document.createElement('canvas');
  out.width = w * Math.min(columns, canvases.length);
  out.height = h * rows + caption;
  const ctx = out.getContext('2d');
  if (!ctx) return;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, out.width, out.height);
  canvases.forEach((c, i) => {
    ctx.drawImage(c, (i % columns) * w, Math.floor(i / columns) * h);
  });
  ctx.fillStyle = '#444';
  ctx.font = plotFont(Math.round(caption * 0.45));
  ctx.fillText(figureCaption(shownSettings(state), state.engine), 10, out.height - caption * 0.35);
  out.toBlob((blob) => {
    if (blob) download('bottleneck-figure.png', blob);
  }, 'image/png');
}

/** The figure as SVG: the panels drawn by the canvases' own code, text as text, one path a curve. */
export function exportSvg(state: AppState): void {
  const svg = figureSvg(state.results, shownSettings(state));
  download('bottleneck-figure.svg', new Blob([svg], { type: 'image/svg+xml' }));
}
