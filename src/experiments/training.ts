// Training experiments (docs/training.md): the network, its NTK model and its block-linearised
// model trained from the same W_0 with the same optimiser, on any Trainer (CPU float64 or GPU
// float32). Gradient descent with a step fixed from K_0 or following the current kernel, and
// block-alternating Gauss–Newton; checkpoints spaced evenly in log(step); the gaps and the kernel
// change the view and the CLI report.

import type { TrainedModel, Trainer, TrainingProblem } from '../engine/trainer';
import { EngineError, type RunOptions } from '../engine/types';
import type { Matrix } from '../model/network';
import type { ActivationPlacement, NetworkSpec } from '../model/spec';
import { checkInteger, checkOneOf, planLayers, SpecError, validateSpec } from '../model/spec';
import { largestEigenvalue, pseudoSolve } from '../model/symmetric';
import {
  drawTrainingData,
  matMul,
  type TrainingData,
  type TrainingTask,
  validateTask,
} from '../model/training';
import { leastSquaresSlope } from './theorem';

export type Optimiser = 'gd' | 'alternating';
export const OPTIMISERS: readonly Optimiser[] = ['gd', 'alternating'];
/** `fixed`: η from K_0 for the whole run; `follow`: η re-estimated from the current kernel. */
export type StepRule = 'fixed' | 'follow';
export const STEP_RULES: readonly StepRule[] = ['fixed', 'follow'];

export interface TrainingSettings {
  blocks: number;
  /** L_b, the same for every block. */
  layers: number;
  width: number;
  /** Width of every bottleneck (B − 1 of them). */
  bottleneck: number;
  d: number;
  k: number;
  /** Rank of the target map; at most the bottleneck width. */
  r: number;
  n: number;
  heldOut: number;
  /** σ inside the blocks: identity trains the three models; tanh trains the network alone. */
  activation: 'identity' | 'tanh';
  optimiser: Optimiser;
  /** Gradient-descent steps, or Gauss–Newton sweeps (every block once per sweep). */
  steps: number;
  /** c in η = c / λ_max(K / n). */
  lr: number;
  stepRule: StepRule;
  /** With `follow`: re-estimate λ_max every this many steps. */
  followEvery: number;
  /** Stop a model once its training loss is below this. */
  tolerance: number;
  seed: number;
}

export const DEFAULT_TRAINING: TrainingSettings = {
  blocks: 2,
  layers: 2,
  width: 256,
  bottleneck: 1,
  d: 8,
  k: 4,
  r: 1,
  n: 6,
  heldOut: 64,
  activation: 'identity',
  optimiser: 'gd',
  steps: 2000,
  lr: 0.2,
  stepRule: 'fixed',
  followEvery: 10,
  tolerance: 1e-12,
  seed: 1,
};

export const TRAINING_RANGES = {
  blocks: [1, 4],
  layers: [1, 4],
  width: [1, 8192],
  steps: [1, 100_000],
  followEvery: [1, 10_000],
} as const;

export function validateTraining(settings: TrainingSettings): TrainingSettings {
  checkInteger('blocks (B)', settings.blocks, ...TRAINING_RANGES.blocks);
  checkInteger('layers (L_b)', settings.layers, ...TRAINING_RANGES.layers);
  checkInteger('width (m)', settings.width, ...TRAINING_RANGES.width);
  checkInteger('steps', settings.steps, ...TRAINING_RANGES.steps);
  checkInteger('followEvery', settings.followEvery, ...TRAINING_RANGES.followEvery);
  checkOneOf('optimiser', settings.optimiser, OPTIMISERS);
  checkOneOf('stepRule', settings.stepRule, STEP_RULES);
  checkOneOf('activation', settings.activation, ['identity', 'tanh'] as const);
  if (!(settings.lr > 0 && settings.lr <= 10)) {
    throw new SpecError('lr (c)', settings.lr, 'must be a number in (0, 10]');
  }
  if (!(settings.tolerance >= 0)) {
    throw new SpecError('tolerance', settings.tolerance, 'must be a number ≥ 0');
  }
  if (settings.blocks > 1) checkInteger('bottleneck width', settings.bottleneck, 1, 64);
  if (settings.r > (settings.blocks > 1 ? settings.bottleneck : Math.min(settings.d, settings.k))) {
    throw new SpecError('r (target rank)', settings.r, 'must be at most the bottleneck width');
  }
  validateTask(trainingTask(settings));
  validateSpec(trainingSpec(settings));
  return settings;
}

