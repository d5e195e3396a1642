// The training page's plots, on 2D canvases (prepareCanvas: CSS-pixel units, white ground):
// - drawLoss: training loss of each model against the step, log–log;
// - drawKernelChange: ‖K_t − K_0‖_F / ‖K_0‖_F of the network against the step (and the tanh
//   contrast's B = 1 and B = 2 networks when it has run);
// - drawDistances: ‖W_b − W_b,0‖_F of every block and model against the step, with R = 1;
// - drawPredictions: prediction against target on the held-out inputs, one marker per model;
// - drawTrainingSweep: kernel change and both gaps against m, medians and fitted slopes.
// Step 0 sits at the left end of the log step axis, labelled 0 (a log axis has no 0).

import type { TrainedModel } from '../../engine/trainer';
import {
  divergedNote,
  type ModelCheckpoint,
  type ModelRun,
  runsByWidth,
  sweepMedians,
} from '../../experiments/training';
import {
  type AxisLabelStyle,
  drawAxisLabels,
  drawEmptyNote,
  drawHorizontalGridLine,
  drawPlotBorder,
  drawReferenceLine,
  drawVerticalGridLine,
  plotFont,
  startPlot,
} from '../plot/canvas';
import { DIRECTION_COLOURS, DIRECTION_DASHES } from '../plot/drawPanel';
import { formatSlope, logLogFrame } from '../plot/drawSweep';
import {
  atLeastTwoDecades,
  clipToPlot,
  type Frame,
  type LegendEntry,
  legend,
  logScaleY,
} from '../plot/logAxes';
import type { ContrastData, SweepData, TrainingSnapshot } from './protocol';

export const MODEL_STYLE: Record<TrainedModel, { colour: string; dash: number[]; name: string }> = {
  network: { colour: DIRECTION_COLOURS[0], dash: [], name: 'network' },
  ntk: { colour: DIRECTION_COLOURS[4], dash: [...DIRECTION_DASHES[1]], name: 'NTK model' },
  block: {
    colour: DIRECTION_COLOURS[2],
    dash: [...DIRECTION_DASHES[3]],
    name: 'block model',
  },
};

/** The tanh contrast's two networks: B = 1 (one wide block) and B = 2 (a bottleneck). */
const CONTRAST_STYLE: Record<number, { colour: string; dash: number[] }> = {
  1: { colour: DIRECTION_COLOURS[1], dash: [...DIRECTION_DASHES[2]] },
  2: { colour: DIRECTION_COLOURS[3], dash: [...DIRECTION_DASHES[4]] },
};

/** The dashed R = 1 line of the distance plot, and the y = x line of the predictions. */
const R_LINE = { colour: '#666', dash: [6, 4], width: 1.5 };
const DIAGONAL_LINE = { colour: '#888', dash: [5, 4], width: 1.2 };

const FALLBACK = { width: 480, height: 260 };
const MARGIN = { left: 56, right: 12, top: 26, bottom: 38 };
/** The page's plots are smaller than the figure's: titles from x = 8, axis labels a size down. */
const TITLE_X = 8;
const AXIS_LABELS: AxisLabelStyle = { fontSize: 12, bottomGap: 5, leftGap: 13 };
/** Tick labels under the plot sit this far below its bottom edge. */
const TICK_GAP = 14;

/** "step" or "block step": what the step axis counts ("step" before any run). */
export function stepUnit(snapshot: TrainingSnapshot | null | undefined): string {
  return !snapshot || snapshot.settings.optimiser === 'gd' ? 'step' : 'block step';
}

/** Steps (or block steps) the run is set to take; 0 before any run. */
export function totalSteps(snapshot: TrainingSnapshot | null | undefined): number {
  if (!snapshot) return 0;
  const s = snapshot.settings;
  return s.optimiser === 'gd' ? s.steps : s.steps * s.blocks;
}

