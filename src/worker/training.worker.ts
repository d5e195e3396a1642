// The training worker: runs one job at a time (a training run, the width sweep, or the tanh
// contrast) on the trainer createTrainer picks (WebGPU unless the page says gpu=0, else the
// float64 CPU trainer), posting the partial results at most ten times a second. Pause holds the
// run at the next checkpoint (runTraining's gate), resume releases it, cancel aborts it
// (EngineError 'cancelled'). A new job cancels the one in flight.

/// <reference lib="webworker" />
import type { Trainer } from '../engine/trainer';
import { createTrainer } from '../engine/trainerFactory';
import { EngineError } from '../engine/types';
import {
  runsByWidth,
  runTraining,
  sweepRow,
  sweepSlopes,
  TRAINING_RANGES,
  type TrainingResult,
  type TrainingSettings,
  trainingProblem,
  validateTraining,
} from '../experiments/training';
import { SpecError } from '../model/spec';
import {
  type ContrastData,
  type FromTrainingWorker,
  type JobData,
  SWEEP_SEEDS,
  SWEEP_WIDTHS,
  type SweepData,
  type ToTrainingWorker,
  type TrainingJob,
  type TrainingSnapshot,
} from '../ui/training/protocol';

declare const self: DedicatedWorkerGlobalScope;

const PROGRESS_INTERVAL_MS = 100;

interface Job {
  id: number;
  controller: AbortController;
  paused: boolean;
  waiting: (() => void)[];
}

let current: Job | null = null;

function post(message: FromTrainingWorker): void {
  self.postMessage(message);
}

/** A macrotask: lets pause, resume and cancel messages in between chunks of steps. */
const yieldTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function gateOf(job: Job): () => Promise<void> {
  return async () => {
    await yieldTask();
    while (job.paused && !job.controller.signal.aborted) {
      await new Promise<void>((resolve) => job.waiting.push(resolve));
    }
  };
}

/** Posts progress at most every 100 ms (the last call of a job is posted by `done`). */
function throttled(id: number, job: TrainingJob) {
  let last = 0;
  return (fraction: number, stage: string, data: JobData[TrainingJob], force = false) => {
    const now = performance.now();
    if (!force && now - last < PROGRESS_INTERVAL_MS) return;
    last = now;
    post({ type: 'progress', id, job, fraction, stage, data });
  };
}

async function withTrainer<T>(
  settings: TrainingSettings,
  gpu: boolean,
  id: number,
  use: (trainer: Trainer) => Promise<T>,
): Promise<T> {
  const trainer = await createTrainer(trainingProblem(settings), {
    gpu: gpu ? self.navigator.gpu : undefined,
    avoidSoftwareAdapter: true,
  });
  try {
    post({ type: 'engine', id, info: trainer.info, note: trainer.fallbackReason });
    return await use(trainer);
  } finally {
    trainer.destroy();
  }
}

function snapshotOf(result: TrainingResult): TrainingSnapshot {
  return result;
}

async function runJob(
  job: Job,
  kind: TrainingJob,
  settings: TrainingSettings,
  gpu: boolean,
): Promise<JobData[TrainingJob]> {
  const { signal } = job.controller;
  const gate = gateOf(job);
  const progress = throttled(job.id, kind);
  if (kind === 'train') {
    validateTraining(settings);
    return withTrainer(settings, gpu, job.id, async (trainer) =>
      snapshotOf(
        await runTraining(trainer, settings, {
          signal,
          gate,
          onProgress: (p) => progress(p.fraction, p.stage, p.partial),
        }),
      ),
    );
  }
  if (kind === 'sweep') {
    const widths = SWEEP_WIDTHS.filter((w) => w <= TRAINING_RANGES.width[1]);
    const seeds = Array.from({ length: SWEEP_SEEDS }, (_, i) => (settings.seed + i) >>> 0);
    const data: SweepData = { settings, widths, seeds, rows: [], slopes: null };
    const total = widths.length * seeds.length;
    for (const width of widths) {
      for (const seed of seeds) {
        const run = { ...settings, width, seed };
        validateTraining(run);
        const done = data.rows.length;
        const stage = `m = ${width}, seed ${seed} (${done + 1} of ${total})`;
        progress(done / total, stage, data, true);
        const result = await withTrainer(run, gpu, job.id, (trainer) =>
          runTraining(trainer, run, {
            signal,
            gate,
            onProgress: (p) => progress((done + p.fraction) / total, stage, data),
          }),
        );
        data.rows = [...data.rows, sweepRow(result)];
        // Diverged runs are left out of the medians and the fit (medianRuns): a width counts once
        // one of its runs did not diverge.
        const fitted = runsByWidth(data.rows).filter((w) => w.runs.length > 0).length >= 2;
        data.slopes = fitted ? sweepSlopes(data.rows) : null;
      }
    }
    return data;
  }
  // The contrast: tanh inside the blocks, one block against two; only the network trains.
  const data: ContrastData = {
    settings,
    runs: [
      { blocks: 1, snapshot: null },
      { blocks: 2, snapshot: null },
    ],
  };
  for (const [i, entry] of data.runs.entries()) {
    const blocks = entry.blocks;
    const bottleneck = Math.max(settings.bottleneck, settings.r);
    const run: TrainingSettings = {
      ...settings,
      activation: 'tanh',
      blocks,
      bottleneck,
      r: blocks === 1 ? Math.min(settings.r, settings.d, settings.k) : settings.r,
    };
    validateTraining(run);
    const stage = `tanh, B = ${blocks}`;
    const result = await withTrainer(run, gpu, job.id, (trainer) =>
      runTraining(trainer, run, {
        signal,
        gate,
        onProgress: (p) => {
          data.runs[i] = { blocks, snapshot: p.partial };
          progress((i + p.fraction) / data.runs.length, stage, data);
        },
      }),
    );
    data.runs[i] = { blocks, snapshot: snapshotOf(result) };
  }
  return data;
}

async function start(id: number, kind: TrainingJob, settings: TrainingSettings, gpu: boolean) {
  cancel();
  const job: Job = { id, controller: new AbortController(), paused: false, waiting: [] };
  current = job;
  const started = performance.now();
  try {
    const data = await runJob(job, kind, settings, gpu);
    if (current !== job) return;
    post({ type: 'done', id, job: kind, data, ms: performance.now() - started });
  } catch (error) {
    const cancelled =
      job.controller.signal.aborted || (error instanceof EngineError && error.kind === 'cancelled');
    post({
      type: 'error',
      id,
      job: kind,
      message: error instanceof Error ? error.message : String(error),
      field: error instanceof SpecError ? error.field : null,
      cancelled,
    });
  } finally {
    if (current === job) current = null;
  }
}

function release(job: Job): void {
  const waiting = job.waiting;
  job.waiting = [];
  for (const resolve of waiting) resolve();
}

function cancel(): void {
  if (!current) return;
  current.controller.abort();
  release(current);
  current = null;
}

self.onmessage = (event: MessageEvent<ToTrainingWorker>) => {
  const message = event.data;
  if (message.type === 'start') {
    void start(message.id, message.job, message.settings, message.gpu);
    return;
  }
  if (!current || current.id !== message.id) return;
  if (message.type === 'pause') current.paused = true;
  else if (message.type === 'resume') {
    current.paused = false;
    release(current);
  } else cancel();
};
