// What the tool writes: the app's own exports (figureJson, figureCsv, figureSvg, and the analyses'
// writers), a PNG rasterised from the SVG, and the atomic write of the file.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { blocksCsv, blocksJson, sweepCsv, sweepJson } from '../experiments/analysisExport';
import type { BlockStructure } from '../experiments/blockStructure';
import { figureCsv, figureJson } from '../experiments/export';
import type { PanelResult } from '../experiments/figure';
import type { FigureSettings } from '../experiments/settings';
import type { SweepResult } from '../experiments/sweep';
import { figureSvg } from '../ui/plot/figureSvg';
import type { FigureLayout, Format } from './args';
import { svgToPng } from './png';

export async function figureOutput(
  format: Format,
  settings: FigureSettings,
  results: PanelResult[],
  layout: FigureLayout,
  png: { scale: number; fontCache: string; say: (line: string) => void },
): Promise<string | Uint8Array> {
  switch (format) {
    case 'json':
      return figureJson(settings, results);
    case 'csv':
      return figureCsv(settings, results);
    case 'svg':
      return figureSvg(results, settings, layout);
    case 'png':
      return svgToPng(figureSvg(results, settings, layout), png.scale, png.fontCache, png.say);
  }
}

export function sweepOutput(format: Format, settings: FigureSettings, sweep: SweepResult): string {
  return format === 'json' ? sweepJson(settings, sweep) : sweepCsv(settings, sweep);
}

export function blocksOutput(
  format: Format,
  settings: FigureSettings,
  blocks: BlockStructure,
): string {
  return format === 'json' ? blocksJson(settings, blocks) : blocksCsv(settings, blocks);
}

/**
 * A file that appears whole or not at all: written to `<path>.tmp-<pid>` in the same directory
 * (so the rename stays on one file system) and renamed over `path` at the end.
 */
export class AtomicFile {
  readonly tmp: string;
  constructor(readonly path: string) {
    this.tmp = `${path}.tmp-${process.pid}`;
  }

  write(data: string | Uint8Array): void {
    try {
      writeFileSync(this.tmp, data);
      renameSync(this.tmp, this.path);
    } catch (error) {
      this.discard();
      throw error;
    }
  }

  /** Removes the temporary file if there is one (after an error, or on Ctrl-C). */
  discard(): void {
    rmSync(this.tmp, { force: true });
  }
}
