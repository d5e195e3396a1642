// A PlotContext (the Canvas 2D subset paintPanel draws with) that records SVG markup instead of
// pixels. No DOM: it runs in Node (the command-line tool) as in the browser.
//
// - beginPath … stroke: one <path d="M…L…"> per stroke, with the stroke colour, width, dash
//   array, opacity and line join of the moment (coordinates transformed when they are added, as
//   on a canvas).
// - fillRect / strokeRect: <rect>; fillText: <text> (font shorthand → font-family/size/weight,
//   textAlign → text-anchor, textBaseline → dominant-baseline).
// - save / restore / translate / rotate: a transform stack, baked into coordinates (a rotated
//   text or rectangle gets a transform attribute).
// - clip: the current path becomes a <clipPath>; what follows is drawn in a <g clip-path> until
//   the matching restore.
// Coordinates are rounded to 2 decimals.

import type { PlotContext, PlotTag } from './drawPanel';

type Matrix = [number, number, number, number, number, number];

interface Subpath {
  points: [number, number][];
  closed: boolean;
}

interface SavedState {
  fillStyle: PlotContext['fillStyle'];
  strokeStyle: PlotContext['strokeStyle'];
  lineWidth: number;
  lineJoin: CanvasLineJoin;
  font: string;
  textAlign: CanvasTextAlign;
  textBaseline: CanvasTextBaseline;
  globalAlpha: number;
  dash: number[];
  matrix: Matrix;
  /** <g clip-path> elements opened at this level, closed by the restore that ends it. */
  groups: number;
}

/** A number for SVG: 2 decimals, no trailing zeros, no "-0". */
export function svgNumber(v: number): string {
  const r = Math.round(v * 100) / 100;
  return Object.is(r, -0) ? '0' : String(r);
}

/** Escapes text for element content and double-quoted attribute values. */
export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

/** A CSS colour as an SVG paint and opacity (rgba() and #rrggbbaa split; gradients: black). */
export function svgPaint(style: PlotContext['fillStyle']): { color: string; opacity: number } {
  if (typeof style !== 'string') return { color: '#000000', opacity: 1 };
  const s = style.trim();
  const rgba =
    /^rgba?\(\s*([^,\s]+)\s*[,\s]\s*([^,\s]+)\s*[,\s]\s*([^,\s/)]+)\s*(?:[,/]\s*([^)\s]+)\s*)?\)$/i.exec(
      s,
    );
  if (rgba) {
    const alpha = rgba[4] === undefined ? 1 : alphaValue(rgba[4]);
    return { color: `rgb(${rgba[1]},${rgba[2]},${rgba[3]})`, opacity: alpha };
  }
  const hex8 = /^#([0-9a-f]{6})([0-9a-f]{2})$/i.exec(s);
  if (hex8) return { color: `#${hex8[1]}`, opacity: Number.parseInt(hex8[2], 16) / 255 };
  if (s.toLowerCase() === 'transparent') return { color: '#000000', opacity: 0 };
  return { color: s, opacity: 1 };
}

function alphaValue(raw: string): number {
  const v = raw.endsWith('%') ? Number.parseFloat(raw) / 100 : Number.parseFloat(raw);
  return Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 1;
}

export interface SvgFont {
  family: string;
  /** In px. */
  size: number;
  weight: string;
  style: string;
}

/** The CSS font shorthand ("600 14px system-ui, sans-serif") as SVG font attributes. */
export function parseFont(font: string): SvgFont {
  const match =
    /^\s*((?:(?:normal|italic|oblique|small-caps|bold|bolder|lighter|[1-9]00)\s+)*)(\d*\.?\d+)(px|pt|em|rem)?(?:\s*\/\s*\S+)?\s+(.+?)\s*$/i.exec(
      font,
    );
  if (!match) return { family: 'sans-serif', size: 10, weight: 'normal', style: 'normal' };
  const scale = { px: 1, pt: 4 / 3, em: 16, rem: 16 }[
    (match[3] ?? 'px').toLowerCase() as 'px' | 'pt' | 'em' | 'rem'
  ];
  let weight = 'normal';
  let style = 'normal';
  for (const word of match[1].trim().split(/\s+/)) {
    const w = word.toLowerCase();
    if (w === 'italic' || w === 'oblique') style = w;
    else if (w === 'bold' || w === 'bolder' || w === 'lighter' || /^[1-9]00$/.test(w)) weight = w;
  }
  return { family: match[4], size: Number.parseFloat(match[2]) * scale, weight, style };
}

