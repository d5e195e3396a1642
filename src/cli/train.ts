// `train`: runTraining over blocks × widths × seeds on the trainer createTrainer gives (the CPU
// trainer, or the GPU one through Dawn), one progress line per run, a table of the medians over
// seeds and the fitted log–log slopes against m, and optionally every run as JSON or CSV.

import { openDevice } from '../engine/gpu/device';
import { createTrainer, type TrainerOptions } from '../engine/trainerFactory';
import { EngineError, type EngineInfo } from '../engine/types';
import { PAPER } from '../experiments/export';
import {
  divergedNote,
  lowerMedian,
  medianRuns,
  runTraining,
  sweepRow,
  sweepSlopes,
  type TrainingSettings,
  type TrainingSweepRow,
  trainingProblem,
} from '../experiments/training';
import type { TrainRequest } from './args';
import { type CliEnvironment, openDawn } from './engines';
import { formatSeconds, type Reporter } from './progress';

/** One run: a (blocks, width, seed). `loss`, `steps` and `stopped` are the network's. */
export interface TrainRow extends TrainingSweepRow {
  blocks: number;
  /** Gauss–Newton sweeps the network took (alternating), else null. */
  sweeps: number | null;
  /** Final training loss of every model trained (network, ntk, block). */
  losses: Record<string, number>;
  /** Steps (gd) or block steps (alternating) of every model when it stopped. */
  modelSteps: Record<string, number>;
  /** η of the fixed rule and λ_max(K_0 / n). */
  eta0: number;
  lambdaMax0: number;
  precision: EngineInfo['precision'];
}

/**
 * Medians over the seeds of one (blocks, width), over the runs medianRuns keeps: without
 * --include-diverged, those that did not diverge. Every value is null when no run is left.
 */
export interface TrainMedian {
  blocks: number;
  width: number;
  /** Runs in the median. */
  seeds: number;
  /** Diverged runs left out of the median (0 with --include-diverged). */
  diverged: number;
  /** Diverged runs kept in the median (0 without --include-diverged). */
  divergedKept: number;
  kernelChange: number | null;
  gapNtk: number | null;
  gapBlock: number | null;
  loss: number | null;
  steps: number | null;
  sweeps: number | null;
}

/** sweepSlopes of one blocks' rows (two widths or more); null where no fit. */
export interface TrainSlopes {
  blocks: number;
  kernelChange: number | null;
  gapNtk: number | null;
  gapBlock: number | null;
}

export interface TrainOutcome {
  rows: TrainRow[];
  medians: TrainMedian[];
  slopes: TrainSlopes[];
  engine: EngineInfo;
  /** The table for stdout. */
  table: string;
  /** The file's contents, when --out was given. */
  data?: string;
}

/**
 * The lower median (lowerMedian, as the slopes take it) of the values that are numbers: nulls and
 * NaN are left out; null when none is left.
 */
export function median(values: readonly (number | null)[]): number | null {
  return lowerMedian(values.filter((v): v is number => v !== null && !Number.isNaN(v)));
}

const finiteOrNull = (v: number | null) => (v !== null && Number.isFinite(v) ? v : null);

const engineText = (info: EngineInfo) => `${info.kind} — ${info.adapter}, ${info.precision}`;
const exp = (v: number | null) =>
  v === null ? '—' : Number.isFinite(v) ? v.toExponential(2) : String(v);
const slope = (v: number | null) => (v === null ? '—' : v.toFixed(2));

/**
 * What --engine asks createTrainer for: nothing (the CPU trainer), or Dawn with one device shared
 * by every run, so the training pipelines are built once. `close` frees the device.
 */
async function trainerOptions(
  request: TrainRequest,
  env: CliEnvironment,
  say: (line: string) => void,
): Promise<{ options: TrainerOptions; close: () => void }> {
  const cpu = { options: {}, close: () => {} };
  if (request.engine === 'cpu') return cpu;
  const gpu = await openDawn(env, say, 'Using the CPU trainer.');
  if (!gpu) return cpu;
  let shared: { device: GPUDevice; adapter: GPUAdapter };
  try {
    shared = await openDevice(gpu, { timestamps: false });
  } catch (error) {
    const reason =
      error instanceof EngineError && error.kind === 'no-adapter'
        ? 'no WebGPU adapter found'
        : `no WebGPU device: ${error instanceof Error ? error.message : String(error)}`;
    say(`gpu: ${reason}. Using the CPU trainer.`);
    return cpu;
  }
  return {
    options: {
      gpu,
      gpuOptions: { shared, onDeviceLost: (message) => say(`gpu: ${message}`) },
    },
    close: () => shared.device.destroy(),
  };
}