export function trainingTask(s: TrainingSettings): TrainingTask {
  return {
    inputSize: s.d,
    outputSize: s.k,
    rank: s.r,
    samples: s.n,
    heldOut: s.heldOut,
    seed: s.seed,
  };
}

export function trainingSpec(s: TrainingSettings): NetworkSpec {
  const placement: ActivationPlacement = s.activation === 'identity' ? 'none' : 'inside-blocks';
  return {
    blocks: Array.from({ length: s.blocks }, () => ({ layers: s.layers, width: s.width })),
    inputSize: s.d,
    bottleneckWidths: Array.from({ length: s.blocks - 1 }, () => s.bottleneck),
    outputSize: s.k,
    activation: s.activation,
    placement,
    seed: s.seed,
  };
}

/** The models a run trains: all three for linear blocks, the network alone with σ. */
export function trainedModels(s: TrainingSettings): TrainedModel[] {
  return s.activation === 'identity' ? ['network', 'ntk', 'block'] : ['network'];
}

export function trainingProblem(
  s: TrainingSettings,
  data = drawTrainingData(trainingTask(s)),
): TrainingProblem {
  return {
    spec: trainingSpec(s),
    trainInputs: data.trainInputs,
    trainTargets: data.trainTargets,
    heldOutInputs: data.heldOutInputs,
    models: trainedModels(s),
  };
}

// ---------------------------------------------------------------------------------------------
// Checkpoints and records

/** Steps 0 … total at which a run records, evenly spaced in log(step): 0, 1, and ≈ perDecade per ×10. */
export function checkpointSteps(total: number, perDecade = 8): number[] {
  const steps = new Set<number>([0, 1, total]);
  const decades = Math.log10(Math.max(total, 1));
  const count = Math.max(1, Math.ceil(decades * perDecade));
  for (let i = 1; i <= count; i++) steps.add(Math.round(10 ** ((decades * i) / count)));
  return [...steps].filter((s) => s <= total).sort((a, b) => a - b);
}

export interface ModelCheckpoint {
  /** Gradient steps, or Gauss–Newton block steps (B per sweep). */
  step: number;
  loss: number;
  /** k × n' outputs on the held-out inputs. */
  heldOut: Matrix;
  /** ‖W_b − W_b,0‖_F per block. */
  distances: number[];
  /** ‖K_t − K_0‖_F / ‖K_0‖_F (network only). */
  kernelChange?: number;
  /** The step size used since the previous checkpoint (gradient descent). */
  eta?: number;
}

export interface ModelRun {
  model: TrainedModel;
  checkpoints: ModelCheckpoint[];
  /** Why it stopped: reached the tolerance, ran every step, or diverged (loss non-finite or ×10⁶). */
  stopped: 'converged' | 'steps' | 'diverged';
  /** Steps (or block steps) taken when it stopped. */
  steps: number;
}

export interface TrainingSummary {
  /** ‖K_T − K_0‖_F / ‖K_0‖_F of the network at the end. */
  kernelChange: number;
  /** max over shared checkpoints of ‖f_net − f_model‖_F / ‖f_net‖_F on the held-out inputs. */
  gapNtk: number | null;
  gapBlock: number | null;
  loss: Record<string, number>;
  steps: Record<string, number>;
  /** Gauss–Newton sweeps the network needed to reach the tolerance (alternating only). */
  sweeps: number | null;
}

export interface TrainingResult {
  settings: TrainingSettings;
  engine: Trainer['info'];
  /** η of the fixed rule: c / λ_max(K_0 / n). */
  eta0: number;
  lambdaMax0: number;
  /** Targets on the held-out inputs (k × n'). */
  heldOutTargets: Matrix;
  runs: ModelRun[];
  summary: TrainingSummary;
  /** Wall-clock milliseconds. */
  totalMs: number;
}

export interface TrainingProgress {
  fraction: number;
  stage: string;
  /** Everything recorded so far: the view draws it live. */
  partial: Omit<TrainingResult, 'summary' | 'totalMs'>;
}