const TEXT_ANCHOR: Record<CanvasTextAlign, string> = {
  left: 'start',
  start: 'start',
  center: 'middle',
  right: 'end',
  end: 'end',
};

/** Canvas baselines as SVG dominant-baseline values (alphabetic is SVG's default: omitted). */
const BASELINE: Record<CanvasTextBaseline, string | null> = {
  alphabetic: null,
  middle: 'central',
  top: 'text-before-edge',
  hanging: 'hanging',
  bottom: 'text-after-edge',
  ideographic: 'ideographic',
};

const multiply = (m: Matrix, n: Matrix): Matrix => [
  m[0] * n[0] + m[2] * n[1],
  m[1] * n[0] + m[3] * n[1],
  m[0] * n[2] + m[2] * n[3],
  m[1] * n[2] + m[3] * n[3],
  m[0] * n[4] + m[2] * n[5] + m[4],
  m[1] * n[4] + m[3] * n[5] + m[5],
];

const near = (a: number, b: number) => Math.abs(a - b) < 1e-9;

export interface SvgContextOptions {
  /** Prefix of the clip-path ids, unique per context within one document. */
  idPrefix?: string;
  /** The font-family an enclosing element sets: texts in it carry no font-family of their own. */
  fontFamily?: string;
}

export class SvgContext implements PlotContext {
  fillStyle: PlotContext['fillStyle'] = '#000000';
  strokeStyle: PlotContext['strokeStyle'] = '#000000';
  lineWidth = 1;
  lineJoin: CanvasLineJoin = 'miter';
  font = '10px sans-serif';
  textAlign: CanvasTextAlign = 'start';
  textBaseline: CanvasTextBaseline = 'alphabetic';
  globalAlpha = 1;

  private dash: number[] = [];
  private matrix: Matrix = [1, 0, 0, 1, 0, 0];
  private groups = 0;
  private readonly stack: SavedState[] = [];
  private path: Subpath[] = [];
  private readonly parts: string[] = [];
  private clips = 0;
  private data: Record<string, string> | null = null;
  private readonly idPrefix: string;
  private readonly fontFamily: string | undefined;

  constructor(options: SvgContextOptions = {}) {
    this.idPrefix = options.idPrefix ?? 'clip';
    this.fontFamily = options.fontFamily;
  }

  /** paintPanel's PlotTag: data attributes for the elements drawn next (null: none). */
  readonly tag: PlotTag = (attributes) => {
    this.data = attributes ? { ...attributes } : null;
  };

  setLineDash(segments: Iterable<number>): void {
    const list = Array.from(segments);
    // As on a canvas: a negative or non-finite entry ignores the call; an odd list repeats.
    if (list.some((v) => !Number.isFinite(v) || v < 0)) return;
    this.dash = list.length % 2 ? [...list, ...list] : list;
  }

  beginPath(): void {
    this.path = [];
  }

  moveTo(x: number, y: number): void {
    if (!Number.isFinite(x) || !Number.isFinite(y)) return;
    this.path.push({ points: [this.apply(x, y)], closed: false });
  }

  lineTo(x: number, y: number): void {
    if (!Number.isFinite(x) || !Number.isFinite(y)) return;
    const last = this.path[this.path.length - 1];
    if (!last || last.closed) this.path.push({ points: [this.apply(x, y)], closed: false });
    else last.points.push(this.apply(x, y));
  }

  rect(x: number, y: number, w: number, h: number): void {
    if (![x, y, w, h].every(Number.isFinite)) return;
    this.path.push({
      points: [
        this.apply(x, y),
        this.apply(x + w, y),
        this.apply(x + w, y + h),
        this.apply(x, y + h),
      ],
      closed: true,
    });
    this.path.push({ points: [this.apply(x, y)], closed: false });
  }

