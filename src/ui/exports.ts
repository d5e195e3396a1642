// Downloads: PNG of the figure (the panels repainted at 2× by default, for print), SVG (the same
// drawing code, as vectors), CSV and JSON of the data; the same for the width sweep and the
// block structure.
import type { EngineInfo } from '../engine/types';
import {
  blocksCsv,
  blocksJson,
  sweepCsv,
  sweepJson,
  verdictCsv,
  verdictJson,
} from '../experiments/analysisExport';
import { figureCsv, figureJson } from '../experiments/export';
import { planPanels } from '../experiments/figure';
import { type FigureSettings, PRESETS, sameSettings } from '../experiments/settings';
import type { AppState } from '../state/store';
import { plotFont } from './plot/canvas';
import { PANEL_SIZE, paintPanel, panelPlotOptions } from './plot/drawPanel';
import {
  CAPTION_SIZE,
  captionBaseline,
  captionHeight,
  captionLines,
  figureCaption,
  figureColumns,
  figureSvg,
} from './plot/figureSvg';
import { flushDraws } from './plot/frameQueue';

export function download(name: string, blob: Blob): void {
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

/** PNG scale for print: 2× the CSS size unless the reader picked another (1–4). */
function scaleOf(state: AppState): number {
  return Math.min(4, Math.max(1, Math.round(state.pngScale || 2)));
}

/** Caption lines of an exported image: title, settings, seeds and engine; wrapped, never cut. */
function imageCaption(
  settings: FigureSettings,
  engine: EngineInfo | null,
  title: string,
  width: number,
): string[] {
  const preset = PRESETS.find((p) => sameSettings(p.settings, settings));
  const heading = `${title} — ${preset ? preset.name : 'custom settings'} · network seed ${settings.seed}, direction seed ${settings.directionSeed}`;
  return captionLines([heading, figureCaption(settings, engine)], width);
}

/** Draws the caption lines at the bottom of a context in CSS pixels (as figureSvg places them). */
function drawCaption(ctx: CanvasRenderingContext2D, lines: string[], bottom: number): void {
  ctx.fillStyle = '#444';
  ctx.font = plotFont(CAPTION_SIZE);
  ctx.textAlign = 'left';
  ctx.textBaseline = 'alphabetic';
  lines.forEach((line, i) => {
    ctx.fillText(line, 10, captionBaseline(lines, i, bottom));
  });
}

function savePng(out: HTMLCanvasElement, name: string): void {
  out.toBlob((blob) => {
    if (blob) download(name, blob);
  }, 'image/png');
}

/**
 * The figure as a PNG at `pngScale` × its CSS size (2× by default): the panels repainted at that
 * scale by paintPanel (the canvases' own code, with the page's loaded font; not the on-screen
 * bitmaps upscaled), laid out as on the page, with the complete caption wrapped under them.
 */
export function exportPng(state: AppState, root: HTMLElement): void {
  flushDraws();
  const canvases = Array.from(root.querySelectorAll<HTMLCanvasElement>('canvas.panel-canvas'));
  const count = Math.max(canvases.length, state.results.length, 1);
  const w = canvases[0]?.clientWidth || PANEL_SIZE.width;
  const h = canvases[0]?.clientHeight || PANEL_SIZE.height;
  const columns = Math.max(1, Math.min(figureColumns(count), count));
  const rows = Math.ceil(count / columns);
  const settings = shownSettings(state);
  const engine = state.results.find((r) => r)?.engine ?? state.engine;
  const lines = imageCaption(settings, engine, 'Linear bottleneck networks', w * columns);
  const scale = scaleOf(state);
  const cssW = w * columns;
  const cssH = h * rows + captionHeight(lines);
  const out = document.createElement('canvas');
  out.width = Math.round(cssW * scale);
  out.height = Math.round(cssH * scale);
  const ctx = out.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(scale, 0, 0, scale, 0, 0);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, cssW, cssH);
  const planned = planPanels(settings);
  for (let i = 0; i < count; i++) {
    const result = state.results[i] ?? null;
    const panel = result?.panel ?? state.panels[i] ?? planned[i];
    ctx.save();
    ctx.translate((i % columns) * w, Math.floor(i / columns) * h);
    ctx.beginPath();
    ctx.rect(0, 0, w, h);
    ctx.clip();
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, w, h);
    paintPanel(
      ctx,
      w,
      h,
      result,
      panelPlotOptions(settings, settings, state.results, panel?.title ?? ''),
    );
    ctx.restore();
  }
  drawCaption(ctx, lines, cssH);
  savePng(out, 'bottleneck-figure.png');
}

