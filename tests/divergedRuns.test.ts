// The rule that leaves diverged runs out of the medians (issue 16): medianRuns, runsByWidth,
// divergedNote, and sweepMedians / sweepSlopes over them (src/experiments/training.ts), and the
// training view's words for it (sweepDivergedNotes), on made-up rows.
import { describe, expect, it } from 'vitest';
import {
  divergedNote,
  medianRuns,
  runsByWidth,
  sweepMedians,
  sweepSlopes,
  type TrainingSweepRow,
} from '../src/experiments/training';
import { sweepDivergedNotes } from '../src/ui/training/drawTraining';

/** A row whose every metric is `value` (diverged rows get huge ones, as real ones do). */
function row(width: number, seed: number, stopped: TrainingSweepRow['stopped'], value: number) {
  return {
    blocks: 3,
    width,
    seed,
    kernelChange: value,
    gapNtk: value,
    gapBlock: value,
    loss: value,
    steps: seed * 10,
    stopped,
  } satisfies TrainingSweepRow;
}

/** Pseudo-random but fixed values in (0, 1), for the runs that did not diverge. */
const fineValue = (width: number, seed: number) => ((width * 7919 + seed * 104729) % 997) / 1000;

function rowsOf(
  widths: number[],
  seeds: number,
  diverges: (width: number, seed: number) => boolean,
) {
  return widths.flatMap((width) =>
    Array.from({ length: seeds }, (_, seed) =>
      diverges(width, seed)
        ? row(width, seed, 'diverged', 1e15 + seed)
        : row(width, seed, seed % 2 === 0 ? 'converged' : 'steps', fineValue(width, seed) + 1e-3),
    ),
  );
}

/** The lower median, by hand. */
function lower(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

describe('medianRuns: which runs a median is taken over', () => {
  const rows = rowsOf([96], 8, (_, seed) => seed === 2 || seed === 5);

  it('leaves the diverged runs out and counts them', () => {
    const g = medianRuns(rows);
    expect(g.runs.map((r) => r.seed)).toEqual([0, 1, 3, 4, 6, 7]);
    expect(g.runs.every((r) => r.stopped !== 'diverged')).toBe(true);
    expect(g).toMatchObject({ total: 8, diverged: 2, divergedKept: 0 });
  });

  it('keeps them with includeDiverged, and counts them as kept', () => {
    const g = medianRuns(rows, true);
    expect(g.runs).toEqual(rows);
    expect(g).toMatchObject({ total: 8, diverged: 0, divergedKept: 2 });
  });

  it('none diverged; all diverged; no runs', () => {
    const fine = rowsOf([96], 3, () => false);
    expect(medianRuns(fine)).toEqual({ runs: fine, total: 3, diverged: 0, divergedKept: 0 });
    const bad = rowsOf([96], 3, () => true);
    expect(medianRuns(bad)).toEqual({ runs: [], total: 3, diverged: 3, divergedKept: 0 });
    expect(medianRuns([])).toEqual({ runs: [], total: 0, diverged: 0, divergedKept: 0 });
  });

  it('runsByWidth: per width, ascending', () => {
    const mixed = rowsOf([256, 64, 128], 4, (w, s) => (w === 64 ? s < 1 : w === 128));
    const groups = runsByWidth(mixed);
    expect(groups.map((g) => [g.width, g.runs.length, g.diverged])).toEqual([
      [64, 3, 1],
      [128, 0, 4],
      [256, 4, 0],
    ]);
    expect(runsByWidth(mixed, true).map((g) => [g.width, g.runs.length, g.divergedKept])).toEqual([
      [64, 4, 1],
      [128, 4, 4],
      [256, 4, 0],
    ]);
  });

  it('divergedNote: in words', () => {
    const note = (total: number, diverged: number, divergedKept: number) =>
      divergedNote({ total, diverged, divergedKept });
    expect(note(8, 0, 0)).toBeNull();
    expect(note(8, 2, 0)).toBe('2 of 8 runs diverged, left out');
    expect(note(8, 8, 0)).toBe('all 8 runs diverged');
    expect(note(8, 0, 2)).toBe('2 of 8 runs diverged, kept');
    expect(note(8, 0, 8)).toBe('all 8 runs diverged, kept');
    expect(note(1, 1, 0)).toBe('all 1 run diverged');
  });
});

describe('sweep medians and slopes leave diverged runs out', () => {
  const widths = [64, 128, 256, 512];
  // Two of five runs diverge at 128, all at 512, none elsewhere.
  const diverges = (w: number, s: number) => (w === 128 && (s === 1 || s === 3)) || w === 512;
  const rows = rowsOf(widths, 5, diverges);

  it('per width: the lower median of the runs that did not diverge; none where all did', () => {
    const points = sweepMedians(rows, (r) => r.gapBlock);
    expect(points.map((p) => p.width)).toEqual([64, 128, 256]);
    for (const p of points) {
      const fine = rows.filter((r) => r.width === p.width && !diverges(r.width, r.seed));
      expect(p.values).toEqual(fine.map((r) => r.gapBlock).sort((a, b) => a - b));
      expect(p.median).toBe(lower(fine.map((r) => r.gapBlock)));
    }
    // Kept, the diverged values are in and move the median at 128; 512 has a point again.
    const kept = sweepMedians(rows, (r) => r.gapBlock, true);
    expect(kept.map((p) => p.width)).toEqual(widths);
    const all128 = rows.filter((r) => r.width === 128).map((r) => r.gapBlock);
    expect(kept[1].median).toBe(lower(all128));
    expect(kept[1].median).not.toBe(points[1].median);
  });

  it('the slopes fit those medians', () => {
    const slopeOf = (points: { width: number; median: number }[]) => {
      const x = points.map((p) => Math.log(p.width));
      const y = points.map((p) => Math.log(p.median));
      const mx = x.reduce((a, b) => a + b) / x.length;
      const my = y.reduce((a, b) => a + b) / y.length;
      let sxy = 0;
      let sxx = 0;
      for (let i = 0; i < x.length; i++) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) ** 2;
      }
      return sxy / sxx;
    };
    const fine = widths.flatMap((w) => {
      const values = rows
        .filter((r) => r.width === w && !diverges(r.width, r.seed))
        .map((r) => r.gapNtk as number);
      return values.length > 0 ? [{ width: w, median: lower(values) }] : [];
    });
    expect(fine).toHaveLength(3);
    expect(sweepSlopes(rows).gapNtk).toBeCloseTo(slopeOf(fine), 12);
    const every = widths.map((w) => ({
      width: w,
      median: lower(rows.filter((r) => r.width === w).map((r) => r.gapNtk as number)),
    }));
    expect(sweepSlopes(rows, true).gapNtk).toBeCloseTo(slopeOf(every), 12);
    expect(Math.abs(slopeOf(every) - slopeOf(fine))).toBeGreaterThan(0.1);
  });

  it("the view's words: a line per width with diverged runs", () => {
    expect(sweepDivergedNotes(rows)).toEqual([
      'm = 128: 2 of 5 runs diverged, left out',
      'm = 512: all 5 runs diverged, no point',
    ]);
    expect(sweepDivergedNotes(rowsOf(widths, 3, () => false))).toEqual([]);
  });
});
