// The SVG export: Figure 1 as a well-formed SVG document (a real XML parser, strict), drawn by the
// canvases' own paintPanel through SvgContext; and SvgContext's mapping of the Canvas 2D calls.
import { DOMParser, type Element, onWarningStopParsing } from '@xmldom/xmldom';
import { beforeAll, describe, expect, it } from 'vitest';
import { CpuEngine } from '../src/engine/cpuEngine';
import { computePanel, type PanelResult, planPanels } from '../src/experiments/figure';
import { FIGURE1, settingsToQuery, withBlocks } from '../src/experiments/settings';
import { plotFont } from '../src/ui/plot/canvas';
import { DIRECTION_DASHES, directionDash } from '../src/ui/plot/drawPanel';
import { figureCaption, figureSvg, wrapCaption } from '../src/ui/plot/figureSvg';
import { escapeXml, parseFont, SvgContext, svgPaint } from '../src/ui/plot/svgContext';

/** Parses strictly: any warning or error (not well-formed, bad entity, …) throws. */
function parse(markup: string) {
  const doc = new DOMParser({ onError: onWarningStopParsing }).parseFromString(
    markup,
    'image/svg+xml',
  );
  const root = doc.documentElement;
  if (!root) throw new Error('no root element');
  return root;
}

/** Parses a context's markup inside an <svg> root. */
const parseInner = (ctx: SvgContext) =>
  parse(`<svg xmlns="http://www.w3.org/2000/svg">${ctx.toString()}</svg>`);

const all = (root: Element, tag: string) => Array.from(root.getElementsByTagName(tag));

/** Nearest ancestor (or self) with the attribute, or null. */
function ancestorWith(el: Element, attribute: string): Element | null {
  for (let e: Element | null = el; e; e = e.parentNode as Element | null) {
    if (e.nodeType === 1 && e.hasAttribute(attribute)) return e;
  }
  return null;
}