/** Every (blocks, width, seed) of the request, in table order. */
export function trainRuns(request: TrainRequest): TrainingSettings[] {
  return request.blocks.flatMap((blocks) =>
    request.widths.flatMap((width) =>
      request.seeds.map((seed) => ({ ...request.base, blocks, width, seed })),
    ),
  );
}

export async function runTrainCommand(
  request: TrainRequest,
  env: CliEnvironment,
  reporter: Reporter,
  signal: AbortSignal,
): Promise<TrainOutcome> {
  const say = (line: string) => reporter.line(line);
  const runs = trainRuns(request);
  const source = await trainerOptions(request, env, say);
  let options = source.options;
  const alternating = request.base.optimiser === 'alternating';
  const rows: TrainRow[] = [];
  let engine: EngineInfo | undefined;
  try {
    for (const [i, settings] of runs.entries()) {
      const started = performance.now();
      const label = `B = ${settings.blocks}, m = ${settings.width}, seed ${settings.seed}`;
      const trainer = await createTrainer(trainingProblem(settings), options);
      if (trainer.fallbackReason !== undefined) {
        // The GPU trainer failed to start (createTrainer says why): the CPU one from here on.
        say(`gpu: ${trainer.fallbackReason}. Using the CPU trainer.`);
        options = {};
      }
      if (engine === undefined || engineText(engine) !== engineText(trainer.info)) {
        const ready =
          trainer.info.kind === 'webgpu'
            ? ` (ready in ${formatSeconds((performance.now() - started) / 1000)})`
            : '';
        say(`engine: ${engineText(trainer.info)}${ready}`);
        engine = trainer.info;
      }
      let result: Awaited<ReturnType<typeof runTraining>>;
      try {
        // runTraining turns the event loop between chunks and checks the signal: Ctrl-C gets in.
        result = await runTraining(trainer, settings, {
          signal,
          onProgress: ({ fraction, stage }) =>
            reporter.progress(
              (i + fraction) / runs.length,
              `[${i + 1}/${runs.length}] ${label}: ${stage}`,
            ),
        });
      } finally {
        trainer.destroy();
      }
      const s = result.summary;
      const row: TrainRow = {
        ...sweepRow(result),
        sweeps: s.sweeps,
        losses: s.loss,
        modelSteps: s.steps,
        eta0: result.eta0,
        lambdaMax0: result.lambdaMax0,
        precision: result.engine.precision,
      };
      rows.push(row);
      const taken = alternating ? `${row.sweeps} sweeps` : `${row.steps} steps`;
      const how =
        row.stopped === 'converged'
          ? `converged in ${taken}`
          : row.stopped === 'diverged'
            ? `diverged within ${taken}`
            : taken;
      say(
        `[${i + 1}/${runs.length}] ${label}: loss ${exp(row.loss)} (${how}), kernel change ${exp(row.kernelChange)}, gap NTK ${exp(row.gapNtk)}, gap block ${exp(row.gapBlock)}; ${formatSeconds((performance.now() - started) / 1000)}`,
      );
    }
  } finally {
    source.close();
  }
  const medians = trainMedians(request, rows);
  const slopes = trainSlopes(request, rows);
  const info = engine as EngineInfo;
  const outcome: TrainOutcome = { rows, medians, slopes, engine: info, table: '' };
  outcome.table = trainTable(request, outcome);
  if (request.format === 'json') outcome.data = trainJson(request, outcome);
  else if (request.format === 'csv') outcome.data = trainCsv(request, outcome);
  return outcome;
}

/** medianRuns of one (blocks, width)'s rows, as --include-diverged asks. */
function groupOf(request: TrainRequest, rows: TrainRow[], blocks: number, width: number) {
  return medianRuns(
    rows.filter((r) => r.blocks === blocks && r.width === width),
    request.includeDiverged,
  );
}

