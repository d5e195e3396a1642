// One interface, two engines: the WebGPU engine (float32 kernels) and the CPU engine (the float64
// model) answer the same requests with the same result types. An experiment never knows which ran.

import type { Direction, DirectionRequest } from '../model/directions';
import type { Matrix } from '../model/network';
import type { LanePlan, PolynomialLayout, VariableGrouping } from '../model/polynomial';
import type { NetworkSpec } from '../model/spec';

export type EngineKind = 'webgpu' | 'cpu';

export interface EngineInfo {
  kind: EngineKind;
  /** Human-readable adapter, e.g. "swiftshader (Google, cpu)" or "CPU (float64 JavaScript)". */
  adapter: string;
  /** Arithmetic of the wide products: WGSL has no f64, so the GPU path is float32. */
  precision: 'float32' | 'float64';
}

export interface PolynomialRequest {
  spec: NetworkSpec;
  directions: DirectionRequest;
  /** One variable t for all layers, one t_b per block, or one per layer (model.md §4). */
  grouping: VariableGrouping;
}

export interface GridRequest {
  spec: NetworkSpec;
  directions: DirectionRequest;
  /** Values of t at which g(W + tΔ; x) is evaluated. */
  ts: number[];
}

export interface Timing {
  /** Wall-clock milliseconds for the whole request, set-up included. */
  totalMs: number;
  /** Of which building the directions (forward/backward traces, norms, host-side vectors). */
  setupMs: number;
  /** Of which the lane pass (the wide products), until its results are back on the host. */
  passMs: number;
  /** Floating-point operations the wide products needed (2 per multiply-add). */
  flops: number;
  /**
   * Of passMs, the time the lane pass's kernels ran on the device, from timestamp queries (GPU
   * engine on adapters with 'timestamp-query'); absent elsewhere.
   */
  kernelMs?: number;
}

/**
 * What the weight store did for one request (docs/engine.md). Weight matrices are stored once
 * while they fit the engine's memory budget and generated from Philox past it; both give the same
 * values, so this changes speed, never results.
 */
export interface StoreReport {
  /** 'stored': every generated matrix came from (or went into) the store; 'generated': none did. */
  path: 'stored' | 'generated' | 'mixed';
  /** Matrices read from the store (filled now or by an earlier request) and generated on the fly. */
  storedMatrices: number;
  generatedMatrices: number;
  /** Bytes the store holds after this request, and its budget. */
  bytes: number;
  budgetBytes: number;
}

export function storePath(stored: number, generated: number): StoreReport['path'] {
  if (generated === 0) return 'stored';
  return stored === 0 ? 'generated' : 'mixed';
}

export interface PolynomialResult {
  engine: EngineInfo;
  store: StoreReport;
  layout: PolynomialLayout;
  /** Per direction: k × layout.size coefficients, row-major (output o, term α). */
  coefficients: Matrix[];
  timing: Timing;
}

export interface GridResult {
  engine: EngineInfo;
  store: StoreReport;
  ts: number[];
  /** Per direction: k × ts.length values of g(W + tΔ; x). */
  values: Matrix[];
  timing: Timing;
}

export interface RunOptions {
  signal?: AbortSignal;
  /** Called with the fraction done (0…1) and what is being done. */
  onProgress?: (fraction: number, stage: string) => void;
}

/** One request of a batch (Engine.batch): an exact polynomial or a grid of t. */
export type BatchRequest =
  | { kind: 'polynomial'; request: PolynomialRequest }
  | { kind: 'grid'; request: GridRequest };

/** The answer to one BatchRequest, of the same kind. */
export type BatchResult =
  | { kind: 'polynomial'; result: PolynomialResult }
  | { kind: 'grid'; result: GridResult };

export interface Engine {
  readonly info: EngineInfo;
  polynomial(req: PolynomialRequest, options?: RunOptions): Promise<PolynomialResult>;
  grid(req: GridRequest, options?: RunOptions): Promise<GridResult>;
  /**
   * Optional: several requests at once, answered in order, each result what polynomial() or
   * grid() would give for it alone (timings aside: they describe the whole batch). The GPU
   * engine records them into as few submissions as it can and reads back once. Callers use
   * runRequests (src/engine/runRequests.ts), which falls back to one call per request.
   */
  batch?(requests: BatchRequest[], options?: RunOptions): Promise<BatchResult[]>;
  /** Peak bytes of device memory held at once (0 for the CPU engine). */
  readonly peakBytes: number;
  destroy(): void;
}

/**
 * The lane pass an engine must supply: run every direction's lanes through the network and
 * return each direction's k × lanes outputs, with what the weight store did.
 */
export interface LaneRunner {
  propagate(
    spec: NetworkSpec,
    directions: Direction[],
    plan: LanePlan,
    x: Float64Array,
    options: RunOptions,
  ): Promise<{ outputs: Matrix[]; store: StoreReport; kernelMs?: number | null }>;
}

export type EngineErrorKind =
  | 'unsupported'
  | 'no-adapter'
  | 'device-lost'
  | 'validation'
  | 'out-of-memory'
  | 'too-large'
  | 'cancelled'
  | 'destroyed';

/** Everything an engine throws besides SpecError: a typed reason the UI can act on. */
export class EngineError extends Error {
  readonly kind: EngineErrorKind;
  constructor(kind: EngineErrorKind, message: string) {
    super(message);
    this.name = 'EngineError';
    this.kind = kind;
  }
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new EngineError('cancelled', 'Computation cancelled');
}
