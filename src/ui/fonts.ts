// The app's one typeface, bundled: Inter 4 from the npm package `inter-ui`, so that the page, its
// canvases and screenshots of them look the same on every machine, whatever fonts it has.
//
// - Browser: main.tsx imports 'inter-ui/inter-variable.css' (family "InterVariable", weights
//   100–900 from one woff2 holding Inter's whole glyph set: Greek, arrows, ≤ ≥ √ ∂, sub- and
//   superscript digits); Vite bundles the woff2. styles.css and plotFont (plot/canvas.ts) name it
//   first. Canvas text takes a web font only once it is loaded: frameQueue.ts holds the first
//   draws until loadFonts() settles, and the page's ready signal (state/pageState.ts) waits too.
// - Node (the command-line tool): the static instances in FONT_FILES, family "Inter" (the same
//   design at the weights the plots use). The package ships woff2 only — no TTF or OTF.
//
// No DOM at import: Node code imports this module for the names and paths.

/** The CSS family of the bundled variable font (inter-ui/inter-variable.css). */
export const FONT_FAMILY = 'InterVariable';
/** The family name inside the static files (FONT_FILES), as a font renderer in Node sees it. */
export const STATIC_FONT_FAMILY = 'Inter';
/**
 * CSS font-family list for text: the bundled font, then the static family (an SVG rasterised with
 * FONT_FILES finds it), then the system's, only for the few glyphs Inter lacks (≡ ∈ ∇ ⇄ ↦).
 */
export const FONT_STACK = `${FONT_FAMILY}, ${STATIC_FONT_FAMILY}, system-ui, -apple-system, 'Segoe UI', sans-serif`;

/**
 * The static woff2 files by weight, as package paths for Node's resolver:
 * `createRequire(import.meta.url).resolve(FONT_FILES[400])`. The plots use 400 and 600.
 */
export const FONT_FILES = {
  400: 'inter-ui/web/Inter-Regular.woff2',
  600: 'inter-ui/web/Inter-SemiBold.woff2',
  700: 'inter-ui/web/Inter-Bold.woff2',
} as const;
/** The variable font the page uses (every weight), as a package path. */
export const VARIABLE_FONT_FILE = 'inter-ui/variable/InterVariable.woff2';

/** Longest wait for the font before canvases are drawn anyway (with a fallback font). */
const FONT_WAIT_MS = 10_000;

let loading: Promise<void> | null = null;

/**
 * Loads the faces the canvases draw with (400 and 600; one file, the font is variable). Resolves
 * once they are loaded, or failed, or after FONT_WAIT_MS: never rejects, and resolves at once
 * where there is no document (Node) or no FontFaceSet.
 */
export function loadFonts(): Promise<void> {
  if (loading) return loading;
  const fonts = typeof document === 'undefined' ? undefined : document.fonts;
  if (!fonts || typeof fonts.load !== 'function') {
    loading = Promise.resolve();
    return loading;
  }
  const load = Promise.all([400, 600].map((w) => fonts.load(`${w} 12px ${FONT_FAMILY}`))).then(
    () => undefined,
    (error: unknown) => console.warn('The bundled font did not load:', error),
  );
  loading = Promise.race([load, new Promise<void>((done) => setTimeout(done, FONT_WAIT_MS))]);
  return loading;
}
