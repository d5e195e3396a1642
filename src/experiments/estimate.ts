// How long a job will take on the engine in use, before it is started: the cost model of
// limits.ts (multiply-adds) divided by a rate measured on the engine and adapter on first use,
// plus a fixed overhead. The page asks before a job estimated over ASK_FIRST_MS (docs/views.md).

import type { EngineInfo } from '../engine/types';
import { type PanelSpec, planPanels } from './figure';
import {
  blockStructureMultiplyAdds,
  CPU_MAX_MULTIPLY_ADDS,
  degreeSweepWork,
  figureMultiplyAdds,
  panelMultiplyAdds,
  sweepMultiplyAdds,
} from './limits';
import { FIGURE1, type FigureSettings } from './settings';
import { SWEEP_NETWORKS, sweepFamilies, sweepWidths } from './sweep';

/** A job estimated over this many milliseconds waits for the reader's "Run anyway". */
export const ASK_FIRST_MS = 10_000;

/**
 * No engine multiplies slower than this (multiply-adds per second): plain JavaScript on one core
 * does about 6·10⁸, SwiftShader's software WebGPU a few 10⁸. A job of fewer than
 * SLOWEST_RATE × threshold multiply-adds cannot pass the threshold, so it is neither measured
 * nor asked about (the default view never calibrates for its own sake).
 */
export const SLOWEST_RATE = 1e7;

/** Which job an estimate is for: the figure or one of the on-demand analyses. */
export type Job = 'figure' | 'sweep' | 'blocks' | 'verdict';

/** What a measurement of one engine on one adapter found. */
export interface Calibration {
  /** `calibrationKey`: engine kind, adapter and precision. */
  key: string;
  /** Multiply-adds per second (as limits.ts counts them) on stored weights. */
  rate: number;
  /**
   * Milliseconds every request (one panel, one sweep network) costs whatever its size: messages,
   * submits, read-backs, the panel's own analysis.
   */
  overheadMs: number;
  /** Multiply-adds per second of grid panels, once a job with some has finished (observeJob). */
  gridRate?: number | null;
  /** How long the measurement itself took, in milliseconds. */
  ms: number;
  /** The two requests the line goes through: the tiny one and the one that showed the rate. */
  points: CalibrationPoint[];
}

/** A job's estimate, as the confirmation shows it. */
export interface JobEstimate {
  job: Job;
  /** Estimated wall time in milliseconds. */
  ms: number;
  multiplyAdds: number;
  /** "SwiftShader (float32)", "CPU engine (float64)". */
  engine: string;
  /** The adapter as the engine names it. */
  adapter: string;
}

/** One calibration per engine kind, adapter and precision. */
export function calibrationKey(info: EngineInfo): string {
  return `${info.kind}|${info.adapter}|${info.precision}`;
}

/**
 * A short name for the engine and adapter: "SwiftShader (float32)" for a WebGPU adapter named
 * "google · swiftshader", the adapter's name before any "(…)" for others, "CPU engine (float64)".
 */
export function engineLabel(info: EngineInfo): string {
  if (info.kind === 'cpu') return `CPU engine (${info.precision})`;
  const name = /swiftshader/i.test(info.adapter)
    ? 'SwiftShader'
    : info.adapter.split(' (')[0].trim() || 'WebGPU';
  return `${name} (${info.precision})`;
}

/**
 * Milliseconds for `requests` requests of `multiplyAdds` in all, `grid` of them in grid panels:
 * overhead each + exact work ÷ rate + grid work ÷ grid rate (the exact rate until one is seen).
 */
export function estimateMs(
  multiplyAdds: number,
  requests: number,
  calibration: Pick<Calibration, 'rate' | 'overheadMs'> & { gridRate?: number | null },
  grid = 0,
): number {
  const gridRate = calibration.gridRate ?? calibration.rate;
  return (
    requests * calibration.overheadMs +
    ((multiplyAdds - grid) / calibration.rate) * 1000 +
    (grid / gridRate) * 1000
  );
}

/** Whether a job of `multiplyAdds` could take longer than `thresholdMs` on any engine. */
export function mayExceed(multiplyAdds: number, thresholdMs: number): boolean {
  return multiplyAdds > (SLOWEST_RATE * thresholdMs) / 1000;
}

