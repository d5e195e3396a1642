import katex from 'katex';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { VERDICT_CONSTANT } from '../src/experiments/degrees';
import { NOTE_IDS, type NoteContext, type NoteId, note } from '../src/ui/notes/notes';
import { escapeHtml, parseTex, Tex, texToHtml } from '../src/ui/notes/Tex';

/** L_b per block for B blocks: unknown, all 1, all 2, all 3, and mixed (1, 2, 3, 1, …). */
function layerSets(blocks: number): (number[] | undefined)[] {
  return [
    undefined,
    ...[1, 2, 3].map((l) => Array.from({ length: blocks }, () => l)),
    Array.from({ length: blocks }, (_, b) => (b % 3) + 1),
  ];
}

/** Contexts to draw every note for: B = 1, 2, 3, each block, linear or not, deviation or not, … */
function contexts(): NoteContext[] {
  const out: NoteContext[] = [];
  for (const blocks of [1, 2, 3])
    for (const block of [undefined, 1, 2, 3].filter((b) => b === undefined || b <= blocks))
      for (const linear of [true, false])
        for (const deviation of [false, true])
          for (const family of ['aligned', 'gaussian', 'chained', 'gradient', 'tilted'])
            for (const placement of [undefined, 'all', 'inside-blocks', 'first-block'])
              for (const activation of [undefined, 'relu'])
                for (const layers of layerSets(blocks))
                  out.push({
                    blocks,
                    block,
                    family,
                    linear,
                    deviation,
                    placement,
                    activation,
                    layers,
                  });
  return out;
}

const r = String.raw;

