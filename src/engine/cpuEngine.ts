// The CPU engine: the float64 model behind the Engine interface. It is the reference every GPU
// result is checked against and the fallback when WebGPU is missing or lost.
// Advantages: float64, runs everywhere, no set-up. Disadvantages: one thread, and every weight is
// regenerated per use (O(m²) Philox calls per layer), so it is slow beyond m ≈ 2048 for m×m layers.

import { cpuDirectionOps } from '../model/directions';
import type { Matrix } from '../model/network';
import { propagateLanes } from '../model/polynomial';
import { planLayers } from '../model/spec';
import { runGrid, runPolynomial } from './requests';
import {
  type Engine,
  EngineError,
  type EngineInfo,
  type GridRequest,
  type GridResult,
  type LaneRunner,
  type PolynomialRequest,
  type PolynomialResult,
  type RunOptions,
  throwIfAborted,
} from './types';

const cpuLaneRunner: LaneRunner = {
  async propagate(spec, directions, plan, x, options) {
    const out: Matrix[] = [];
    for (const [i, direction] of directions.entries()) {
      throwIfAborted(options.signal);
      out.push(propagateLanes(spec, direction, plan, x));
      options.onProgress?.(
        (i + 1) / directions.length,
        `direction ${i + 1} of ${directions.length}`,
      );
      // Yield so a worker can receive a cancel message between directions.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    return {
      outputs: out,
      store: {
        path: 'generated',
        storedMatrices: 0,
        generatedMatrices: planLayers(spec).length,
        bytes: 0,
        budgetBytes: 0,
      },
    };
  },
};

export class CpuEngine implements Engine {
  readonly info: EngineInfo = {
    kind: 'cpu',
    adapter: 'CPU (float64 JavaScript)',
    precision: 'float64',
  };
  readonly peakBytes = 0;
  private destroyed = false;

  polynomial(req: PolynomialRequest, options: RunOptions = {}): Promise<PolynomialResult> {
    this.checkAlive();
    return runPolynomial(this.info, cpuDirectionOps, cpuLaneRunner, req, options);
  }

  grid(req: GridRequest, options: RunOptions = {}): Promise<GridResult> {
    this.checkAlive();
    return runGrid(this.info, cpuDirectionOps, cpuLaneRunner, req, options);
  }

  destroy(): void {
    this.destroyed = true;
  }

  private checkAlive(): void {
    if (this.destroyed) throw new EngineError('destroyed', 'CpuEngine used after destroy()');
  }
}