/** "about 40 s", "about 2 min 10 s", "about 0.4 s". */
export function formatEstimate(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 59.5) return `about ${s < 10 ? s.toPrecision(1) : Math.round(s)} s`;
  const whole = Math.round(s);
  return `about ${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
}

/**
 * Multiply-adds of a job on an engine of this kind, or null where the job refuses these settings
 * before computing (σ ≠ identity for an analysis, a polynomial with too many terms, a figure
 * over the CPU engine's cap): those fail at once and are never asked about.
 */
export function jobMultiplyAdds(
  job: Job,
  settings: FigureSettings,
  engineKind: 'webgpu' | 'cpu',
): number | null {
  return jobWork(job, settings, engineKind)?.multiplyAdds ?? null;
}

/** What a job costs: multiply-adds, those of grid panels among them, engine requests. */
export interface JobWork {
  multiplyAdds: number;
  /** Multiply-adds of grid panels (σ ≠ identity): they have a rate of their own (observeJob). */
  grid: number;
  requests: number;
}

/** A job's multiply-adds and the number of engine requests it makes (see jobMultiplyAdds). */
export function jobWork(
  job: Job,
  settings: FigureSettings,
  engineKind: 'webgpu' | 'cpu',
): JobWork | null {
  try {
    if (job === 'sweep') {
      const multiplyAdds = sweepMultiplyAdds(settings, engineKind);
      const requests =
        sweepWidths(settings, engineKind).length * sweepFamilies(settings).length * SWEEP_NETWORKS;
      return multiplyAdds === null ? null : { multiplyAdds, grid: 0, requests };
    }
    if (job === 'verdict') return degreeSweepWork(settings, engineKind);
    if (job === 'blocks') {
      const multiplyAdds = blockStructureMultiplyAdds(settings);
      return multiplyAdds === null ? null : { multiplyAdds, grid: 0, requests: 1 };
    }
    const panels = planPanels(settings);
    const multiplyAdds = figureMultiplyAdds(settings, panels);
    if (engineKind === 'cpu' && multiplyAdds > CPU_MAX_MULTIPLY_ADDS) return null;
    const grid = figureMultiplyAdds(
      settings,
      panels.filter((p) => !p.exact),
    );
    return { multiplyAdds, grid, requests: panels.length };
  } catch {
    return null;
  }
}

/** One timed request of a calibration. */
export interface CalibrationPoint {
  width: number;
  multiplyAdds: number;
  /** The faster of two warm runs (weights stored, pipelines compiled), in milliseconds. */
  ms: number;
}

/**
 * The request a calibration times at width m: the all-weights panel of two blocks of three layers
 * (m × m products, the shape of the jobs that take long), an exact per-block polynomial, 5
 * aligned directions — one panel of a figure, set-up and post-processing included.
 */
export function calibrationPanel(width: number): { settings: FigureSettings; panel: PanelSpec } {
  const settings: FigureSettings = {
    ...FIGURE1,
    layers: [3, 3],
    widths: [width, width],
    contrast: 'none',
    seed: 1,
    directionSeed: 2,
  };
  return { settings, panel: planPanels(settings)[0] };
}

/**
 * The base request, whose time is mostly overhead, and the widths tried for the rate. The base
 * has m × m = 2¹⁶ entries per square layer, so the CPU engine already shares its products among
 * its workers (docs/engine.md) and the line's intercept holds that per-product overhead too.
 */
export const CALIBRATION_BASE_WIDTH = 256;
export const CALIBRATION_WIDTHS = [512, 1024] as const;
/**
 * The rate is read from the first width whose request takes CALIBRATION_RATIO times the base one
 * (so that the work, not the overhead or the timer, is measured), or from the widest.
 */
export const CALIBRATION_RATIO = 3;
/**
 * A slow engine stops widening once the calibration has taken this long (SwiftShader, ≈ 10⁸
 * multiply-adds per second and 0.1 s a request, would take 8 s to reach m = 1024), and a request
 * of this length or more is timed once, not twice (the noise is small against it).
 */
export const CALIBRATION_BUDGET_MS = 1000;
export const CALIBRATION_REPEAT_BELOW_MS = 50;

/**
 * Rate and overhead from timed requests of known size. The rate is the largest request's work
 * over its whole time: its overhead counted as work, so that an engine is never thought faster than
 * it was seen to be (a line through two noisy times can give any slope; calibration widths make the
 * largest request ≥ CALIBRATION_RATIO times the smallest, so the rate is low by at most a third).
 * The overhead is what the smallest request took beyond its work at that rate.
 */
export function fitCalibration(points: { multiplyAdds: number; ms: number }[]): {
  rate: number;
  overheadMs: number;
} {
  const sorted = [...points].sort((a, b) => a.multiplyAdds - b.multiplyAdds);
  const small = sorted[0];
  const large = sorted[sorted.length - 1];
  // Timers in workers may be coarse: a request counts as at least 0.1 ms.
  const rate = (large.multiplyAdds / Math.max(large.ms, 0.1)) * 1000;
  const overheadMs = Math.min(
    Math.max(small.ms, 0),
    Math.max(0, small.ms - (small.multiplyAdds / rate) * 1000),
  );
  return { rate, overheadMs };
}

/**
 * Measures an engine: `run` computes one panel and resolves with its milliseconds. Each request
 * runs once untimed (its weights are generated and stored, pipelines compiled), then is timed
 * (twice under CALIBRATION_REPEAT_BELOW_MS, the faster counting: load only ever adds time). The
 * widths double until a request takes CALIBRATION_RATIO times the base one, or the budget is spent.
 * On the CPU engine (2 cores) that is m = 1024, 1.7·10⁸ multiply-adds a request: 0.3–1 s in all;
 * on SwiftShader m = 512, ≈ 1.5 s. Once per engine and adapter, before the first job that might
 * pass the threshold.
 */
export async function calibrate(
  key: string,
  run: (settings: FigureSettings, panel: PanelSpec) => Promise<number>,
  now: () => number = () => performance.now(),
): Promise<Calibration> {
  const start = now();
  const time = async (width: number): Promise<CalibrationPoint> => {
    const { settings, panel } = calibrationPanel(width);
    await run(settings, panel);
    let ms = await run(settings, panel);
    if (ms < CALIBRATION_REPEAT_BELOW_MS) ms = Math.min(ms, await run(settings, panel));
    return { width, multiplyAdds: panelMultiplyAdds(settings, panel).total, ms };
  };
  const base = await time(CALIBRATION_BASE_WIDTH);
  let large = base;
  for (const width of CALIBRATION_WIDTHS) {
    if (now() - start >= CALIBRATION_BUDGET_MS) break;
    large = await time(width);
    if (large.ms >= CALIBRATION_RATIO * base.ms) break;
  }
  const points = [base, large];
  return { key, ...fitCalibration(points), ms: now() - start, points };
}

/**
 * The calibration after a job finished (its time less the overhead of its requests):
 * - a job with grid panels gives the grid rate: what the grid work took beyond the exact work at
 *   the exact rate. The calibration times exact panels only, and a grid panel's cost per counted
 *   multiply-add differs by engine (SwiftShader: ≈ 20× the exact one; tanh, 121 lanes a direction);
 * - an exact job with more multiply-adds than the calibration's largest request shows the rate of
 *   big jobs better than it (on the CPU engine the calibration's matrices fit in cache, a
 *   4096-wide layer does not), so its rate replaces the measured one.
 * Other jobs, and times that are nearly all overhead, change nothing.
 */
export function observeJob(calibration: Calibration, work: JobWork, ms: number): Calibration {
  const workMs = ms - work.requests * calibration.overheadMs;
  if (!(workMs > 0.1 * ms)) return calibration;
  if (work.grid > 0) {
    const gridMs = workMs - ((work.multiplyAdds - work.grid) / calibration.rate) * 1000;
    if (!(gridMs > 0.1 * ms)) return calibration;
    return { ...calibration, gridRate: (work.grid / gridMs) * 1000 };
  }
  const largest = Math.max(...calibration.points.map((p) => p.multiplyAdds), 0);
  if (!(work.multiplyAdds > largest)) return calibration;
  const point: CalibrationPoint = { width: 0, multiplyAdds: work.multiplyAdds, ms };
  return {
    ...calibration,
    rate: (work.multiplyAdds / workMs) * 1000,
    points: [calibration.points[0] ?? point, point],
  };
}

/** The estimate of a job, or null when it is not counted (see jobMultiplyAdds). */
export function estimateJob(
  job: Job,
  settings: FigureSettings,
  info: EngineInfo,
  calibration: Calibration,
): JobEstimate | null {
  const work = jobWork(job, settings, info.kind);
  if (work === null) return null;
  return {
    job,
    ms: estimateMs(work.multiplyAdds, work.requests, calibration, work.grid),
    multiplyAdds: work.multiplyAdds,
    engine: engineLabel(info),
    adapter: info.adapter,
  };
}
