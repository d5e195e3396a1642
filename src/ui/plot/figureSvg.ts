// The figure as one standalone SVG document: the panels painted by paintPanel (the code that draws
// the canvases) into SvgContext, laid out like the page, with the PNG export's caption. Pure: no
// DOM, no window, so the command-line tool calls it in Node.

import type { EngineInfo } from '../../engine/types';
import { type PanelResult, planPanels } from '../../experiments/figure';
import { type FigureSettings, settingsToQuery } from '../../experiments/settings';
import { plotFont } from './canvas';
import { PANEL_SIZE, paintPanel, panelPlotOptions } from './drawPanel';
import { escapeXml, parseFont, SvgContext, svgNumber } from './svgContext';

export interface FigureSvgOptions {
  /** Size of one panel in CSS pixels (default 480 × 320, a canvas's default). */
  panelWidth?: number;
  panelHeight?: number;
  /** Panels per row (default as on the page: 2 up to four panels, 3 beyond). */
  columns?: number;
  /** The settings query and engine line under the panels (default true). */
  caption?: boolean;
}

// The caption strip under an exported figure, shared by the SVG and the PNG (exports.ts).
/** Height of the caption strip for one line, in CSS pixels. */
export const CAPTION_HEIGHT = 28;
/** Each further caption line (a long query wraps at its "&"s). */
const CAPTION_LINE = 16;
/** Font size of the caption. */
export const CAPTION_SIZE = Math.round(CAPTION_HEIGHT * 0.45);
/** Average advance of a caption character, in em: generous for sans-serif digits and letters. */
const CHARACTER_EM = 0.62;

/** Caption paragraphs wrapped into lines that fit `width` CSS pixels (see wrapCaption). */
export function captionLines(paragraphs: string[], width: number): string[] {
  const maxChars = Math.max(20, Math.floor((width - 20) / (CAPTION_SIZE * CHARACTER_EM)));
  return paragraphs.flatMap((text) => wrapCaption(text, maxChars));
}

/** Height of the strip that holds `lines` (0 for none). */
export function captionHeight(lines: string[]): number {
  return lines.length > 0 ? CAPTION_HEIGHT + (lines.length - 1) * CAPTION_LINE : 0;
}

/** Baseline of caption line i when the strip ends at `bottom`: the last 0.35 strip above it. */
export function captionBaseline(lines: string[], i: number, bottom: number): number {
  return bottom - CAPTION_HEIGHT * 0.35 - (lines.length - 1 - i) * CAPTION_LINE;
}

/** The caption of an exported figure: its settings as a URL query, and the engine that made it. */
export function figureCaption(settings: FigureSettings, engine: EngineInfo | null): string {
  const how = engine ? `${engine.kind} (${engine.precision})` : '';
  return `?${settingsToQuery(settings)}  ·  ${how}`;
}

/** Panels per row on the page (styles.css `.figure.panels-N`). */
export function figureColumns(panels: number): number {
  return panels <= 1 ? 1 : panels <= 4 ? 2 : 3;
}

/**
 * The caption in lines of at most `maxChars` characters, broken after a "&" or a space (a longer
 * piece stays whole); the lines joined give the caption back.
 */
export function wrapCaption(caption: string, maxChars: number): string[] {
  const pieces = caption.match(/[^&\s]*(?:&|\s+|$)/g)?.filter(Boolean) ?? [caption];
  const lines: string[] = [];
  let line = '';
  for (const piece of pieces) {
    if (line && (line + piece).trimEnd().length > maxChars) {
      lines.push(line);
      line = '';
    }
    line += piece;
  }
  if (line || lines.length === 0) lines.push(line);
  return lines;
}

/**
 * The figure as an SVG document. `results` are the panels in order (null: not computed, drawn
 * as "no result"); `settings` give R (the results' own), the view settings (y axis, deviation)
 * and the caption's query. Each panel is a `<g data-panel-id>` whose curves are one `<path>` each
 * (`data-curve` = direction index; the dashed model `data-role="model"`).
 */
export function figureSvg(
  results: (PanelResult | null)[],
  settings: FigureSettings,
  options: FigureSvgOptions = {},
): string {
  const width = options.panelWidth ?? PANEL_SIZE.width;
  const height = options.panelHeight ?? PANEL_SIZE.height;
  const planned = planPanels(settings);
  const count = Math.max(results.length, 1);
  const columns = Math.max(1, Math.min(options.columns ?? figureColumns(count), count));
  const rows = Math.ceil(count / columns);
  const totalW = width * columns;
  const caption =
    (options.caption ?? true)
      ? captionLines([figureCaption(settings, results.find((r) => r)?.engine ?? null)], totalW)
      : [];
  const totalH = height * rows + captionHeight(caption);
  // The plots' font family, set once on the root (texts in another family name their own).
  const family = parseFont(plotFont(12)).family;

  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${svgNumber(totalW)}" height="${svgNumber(totalH)}" viewBox="0 0 ${svgNumber(totalW)} ${svgNumber(totalH)}" font-family="${escapeXml(family)}">`,
    `<rect x="0" y="0" width="${svgNumber(totalW)}" height="${svgNumber(totalH)}" fill="#ffffff"/>`,
  ];
  for (let i = 0; i < count; i++) {
    const result = results[i] ?? null;
    const panel = result?.panel ?? planned[i];
    const ctx = new SvgContext({ idPrefix: `panel${i}-clip`, fontFamily: family });
    paintPanel(
      ctx,
      width,
      height,
      result,
      panelPlotOptions(settings, settings, results, panel?.title ?? ''),
      ctx.tag,
    );
    const x = (i % columns) * width;
    const y = Math.floor(i / columns) * height;
    out.push(
      `<g transform="translate(${svgNumber(x)} ${svgNumber(y)})" data-panel-id="${escapeXml(panel?.id ?? '')}">`,
      ctx.toString(),
      '</g>',
    );
  }
  if (caption.length > 0) {
    const spans = caption.map(
      (line, i) =>
        `<tspan x="10" y="${svgNumber(captionBaseline(caption, i, totalH))}">${escapeXml(line)}</tspan>`,
    );
    out.push(
      `<text font-size="${CAPTION_SIZE}" fill="#444444" xml:space="preserve" data-role="caption">${spans.join('')}</text>`,
    );
  }
  out.push('</svg>', '');
  return out.join('\n');
}
