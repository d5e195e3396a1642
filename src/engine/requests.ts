// The request logic both engines share: validate, build the directions, plan the lanes, run
// them through the engine's lane pass. Only the wide products differ between engines.

import {
  buildDirections,
  type Direction,
  type DirectionOps,
  type DirectionRequest,
  validateDirectionRequest,
} from '../model/directions';
import { drawInput } from '../model/network';
import { gridLanes, type LanePlan, polynomialLanes, polynomialLayout } from '../model/polynomial';
import {
  checkInteger,
  isLinearNetwork,
  type NetworkSpec,
  planLayers,
  SpecError,
  validateSpec,
} from '../model/spec';
import type {
  EngineInfo,
  GridRequest,
  GridResult,
  LaneRunner,
  PolynomialRequest,
  PolynomialResult,
  RunOptions,
  Timing,
} from './types';
import { throwIfAborted } from './types';

export const MAX_GRID_POINTS = 4096;

/** Floating-point operations of one lane pass (2 per multiply-add), for the benchmark. */
export function lanePassFlops(
  spec: NetworkSpec,
  directions: Direction[],
  lanesPerDirection: number,
): number {
  let flops = 0;
  const totalLanes = directions.length * lanesPerDirection;
  for (const layer of planLayers(spec)) {
    flops += 2 * layer.outSize * layer.inSize * totalLanes;
    for (const d of directions) {
      const piece = d.layers[layer.index];
      if (piece.kind === 'dense') flops += 2 * layer.outSize * layer.inSize * lanesPerDirection;
      if (piece.kind === 'rankOne') flops += 2 * (layer.outSize + layer.inSize) * lanesPerDirection;
    }
  }
  return flops;
}

/** Directions, then the lane pass, timed separately (set-up runs partly on the host). */
async function runLanes(
  ops: DirectionOps,
  runner: LaneRunner,
  spec: NetworkSpec,
  req: DirectionRequest,
  plan: LanePlan,
  options: RunOptions,
) {
  const start = performance.now();
  options.onProgress?.(0, 'directions');
  const directions = await buildDirections(spec, req, ops);
  throwIfAborted(options.signal);
  const passStart = performance.now();
  const x = drawInput(spec.seed, spec.inputSize, 0);
  const { outputs, store, kernelMs } = await runner.propagate(spec, directions, plan, x, options);
  options.onProgress?.(1, 'done');
  const end = performance.now();
  const timing: Timing = {
    totalMs: end - start,
    setupMs: passStart - start,
    passMs: end - passStart,
    flops: lanePassFlops(spec, directions, plan.lanes),
  };
  if (typeof kernelMs === 'number') timing.kernelMs = kernelMs;
  return { outputs, store, timing };
}

export async function runPolynomial(
  info: EngineInfo,
  ops: DirectionOps,
  runner: LaneRunner,
  req: PolynomialRequest,
  options: RunOptions = {},
): Promise<PolynomialResult> {
  validateSpec(req.spec);
  validateDirectionRequest(req.spec, req.directions);
  if (!isLinearNetwork(req.spec)) {
    throw new SpecError(
      'activation',
      req.spec.activation,
      `exact polynomials need σ = identity everywhere (placement '${req.spec.placement}' applies ${req.spec.activation}); evaluate on a grid instead`,
    );
  }
  const layout = polynomialLayout(req.spec, req.directions.blockMask, req.grouping);
  const plan = polynomialLanes(req.spec, layout);
  const { outputs, store, timing } = await runLanes(
    ops,
    runner,
    req.spec,
    req.directions,
    plan,
    options,
  );
  return { engine: info, store, layout, coefficients: outputs, timing };
}

export async function runGrid(
  info: EngineInfo,
  ops: DirectionOps,
  runner: LaneRunner,
  req: GridRequest,
  options: RunOptions = {},
): Promise<GridResult> {
  validateSpec(req.spec);
  validateDirectionRequest(req.spec, req.directions);
  checkInteger('grid points', req.ts?.length, 1, MAX_GRID_POINTS);
  const bad = req.ts.findIndex((t) => !Number.isFinite(t));
  if (bad >= 0) throw new SpecError(`ts[${bad}]`, req.ts[bad], 'must be a finite number');
  const plan = gridLanes(req.ts);
  const { outputs, store, timing } = await runLanes(
    ops,
    runner,
    req.spec,
    req.directions,
    plan,
    options,
  );
  return { engine: info, store, ts: req.ts.slice(), values: outputs, timing };
}
