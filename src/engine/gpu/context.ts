// What the engine's parts share: the device and the objects built on it once per engine.

import type { BufferPool } from './buffers';
import type { Pipelines } from './pipelines';
import type { WeightStore } from './store';
import type { Submitter } from './submit';
import type { KernelTimer } from './timer';

export interface GpuContext {
  device: GPUDevice;
  pipelines: Pipelines;
  pool: BufferPool;
  submitter: Submitter;
  store: WeightStore;
  /** Present when the device has 'timestamp-query'. */
  timer: KernelTimer | null;
  /** Throws EngineError('destroyed' | 'device-lost') when the engine can no longer run. */
  checkAlive(): void;
}