/** "NTK model diverged at step 120", "network converged at step 800", or "" while running. */
export function runStatus(run: ModelRun, snapshot: TrainingSnapshot, finished: boolean): string {
  const unit = stepUnit(snapshot);
  if (run.stopped === 'diverged') return `diverged at ${unit} ${run.steps}`;
  if (run.stopped === 'converged') return `converged at ${unit} ${run.steps}`;
  return finished ? `ran ${run.steps} ${unit}s` : '';
}

function legendText(run: ModelRun, snapshot: TrainingSnapshot, finished: boolean): string {
  const status = runStatus(run, snapshot, finished);
  const name = MODEL_STYLE[run.model].name;
  return status && run.stopped !== 'steps' ? `${name}: ${status}` : name;
}

function decadeLabel(e: number): string {
  return e === 0 ? '1' : e === 1 ? '10' : `1e${e}`;
}

/**
 * Frame of a plot against the step on log–log axes: x from step 0 (drawn at ½) to `total`,
 * y over the decades of the positive finite `values`. Null when nothing positive is there.
 */
function stepFrame(
  canvas: HTMLCanvasElement,
  dpr: number,
  title: string,
  xLabel: string,
  yLabel: string,
  total: number,
  values: number[],
  empty: string,
  yFloor = Number.NEGATIVE_INFINITY,
  yCeil = Number.POSITIVE_INFINITY,
): Frame | null {
  const started = startPlot(canvas, FALLBACK, MARGIN, dpr, title, TITLE_X);
  if (!started) return null;
  const { ctx, height: h, plot } = started;
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  if (positive.length === 0 || total < 1) {
    drawEmptyNote(ctx, MARGIN, empty);
    return null;
  }
  const x0 = Math.log10(0.5);
  const x1 = Math.log10(Math.max(total, 2));
  const lo = Math.max(Math.floor(Math.log10(Math.min(...positive))), yFloor);
  // A diverged run would stretch the axis over a hundred decades: values above yCeil leave the
  // top (its × marks where it stopped).
  const hi = Math.min(Math.ceil(Math.log10(Math.max(...positive))), yCeil);
  const [y0, y1] = atLeastTwoDecades(Math.min(lo, hi - 1), hi);
  const sx = (step: number) =>
    plot.left + ((Math.log10(Math.max(step, 0.5)) - x0) / (x1 - x0)) * plot.width;
  const sy = logScaleY(plot, y0, y1);
  ctx.font = plotFont(12);
  ctx.lineWidth = 1;
  const every = Math.max(1, Math.ceil((18 * (y1 - y0)) / plot.height));
  for (let e = y0; e <= y1; e++) {
    if ((y1 - e) % every === 0) drawHorizontalGridLine(ctx, plot, sy(10 ** e), `1e${e}`);
  }
  const ticks = [0];
  for (let e = 0; 10 ** e <= total; e++) ticks.push(10 ** e);
  const xEvery = Math.max(1, Math.ceil((38 * ticks.length) / plot.width));
  ticks.forEach((step, i) => {
    const label = step === 0 ? '0' : decadeLabel(Math.round(Math.log10(step)));
    drawVerticalGridLine(
      ctx,
      plot,
      sx(step),
      i !== 0 && i % xEvery !== 0 ? undefined : label,
      TICK_GAP,
    );
  });
  drawPlotBorder(ctx, plot);
  drawAxisLabels(ctx, plot, h, xLabel, yLabel, AXIS_LABELS);
  return { ctx, sx, sy, plot };
}

/** A polyline through the positive finite points; a cross at the top edge where it diverged. */
function curve(
  frame: Frame,
  points: { x: number; y: number }[],
  colour: string,
  dash: number[],
  width = 2.2,
): void {
  const { ctx, sx, sy } = frame;
  ctx.strokeStyle = colour;
  ctx.fillStyle = colour;
  ctx.lineWidth = width;
  ctx.setLineDash(dash);
  ctx.beginPath();
  let open = false;
  for (const p of points) {
    if (!(p.y > 0 && Number.isFinite(p.y))) {
      open = false;
      continue;
    }
    if (!open) ctx.moveTo(sx(p.x), sy(p.y));
    else ctx.lineTo(sx(p.x), sy(p.y));
    open = true;
  }
  ctx.stroke();
  ctx.setLineDash([]);
  for (const p of points) {
    if (!(p.y > 0 && Number.isFinite(p.y))) continue;
    ctx.beginPath();
    ctx.arc(sx(p.x), sy(p.y), 1.8, 0, 2 * Math.PI);
    ctx.fill();
  }
}