describe('notes', () => {
  it('every note renders for B = 1, 2, 3 and every block, with valid TeX in every $…$', () => {
    const seen = new Set<string>();
    for (const id of NOTE_IDS)
      for (const ctx of contexts()) {
        const text = note(id, ctx);
        if (seen.has(text)) continue;
        seen.add(text);
        expect(text.length).toBeGreaterThan(20);
        const parts = parseTex(text);
        const math = parts.filter((p) => p.kind === 'math');
        expect(math.length).toBeGreaterThan(0);
        // No stray delimiter left in the text: every $ was paired.
        for (const p of parts)
          if (p.kind === 'text') expect(p.text, `${id}: ${text}`).not.toMatch(/\$/);
        for (const p of math) {
          // strict: 'error' also rejects what the component would only warn about (e.g. Unicode).
          expect(
            () =>
              katex.renderToString(p.tex, {
                throwOnError: true,
                strict: 'error',
                displayMode: p.display,
              }),
            `${id}: ${p.tex}`,
          ).not.toThrow();
        }
        expect(texToHtml(text)).not.toMatch(/katex-error|#cc0000/);
      }
    expect(seen.size).toBeGreaterThan(NOTE_IDS.length);
  });

  it('notes follow their context', () => {
    const base: NoteContext = { blocks: 2, family: 'aligned', linear: true, deviation: false };
    expect(note('panel-block', { ...base, block: 2 })).toContain('W_{2}');
    expect(note('panel-all', base)).toContain('eq. 18');
    expect(note('panel-all', { ...base, linear: false })).toContain('least-squares fit');
    expect(note('deviation', { ...base, block: 1 })).toContain('here $1$');
    expect(note('deviation', { ...base, blocks: 3 })).toContain('here $3$');
    expect(note('analysis-degrees', { ...base, blocks: 3 })).toContain('(7 here)');
    expect(note('analysis-degrees', base)).toContain(`$K = ${VERDICT_CONSTANT}$`);
    expect(note('analysis-degrees', base)).toContain(r`\sum_{b \in S} L_b`);
    expect(note('analysis-degrees', base)).not.toContain('Theorem 2 does not apply');
    expect(note('analysis-degrees', { ...base, linear: false })).toContain(
      'Theorem 2 does not apply',
    );
    // Rates follow L_b (docs/claims.md; tests/claims.test.ts checks each against measurements).
    const sweep = (layers?: number[]) =>
      note('analysis-sweep', { ...base, family: 'chained', layers });
    expect(sweep([2, 2])).toContain('the bound is tight');
    expect(sweep([3, 3])).not.toContain('the bound is tight');
    expect(sweep([1, 1])).toContain('exactly $0$');
    expect(sweep()).toContain(r`($L_b = 2$)`);
    expect(note('analysis-surface', { ...base, blocks: 3 })).toContain('$B = 2$ only');
    const ids: NoteId[] = [...NOTE_IDS];
    expect(new Set(ids).size).toBe(10);
  });
});

describe('Tex delimiter parser', () => {
  it('text only', () => {
    expect(parseTex('plain words, no math')).toEqual([
      { kind: 'text', text: 'plain words, no math' },
    ]);
    expect(parseTex('')).toEqual([]);
  });

  it('inline and display math', () => {
    expect(parseTex('a $x^2$ b $$\\sum_b L_b$$ c')).toEqual([
      { kind: 'text', text: 'a ' },
      { kind: 'math', tex: 'x^2', display: false },
      { kind: 'text', text: ' b ' },
      { kind: 'math', tex: '\\sum_b L_b', display: true },
      { kind: 'text', text: ' c' },
    ]);
  });

  it('adjacent math', () => {
    expect(parseTex('$a$$b$')).toEqual([
      { kind: 'math', tex: 'a', display: false },
      { kind: 'math', tex: 'b', display: false },
    ]);
    expect(parseTex('$a$ $b$')).toEqual([
      { kind: 'math', tex: 'a', display: false },
      { kind: 'text', text: ' ' },
      { kind: 'math', tex: 'b', display: false },
    ]);
    expect(parseTex('$$a$$$b$')).toEqual([
      { kind: 'math', tex: 'a', display: true },
      { kind: 'math', tex: 'b', display: false },
    ]);
  });

  it('\\$ is a literal dollar in text and TeX’s dollar in math', () => {
    expect(parseTex('costs \\$5 and \\$6')).toEqual([{ kind: 'text', text: 'costs $5 and $6' }]);
    expect(parseTex('$x = \\$5$ ok')).toEqual([
      { kind: 'math', tex: 'x = \\$5', display: false },
      { kind: 'text', text: ' ok' },
    ]);
    expect(texToHtml('$\\$5$')).not.toContain('katex-error');
  });

  it('an unpaired delimiter stays text', () => {
    expect(parseTex('a $ b')).toEqual([{ kind: 'text', text: 'a $ b' }]);
    expect(parseTex('$$x$ y')).toEqual([
      { kind: 'text', text: '$' },
      { kind: 'math', tex: 'x', display: false },
      { kind: 'text', text: ' y' },
    ]);
  });
});

describe('Tex rendering', () => {
  it('escapes plain text: no HTML injection', () => {
    const evil = '<script>alert(1)</script> & <img src=x onerror=alert(2)> $x$';
    const html = texToHtml(evil);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img');
    expect(escapeHtml(`"'<>&`)).toBe('&quot;&#39;&lt;&gt;&amp;');

    const markup = renderToStaticMarkup(createElement(Tex, { text: evil, className: 'math-note' }));
    expect(markup.startsWith('<span class="math-note">&lt;script&gt;')).toBe(true);
    expect(markup).not.toContain('<script>');
    expect(markup).not.toContain('<img');
    expect(markup).toContain('class="katex"');
  });

  it('the component typesets math as KaTeX HTML + MathML', () => {
    const markup = renderToStaticMarkup(
      createElement(Tex, { text: 'slope $-1/2$ and $$q(t)$$', block: true }),
    );
    expect(markup.startsWith('<p>slope ')).toBe(true);
    expect(markup).toContain('<math');
    expect(markup).toContain('katex-html');
    expect(markup).toContain('katex-display');
  });

  it('bad TeX renders in the error colour, not as an exception', () => {
    expect(() => texToHtml('$\\frac{1$')).not.toThrow();
    expect(texToHtml('$\\frac{1$')).toContain('katex-error');
    // KaTeX draws an undefined command as red text rather than an error span.
    expect(texToHtml('$\\notacommand$')).toContain('#cc0000');
  });
});