export function trainMedians(request: TrainRequest, rows: TrainRow[]): TrainMedian[] {
  return request.blocks.flatMap((blocks) =>
    request.widths.map((width) => {
      const group = groupOf(request, rows, blocks, width);
      const pick = (f: (r: TrainRow) => number | null) => median(group.runs.map(f));
      return {
        blocks,
        width,
        seeds: group.runs.length,
        diverged: group.diverged,
        divergedKept: group.divergedKept,
        kernelChange: pick((r) => r.kernelChange),
        gapNtk: pick((r) => r.gapNtk),
        gapBlock: pick((r) => r.gapBlock),
        loss: pick((r) => r.loss),
        steps: pick((r) => r.steps),
        sweeps: pick((r) => r.sweeps),
      };
    }),
  );
}

/** sweepSlopes per blocks; none with fewer than two widths. */
export function trainSlopes(request: TrainRequest, rows: TrainRow[]): TrainSlopes[] {
  if (request.widths.length < 2) return [];
  return request.blocks.map((blocks) => {
    const fit = sweepSlopes(
      rows.filter((r) => r.blocks === blocks),
      request.includeDiverged,
    );
    return {
      blocks,
      kernelChange: finiteOrNull(fit.kernelChange),
      gapNtk: finiteOrNull(fit.gapNtk),
      gapBlock: finiteOrNull(fit.gapBlock),
    };
  });
}

/** The settings every run shares, and the lists it runs over (for the files' headers). */
function settingsRecord(request: TrainRequest) {
  const { blocks: _b, width: _w, seed: _s, ...shared } = request.base;
  return {
    blocks: request.blocks,
    widths: request.widths,
    seeds: request.seeds,
    ...shared,
  };
}

function describeSettings(request: TrainRequest): string {
  const b = request.base;
  const what =
    b.optimiser === 'gd'
      ? `gd, ${b.steps} steps, η = ${b.lr}/λ_max(K/n) (${b.stepRule === 'fixed' ? 'fixed from K_0' : `following K every ${b.followEvery} steps`})`
      : `alternating Gauss–Newton, ${b.steps} sweeps`;
  const seeds =
    request.seeds.length === 1
      ? `seed ${request.seeds[0]}`
      : `seeds ${request.seeds[0]}…${request.seeds[request.seeds.length - 1]}`;
  return `${what}; L_b = ${b.layers}, bottleneck ${b.bottleneck}, d = ${b.d}, k = ${b.k}, r = ${b.r}, n = ${b.n}, held-out ${b.heldOut}, σ = ${b.activation}, tolerance ${b.tolerance}; ${seeds}`;
}

/**
 * Right-aligned columns under a header. A row shorter than the header ends in a text that runs on
 * over the columns it leaves out, unpadded (and does not widen them).
 */
function columns(header: string[], body: string[][]): string[] {
  const widths = header.map((h, c) =>
    Math.max(
      h.length,
      ...body.map((r) => (c < r.length - (r.length < header.length ? 1 : 0) ? r[c].length : 0)),
    ),
  );
  const line = (cells: string[]) =>
    `  ${cells
      .map((cell, c) =>
        cells.length < header.length && c === cells.length - 1 ? cell : cell.padStart(widths[c]),
      )
      .join('  ')}`;
  return [line(header), ...body.map(line)];
}

/** The rule's words for the table's header line. */
const divergedPolicy = (request: TrainRequest) =>
  request.includeDiverged
    ? 'diverged runs kept (--include-diverged)'
    : 'diverged runs left out (--include-diverged keeps them)';

/** "seed 35", "seeds 32, 35": the diverged runs of a group, named. */
function divergedSeeds(rows: TrainRow[]): string {
  const seeds = rows.filter((r) => r.stopped === 'diverged').map((r) => r.seed);
  return `seed${seeds.length === 1 ? '' : 's'} ${seeds.join(', ')}`;
}

