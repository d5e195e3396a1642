// Messages between the page and the compute worker. Results are structured-cloned.

import type { EngineInfo } from '../engine/types';
import type { PanelResult, PanelSpec } from '../experiments/figure';
import type { FigureSettings } from '../experiments/settings';
import type { SweepPoint, SweepResult } from '../experiments/sweep';

export type GpuStatus = 'pending' | 'ready' | 'unsupported' | 'no-adapter' | 'lost' | 'error';

export type ToWorker =
  | { type: 'init'; useGpu: boolean }
  | { type: 'compute'; id: number; settings: FigureSettings }
  | { type: 'sweep'; id: number; settings: FigureSettings }
  | { type: 'retry-gpu' }
  /** Test hook: destroy the GPU device as if the driver had lost it. */
  | { type: 'simulate-device-loss' };

export interface Agreement {
  /** max |GPU − CPU| / max |CPU| over the coefficients of a small spec. */
  maxRelativeError: number;
  spec: string;
  ms: number;
}

export type FromWorker =
  | { type: 'engine'; info: EngineInfo; gpu: GpuStatus; message: string | null; cpuCap: string }
  | { type: 'agreement'; agreement: Agreement }
  | { type: 'plan'; id: number; panels: PanelSpec[] }
  | { type: 'progress'; id: number; fraction: number; stage: string }
  | { type: 'panel'; id: number; index: number; result: PanelResult }
  | { type: 'done'; id: number; ms: number }
  | { type: 'error'; id: number; message: string; field: string | null }
  | {
      type: 'sweep-progress';
      id: number;
      fraction: number;
      stage: string;
      point: SweepPoint | null;
    }
  | { type: 'sweep-done'; id: number; result: SweepResult; ms: number }
  | { type: 'sweep-error'; id: number; message: string };
