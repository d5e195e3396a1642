// Which trainer runs a training problem: the CPU trainer (float64) for now; the GPU trainer is
// added here when it lands.

import { CpuTrainer } from './cpuTrainer';
import type { Trainer, TrainingProblem } from './trainer';

export interface TrainerOptions {
  /** A WebGPU entry point (navigator.gpu or the `webgpu` package's); absent: CPU. */
  gpu?: GPU;
}

export async function createTrainer(
  problem: TrainingProblem,
  _options: TrainerOptions = {},
): Promise<Trainer> {
  return new CpuTrainer(problem);
}