/** A bold × where a run diverged, at its last finite value or the top edge. */
function divergenceMark(frame: Frame, run: ModelRun, value: (c: ModelCheckpoint) => number) {
  if (run.stopped !== 'diverged') return;
  const { ctx, sx, sy, plot } = frame;
  const last = run.checkpoints[run.checkpoints.length - 1];
  const v = value(last);
  const x = sx(last.step);
  const y = v > 0 && Number.isFinite(v) ? Math.max(plot.top + 6, sy(v)) : plot.top + 6;
  ctx.strokeStyle = MODEL_STYLE[run.model].colour;
  ctx.lineWidth = 3;
  ctx.beginPath();
  ctx.moveTo(x - 5, y - 5);
  ctx.lineTo(x + 5, y + 5);
  ctx.moveTo(x + 5, y - 5);
  ctx.lineTo(x - 5, y + 5);
  ctx.stroke();
}

function modelEntry(run: ModelRun, snapshot: TrainingSnapshot, finished: boolean): LegendEntry {
  const style = MODEL_STYLE[run.model];
  return { colour: style.colour, dash: style.dash, text: legendText(run, snapshot, finished) };
}

export function drawLoss(
  canvas: HTMLCanvasElement,
  snapshot: TrainingSnapshot | null,
  finished: boolean,
  dpr = window.devicePixelRatio || 1,
): void {
  const runs = snapshot?.runs ?? [];
  const frame = stepFrame(
    canvas,
    dpr,
    'Training loss',
    `${stepUnit(snapshot)} (log)`,
    'loss (log)',
    totalSteps(snapshot),
    runs.flatMap((r) => r.checkpoints.map((c) => c.loss)),
    snapshot ? 'waiting for the first checkpoint…' : 'no run yet',
    -16,
    // Divergence is 10⁶ × the initial loss: two decades more are shown.
    Math.ceil(Math.log10(Math.max(1e-300, ...runs.map((r) => r.checkpoints[0]?.loss ?? 0)))) + 8,
  );
  if (!frame || !snapshot) return;
  clipToPlot(frame);
  // The network first and wider: a model on top of it (they often coincide) still shows both.
  for (const run of runs) {
    const style = MODEL_STYLE[run.model];
    curve(
      frame,
      run.checkpoints.map((c) => ({ x: c.step, y: c.loss })),
      style.colour,
      style.dash,
      run.model === 'network' ? 3.4 : 2,
    );
  }
  frame.ctx.restore();
  for (const run of runs) divergenceMark(frame, run, (c) => c.loss);
  legend(
    frame,
    runs.map((r) => modelEntry(r, snapshot, finished)),
    'bottom-left',
  );
}