export interface TrainingRunOptions extends Pick<RunOptions, 'signal'> {
  onProgress?: (progress: TrainingProgress) => void;
  /** Awaited between chunks: the view's pause holds the run here. */
  gate?: () => Promise<void>;
  data?: TrainingData;
}

function frobenius(m: Matrix): number {
  let sum = 0;
  for (const v of m.data) sum += v * v;
  return Math.sqrt(sum);
}

function difference(a: Matrix, b: Matrix): Matrix {
  return { rows: a.rows, cols: a.cols, data: a.data.map((v, i) => v - b.data[i]) };
}

export function lossOf(outputs: Matrix, targets: Matrix): number {
  const r = frobenius(difference(outputs, targets));
  return (r * r) / (2 * targets.cols);
}

export function relativeChange(a: Matrix, from: Matrix): number {
  return frobenius(difference(a, from)) / frobenius(from);
}

/** vec of a k × n matrix, sample-major (the kernel's order): entry (o, i) at i·k + o. */
export function vecSampleMajor(m: Matrix): Float64Array {
  const v = new Float64Array(m.rows * m.cols);
  for (let o = 0; o < m.rows; o++)
    for (let i = 0; i < m.cols; i++) v[i * m.rows + o] = m.data[o * m.cols + i];
  return v;
}

export function unvecSampleMajor(v: Float64Array, rows: number, cols: number): Matrix {
  const data = new Float64Array(rows * cols);
  for (let o = 0; o < rows; o++)
    for (let i = 0; i < cols; i++) data[o * cols + i] = v[i * rows + o];
  return { rows, cols, data };
}

function throwIfCancelled(signal?: AbortSignal): void {
  if (signal?.aborted) throw new EngineError('cancelled', 'Training cancelled');
}

const DIVERGENCE_FACTOR = 1e6;
/** Milliseconds of work between turns of the event loop. */
const CHUNK_MS = 25;

/**
 * Trains every model of the problem on `trainer`. Models advance together, chunk by chunk between
 * checkpoints, so a live view sees all of them move.
 */
