// The CPU trainer: the float64 model of src/model/training.ts behind the Trainer interface. It is
// the fallback when WebGPU is missing and the reference the GPU trainer is tested against. Scalar
// JavaScript on one thread: fine for the defaults (blocks of two layers have no m × m matrix, so a
// step is O(m · (d + r) · n)); m × m layers at m = 1024 cost ≈ 40 ms per step.

import type { Matrix } from '../model/network';
import { type ModelWeights, TrainingNetwork } from '../model/training';
import { runningInNode } from './runtime';
import type { TrainedModel, Trainer, TrainingProblem } from './trainer';
import { EngineError, type EngineInfo } from './types';

/** Bytes of float64 weights the CPU trainer may hold (W_0 plus one copy per model). */
export const CPU_TRAINING_BUDGET_BYTES = { node: 4 * 2 ** 30, browser: 768 * 2 ** 20 } as const;

export class CpuTrainer implements Trainer {
  readonly info: EngineInfo = {
    kind: 'cpu',
    adapter: 'CPU (float64 JavaScript, one thread)',
    precision: 'float64',
  };
  private readonly network: TrainingNetwork;
  private readonly problem: TrainingProblem;
  private readonly models = new Map<TrainedModel, ModelWeights>();

  constructor(problem: TrainingProblem, budgetBytes?: number) {
    const perModel = TrainingNetwork.modelBytes(problem.spec);
    const needed = perModel * (1 + problem.models.length);
    const budget = budgetBytes ?? CPU_TRAINING_BUDGET_BYTES[runningInNode() ? 'node' : 'browser'];
    if (needed > budget) {
      throw new EngineError(
        'too-large',
        `CPU trainer: ${problem.models.length} models at these widths need ${(needed / 2 ** 20).toFixed(0)} MiB of float64 weights, over its ${(budget / 2 ** 20).toFixed(0)} MiB budget; use a smaller width, fewer layers per block, or the GPU engine`,
      );
    }
    this.problem = problem;
    this.network = new TrainingNetwork(problem.spec);
    for (const kind of problem.models) this.models.set(kind, this.network.newModel(kind));
  }

  private model(kind: TrainedModel): ModelWeights {
    const model = this.models.get(kind);
    if (!model) throw new Error(`CpuTrainer: model ${kind} was not set up`);
    return model;
  }

  async gradientSteps(kind: TrainedModel, eta: number, count: number): Promise<void> {
    const model = this.model(kind);
    for (let i = 0; i < count; i++) {
      this.network.gradientStep(model, this.problem.trainInputs, this.problem.trainTargets, eta);
    }
  }

  async outputs(kind: TrainedModel, inputs: 'train' | 'heldOut'): Promise<Matrix> {
    const x = inputs === 'train' ? this.problem.trainInputs : this.problem.heldOutInputs;
    return this.network.forward(this.model(kind), x).output;
  }

  async kernel(kind: TrainedModel, blocks?: readonly number[]): Promise<Matrix> {
    return this.network.kernel(this.model(kind), this.problem.trainInputs, blocks);
  }

  async pullBack(kind: TrainedModel, block: number, alpha: Matrix): Promise<void> {
    this.network.pullBack(this.model(kind), this.problem.trainInputs, block, alpha);
  }

  async distances(kind: TrainedModel): Promise<number[]> {
    return this.network.distances(this.model(kind));
  }

  destroy(): void {
    this.models.clear();
  }
}