export function drawKernelChange(
  canvas: HTMLCanvasElement,
  snapshot: TrainingSnapshot | null,
  contrast: ContrastData | null,
  dpr = window.devicePixelRatio || 1,
): void {
  const network = snapshot?.runs.find((r) => r.model === 'network');
  const others = (contrast?.runs ?? []).filter((r) => r.snapshot);
  const series: { label: string; colour: string; dash: number[]; run: ModelRun }[] = [];
  if (network && snapshot) {
    const s = snapshot.settings;
    series.push({
      label: `network (${s.activation === 'tanh' ? 'tanh' : 'linear'}, B = ${s.blocks})`,
      colour: MODEL_STYLE.network.colour,
      dash: [],
      run: network,
    });
  }
  for (const c of others) {
    const run = c.snapshot?.runs.find((r) => r.model === 'network');
    if (!run) continue;
    const style = CONTRAST_STYLE[c.blocks] ?? CONTRAST_STYLE[1];
    series.push({ label: `tanh, B = ${c.blocks}`, colour: style.colour, dash: style.dash, run });
  }
  const total = Math.max(totalSteps(snapshot), ...others.map((c) => totalSteps(c.snapshot)));
  const frame = stepFrame(
    canvas,
    dpr,
    'Kernel change ‖K_t − K_0‖_F / ‖K_0‖_F',
    `${stepUnit(snapshot)} (log)`,
    'relative change (log)',
    total,
    series.flatMap((s) => s.run.checkpoints.map((c) => c.kernelChange ?? 0)),
    snapshot || others.length ? 'the kernel has not moved yet' : 'no run yet',
    -12,
    4,
  );
  if (!frame) return;
  clipToPlot(frame);
  for (const s of series) {
    curve(
      frame,
      s.run.checkpoints.map((c) => ({ x: c.step, y: c.kernelChange ?? 0 })),
      s.colour,
      s.dash,
    );
  }
  frame.ctx.restore();
  legend(
    frame,
    series.map((s) => ({
      colour: s.colour,
      dash: s.dash,
      text: s.run.stopped === 'diverged' ? `${s.label}: diverged` : s.label,
    })),
    'bottom-right',
  );
}

export function drawDistances(
  canvas: HTMLCanvasElement,
  snapshot: TrainingSnapshot | null,
  finished: boolean,
  dpr = window.devicePixelRatio || 1,
): void {
  const runs = snapshot?.runs ?? [];
  const blocks = snapshot?.settings.blocks ?? 0;
  const frame = stepFrame(
    canvas,
    dpr,
    'Distance from init ‖W_b − W_b,0‖_F',
    `${stepUnit(snapshot)} (log)`,
    'distance (log)',
    totalSteps(snapshot),
    [...runs.flatMap((r) => r.checkpoints.flatMap((c) => c.distances)), 1],
    'no run yet',
    -8,
    5,
  );
  if (!frame || !snapshot) return;
  const { ctx, sy, plot } = frame;
  clipToPlot(frame);
  // The ball of Theorem 1 has radius R = O(1); the paper fixes no value: R = 1 for reference.
  drawReferenceLine(ctx, [plot.left, sy(1)], [plot.left + plot.width, sy(1)], R_LINE);
  for (const run of runs) {
    const style = MODEL_STYLE[run.model];
    for (let b = 0; b < blocks; b++) {
      curve(
        frame,
        run.checkpoints.map((c) => ({ x: c.step, y: c.distances[b] ?? 0 })),
        style.colour,
        [...DIRECTION_DASHES[b % DIRECTION_DASHES.length]],
        (run.model === 'network' ? 1.5 : 1) * (b === 0 ? 2.2 : 1.6),
      );
    }
  }
  ctx.restore();
  for (const run of runs) divergenceMark(frame, run, (c) => Math.max(...c.distances));
  // On a narrow plot the models' colours are left to the loss plot's legend (and the table).
  const entries: LegendEntry[] = (frame.plot.width < 420 ? [] : runs).map((r) => ({
    colour: MODEL_STYLE[r.model].colour,
    dash: [],
    text: legendText(r, snapshot, finished),
  }));
  if (blocks > 1) {
    for (let b = 0; b < blocks; b++) {
      entries.push({
        colour: '#444',
        dash: [...DIRECTION_DASHES[b % DIRECTION_DASHES.length]],
        width: b === 0 ? 2.2 : 1.6,
        text: `block ${b + 1}`,
      });
    }
  }
  entries.push({ ...R_LINE, text: 'R = 1 (reference)' });
  legend(frame, entries, 'bottom-right');
}