export async function runTraining(
  trainer: Trainer,
  settings: TrainingSettings,
  options: TrainingRunOptions = {},
): Promise<TrainingResult> {
  validateTraining(settings);
  const started = performance.now();
  const data = options.data ?? drawTrainingData(trainingTask(settings));
  const models = trainedModels(settings);
  const n = settings.n;
  const k0 = await trainer.kernel('network');
  const lambdaMax0 = largestEigenvalue(k0) / n;
  const eta0 = settings.lr / lambdaMax0;
  const heldOutTargets = matMul(data.target, data.heldOutInputs);
  const runs: ModelRun[] = models.map((model) => ({
    model,
    checkpoints: [],
    stopped: 'steps',
    steps: 0,
  }));
  const partial = { settings, engine: trainer.info, eta0, lambdaMax0, heldOutTargets, runs };
  const k0Norm = frobenius(k0);

  const record = async (run: ModelRun, step: number, eta?: number): Promise<number> => {
    const loss = lossOf(await trainer.outputs(run.model, 'train'), data.trainTargets);
    const checkpoint: ModelCheckpoint = {
      step,
      loss,
      heldOut: await trainer.outputs(run.model, 'heldOut'),
      distances: await trainer.distances(run.model),
      eta,
    };
    if (run.model === 'network') {
      const kernel = step === 0 ? k0 : await trainer.kernel('network');
      checkpoint.kernelChange = frobenius(difference(kernel, k0)) / k0Norm;
    }
    run.checkpoints.push(checkpoint);
    return loss;
  };

  const etas = new Map<TrainedModel, number>(models.map((m) => [m, eta0]));
  const active = new Set(models);
  const blocksCount = settings.blocks;
  const totalUnits = settings.optimiser === 'gd' ? settings.steps : settings.steps * blocksCount;
  const checkpoints = checkpointSteps(totalUnits);
  for (const run of runs) await record(run, 0, settings.optimiser === 'gd' ? eta0 : undefined);
  const initialLoss = runs[0].checkpoints[0].loss; // the network's (always trained, first)

  // Work goes in chunks (gradientChunk: deterministic, so a URL always gives the same run), with a
  // loss check after each and a turn of the event loop every CHUNK_MS: a cancel or pause message
  // gets through, a model stops at the chunk where it converged or diverged, and a GPU trainer
  // still gets many steps per submission.
  const maxChunk = maxGradientChunk(problemMultiplyAdds(settings), trainer.info.kind);
  let lastYield = performance.now();
  const advance = async (run: ModelRun, target: number): Promise<ModelRun['stopped'] | null> => {
    while (run.steps < target) {
      await options.gate?.();
      throwIfCancelled(options.signal);
      let chunk = 1;
      if (settings.optimiser === 'gd') {
        chunk = Math.min(target - run.steps, gradientChunk(run.steps, maxChunk));
        if (settings.stepRule === 'follow') {
          if (run.steps > 0 && isFollowStep(run.steps, settings.followEvery)) {
            const lambda = largestEigenvalue(await trainer.kernel(run.model)) / n;
            etas.set(run.model, settings.lr / lambda);
          }
          chunk = Math.min(chunk, nextFollowStep(run.steps, settings.followEvery) - run.steps);
        }
        await trainer.gradientSteps(run.model, etas.get(run.model) as number, chunk);
      } else {
        await gaussNewtonBlockStep(trainer, run.model, run.steps % blocksCount, data.trainTargets);
      }
      run.steps += chunk;
      if (performance.now() - lastYield > CHUNK_MS) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        lastYield = performance.now();
      }
      const loss = lossOf(await trainer.outputs(run.model, 'train'), data.trainTargets);
      if (!Number.isFinite(loss) || loss > DIVERGENCE_FACTOR * Math.max(initialLoss, 1e-300)) {
        return 'diverged';
      }
      if (loss <= settings.tolerance) return 'converged';
    }
    return null;
  };

  for (const target of checkpoints.slice(1)) {
    for (const run of runs) {
      if (!active.has(run.model)) continue;
      const stopped = await advance(run, target);
      await record(run, run.steps, settings.optimiser === 'gd' ? etas.get(run.model) : undefined);
      if (stopped) {
        run.stopped = stopped;
        active.delete(run.model);
      }
    }
    options.onProgress?.({
      fraction: target / totalUnits,
      stage: `${settings.optimiser === 'gd' ? 'step' : 'block step'} ${target} of ${totalUnits}`,
      partial,
    });
    if (active.size === 0) break;
  }
  const summary = summarise(runs, settings);
  return { ...partial, summary, totalMs: performance.now() - started };
}

/**
 * Eigenvalues of K_b below this fraction of λ_max count as zero in K_b⁺. A block's kernel is often
 * rank-deficient (behind a bottleneck of width r, block 1's kernel has rank ≤ n·r < nk); in float32
 * its zero eigenvalues come back as rounding noise of about 10⁻⁷–10⁻⁶ λ_max, and dividing by them
 * throws the step to 10¹⁰. So the cutoff sits above the trainer's noise.
 */
export const PSEUDO_INVERSE_CUTOFF = { float64: 1e-10, float32: 1e-4 } as const;

/**
 * One Gauss–Newton step on block b: the minimum-norm δ_b solving J_b δ_b = y − f, i.e.
 * δ_b = J_bᵀ K_b⁺ (y − f) with K_b = J_b J_bᵀ the block's own tangent kernel. For a linear network
 * f is linear in each block's weights, so the step lands on that block's exact least-squares fit.
 */
export async function gaussNewtonBlockStep(
  trainer: Trainer,
  model: TrainedModel,
  block: number,
  targets: Matrix,
): Promise<void> {
  const outputs = await trainer.outputs(model, 'train');
  const residual = vecSampleMajor(difference(targets, outputs));
  const kernel = await trainer.kernel(model, [block]);
  const alpha = pseudoSolve(kernel, residual, PSEUDO_INVERSE_CUTOFF[trainer.info.precision]);
  await trainer.pullBack(model, block, unvecSampleMajor(alpha, targets.rows, targets.cols));
}

