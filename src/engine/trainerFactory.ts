// Which trainer runs a training problem: the WebGPU trainer (float32, gpu/training/) when a GPU
// entry point is given and an adapter is found, else the CPU trainer (float64). A clear failure to
// get a GPU (no WebGPU, no adapter, a device that refuses the pipelines) falls back to the CPU and
// says why; a problem too large for the GPU is refused, not moved to the slower CPU.

import { CpuTrainer } from './cpuTrainer';
import { GpuTrainer, type GpuTrainerOptions } from './gpu/training';
import type { Trainer, TrainingProblem } from './trainer';
import { EngineError } from './types';

export interface TrainerOptions {
  /** A WebGPU entry point (navigator.gpu or the `webgpu` package's); absent: CPU. */
  gpu?: GPU;
  /** Options of the GPU trainer. */
  gpuOptions?: GpuTrainerOptions;
  /**
   * Use the CPU trainer when the adapter is a software one (SwiftShader, or any adapter that says
   * it is a fallback): there the float32 GPU trainer runs 4–60× slower than the float64 CPU
   * trainer (bench/README.md). The page sets it; a command line that names `--engine gpu` does not.
   */
  avoidSoftwareAdapter?: boolean;
}

/** Whether an adapter is a CPU implementation of WebGPU rather than a GPU. */
export function isSoftwareAdapter(info: GPUAdapterInfo | undefined): boolean {
  if (!info) return false;
  const fallback = (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter;
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`;
  return fallback === true || /swiftshader|llvmpipe|lavapipe|warp/i.test(text);
}

/** A trainer, and why it is the CPU one when a GPU was asked for. */
export type CreatedTrainer = Trainer & {
  /** Set when `gpu` was given but the CPU trainer runs: the GPU trainer's error message. */
  readonly fallbackReason?: string;
};

/** Failures after which the CPU trainer is used instead of failing. */
const FALLBACK_KINDS = new Set(['unsupported', 'no-adapter', 'validation', 'device-lost']);

export async function createTrainer(
  problem: TrainingProblem,
  options: TrainerOptions = {},
): Promise<CreatedTrainer> {
  if (!options.gpu) return new CpuTrainer(problem);
  if (options.avoidSoftwareAdapter) {
    const adapter = await options.gpu.requestAdapter().catch(() => null);
    if (adapter && isSoftwareAdapter(adapter.info)) {
      return Object.assign(new CpuTrainer(problem), {
        fallbackReason: `the WebGPU adapter is a software one (${adapter.info.architecture || adapter.info.description || adapter.info.vendor}): the float64 CPU trainer is faster here`,
      });
    }
  }
  try {
    return await GpuTrainer.create(options.gpu, problem, options.gpuOptions);
  } catch (error) {
    if (!(error instanceof EngineError) || !FALLBACK_KINDS.has(error.kind)) throw error;
    const trainer = new CpuTrainer(problem);
    return Object.assign(trainer, { fallbackReason: error.message });
  }
}
