// Text with inline TeX: `$…$` inline math, `$$…$$` display math, `\$` a literal dollar sign.
// Math goes through KaTeX (synchronous, fonts bundled by Vite); plain text stays text nodes.
// The notes themselves are in notes.ts; docs/notes.md describes how to write them.

import katex, { type KatexOptions } from 'katex';
import 'katex/dist/katex.min.css';
import './notes.css';
import { useEffect, useMemo, useState } from 'react';

/** One piece of a note: plain text, or a TeX source to typeset. */
export type TexPart =
  | { kind: 'text'; text: string }
  | { kind: 'math'; tex: string; display: boolean };

/**
 * The options every note is rendered with. A bad source renders as red TeX (throwOnError: false)
 * instead of breaking the page; tests render the same sources with throwOnError: true.
 */
export const KATEX_OPTIONS: Readonly<KatexOptions> = {
  throwOnError: false,
  output: 'htmlAndMathml',
  strict: 'warn',
  trust: false,
};

/**
 * Split `text` at its math delimiters. In text, `\$` is a literal `$`; `$$…$$` is display math and
 * `$…$` inline math; a `$` with no closing partner is kept as literal text. Inside math,
 * a backslash and the character after it are kept as they are (so `\$` is TeX's dollar sign and
 * does not close the math). Adjacent text pieces are merged; empty math is dropped.
 */
export function parseTex(text: string): TexPart[] {
  const parts: TexPart[] = [];
  let plain = '';
  const pushText = () => {
    if (plain) parts.push({ kind: 'text', text: plain });
    plain = '';
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '\\' && text[i + 1] === '$') {
      plain += '$';
      i += 2;
      continue;
    }
    if (ch !== '$') {
      plain += ch;
      i += 1;
      continue;
    }
    const display = text[i + 1] === '$';
    const open = display ? 2 : 1;
    const end = findClose(text, i + open, display);
    if (end < 0) {
      // No partner: this `$` is literal text (an unpaired `$$` may still start `$…$`).
      plain += '$';
      i += 1;
      continue;
    }
    const tex = text.slice(i + open, end);
    if (tex.trim()) {
      pushText();
      parts.push({ kind: 'math', tex, display });
    }
    i = end + open;
  }
  pushText();
  return parts;
}

/** Index of the closing `$` (or `$$`) at or after `from`, skipping backslash escapes; −1 if none. */
function findClose(text: string, from: number, display: boolean): number {
  for (let j = from; j < text.length; j++) {
    const ch = text[j];
    if (ch === '\\') {
      j += 1;
      continue;
    }
    if (ch !== '$') continue;
    if (!display) return j;
    if (text[j + 1] === '$') return j;
  }
  return -1;
}

// KaTeX output per (source, display): the same notes are rendered by many panels and re-renders.
const CACHE_LIMIT = 1000;
const cache = new Map<string, string>();

/** KaTeX's HTML (+ MathML) for one TeX source; never throws. */
export function renderMath(tex: string, display = false): string {
  const key = `${display ? 'D' : 'I'}${tex}`;
  let html = cache.get(key);
  if (html === undefined) {
    html = katex.renderToString(tex, { ...KATEX_OPTIONS, displayMode: display });
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, html);
  }
  return html;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** `text` with HTML's special characters escaped. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** The whole note as an HTML string (plain text escaped): for exports and tests. */
export function texToHtml(text: string): string {
  return parseTex(text)
    .map((p) => (p.kind === 'text' ? escapeHtml(p.text) : renderMath(p.tex, p.display)))
    .join('');
}

export interface TexProps {
  /** Text with `$…$` / `$$…$$` math and `\$` for a literal dollar sign. */
  text: string;
  /** Class of the wrapper; `math-note` gives the notes' small muted style. */
  className?: string;
  /** Render a `<p>` instead of a `<span>`. */
  block?: boolean;
  /**
   * Typeset in a task of its own after the first paint (an empty wrapper until then), so that a
   * page showing many notes does not typeset them all in one long task.
   */
  defer?: boolean;
}

/** Whether a deferred note may typeset yet: false for the first render, then true a task later. */
function useLater(defer: boolean): boolean {
  const [ready, setReady] = useState(!defer);
  useEffect(() => {
    if (ready) return;
    const timer = setTimeout(() => setReady(true), 0);
    return () => clearTimeout(timer);
  }, [ready]);
  return ready;
}

/** `text` with its math typeset by KaTeX. Plain text becomes text nodes, never HTML. */
export function Tex({ text, className, block = false, defer = false }: TexProps) {
  const ready = useLater(defer);
  const children = useMemo(
    () =>
      (ready ? parseTex(text) : []).map((p, i) =>
        p.kind === 'text' ? (
          p.text
        ) : (
          <span
            // Pieces come from one fixed parse of `text`: the index is a stable key.
            // biome-ignore lint/suspicious/noArrayIndexKey: see above
            key={i}
            className="tex"
            // biome-ignore lint/security/noDangerouslySetInnerHtml: KaTeX output, trust: false
            dangerouslySetInnerHTML={{ __html: renderMath(p.tex, p.display) }}
          />
        ),
      ),
    [text, ready],
  );
  return block ? (
    <p className={className}>{children}</p>
  ) : (
    <span className={className}>{children}</span>
  );
}