export function trainTable(request: TrainRequest, outcome: Omit<TrainOutcome, 'table'>): string {
  const alternating = request.base.optimiser === 'alternating';
  const seeds = request.seeds.length;
  const groups = outcome.medians.map((m) => ({
    m,
    group: { total: m.seeds + m.diverged, diverged: m.diverged, divergedKept: m.divergedKept },
    rows: outcome.rows.filter((r) => r.blocks === m.blocks && r.width === m.width),
  }));
  const lines = [
    `train: ${describeSettings(request)}`,
    `engine: ${engineText(outcome.engine)}`,
    `medians over ${seeds} seed${seeds === 1 ? '' : 's'}, ${divergedPolicy(request)}:`,
    ...columns(
      [
        'B',
        'm',
        'kernel change',
        'gap NTK',
        'gap block',
        'loss',
        alternating ? 'sweeps' : 'steps',
        'diverged',
      ],
      groups.map(({ m, group }) =>
        m.seeds === 0
          ? // Every run diverged and was left out: no median.
            [String(m.blocks), String(m.width), divergedNote(group) as string]
          : [
              String(m.blocks),
              String(m.width),
              exp(m.kernelChange),
              exp(m.gapNtk),
              exp(m.gapBlock),
              exp(m.loss),
              String((alternating ? m.sweeps : m.steps) ?? '—'),
              request.includeDiverged ? `${m.divergedKept} kept` : `${m.diverged} left out`,
            ],
      ),
    ),
  ];
  for (const { m, group, rows } of groups) {
    const note = divergedNote(group);
    if (note) lines.push(`B = ${m.blocks}, m = ${m.width}: ${note} (${divergedSeeds(rows)})`);
  }
  if (outcome.slopes.length > 0) {
    lines.push(
      `log–log slopes against m (least squares over m = ${request.widths.join(', ')}):`,
      ...columns(
        ['B', 'kernel change', 'gap NTK', 'gap block'],
        outcome.slopes.map((s) => [
          String(s.blocks),
          slope(s.kernelChange),
          slope(s.gapNtk),
          slope(s.gapBlock),
        ]),
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

export function trainJson(request: TrainRequest, outcome: Omit<TrainOutcome, 'table'>): string {
  return JSON.stringify(
    {
      paper: PAPER,
      analysis: 'training',
      settings: settingsRecord(request),
      engine: outcome.engine,
      includeDiverged: request.includeDiverged,
      rows: outcome.rows,
      medians: outcome.medians,
      slopes: outcome.slopes,
    },
    null,
    1,
  );
}

/** NaN, ±∞ and null as an empty cell. */
const cell = (v: number | null) => (v === null || !Number.isFinite(v) ? '' : String(v));

/** A `run` row per (blocks, width, seed) and a `median` row per (blocks, width); slopes as comments. */
export function trainCsv(request: TrainRequest, outcome: Omit<TrainOutcome, 'table'>): string {
  const lines = [
    `# ${PAPER}`,
    `# training: ${describeSettings(request)}`,
    `# engine: ${engineText(outcome.engine)}`,
    '# kernel_change: ‖K_T − K_0‖_F/‖K_0‖_F of the network; gap_ntk, gap_block: max over log-spaced checkpoints of ‖f_net − f_model‖_F/‖f_net‖_F on the held-out inputs',
    request.includeDiverged
      ? '# medians: over every run, diverged ones kept (--include-diverged); diverged_kept: how many of them'
      : '# medians: over the runs that did not diverge; diverged: how many were left out (all of them: empty cells)',
    ...outcome.slopes.map(
      (s) =>
        `# slopes against m, B = ${s.blocks}: kernel_change ${cell(s.kernelChange)}, gap_ntk ${cell(s.gapNtk)}, gap_block ${cell(s.gapBlock)}`,
    ),
    'kind,blocks,width,seed,kernel_change,gap_ntk,gap_block,loss,steps,sweeps,stopped,precision,diverged,diverged_kept',
  ];
  for (const m of outcome.medians) {
    lines.push(
      `median,${m.blocks},${m.width},,${cell(m.kernelChange)},${cell(m.gapNtk)},${cell(m.gapBlock)},${cell(m.loss)},${cell(m.steps)},${cell(m.sweeps)},,${outcome.engine.precision},${m.diverged},${m.divergedKept}`,
    );
    for (const r of outcome.rows.filter((r) => r.blocks === m.blocks && r.width === m.width)) {
      lines.push(
        `run,${r.blocks},${r.width},${r.seed},${cell(r.kernelChange)},${cell(r.gapNtk)},${cell(r.gapBlock)},${cell(r.loss)},${r.steps},${cell(r.sweeps)},${r.stopped},${r.precision},,`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