describe('figureSvg: Figure 1 (float64 CPU engine)', () => {
  const settings = FIGURE1;
  const panels = planPanels(settings);
  let results: PanelResult[] = [];
  let svg = '';

  beforeAll(async () => {
    const cpu = new CpuEngine();
    results = [];
    for (const panel of panels) results.push(await computePanel(cpu, settings, panel));
    svg = figureSvg(results, settings);
  });

  it('is a well-formed standalone SVG document, 2 × 2 panels with a caption, on white', () => {
    const root = parse(svg);
    expect(root.tagName).toBe('svg');
    expect(root.getAttribute('xmlns')).toBe('http://www.w3.org/2000/svg');
    // 2 × 320 of panels, and the caption: 28 for its first line, 16 for the line it wraps onto.
    expect(root.getAttribute('viewBox')).toBe('0 0 960 684');
    expect(root.getAttribute('width')).toBe('960');
    expect(root.getAttribute('height')).toBe('684');
    // The plots' font family once, on the root; the texts inherit it.
    expect(root.getAttribute('font-family')).toBe(parseFont(plotFont(12)).family);
    expect(all(root, 'text').filter((t) => t.hasAttribute('font-family'))).toHaveLength(0);
    const background = all(root, 'rect')[0];
    expect(background.getAttribute('fill')).toBe('#ffffff');
    expect(background.getAttribute('width')).toBe('960');
    const groups = all(root, 'g').filter((g) => g.hasAttribute('data-panel-id'));
    expect(groups.map((g) => g.getAttribute('data-panel-id'))).toEqual([
      'contrast',
      'all',
      'block-1',
      'block-2',
    ]);
    expect(groups.map((g) => g.getAttribute('transform'))).toEqual([
      'translate(0 0)',
      'translate(480 0)',
      'translate(0 320)',
      'translate(480 320)',
    ]);
  });

  it('holds 4 panels × 5 curve paths, each curve one path: a single M and many L', () => {
    const root = parse(svg);
    const groups = all(root, 'g').filter((g) => g.hasAttribute('data-panel-id'));
    expect(groups).toHaveLength(4);
    groups.forEach((g, i) => {
      const curves = all(g, 'path').filter((p) => p.hasAttribute('data-curve'));
      expect(curves.map((p) => p.getAttribute('data-curve'))).toEqual(['0', '1', '2', '3', '4']);
      for (const p of curves) {
        const direction = Number(p.getAttribute('data-curve'));
        const d = p.getAttribute('d') ?? '';
        expect(d.match(/M/g)).toHaveLength(1);
        expect(d.startsWith('M')).toBe(true);
        // Exact panels: one point per pixel of the plot; the tanh grid: its 121 points.
        expect(d.match(/L/g)?.length).toBeGreaterThanOrEqual(results[i].coefficients ? 400 : 120);
        expect(d).toMatch(
          /^M-?\d+(\.\d{1,2})? -?\d+(\.\d{1,2})?(L-?\d+(\.\d{1,2})? -?\d+(\.\d{1,2})?)+$/,
        );
        expect(p.getAttribute('fill')).toBe('none');
        expect(p.getAttribute('stroke-width')).toBe('2');
        expect(p.getAttribute('stroke-linejoin')).toBe('round');
        // Each direction its own dash pattern, as on the canvas (the first solid).
        if (direction === 0) expect(p.hasAttribute('stroke-dasharray')).toBe(false);
        else expect(p.getAttribute('stroke-dasharray')).toBe(directionDash(direction).join(' '));
        // Clipped to the plot rectangle of its own panel.
        const clipped = ancestorWith(p, 'clip-path');
        const id = clipped?.getAttribute('clip-path')?.match(/^url\(#(.+)\)$/)?.[1];
        expect(id).toBe(`panel${i}-clip1`);
        const clip = all(g, 'clipPath').find((c) => c.getAttribute('id') === id);
        expect(all(clip as Element, 'path')[0].getAttribute('d')).toBe(
          'M62 50L466 50L466 278L62 278Z',
        );
      }
      // Colours: one per direction, as on the canvas (Okabe–Ito's first five).
      expect(curves.map((p) => p.getAttribute('stroke'))).toEqual([
        '#0072B2',
        '#E69F00',
        '#009E73',
        '#CC79A7',
        '#D55E00',
      ]);
    });
  });

  it('draws the dashed model on the all-weights panels only, told apart by data-role', () => {
    const root = parse(svg);
    const byId = new Map(
      all(root, 'g')
        .filter((g) => g.hasAttribute('data-panel-id'))
        .map((g) => [g.getAttribute('data-panel-id'), g]),
    );
    const models = (id: string) =>
      all(byId.get(id) as Element, 'path').filter((p) => p.getAttribute('data-role') === 'model');
    expect(results[1].model?.kind).toBe('multilinear');
    const q = models('all');
    expect(q).toHaveLength(5);
    for (const p of q) {
      expect(p.hasAttribute('data-curve')).toBe(false);
      expect(p.getAttribute('stroke-dasharray')).toBe('5 4');
      expect(p.getAttribute('stroke-width')).toBe('1.5');
      expect(p.getAttribute('stroke-opacity')).toBe('0.75');
      expect(p.getAttribute('d')?.match(/M/g)).toHaveLength(1);
    }
    // tanh: the least-squares fit stands in for q; single blocks have no model.
    expect(models('contrast')).toHaveLength(5);
    expect(models('block-1')).toHaveLength(0);
    expect(models('block-2')).toHaveLength(0);
    const legend = all(byId.get('all') as Element, 'text').map((t) => t.textContent);
    expect(legend).toContain('model q');
    expect(legend).toEqual(expect.arrayContaining(['Δ1', 'Δ2', 'Δ3', 'Δ4', 'Δ5']));
  });

  it('puts the legend above the plot, never over it: samples with each direction’s dash', () => {
    const root = parse(svg);
    for (const g of all(root, 'g').filter((e) => e.hasAttribute('data-panel-id'))) {
      const clip = all(g, 'clipPath')[0];
      const top = Number(
        /^M[\d.]+ ([\d.]+)L/.exec(all(clip, 'path')[0].getAttribute('d') ?? '')?.[1],
      );
      expect(top).toBe(50);
      const legend = [...all(g, 'path'), ...all(g, 'text')].filter(
        (e) => e.getAttribute('data-role') === 'legend',
      );
      // 5 samples and labels, and the model's where there is one.
      expect(legend.length).toBeGreaterThanOrEqual(10);
      for (const e of legend) {
        expect(ancestorWith(e, 'clip-path')).toBeNull();
        const ys =
          e.tagName === 'path'
            ? (e.getAttribute('d')?.match(/-?[\d.]+ (-?[\d.]+)/g) ?? []).map((m) =>
                Number(m.split(' ')[1]),
              )
            : [Number(e.getAttribute('y'))];
        for (const y of ys) expect(y + 7).toBeLessThanOrEqual(top);
      }
      const samples = all(g, 'path').filter(
        (e) => e.getAttribute('data-role') === 'legend' && e.getAttribute('stroke-width') === '2.5',
      );
      expect(samples.map((p) => p.getAttribute('stroke-dasharray') ?? '')).toEqual(
        DIRECTION_DASHES.slice(0, 5).map((d) => d.join(' ')),
      );
    }
  });

  it('keeps text as text: titles, axis labels, ticks, provenance, caption', () => {
    const root = parse(svg);
    const groups = all(root, 'g').filter((g) => g.hasAttribute('data-panel-id'));
    groups.forEach((g, i) => {
      const texts = all(g, 'text');
      const title = texts.find((t) => t.textContent === panels[i].title);
      expect(title, panels[i].title).toBeDefined();
      expect(title?.getAttribute('font-size')).toBe('14');
      expect(title?.getAttribute('font-weight')).toBe('600');
      expect(title?.getAttribute('x')).toBe('62');
      expect(title?.getAttribute('y')).toBe('20');
      const labels = texts.map((t) => t.textContent);
      expect(labels).toContain('t');
      expect(labels).toContain('g(W + tΔ; x)');
      expect(labels).toContain(
        results[i].coefficients
          ? 'exact polynomial · float64 · CPU'
          : '121-point grid · float64 · CPU',
      );
      // The y label is rotated about its anchor, as canvas.ts drawAxisLabels draws it.
      const y = texts.find((t) => t.textContent === 'g(W + tΔ; x)');
      expect(y?.getAttribute('transform')).toBe('translate(14 164) rotate(-90)');
      expect(y?.getAttribute('text-anchor')).toBe('middle');
      // Ticks: x centred under the grid line, y right-aligned and vertically centred.
      expect(
        texts.some((t) => t.textContent === '0' && t.getAttribute('text-anchor') === 'middle'),
      ).toBe(true);
      expect(
        texts.filter(
          (t) =>
            t.getAttribute('text-anchor') === 'end' &&
            t.getAttribute('dominant-baseline') === 'central',
        ).length,
      ).toBeGreaterThanOrEqual(3);
    });
    const caption = all(root, 'text').find((t) => t.getAttribute('data-role') === 'caption');
    expect(caption?.textContent).toBe(`?${settingsToQuery(settings)}  ·  cpu (float64)`);
    expect(caption?.textContent).toBe(figureCaption(settings, results[0].engine));
    expect(caption?.getAttribute('xml:space')).toBe('preserve');
    // Too long for 960 px: two lines, the first broken after an "&", both inside the figure.
    const lines = all(caption as Element, 'tspan');
    expect(lines.map((l) => l.getAttribute('y'))).toEqual(['658.2', '674.2']);
    expect(lines[0].textContent?.endsWith('&')).toBe(true);
    for (const l of lines) expect((l.textContent ?? '').length * 13 * 0.62).toBeLessThan(940);
  });

  it('is small: coordinates rounded to 2 decimals', () => {
    const root = parse(svg);
    for (const tag of ['path', 'rect', 'text']) {
      for (const el of all(root, tag)) {
        for (const a of ['d', 'x', 'y', 'width', 'height', 'transform']) {
          expect(el.getAttribute(a) ?? '').not.toMatch(/\.\d{3}/);
        }
      }
    }
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
    expect(svg.length).toBeLessThan(400_000);
  });

  it('follows the view settings: deviation (no model), shared axis, no caption, 3 columns', () => {
    const dev = parse(figureSvg(results, { ...settings, deviation: true }));
    expect(all(dev, 'path').filter((p) => p.getAttribute('data-role') === 'model')).toHaveLength(0);
    expect(all(dev, 'path').filter((p) => p.hasAttribute('data-curve'))).toHaveLength(20);
    expect(all(dev, 'text').map((t) => t.textContent)).toContain('g − best degree-1 fit');

    const shared = figureSvg(results, { ...settings, yAxis: 'shared' });
    const fitted = figureSvg(results, settings);
    expect(shared).not.toBe(fitted);
    // One axis for all: every panel shows the same y tick labels.
    const root = parse(shared);
    const yTicks = all(root, 'g')
      .filter((g) => g.hasAttribute('data-panel-id'))
      .map((g) =>
        all(g, 'text')
          .filter(
            (t) => t.getAttribute('text-anchor') === 'end' && t.hasAttribute('dominant-baseline'),
          )
          .map((t) => t.textContent)
          .join(' '),
      );
    expect(new Set(yTicks).size).toBe(1);

    const bare = parse(figureSvg(results, settings, { caption: false, columns: 4 }));
    expect(bare.getAttribute('viewBox')).toBe('0 0 1920 320');
    expect(all(bare, 'text').some((t) => t.getAttribute('data-role') === 'caption')).toBe(false);
  });
});

describe('figureSvg without results', () => {
  it('draws each planned panel as "no result" with its title, 3 columns beyond 4 panels', () => {
    const settings = withBlocks(FIGURE1, 4);
    const planned = planPanels(settings);
    expect(planned).toHaveLength(6);
    const root = parse(
      figureSvg(
        planned.map(() => null),
        settings,
        { panelWidth: 400, panelHeight: 300 },
      ),
    );
    expect(root.getAttribute('viewBox')).toBe('0 0 1200 644');
    const groups = all(root, 'g').filter((g) => g.hasAttribute('data-panel-id'));
    expect(groups.map((g) => g.getAttribute('data-panel-id'))).toEqual(planned.map((p) => p.id));
    groups.forEach((g, i) => {
      const texts = all(g, 'text').map((t) => t.textContent);
      expect(texts).toContain(planned[i].title);
      expect(texts).toContain('no result');
      expect(all(g, 'path').filter((p) => p.hasAttribute('data-curve'))).toHaveLength(0);
    });
  });
});

describe('wrapCaption', () => {
  it('breaks after "&" or spaces, never inside a piece, and loses no character', () => {
    const caption = '?a=1&bb=22&ccc=333  ·  cpu (float64)';
    // Trailing spaces do not count against the width.
    expect(wrapCaption(caption, 10)).toEqual([
      '?a=1&',
      'bb=22&',
      'ccc=333  ·  ',
      'cpu ',
      '(float64)',
    ]);
    expect(wrapCaption(caption, 1000)).toEqual([caption]);
    expect(wrapCaption(caption, 3).join('')).toBe(caption);
    expect(wrapCaption('', 10)).toEqual(['']);
  });
});

describe('SvgContext', () => {
  it('maps textAlign to text-anchor and textBaseline to dominant-baseline', () => {
    const ctx = new SvgContext();
    const aligns: CanvasTextAlign[] = ['left', 'start', 'center', 'right', 'end'];
    for (const align of aligns) {
      ctx.textAlign = align;
      ctx.fillText(align, 0, 0);
    }
    const baselines: CanvasTextBaseline[] = ['alphabetic', 'middle', 'top', 'hanging', 'bottom'];
    for (const baseline of baselines) {
      ctx.textBaseline = baseline;
      ctx.fillText(baseline, 0, 0);
    }
    const texts = all(parseInner(ctx), 'text');
    // Absent: SVG's defaults, start and alphabetic.
    expect(texts.slice(0, 5).map((t) => t.getAttribute('text-anchor'))).toEqual([
      null,
      null,
      'middle',
      'end',
      'end',
    ]);
    expect(texts.slice(5).map((t) => t.getAttribute('dominant-baseline'))).toEqual([
      null,
      'central',
      'text-before-edge',
      'hanging',
      'text-after-edge',
    ]);
  });

  it('parses the font shorthand into family, size, weight and style', () => {
    expect(parseFont("600 14px system-ui, -apple-system, 'Segoe UI', sans-serif")).toEqual({
      family: "system-ui, -apple-system, 'Segoe UI', sans-serif",
      size: 14,
      weight: '600',
      style: 'normal',
    });
    expect(parseFont('italic bold 12pt/1.5 "Inter", serif')).toEqual({
      family: '"Inter", serif',
      size: 16,
      weight: 'bold',
      style: 'italic',
    });
    expect(parseFont('11px sans-serif').size).toBe(11);
    const ctx = new SvgContext();
    ctx.font = "600 14px system-ui, 'Segoe UI', sans-serif";
    ctx.fillStyle = '#111';
    ctx.fillText('Title', 62, 20);
    const text = all(parseInner(ctx), 'text')[0];
    expect(text.getAttribute('font-family')).toBe("system-ui, 'Segoe UI', sans-serif");
    expect(text.getAttribute('font-size')).toBe('14');
    expect(text.getAttribute('font-weight')).toBe('600');
    expect(text.getAttribute('fill')).toBe('#111');
    expect(text.textContent).toBe('Title');
    // Inside an element that sets the family, texts in it leave it out.
    const inherits = new SvgContext({ fontFamily: "system-ui, 'Segoe UI', sans-serif" });
    inherits.font = ctx.font;
    inherits.fillText('a', 0, 0);
    inherits.font = '12px serif';
    inherits.fillText('b', 0, 0);
    expect(all(parseInner(inherits), 'text').map((t) => t.getAttribute('font-family'))).toEqual([
      null,
      'serif',
    ]);
  });

  it('escapes text and attributes', () => {
    expect(escapeXml(`a<b>&"c'`)).toBe('a&lt;b&gt;&amp;&quot;c&#39;');
    const ctx = new SvgContext();
    ctx.fillText(`x < y & "z" > 'w'`, 1, 2);
    ctx.tag({ 'data-note': '"<&>"' });
    ctx.fillRect(0, 0, 1, 1);
    const root = parseInner(ctx);
    expect(all(root, 'text')[0].textContent).toBe(`x < y & "z" > 'w'`);
    expect(all(root, 'rect')[0].getAttribute('data-note')).toBe('"<&>"');
  });

  it('turns one beginPath … stroke into one path with the stroke state, rounded to 2 decimals', () => {
    const ctx = new SvgContext();
    ctx.strokeStyle = '#0072B2';
    ctx.lineWidth = 2;
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(1.23456, 2);
    for (let i = 1; i <= 10; i++) ctx.lineTo(i / 3, -i);
    ctx.lineTo(Number.NaN, 5); // ignored, as on a canvas
    ctx.stroke();
    ctx.beginPath();
    ctx.stroke(); // nothing to draw
    ctx.setLineDash([5, 4]);
    ctx.globalAlpha = 0.75;
    ctx.beginPath();
    ctx.moveTo(0, 0);
    ctx.lineTo(10, 0);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.globalAlpha = 1;
    ctx.setLineDash([3]);
    ctx.beginPath();
    ctx.moveTo(0, 0);
    ctx.lineTo(-0.001, 1);
    ctx.stroke();
    const paths = all(parseInner(ctx), 'path');
    expect(paths).toHaveLength(3);
    const d = paths[0].getAttribute('d') ?? '';
    expect(d.startsWith('M1.23 2L0.33 -1L0.67 -2L1 -3')).toBe(true);
    expect(d.match(/M/g)).toHaveLength(1);
    expect(d.match(/L/g)).toHaveLength(10);
    expect(paths[0].getAttribute('stroke')).toBe('#0072B2');
    expect(paths[0].getAttribute('stroke-width')).toBe('2');
    expect(paths[0].getAttribute('stroke-linejoin')).toBe('round');
    expect(paths[0].getAttribute('fill')).toBe('none');
    expect(paths[0].hasAttribute('stroke-dasharray')).toBe(false);
    expect(paths[1].getAttribute('stroke-dasharray')).toBe('5 4');
    expect(paths[1].getAttribute('stroke-opacity')).toBe('0.75');
    // An odd dash list repeats (canvas rule); −0 prints as 0.
    expect(paths[2].getAttribute('stroke-dasharray')).toBe('3 3');
    expect(paths[2].getAttribute('d')).toBe('M0 0L0 1');
  });

  it('maps fillRect / strokeRect to rects, rgba to colour and opacity', () => {
    expect(svgPaint('rgba(255,255,255,0.85)')).toEqual({
      color: 'rgb(255,255,255)',
      opacity: 0.85,
    });
    expect(svgPaint('#11223380')).toEqual({ color: '#112233', opacity: 128 / 255 });
    const ctx = new SvgContext();
    ctx.fillStyle = 'rgba(255,255,255,0.85)';
    ctx.fillRect(68, 36, 96, -20);
    ctx.strokeStyle = '#555';
    ctx.strokeRect(62.5, 30.5, 404, 248);
    const [fill, stroke] = all(parseInner(ctx), 'rect');
    expect(
      ['x', 'y', 'width', 'height', 'fill', 'fill-opacity'].map((a) => fill.getAttribute(a)),
    ).toEqual(['68', '16', '96', '20', 'rgb(255,255,255)', '0.85']);
    expect(
      ['x', 'y', 'width', 'height', 'fill', 'stroke', 'stroke-width'].map((a) =>
        stroke.getAttribute(a),
      ),
    ).toEqual(['62.5', '30.5', '404', '248', 'none', '#555', '1']);
  });

  it('clips what follows the clip to the path, until the matching restore', () => {
    const ctx = new SvgContext({ idPrefix: 'p-' });
    ctx.save();
    ctx.beginPath();
    ctx.rect(10, 20, 30, 40);
    ctx.clip();
    ctx.beginPath();
    ctx.moveTo(0, 0);
    ctx.lineTo(100, 100);
    ctx.stroke();
    ctx.restore();
    ctx.fillText('outside', 0, 0);
    ctx.save();
    ctx.beginPath();
    ctx.rect(0, 0, 5, 5);
    ctx.clip();
    // Left open: toString closes the group, so the markup stays well-formed.
    ctx.fillRect(1, 1, 1, 1);
    const root = parseInner(ctx);
    const clips = all(root, 'clipPath');
    expect(clips.map((c) => c.getAttribute('id'))).toEqual(['p-1', 'p-2']);
    expect(all(clips[0], 'path')[0].getAttribute('d')).toBe('M10 20L40 20L40 60L10 60Z');
    const path = all(root, 'path').find((p) => p.getAttribute('d') === 'M0 0L100 100');
    expect(ancestorWith(path as Element, 'clip-path')?.getAttribute('clip-path')).toBe('url(#p-1)');
    const outside = all(root, 'text')[0];
    expect(ancestorWith(outside, 'clip-path')).toBeNull();
    const rect = all(root, 'rect')[0];
    expect(ancestorWith(rect, 'clip-path')?.getAttribute('clip-path')).toBe('url(#p-2)');
  });

  it('applies translate and rotate: baked into coordinates, a transform on rotated text', () => {
    const ctx = new SvgContext();
    ctx.lineWidth = 3;
    ctx.save();
    ctx.translate(10, 20);
    ctx.fillText('moved', 1, 2);
    ctx.beginPath();
    ctx.moveTo(0, 0);
    ctx.lineTo(5, 0);
    ctx.stroke();
    ctx.rotate(-Math.PI / 2);
    ctx.fillText('rotated', 0, 0);
    ctx.beginPath();
    ctx.moveTo(0, 0);
    ctx.lineTo(5, 0);
    ctx.stroke();
    ctx.lineWidth = 7;
    ctx.restore();
    ctx.fillText('back', 1, 2);
    ctx.beginPath();
    ctx.moveTo(0, 0);
    ctx.lineTo(1, 0);
    ctx.stroke();
    const root = parseInner(ctx);
    const [moved, rotated, back] = all(root, 'text');
    expect([moved.getAttribute('x'), moved.getAttribute('y')]).toEqual(['11', '22']);
    expect(moved.hasAttribute('transform')).toBe(false);
    expect(rotated.getAttribute('transform')).toBe('translate(10 20) rotate(-90)');
    expect([rotated.getAttribute('x'), rotated.getAttribute('y')]).toEqual(['0', '0']);
    expect([back.getAttribute('x'), back.getAttribute('y')]).toEqual(['1', '2']);
    const paths = all(root, 'path');
    expect(paths.map((p) => p.getAttribute('d'))).toEqual([
      'M10 20L15 20',
      'M10 20L10 15',
      'M0 0L1 0',
    ]);
    // restore brings back the line width saved.
    expect(paths.map((p) => p.getAttribute('stroke-width'))).toEqual(['3', '3', '3']);
  });
});
