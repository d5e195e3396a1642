// PNG from the figure's SVG with resvg (@resvg/resvg-js: prebuilt native binaries from npm, no
// system libraries), in the app's bundled typeface. Loaded only when a .png is asked for.
//
// The bundled font (src/ui/fonts.ts: Inter from `inter-ui`) ships as woff2 only, which resvg
// cannot read: its static instances are decompressed to TrueType once (wawoff2, Google's woff2
// decoder in WebAssembly) into the tool's cache folder. System fonts stay loaded for the few
// glyphs Inter lacks; if the font cannot be prepared, the PNG uses system fonts and says so.
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { FONT_FILES, STATIC_FONT_FAMILY } from '../ui/fonts';

/** TrueType copies of FONT_FILES in `dir`, made when missing or older than their woff2. */
async function trueTypeFonts(dir: string): Promise<string[]> {
  const require = createRequire(import.meta.url);
  const { decompress } = await import('wawoff2');
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (const file of Object.values(FONT_FILES)) {
    const woff2 = require.resolve(file);
    const ttf = join(dir, basename(woff2).replace(/\.woff2$/, '.ttf'));
    if (!existsSync(ttf) || statSync(ttf).mtimeMs < statSync(woff2).mtimeMs) {
      const tmp = `${ttf}.tmp-${process.pid}`;
      writeFileSync(tmp, await decompress(readFileSync(woff2)));
      renameSync(tmp, ttf);
    }
    files.push(ttf);
  }
  return files;
}

/**
 * The PNG of `svg` at `scale` pixels per SVG unit, on white. `fontCache`: where the TrueType
 * copies of the bundled font live; `say` reports a fallback to system fonts.
 */
export async function svgToPng(
  svg: string,
  scale: number,
  fontCache: string,
  say: (line: string) => void,
): Promise<Uint8Array> {
  const { Resvg } = await import('@resvg/resvg-js');
  let font: { loadSystemFonts: boolean; fontFiles?: string[]; defaultFontFamily: string };
  try {
    font = {
      loadSystemFonts: true,
      fontFiles: await trueTypeFonts(fontCache),
      defaultFontFamily: STATIC_FONT_FAMILY,
    };
  } catch (error) {
    say(
      `png: the bundled font could not be prepared (${error instanceof Error ? error.message : error}); using system fonts`,
    );
    // resvg knows no system-ui and ignores sansSerifFamily for the generic sans-serif (resvg-js
    // 2.6): unmatched families go to the default family (DejaVu Sans on most Linux systems; where
    // it is missing, resvg warns and takes the first system font).
    font = { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' };
  }
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: '#ffffff',
    font,
  });
  return resvg.render().asPng();
}
