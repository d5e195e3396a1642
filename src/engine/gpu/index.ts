// The WebGPU engine. One file per part:
//   engine.ts       GpuEngine: requests, the queue, public set-up operations
//   device.ts       adapter, device, features, limits and memory budgets
//   pipelines.ts    the kernel table (WGSL file, entry point, override constants) and pipelines
//   tiles.ts        every tile and workgroup size, passed to WGSL as override constants
//   params.ts       the Params field list and its encoder (mirrors shaders/bindings.wgsl)
//   buffers.ts      the buffer pool: named growable buffers, bind groups, byte accounting
//   store.ts        the weight store: matrices materialised once, LRU under a budget
//   products.ts     dispatch plans of the matrix products (stored or generated, split-K)
//   batch.ts        requests, one or many, into as few submissions and read-backs as possible
//   lanePass.ts     one lane pass (a request's directions, every layer) as one compute pass
//   deviceSetup.ts  directions made on the device, inside the batch (all families but gradient)
//   directions.ts   set-up ops for the host's buildDirections: traces, dense norms, ξ vectors
//   requestSize.ts  requests refused before allocation when over the device's limits
//   submit.ts       recording, submitting, errors and read-back
//   timer.ts        kernel time from timestamp queries

export type { GpuEngineOptions } from './device';
export { formatBytes } from './device';
export { GpuEngine } from './engine';