/** Multiply-adds of one gradient step of the network: forward, backward and update, n lanes each. */
export function problemMultiplyAdds(s: TrainingSettings): number {
  const weights = planLayers(trainingSpec(s)).reduce((sum, l) => sum + l.inSize * l.outSize, 0);
  return 3 * weights * s.n;
}

/**
 * The most gradient steps between two loss checks: about 10⁷ multiply-adds (≈ 25 ms of the CPU
 * trainer), 20× that on a GPU, at most 256. Fixed by the problem and the engine, never by a clock.
 */
export function maxGradientChunk(multiplyAdds: number, engine: 'webgpu' | 'cpu'): number {
  const budget = engine === 'webgpu' ? 2e8 : 1e7;
  return Math.max(1, Math.min(256, Math.floor(budget / Math.max(multiplyAdds, 1))));
}

/**
 * Steps in the next chunk at step `step`: a sixteenth of the steps taken so far (so a reported
 * stopping step is within about 6% of the first step that met the tolerance), at most `max`.
 */
export function gradientChunk(step: number, max: number): number {
  return Math.max(1, Math.min(max, Math.floor(step / 16)));
}

/**
 * Steps at which the following rule re-estimates λ_max: every power of two below `every`, then
 * every multiple of `every`. The kernel grows fastest in the first steps, when a step fixed from
 * K_0 (or last estimated ten steps ago) is most likely to be too long.
 */
export function isFollowStep(step: number, every: number): boolean {
  return step % every === 0 || (step < every && (step & (step - 1)) === 0);
}

export function nextFollowStep(step: number, every: number): number {
  let next = step + 1;
  while (!isFollowStep(next, every)) next++;
  return next;
}

