// Messages between the training page and its worker (src/worker/training.worker.ts). Matrices are
// plain { rows, cols, data: Float64Array }: they cross by structured clone.

import type { EngineInfo } from '../../engine/types';
import type {
  TrainingProgress,
  TrainingSettings,
  TrainingSummary,
  TrainingSweepRow,
  TrainingSweepSlopes,
} from '../../experiments/training';

/** What a training run has recorded: everything so far while it runs, the summary once done. */
export type TrainingSnapshot = TrainingProgress['partial'] & {
  summary?: TrainingSummary;
  totalMs?: number;
};

/** The three jobs of the page: one run, the width sweep, the tanh contrast (B = 1 against B = 2). */
export type TrainingJob = 'train' | 'sweep' | 'contrast';

export interface SweepData {
  settings: TrainingSettings;
  widths: number[];
  seeds: number[];
  rows: TrainingSweepRow[];
  /** Fitted log–log slopes of the medians (null until two widths are in). */
  slopes: TrainingSweepSlopes | null;
}

export interface ContrastData {
  settings: TrainingSettings;
  runs: { blocks: number; snapshot: TrainingSnapshot | null }[];
}

export interface JobData {
  train: TrainingSnapshot;
  sweep: SweepData;
  contrast: ContrastData;
}

export type ToTrainingWorker =
  | { type: 'start'; id: number; job: TrainingJob; settings: TrainingSettings; gpu: boolean }
  | { type: 'pause' | 'resume' | 'cancel'; id: number };

export type FromTrainingWorker =
  | { type: 'engine'; id: number; info: EngineInfo; note?: string }
  | {
      type: 'progress';
      id: number;
      job: TrainingJob;
      fraction: number;
      stage: string;
      data: JobData[TrainingJob];
    }
  | { type: 'done'; id: number; job: TrainingJob; data: JobData[TrainingJob]; ms: number }
  | {
      type: 'error';
      id: number;
      job: TrainingJob;
      message: string;
      field: string | null;
      cancelled: boolean;
    };

/** Widths and seeds of the width sweep: m = 64 … 1024, three seeds from the run's own. */
export const SWEEP_WIDTHS = [64, 128, 256, 512, 1024] as const;
export const SWEEP_SEEDS = 3;