  stroke(): void {
    const d = this.pathData();
    if (!d) return;
    this.emit('path', { d, fill: 'none', ...this.strokeAttributes() });
  }

  clip(): void {
    const id = `${this.idPrefix}${++this.clips}`;
    const d = this.pathData() ?? 'M0 0Z';
    this.parts.push(`<clipPath id="${escapeXml(id)}"><path d="${d}"/></clipPath>`);
    this.parts.push(`<g clip-path="url(#${escapeXml(id)})">`);
    this.groups++;
  }

  fillRect(x: number, y: number, w: number, h: number): void {
    const paint = svgPaint(this.fillStyle);
    const opacity = paint.opacity * this.globalAlpha;
    this.emitRect(x, y, w, h, { fill: paint.color, 'fill-opacity': opacityValue(opacity) });
  }

  strokeRect(x: number, y: number, w: number, h: number): void {
    this.emitRect(x, y, w, h, { fill: 'none', ...this.strokeAttributes(true) });
  }

  fillText(text: string, x: number, y: number): void {
    if (!Number.isFinite(x) || !Number.isFinite(y)) return;
    const font = parseFont(this.font);
    const paint = svgPaint(this.fillStyle);
    const m = this.matrix;
    const translation = near(m[0], 1) && near(m[1], 0) && near(m[2], 0) && near(m[3], 1);
    const [tx, ty] = translation ? [x + m[4], y + m[5]] : [x, y];
    const content = String(text);
    this.emit(
      'text',
      {
        x: svgNumber(tx),
        y: svgNumber(ty),
        transform: translation ? undefined : this.transformAttribute(),
        'font-family': font.family === this.fontFamily ? undefined : font.family,
        'font-size': svgNumber(font.size),
        'font-weight': font.weight === 'normal' || font.weight === '400' ? undefined : font.weight,
        'font-style': font.style === 'normal' ? undefined : font.style,
        'text-anchor':
          TEXT_ANCHOR[this.textAlign] === 'start' ? undefined : TEXT_ANCHOR[this.textAlign],
        'dominant-baseline': BASELINE[this.textBaseline] ?? undefined,
        fill: paint.color,
        'fill-opacity': opacityValue(paint.opacity * this.globalAlpha),
        'xml:space': /^\s|\s$|\s\s/.test(content) ? 'preserve' : undefined,
      },
      escapeXml(content),
    );
  }

  save(): void {
    this.stack.push({
      fillStyle: this.fillStyle,
      strokeStyle: this.strokeStyle,
      lineWidth: this.lineWidth,
      lineJoin: this.lineJoin,
      font: this.font,
      textAlign: this.textAlign,
      textBaseline: this.textBaseline,
      globalAlpha: this.globalAlpha,
      dash: this.dash,
      matrix: this.matrix,
      groups: this.groups,
    });
    this.groups = 0;
  }

  restore(): void {
    const state = this.stack.pop();
    if (!state) return;
    for (; this.groups > 0; this.groups--) this.parts.push('</g>');
    this.fillStyle = state.fillStyle;
    this.strokeStyle = state.strokeStyle;
    this.lineWidth = state.lineWidth;
    this.lineJoin = state.lineJoin;
    this.font = state.font;
    this.textAlign = state.textAlign;
    this.textBaseline = state.textBaseline;
    this.globalAlpha = state.globalAlpha;
    this.dash = state.dash;
    this.matrix = state.matrix;
    this.groups = state.groups;
  }

  translate(x: number, y: number): void {
    this.matrix = multiply(this.matrix, [1, 0, 0, 1, x, y]);
  }

  rotate(angle: number): void {
    const c = Math.cos(angle);
    const s = Math.sin(angle);
    this.matrix = multiply(this.matrix, [c, s, -s, c, 0, 0]);
  }

  /** The SVG markup drawn so far (elements only, no <svg> root); open clip groups are closed. */
  toString(): string {
    const open = this.groups + this.stack.reduce((n, s) => n + s.groups, 0);
    return this.parts.join('\n') + '</g>'.repeat(open);
  }

  private apply(x: number, y: number): [number, number] {
    const m = this.matrix;
    return [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];
  }