/** The gaps, kernel change, final losses and step counts of a finished run. */
export function summarise(runs: ModelRun[], settings: TrainingSettings): TrainingSummary {
  const network = runs.find((r) => r.model === 'network') as ModelRun;
  // A run that stopped (converged or diverged) stays where it stopped: compare at every step
  // either run recorded, each at its latest checkpoint up to that step.
  const at = (run: ModelRun, step: number): ModelCheckpoint => {
    let found = run.checkpoints[0];
    for (const c of run.checkpoints) if (c.step <= step) found = c;
    return found;
  };
  const gap = (model: TrainedModel): number | null => {
    const run = runs.find((r) => r.model === model);
    if (!run) return null;
    const steps = new Set([...run.checkpoints, ...network.checkpoints].map((c) => c.step));
    let worst = 0;
    for (const step of steps) {
      const net = at(network, step).heldOut;
      worst = Math.max(worst, relativeChange(at(run, step).heldOut, net));
    }
    return worst;
  };
  const last = (run: ModelRun) => run.checkpoints[run.checkpoints.length - 1];
  const loss: Record<string, number> = {};
  const steps: Record<string, number> = {};
  for (const run of runs) {
    loss[run.model] = last(run).loss;
    steps[run.model] = run.steps;
  }
  return {
    kernelChange: last(network).kernelChange ?? 0,
    gapNtk: gap('ntk'),
    gapBlock: gap('block'),
    loss,
    steps,
    sweeps:
      settings.optimiser === 'alternating' ? Math.ceil(network.steps / settings.blocks) : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Width sweep

export interface TrainingSweepRow {
  blocks: number;
  width: number;
  seed: number;
  kernelChange: number;
  gapNtk: number | null;
  gapBlock: number | null;
  loss: number;
  steps: number;
  /** Why the network stopped: a `diverged` run is left out of the medians (medianRuns). */
  stopped: ModelRun['stopped'];
}

export interface TrainingSweepSlopes {
  kernelChange: number;
  gapNtk: number | null;
  gapBlock: number | null;
}

/**
 * The middle value of `values`, the lower of the two for an even count (so it is one of the runs,
 * and a log of it is defined); null for none. The table, the plot and the slopes all use it.
 */
export function lowerMedian(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/**
 * The runs a median is taken over, of one group of runs (a width, or a blocks × width): the rule
 * the CLI's table and files, the view's sweep and every fitted slope share. A run whose network
 * diverged (`stopped` is 'diverged': loss non-finite or 10⁶ × its initial value) is left out,
 * unless `includeDiverged`; a median over a diverged run's gaps measures the blow-up, not the
 * models.
 */
export interface MedianRuns<R> {
  /** The runs in the median, in the order given. */
  runs: R[];
  /** Every run of the group. */
  total: number;
  /** Diverged runs left out of the median (0 with includeDiverged). */
  diverged: number;
  /** Diverged runs kept in the median (0 without includeDiverged). */
  divergedKept: number;
}

export function medianRuns<R extends Pick<TrainingSweepRow, 'stopped'>>(
  rows: readonly R[],
  includeDiverged = false,
): MedianRuns<R> {
  const divergedCount = rows.filter((r) => r.stopped === 'diverged').length;
  return includeDiverged
    ? { runs: [...rows], total: rows.length, diverged: 0, divergedKept: divergedCount }
    : {
        runs: rows.filter((r) => r.stopped !== 'diverged'),
        total: rows.length,
        diverged: divergedCount,
        divergedKept: 0,
      };
}

/** medianRuns of each width's rows, widths ascending. */
export function runsByWidth<R extends Pick<TrainingSweepRow, 'width' | 'stopped'>>(
  rows: readonly R[],
  includeDiverged = false,
): (MedianRuns<R> & { width: number })[] {
  const widths = [...new Set(rows.map((r) => r.width))].sort((a, b) => a - b);
  return widths.map((width) => ({
    width,
    ...medianRuns(
      rows.filter((r) => r.width === width),
      includeDiverged,
    ),
  }));
}

/**
 * What a group's diverged runs did to its median, in words, or null when none diverged:
 * "2 of 8 runs diverged, left out", "all 8 runs diverged" (nothing left for a median),
 * "2 of 8 runs diverged, kept".
 */
export function divergedNote(group: Omit<MedianRuns<unknown>, 'runs'>): string | null {
  const count = group.diverged + group.divergedKept;
  if (count === 0) return null;
  const runs = `run${group.total === 1 ? '' : 's'}`;
  const which =
    count === group.total ? `all ${group.total} ${runs}` : `${count} of ${group.total} ${runs}`;
  if (group.divergedKept > 0) return `${which} diverged, kept`;
  return count === group.total ? `${which} diverged` : `${which} diverged, left out`;
}

/**
 * Per width (ascending), the positive finite values `pick` gives of the runs medianRuns keeps and
 * their lower median: what a log–log sweep plot draws and fits. Widths with no such value (every
 * run diverged, say) are left out.
 */
export function sweepMedians(
  rows: readonly TrainingSweepRow[],
  pick: (r: TrainingSweepRow) => number | null,
  includeDiverged = false,
): { width: number; median: number; values: number[] }[] {
  return runsByWidth(rows, includeDiverged).flatMap(({ width, runs }) => {
    const values = runs
      .map(pick)
      .filter((v): v is number => v !== null && v > 0 && Number.isFinite(v))
      .sort((a, b) => a - b);
    const median = lowerMedian(values);
    return median === null ? [] : [{ width, median, values }];
  });
}

/** Fitted log–log slopes of the medians (sweepMedians) against m (at least two widths). */
export function sweepSlopes(
  rows: readonly TrainingSweepRow[],
  includeDiverged = false,
): TrainingSweepSlopes {
  const slope = (pick: (r: TrainingSweepRow) => number | null): number | null => {
    const points = sweepMedians(rows, pick, includeDiverged);
    return points.length >= 2
      ? leastSquaresSlope(
          points.map((p) => Math.log(p.width)),
          points.map((p) => Math.log(p.median)),
        )
      : null;
  };
  return {
    kernelChange: slope((r) => r.kernelChange) ?? Number.NaN,
    gapNtk: slope((r) => r.gapNtk),
    gapBlock: slope((r) => r.gapBlock),
  };
}

export function sweepRow(result: TrainingResult): TrainingSweepRow {
  const s = result.summary;
  return {
    blocks: result.settings.blocks,
    width: result.settings.width,
    seed: result.settings.seed,
    kernelChange: s.kernelChange,
    gapNtk: s.gapNtk,
    gapBlock: s.gapBlock,
    loss: s.loss.network,
    steps: s.steps.network,
    stopped: result.runs.find((r) => r.model === 'network')?.stopped ?? 'steps',
  };
}
