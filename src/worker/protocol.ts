// Messages between the page and the compute worker. Results are structured-cloned.

import type { EngineInfo } from '../engine/types';
import type { BlockStructure } from '../experiments/blockStructure';
import type { DegreeSweepResult } from '../experiments/degreeSweep';
import type { Calibration, JobEstimate } from '../experiments/estimate';
import type { PanelResult, PanelSpec } from '../experiments/figure';
import type { FigureSettings } from '../experiments/settings';
import type { SweepResult } from '../experiments/sweep';

/** On-demand analyses of the current settings, beside the figure. */
export interface AnalysisResults {
  /** Non-multilinear part against width (Theorem 2's rate). */
  sweep: SweepResult;
  /** Mixed second derivatives per pair of layers (Lemma 1(b)). */
  blocks: BlockStructure;
  /** The degree table's verdict against width, one network growing (Theorem 2's scale). */
  verdict: DegreeSweepResult;
}
export type AnalysisKind = keyof AnalysisResults;

export type GpuStatus = 'pending' | 'ready' | 'unsupported' | 'no-adapter' | 'lost' | 'error';

/**
 * `askAboveMs`: a job estimated over this many milliseconds is not started; the worker answers
 * 'ask' and the page sends it again with null once the reader says "Run anyway". Null: run.
 */
export type ToWorker =
  | { type: 'init'; useGpu: boolean }
  | {
      type: 'compute';
      id: number;
      settings: FigureSettings;
      askAboveMs?: number | null;
      /** A frame of a gesture (store.ts liveChange): computed like any figure. */
      live?: boolean;
    }
  | {
      type: 'analysis';
      kind: AnalysisKind;
      id: number;
      settings: FigureSettings;
      askAboveMs?: number | null;
    }
  /**
   * Stops the figure in flight and every running analysis, and starts nothing: the page keeps
   * its last finished figure. Late messages of the stopped work are dropped by id on the page.
   */
  | { type: 'cancel' }
  | { type: 'retry-gpu' }
  /** Test hook: destroy the GPU device as if the driver had lost it. */
  | { type: 'simulate-device-loss' }
  /** Test hook: throw from a timer, an error nothing catches (the worker "crashes"). */
  | { type: 'simulate-crash' };

export interface Agreement {
  /** max |GPU − CPU| / max |CPU| over the coefficients of a small spec. */
  maxRelativeError: number;
  spec: string;
  ms: number;
}

export type FromWorker =
  | { type: 'engine'; info: EngineInfo; gpu: GpuStatus; message: string | null; cpuCap: string }
  | { type: 'agreement'; agreement: Agreement }
  /** The engine in use was measured (on its first job that might pass the threshold). */
  | { type: 'calibration'; calibration: Calibration }
  /** A job about to start, with its estimate (also sent for the jobs that run without asking). */
  | { type: 'estimate'; id: number; estimate: JobEstimate }
  /** A job estimated over its askAboveMs was not started: the page asks the reader. */
  | { type: 'ask'; id: number; estimate: JobEstimate }
  | { type: 'plan'; id: number; panels: PanelSpec[] }
  | { type: 'progress'; id: number; fraction: number; stage: string }
  | { type: 'panel'; id: number; index: number; result: PanelResult }
  | { type: 'done'; id: number; ms: number }
  | { type: 'error'; id: number; message: string; field: string | null }
  | {
      type: 'analysis-progress';
      kind: AnalysisKind;
      id: number;
      fraction: number;
      stage: string;
      /** What is known so far (the sweep's points), or null. */
      partial: AnalysisResults[AnalysisKind] | null;
    }
  | {
      type: 'analysis-done';
      kind: AnalysisKind;
      id: number;
      result: AnalysisResults[AnalysisKind];
      ms: number;
    }
  | { type: 'analysis-error'; kind: AnalysisKind; id: number; message: string }
  /**
   * The worker can no longer be trusted to answer: an uncaught error or a script that failed to
   * load. The page's worker client makes this from worker.onerror (a worker may also post it) and
   * stops the worker; nothing in flight will finish.
   */
  | { type: 'worker-failed'; message: string };