  /** The current path as SVG path data, or null when it would draw nothing. */
  private pathData(): string | null {
    let d = '';
    for (const sub of this.path) {
      if (sub.points.length < 2) continue;
      sub.points.forEach(([x, y], i) => {
        d += `${i === 0 ? 'M' : 'L'}${svgNumber(x)} ${svgNumber(y)}`;
      });
      if (sub.closed) d += 'Z';
    }
    return d || null;
  }

  /** Scale of lengths under the current transform (translate and rotate: 1). */
  private scale(): number {
    const m = this.matrix;
    return Math.sqrt(Math.abs(m[0] * m[3] - m[1] * m[2]));
  }

  private strokeAttributes(untransformed = false): Record<string, string | undefined> {
    const paint = svgPaint(this.strokeStyle);
    const k = untransformed ? 1 : this.scale();
    return {
      stroke: paint.color,
      'stroke-width': svgNumber(this.lineWidth * k),
      'stroke-linejoin': this.lineJoin === 'miter' ? undefined : this.lineJoin,
      'stroke-dasharray':
        this.dash.length > 0 ? this.dash.map((v) => svgNumber(v * k)).join(' ') : undefined,
      'stroke-opacity': opacityValue(paint.opacity * this.globalAlpha),
    };
  }

  private emitRect(
    x: number,
    y: number,
    w: number,
    h: number,
    paint: Record<string, string | undefined>,
  ): void {
    if (![x, y, w, h].every(Number.isFinite)) return;
    const m = this.matrix;
    if (near(m[1], 0) && near(m[2], 0) && m[0] > 0 && m[3] > 0) {
      // Axis-aligned: bake the transform (a scale also scales the stroke, as on a canvas).
      const [x0, y0] = this.apply(Math.min(x, x + w), Math.min(y, y + h));
      const [x1, y1] = this.apply(Math.max(x, x + w), Math.max(y, y + h));
      const k = this.scale();
      if (paint['stroke-width'] !== undefined) {
        paint['stroke-width'] = svgNumber(this.lineWidth * k);
        if (this.dash.length > 0)
          paint['stroke-dasharray'] = this.dash.map((v) => svgNumber(v * k)).join(' ');
      }
      this.emit('rect', {
        x: svgNumber(x0),
        y: svgNumber(y0),
        width: svgNumber(x1 - x0),
        height: svgNumber(y1 - y0),
        ...paint,
      });
    } else {
      this.emit('rect', {
        x: svgNumber(Math.min(x, x + w)),
        y: svgNumber(Math.min(y, y + h)),
        width: svgNumber(Math.abs(w)),
        height: svgNumber(Math.abs(h)),
        transform: this.transformAttribute(),
        ...paint,
      });
    }
  }

  /** The current transform: translate + rotate when it is one, else a matrix. */
  private transformAttribute(): string {
    const [a, b, c, d, e, f] = this.matrix;
    if (near(a, d) && near(b, -c) && near(a * a + b * b, 1)) {
      const degrees = (Math.atan2(b, a) * 180) / Math.PI;
      return `translate(${svgNumber(e)} ${svgNumber(f)}) rotate(${svgNumber(degrees)})`;
    }
    const r = (v: number) => String(Math.round(v * 1e6) / 1e6 || 0);
    return `matrix(${r(a)} ${r(b)} ${r(c)} ${r(d)} ${svgNumber(e)} ${svgNumber(f)})`;
  }

  private emit(
    name: string,
    attributes: Record<string, string | undefined>,
    content?: string,
  ): void {
    let markup = `<${name}`;
    for (const [key, value] of Object.entries({ ...attributes, ...this.data })) {
      if (value !== undefined) markup += ` ${key}="${escapeXml(value)}"`;
    }
    this.parts.push(content === undefined ? `${markup}/>` : `${markup}>${content}</${name}>`);
  }
}

/** An opacity attribute value, or undefined for fully opaque (the SVG default). */
function opacityValue(opacity: number): string | undefined {
  return opacity >= 1 ? undefined : String(Math.round(Math.max(0, opacity) * 1000) / 1000);
}
