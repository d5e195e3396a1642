// One interface for training, two implementations: the float64 CPU trainer (`cpuTrainer.ts`, the
// reference) and the WebGPU trainer (`gpu/training/`, float32). The algorithms (gradient descent,
// block-alternating Gauss–Newton, the metrics) live in `experiments/training.ts` and never know
// which one ran. docs/training.md describes the three models and the formulas.

import type { Matrix } from '../model/network';
import type { NetworkSpec } from '../model/spec';
import type { EngineInfo } from './types';

/**
 * The three functions trained from the same initial weights W_0 (docs/training.md §2):
 * - `network`: g(W; x) itself;
 * - `ntk`: its linearisation in all weights at once, g_0 + J_0 (W − W_0) (the tangent-kernel model);
 * - `block`: the product of the blocks' first-order maps, each block linearised in its own
 *   weights only; multilinear in the blocks' weights (the paper's model q, eq. 18, for B = 2).
 * The two models need a linear network (σ = identity); the network may have any σ.
 */
export type TrainedModel = 'network' | 'ntk' | 'block';
export const TRAINED_MODELS: readonly TrainedModel[] = ['network', 'ntk', 'block'];

/** What a trainer is set up with. Matrices hold one column per sample. */
export interface TrainingProblem {
  /** The network; its seed draws W_0 from the same Philox stream as every other view. */
  spec: NetworkSpec;
  /** d × n training inputs. */
  trainInputs: Matrix;
  /** k × n training targets. */
  trainTargets: Matrix;
  /** d × n' held-out inputs. */
  heldOutInputs: Matrix;
  /** The functions to train (each keeps its own copy of the weights). */
  models: readonly TrainedModel[];
}

/**
 * Weights of every model live on the trainer (host arrays or GPU buffers) and are updated in
 * place; only small matrices (k × n outputs, nk × nk kernels) cross the interface.
 *
 * Conventions: L = (1/2n) Σ_i ‖f(x_i) − y_i‖²; a k × n matrix is vectorised sample-major, entry
 * (o, i) at index i·k + o; J = ∂ vec f(X) / ∂W over the raw weights W (entries N(0,1) at init;
 * each layer multiplies by s_ℓ = 1/√fan-in).
 */
export interface Trainer {
  readonly info: EngineInfo;
  /** Runs `count` full-batch gradient-descent steps on `model`: W ← W − η ∇L (loss above). */
  gradientSteps(model: TrainedModel, eta: number, count: number): Promise<void>;
  /** f(X) of `model` at its current weights on the training or held-out inputs: k × n. */
  outputs(model: TrainedModel, inputs: 'train' | 'heldOut'): Promise<Matrix>;
  /**
   * The tangent kernel K = J Jᵀ of `model` at its current weights, on the training inputs,
   * counting only the layers of `blocks` (every layer when omitted): nk × nk, float64.
   */
  kernel(model: TrainedModel, blocks?: readonly number[]): Promise<Matrix>;
  /** W_ℓ += J_ℓᵀ vec(α) for every layer ℓ of block `block`; α is k × n. */
  pullBack(model: TrainedModel, block: number, alpha: Matrix): Promise<void>;
  /** ‖W_b − W_b,0‖_F of each block b (all its layers' raw weights together). */
  distances(model: TrainedModel): Promise<number[]>;
  destroy(): void;
}