/**
 * An analysis's canvases side by side as a PNG at `scale` × their CSS size, with a caption:
 * `redraw(scale)` repaints them at that device-pixel ratio; afterwards they are drawn again for
 * the screen (`redraw(devicePixelRatio)`), within the same task, so nothing flickers.
 */
export function exportCanvasesPng(
  state: AppState,
  canvases: HTMLCanvasElement[],
  redraw: (dpr: number) => void,
  title: string,
  name: string,
): void {
  if (canvases.length === 0) return;
  const scale = scaleOf(state);
  flushDraws();
  const widths = canvases.map((c) => c.clientWidth || c.width);
  const heights = canvases.map((c) => c.clientHeight || c.height);
  const cssW = widths.reduce((a, b) => a + b, 0);
  const lines = imageCaption(state.settings, state.engine, title, cssW);
  const plotsH = Math.max(...heights);
  const cssH = plotsH + captionHeight(lines);
  const out = document.createElement('canvas');
  out.width = Math.round(cssW * scale);
  out.height = Math.round(cssH * scale);
  const ctx = out.getContext('2d');
  if (!ctx) return;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, out.width, out.height);
  redraw(scale);
  let x = 0;
  canvases.forEach((c, i) => {
    ctx.drawImage(
      c,
      Math.round(x * scale),
      0,
      Math.round(widths[i] * scale),
      Math.round(heights[i] * scale),
    );
    x += widths[i];
  });
  redraw(window.devicePixelRatio || 1);
  ctx.setTransform(scale, 0, 0, scale, 0, 0);
  drawCaption(ctx, lines, cssH);
  savePng(out, name);
}

/** The width sweep's data (the settings it ran with) as CSV or JSON. */
export function exportSweep(state: AppState, format: 'csv' | 'json'): void {
  const sweep = state.analyses.sweep?.result;
  if (!sweep || state.analyses.sweep?.running) return;
  download(
    `bottleneck-sweep.${format}`,
    format === 'csv'
      ? new Blob([sweepCsv(state.settings, sweep)], { type: 'text/csv' })
      : new Blob([sweepJson(state.settings, sweep)], { type: 'application/json' }),
  );
}

/** The degree verdict against m as CSV or JSON. */
export function exportVerdict(state: AppState, format: 'csv' | 'json'): void {
  const verdict = state.analyses.verdict?.result;
  if (!verdict || state.analyses.verdict?.running) return;
  download(
    `bottleneck-verdict.${format}`,
    format === 'csv'
      ? new Blob([verdictCsv(state.settings, verdict)], { type: 'text/csv' })
      : new Blob([verdictJson(state.settings, verdict)], { type: 'application/json' }),
  );
}

/** Lemma 1(b)'s block structure as CSV or JSON. */
export function exportBlocks(state: AppState, format: 'csv' | 'json'): void {
  const blocks = state.analyses.blocks?.result;
  if (!blocks || state.analyses.blocks?.running) return;
  download(
    `bottleneck-blocks.${format}`,
    format === 'csv'
      ? new Blob([blocksCsv(state.settings, blocks)], { type: 'text/csv' })
      : new Blob([blocksJson(state.settings, blocks)], { type: 'application/json' }),
  );
}

/** The figure as SVG: the panels drawn by the canvases' own code, text as text, one path a curve. */
export function exportSvg(state: AppState): void {
  const svg = figureSvg(state.results, shownSettings(state));
  download('bottleneck-figure.svg', new Blob([svg], { type: 'image/svg+xml' }));
}