/** 1-2-5 ticks covering [lo, hi]. */
function niceTicks(lo: number, hi: number, count: number): number[] {
  const span = hi - lo || 1;
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((f) => f * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(v);
  return ticks;
}

function formatTick(v: number): string {
  if (Math.abs(v) < 1e-12) return '0';
  const s =
    Math.abs(v) >= 1000 || Math.abs(v) < 0.01 ? v.toExponential(0) : String(+v.toPrecision(3));
  return s.replace('-', '−');
}

/** One marker shape per model (the second channel beside colour). */
function marker(ctx: CanvasRenderingContext2D, model: TrainedModel, x: number, y: number): void {
  ctx.beginPath();
  if (model === 'network') ctx.arc(x, y, 4.2, 0, 2 * Math.PI);
  else if (model === 'ntk') ctx.rect(x - 2.8, y - 2.8, 5.6, 5.6);
  else {
    ctx.moveTo(x, y - 3.6);
    ctx.lineTo(x + 3.4, y + 2.6);
    ctx.lineTo(x - 3.4, y + 2.6);
    ctx.closePath();
  }
}

export function drawPredictions(
  canvas: HTMLCanvasElement,
  snapshot: TrainingSnapshot | null,
  dpr = window.devicePixelRatio || 1,
): void {
  const latest = snapshot?.runs.map((r) => ({
    run: r,
    at: r.checkpoints[r.checkpoints.length - 1],
  }));
  const step = latest?.length ? Math.max(...latest.map((l) => l.at?.step ?? 0)) : 0;
  const started = startPlot(
    canvas,
    FALLBACK,
    MARGIN,
    dpr,
    snapshot ? `Held-out predictions at ${stepUnit(snapshot)} ${step}` : 'Held-out predictions',
    TITLE_X,
  );
  if (!started) return;
  const { ctx, height: h, plot } = started;
  const targets = snapshot?.heldOutTargets.data ?? new Float64Array();
  if (!snapshot || !latest || targets.length === 0) {
    drawEmptyNote(ctx, MARGIN, 'no run yet');
    return;
  }
  const all = [...targets];
  for (const l of latest)
    if (l.at) for (const v of l.at.heldOut.data) if (Number.isFinite(v)) all.push(v);
  // Axes span the targets, widened to the predictions up to 3× the targets' span (a diverged
  // model would otherwise flatten everything): points beyond sit on the edge.
  let tLo = Math.min(...targets);
  let tHi = Math.max(...targets);
  if (tHi - tLo < 1e-12) {
    tLo -= 1;
    tHi += 1;
  }
  const spanT = tHi - tLo;
  const lo = Math.max(Math.min(...all), tLo - spanT);
  const hi = Math.min(Math.max(...all), tHi + spanT);
  const pad = (hi - lo) * 0.04;
  const [x0, x1] = [tLo - spanT * 0.04, tHi + spanT * 0.04];
  const [y0, y1] = [lo - pad, hi + pad];
  const sx = (v: number) => plot.left + ((v - x0) / (x1 - x0)) * plot.width;
  const sy = (v: number) =>
    plot.top + (1 - (Math.min(y1, Math.max(y0, v)) - y0) / (y1 - y0)) * plot.height;
  ctx.font = plotFont(12);
  ctx.lineWidth = 1;
  for (const t of niceTicks(y0, y1, Math.max(2, Math.floor(plot.height / 40)))) {
    drawHorizontalGridLine(ctx, plot, sy(t), formatTick(t));
  }
  for (const t of niceTicks(x0, x1, Math.max(2, Math.floor(plot.width / 70)))) {
    drawVerticalGridLine(ctx, plot, sx(t), formatTick(t), TICK_GAP);
  }
  drawPlotBorder(ctx, plot);
  drawAxisLabels(
    ctx,
    plot,
    h,
    'target (every output, every held-out input)',
    'prediction',
    AXIS_LABELS,
  );
  const frame: Frame = { ctx, sx, sy, plot };
  clipToPlot(frame);
  // y = x: a perfect prediction.
  const diagonalY = (v: number) => plot.top + (1 - (v - y0) / (y1 - y0)) * plot.height;
  drawReferenceLine(ctx, [sx(x0), diagonalY(x0)], [sx(x1), diagonalY(x1)], DIAGONAL_LINE);
  for (const { run, at } of latest) {
    if (!at) continue;
    const style = MODEL_STYLE[run.model];
    ctx.fillStyle = style.colour;
    ctx.strokeStyle = style.colour;
    ctx.globalAlpha = run.model === 'network' ? 0.75 : 0.6;
    at.heldOut.data.forEach((v, i) => {
      if (!Number.isFinite(v)) return;
      marker(ctx, run.model, sx(targets[i]), sy(v));
      // Hollow circles (network) and squares (NTK), filled triangles (block): coinciding
      // predictions still show each model.
      if (run.model === 'block') ctx.fill();
      else {
        ctx.lineWidth = 1.4;
        ctx.stroke();
      }
    });
    ctx.globalAlpha = 1;
  }
  ctx.restore();
  legend(
    frame,
    [
      ...latest.map(({ run }) => ({
        colour: MODEL_STYLE[run.model].colour,
        dash: [],
        text: `${MODEL_STYLE[run.model].name}${run.stopped === 'diverged' ? ' (diverged)' : ''}`,
      })),
      { ...DIAGONAL_LINE, text: 'prediction = target' },
    ],
    'top-left',
  );
}

const SWEEP_SERIES: {
  key: 'kernelChange' | 'gapNtk' | 'gapBlock';
  label: string;
  colour: string;
  dash: number[];
}[] = [
  { key: 'kernelChange', label: 'kernel change', colour: MODEL_STYLE.network.colour, dash: [] },
  {
    key: 'gapNtk',
    label: 'gap to NTK model',
    colour: MODEL_STYLE.ntk.colour,
    dash: MODEL_STYLE.ntk.dash,
  },
  {
    key: 'gapBlock',
    label: 'gap to block model',
    colour: MODEL_STYLE.block.colour,
    dash: MODEL_STYLE.block.dash,
  },
];

/** Per width with diverged runs: "m = 96: 2 of 8 runs diverged, left out" (divergedNote). */
export function sweepDivergedNotes(rows: SweepData['rows']): string[] {
  return runsByWidth(rows).flatMap((g) => {
    const note = divergedNote(g);
    return note ? [`m = ${g.width}: ${note}${g.runs.length === 0 ? ', no point' : ''}`] : [];
  });
}

export function drawTrainingSweep(
  canvas: HTMLCanvasElement,
  sweep: SweepData | null,
  dpr = window.devicePixelRatio || 1,
): void {
  const all = sweep?.rows ?? [];
  // Diverged runs are left out (medianRuns): no dot, no median; a width whose runs all diverged
  // has no point, and the legend names it.
  const groups = runsByWidth(all);
  const rows = groups.flatMap((g) => g.runs);
  const present = SWEEP_SERIES.filter((s) => rows.some((r) => r[s.key] !== null));
  const frame = logLogFrame(
    canvas,
    dpr,
    'After training, against the width m',
    'relative size (log)',
    sweep?.widths ?? [],
    rows.flatMap((r) => present.map((s) => r[s.key] ?? 0)),
    sweep ? 'waiting for the first width…' : 'no sweep yet',
  );
  if (!frame || !sweep) return;
  const { ctx, sx, sy } = frame;
  clipToPlot(frame);
  present.forEach((s, i) => {
    const points = sweepMedians(rows, (r) => r[s.key]);
    ctx.fillStyle = s.colour;
    ctx.globalAlpha = 0.45;
    for (const p of points) {
      for (const v of p.values) {
        ctx.beginPath();
        ctx.arc(sx(p.width) + (i - 1) * 5, sy(v), 2.4, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
    ctx.globalAlpha = 1;
    curve(
      frame,
      points.map((p) => ({ x: p.width, y: p.median })),
      s.colour,
      s.dash,
      2.5,
    );
  });
  ctx.restore();
  const slopes = sweep.slopes;
  legend(
    frame,
    [
      ...present.map((s) => ({
        colour: s.colour,
        dash: s.dash,
        text: `${s.label}: slope ${formatSlope(slopes ? slopes[s.key] : Number.NaN)}`,
      })),
      ...sweepDivergedNotes(all).map((text) => ({ colour: 'transparent', dash: [], text })),
    ],
    'bottom-left',
  );
}
