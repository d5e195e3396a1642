// The set-up operations the direction families need (DirectionOps, src/model/directions.ts) on the
// GPU: forward and backward trace products, Frobenius norms of dense Gaussian directions and the
// ξ vectors of aligned, tilted and chained directions. Trace products read the weight store like
// the lane pass, so a request's set-up fills the store its lane pass then reuses.
//
// The engine's requests make every family but gradient on the device inside their batch
// (deviceSetup.ts, batch.ts); these ops serve gradient directions (built on the host from a
// forward and a backward trace), a set-up too large for a batch group, and the public set-up
// operations of GpuEngine.
//
// Round trips: each wait for the device costs 0.1–1 ms through Dawn (more in a browser), so
// setupOps() makes what a request's set-up will ask for in one submit and one read-back: the
// forward trace and every layer's ξ for aligned, tilted and chained directions (chained reuses
// layer ℓ−1's ξ as layer ℓ's input side, so it needs the same rows), every norm for gaussian
// ones. buildDirections then finds the answers waiting.

import type { DirectionOps, DirectionRequest } from '../../model/directions';
import { drawInput, type Matrix } from '../../model/network';
import { Stream } from '../../model/random';
import { type NetworkSpec, planLayers } from '../../model/spec';
import { matrixKey } from '../matrixKey';
import type { GpuContext } from './context';
import { ACTIVATION_CODE } from './params';
import {
  elementGroups,
  generatorParams,
  type MatrixKey,
  productDispatches,
  weightMatrix,
} from './products';
import type { Dispatch, Pass, ReadRegion } from './submit';
import { ELEMENT_LANES } from './tiles';

/** Workgroups of dense_norm_squared: each sums every NORM_WORKGROUPS-th row. */
export const NORM_WORKGROUPS = 1024;
/** Forward-trace outputs are read back in chunks of at most this (one round trip each). */
const TRACE_CHUNK_BYTES = 64 * 2 ** 20;
/** A prefetch reads back at most this much at once; larger set-ups go op by op. */
const PREFETCH_BYTES = 64 * 2 ** 20;

/** DirectionOps backed by `ctx`'s kernels, one op at a time. */
export function gpuDirectionOps(ctx: GpuContext): Required<DirectionOps> {
  return {
    matmul: (seed, stream, layer, rows, cols, x, alpha, transposed) =>
      matMul(ctx, { seed, stream, layer, rows, cols }, x, alpha, transposed),
    denseNormSquared: (seed, stream, layer, rows, cols) =>
      denseNormSquared(ctx, { seed, stream, layer, rows, cols }),
    forwardTrace: (spec, inputs) => forwardTrace(ctx, spec, inputs),
    gaussianVectors: (seed, firstStream, count, layer, length) =>
      gaussianVectors(ctx, seed, firstStream, count, layer, length),
  };
}

/** Y = α·G X (or α·Gᵀ X) for one generated matrix G, from the store when it fits. */
export async function matMul(
  ctx: GpuContext,
  matrix: MatrixKey,
  x: Matrix,
  alpha: number,
  transposed: boolean,
): Promise<Matrix> {
  ctx.checkAlive();
  const outRows = transposed ? matrix.cols : matrix.rows;
  const inner = transposed ? matrix.rows : matrix.cols;
  if (x.rows !== inner) throw new Error(`matMul: X has ${x.rows} rows, expected ${inner}`);
  const n = x.cols;
  const { pool, submitter } = ctx;
  const src = pool.buffer(
    'traceIn',
    inner * n * 4,
    GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
  );
  const dst = pool.buffer(
    'traceOut',
    outRows * n * 4,
    GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
  );
  const {
    buffers: [stored],
    fills,
  } = await ctx.store.acquire([matrix]);
  ctx.device.queue.writeBuffer(src, 0, Float32Array.from(x.data));
  const product = productDispatches({ matrix, transposed, alpha, lanes: n, ld: n }, stored);
  const [data] = await submitter.runAndRead(
    [{ dispatches: [...fills, ...product], src, dst }],
    [{ buffer: dst, bytes: outRows * n * 4 }],
  );
  return { rows: outRows, cols: n, data: Float64Array.from(new Float32Array(data)) };
}

/** dense_norm_squared of `matrix`, its partials at scratch[outOffset …]. */
function normDispatch(matrix: MatrixKey, outOffset: number): Dispatch {
  const groups = Math.min(matrix.rows, NORM_WORKGROUPS);
  return {
    kernel: 'dense_norm_squared',
    params: { ...generatorParams(matrix), outOffset },
    groups: [groups, 1],
    scratchFloats: outOffset + groups,
  };
}

/** ‖G‖_F² of a generated matrix, from per-workgroup float32 partials summed in float64. */
export async function denseNormSquared(ctx: GpuContext, matrix: MatrixKey): Promise<number> {
  ctx.checkAlive();
  const dispatch = normDispatch(matrix, 0);
  const floats = dispatch.groups[0];
  const [data] = await ctx.submitter.runAndRead(
    [{ dispatches: [dispatch] }],
    [{ buffer: ctx.pool.scratch(floats), bytes: floats * 4 }],
  );
  return new Float32Array(data).reduce((s, v) => s + v, 0);
}

/** gaussian_rows: row 0 of matrix `layer` for `count` streams, at scratch[outOffset …]. */
function rowsDispatch(
  seed: number,
  firstStream: number,
  count: number,
  layer: number,
  length: number,
  outOffset: number,
): Dispatch {
  return {
    kernel: 'gaussian_rows',
    params: { seed, stream: firstStream, layer, gCols: length, lanes: count, outOffset },
    groups: [Math.ceil(length / 4 / ELEMENT_LANES), count],
    scratchFloats: outOffset + count * length,
  };
}

function splitRows(data: Float32Array, count: number, length: number): Float64Array[] {
  return Array.from({ length: count }, (_, i) =>
    Float64Array.from(data.subarray(i * length, (i + 1) * length)),
  );
}

/** Row 0 of matrix `layer` for streams firstStream … firstStream + count − 1 (float32). */
export async function gaussianVectors(
  ctx: GpuContext,
  seed: number,
  firstStream: number,
  count: number,
  layer: number,
  length: number,
): Promise<Float64Array[]> {
  ctx.checkAlive();
  const [data] = await ctx.submitter.runAndRead(
    [{ dispatches: [rowsDispatch(seed, firstStream, count, layer, length, 0)] }],
    [{ buffer: ctx.pool.scratch(count * length), bytes: count * length * 4 }],
  );
  return splitRows(new Float32Array(data), count, length);
}

/** A forward trace recorded as passes, read back chunk by chunk. */
interface TraceChunk {
  passes: Pass[];
  /** Each layer's output in this chunk's read-back: rows and byte offset. */
  layers: { rows: number; offset: number }[];
  region: ReadRegion;
}

/**
 * The forward trace of `inputs` as passes (every layer in flight, each output copied into
 * traceAll), grouped into chunks whose outputs fit TRACE_CHUNK_BYTES: usually one.
 */
async function recordTrace(
  ctx: GpuContext,
  spec: NetworkSpec,
  inputs: Matrix,
): Promise<TraceChunk[]> {
  const { pool, device } = ctx;
  const layers = planLayers(spec);
  const n = inputs.cols;
  const maxRows = Math.max(spec.inputSize, ...layers.map((l) => l.outSize));
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
  let cur = pool.buffer('traceA', maxRows * n * 4, usage);
  let next = pool.buffer('traceB', maxRows * n * 4, usage);
  const totalBytes = layers.reduce((s, l) => s + l.outSize * n * 4, 0);
  const chunkBytes = Math.min(totalBytes, Math.max(TRACE_CHUNK_BYTES, maxRows * n * 4));
  const all = pool.buffer('traceAll', chunkBytes, usage);
  const { buffers, fills } = await ctx.store.acquire(layers.map((l) => weightMatrix(spec.seed, l)));
  device.queue.writeBuffer(cur, 0, Float32Array.from(inputs.data));
  const chunks: TraceChunk[] = [];
  let chunk: TraceChunk | null = null;
  for (const [i, layer] of layers.entries()) {
    const bytes = layer.outSize * n * 4;
    if (!chunk || chunk.region.bytes + bytes > chunkBytes) {
      chunk = { passes: [], layers: [], region: { buffer: all, bytes: 0 } };
      chunks.push(chunk);
    }
    const dispatches = i === 0 ? [...fills] : [];
    dispatches.push(
      ...productDispatches(
        {
          matrix: weightMatrix(spec.seed, layer),
          transposed: false,
          alpha: layer.scale,
          lanes: n,
          ld: n,
        },
        buffers[i],
      ),
    );
    if (layer.activation !== 'identity') {
      dispatches.push({
        kernel: 'activate',
        params: {
          outRows: layer.outSize,
          lanes: n,
          ld: n,
          activation: ACTIVATION_CODE[layer.activation],
        },
        groups: elementGroups(layer.outSize, n),
      });
    }
    const from = next;
    const at = chunk.region.bytes;
    chunk.passes.push({
      dispatches,
      src: cur,
      dst: next,
      after: (encoder) => encoder.copyBufferToBuffer(from, 0, all, at, bytes),
    });
    chunk.layers.push({ rows: layer.outSize, offset: at });
    chunk.region.bytes += bytes;
    [cur, next] = [next, cur];
  }
  return chunks;
}

/** The matrices of one chunk's read-back. */
function unpackTrace(chunk: TraceChunk, data: ArrayBuffer, n: number): Matrix[] {
  return chunk.layers.map(({ rows, offset }) => ({
    rows,
    cols: n,
    data: Float64Array.from(new Float32Array(data, offset, rows * n)),
  }));
}

/**
 * h_0 … h_L at W_init for the columns of `inputs`, every layer in one submit and read back in
 * one transfer (per TRACE_CHUNK_BYTES). Activations here are float32.
 */
export async function forwardTrace(
  ctx: GpuContext,
  spec: NetworkSpec,
  inputs: Matrix,
): Promise<Matrix[]> {
  ctx.checkAlive();
  const trace: Matrix[] = [inputs];
  for (const chunk of await recordTrace(ctx, spec, inputs)) {
    const [data] = await ctx.submitter.runAndRead(chunk.passes, [chunk.region]);
    trace.push(...unpackTrace(chunk, data, inputs.cols));
  }
  return trace;
}

/** Answers made ahead for one request's set-up. */
interface Prefetched {
  /** ‖G‖_F² by matrixKey (gaussian directions). */
  norms?: Map<string, number>;
  /** The forward trace of `inputs` and each perturbed layer's ξ rows (aligned, tilted, chained). */
  inputs?: Matrix;
  trace?: Matrix[];
  xis?: Map<number, Float64Array[]>;
}

/**
 * DirectionOps for one request whose answers are made ahead, on the first call (so the time
 * counts as the request's set-up), in one submit and one read-back: aligned, tilted and chained
 * directions get the forward trace of x and every perturbed layer's ξ, gaussian ones every
 * layer's norm. A call asking anything else (or a set-up too large to read back at once) goes op
 * by op.
 */
export function setupOps(ctx: GpuContext, spec: NetworkSpec, req: DirectionRequest): DirectionOps {
  const ops = gpuDirectionOps(ctx);
  let started: Promise<Prefetched> | null = null;
  const ahead = () => {
    started ??= prefetch(ctx, spec, req);
    return started;
  };
  return {
    matmul: ops.matmul,
    denseNormSquared: async (seed, stream, layer, rows, cols) => {
      const norm = (await ahead()).norms?.get(matrixKey({ seed, stream, layer, rows, cols }));
      return norm ?? ops.denseNormSquared(seed, stream, layer, rows, cols);
    },
    forwardTrace: async (given, inputs) => {
      const { trace, inputs: traced } = await ahead();
      return trace && traced && given === spec && sameMatrix(inputs, traced)
        ? trace
        : ops.forwardTrace(given, inputs);
    },
    gaussianVectors: async (seed, firstStream, count, layer, length) => {
      const rows = (await ahead()).xis?.get(layer);
      const planned =
        rows &&
        seed === req.seed &&
        firstStream === Stream.alignedXi(0) &&
        count === rows.length &&
        rows.every((r) => r.length === length);
      return planned ? rows : ops.gaussianVectors(seed, firstStream, count, layer, length);
    },
  };
}

async function prefetch(
  ctx: GpuContext,
  spec: NetworkSpec,
  req: DirectionRequest,
): Promise<Prefetched> {
  const layers = planLayers(spec).filter((l) => req.blockMask[l.block]);
  if (req.family === 'gaussian') {
    const dispatches: Dispatch[] = [];
    const slots: { key: string; offset: number; groups: number }[] = [];
    let floats = 0;
    for (let dir = 0; dir < req.count; dir++) {
      for (const layer of layers) {
        const matrix = {
          seed: req.seed,
          stream: Stream.denseDirection(dir),
          layer: layer.index,
          rows: layer.outSize,
          cols: layer.inSize,
        };
        const dispatch = normDispatch(matrix, floats);
        dispatches.push(dispatch);
        slots.push({ key: matrixKey(matrix), offset: floats, groups: dispatch.groups[0] });
        floats += dispatch.groups[0];
      }
    }
    if (dispatches.length === 0 || floats * 4 > PREFETCH_BYTES) return {};
    const [data] = await ctx.submitter.runAndRead(
      [{ dispatches }],
      [{ buffer: ctx.pool.scratch(floats), bytes: floats * 4 }],
    );
    const partials = new Float32Array(data);
    const norms = new Map<string, number>();
    for (const { key, offset, groups } of slots) {
      norms.set(
        key,
        partials.subarray(offset, offset + groups).reduce((s, v) => s + v, 0),
      );
    }
    return { norms };
  }
  if (req.family !== 'aligned' && req.family !== 'tilted' && req.family !== 'chained') return {};
  // buildDirections traces the plotted input x alone and asks for ξ of every perturbed layer.
  const x = drawInput(spec.seed, spec.inputSize, 0);
  const inputs = { rows: spec.inputSize, cols: 1, data: x };
  const xiFloats = layers.reduce((s, l) => s + req.count * l.outSize, 0);
  const chunks = await recordTrace(ctx, spec, inputs);
  if (chunks.length !== 1 || chunks[0].region.bytes + xiFloats * 4 > PREFETCH_BYTES) {
    // Too large to read back at once: run the recorded trace alone.
    const trace: Matrix[] = [inputs];
    for (const chunk of chunks) {
      const [data] = await ctx.submitter.runAndRead(chunk.passes, [chunk.region]);
      trace.push(...unpackTrace(chunk, data, 1));
    }
    return { inputs, trace };
  }
  const xiDispatches: Dispatch[] = [];
  let offset = 0;
  for (const layer of layers) {
    xiDispatches.push(
      rowsDispatch(req.seed, Stream.alignedXi(0), req.count, layer.index, layer.outSize, offset),
    );
    offset += req.count * layer.outSize;
  }
  const [traceData, xiData] = await ctx.submitter.runAndRead(
    [...chunks[0].passes, { dispatches: xiDispatches }],
    [chunks[0].region, { buffer: ctx.pool.scratch(xiFloats), bytes: xiFloats * 4 }],
  );
  const all = new Float32Array(xiData);
  const xis = new Map<number, Float64Array[]>();
  offset = 0;
  for (const layer of layers) {
    const floats = req.count * layer.outSize;
    xis.set(
      layer.index,
      splitRows(all.subarray(offset, offset + floats), req.count, layer.outSize),
    );
    offset += floats;
  }
  return { inputs, trace: [inputs, ...unpackTrace(chunks[0], traceData, 1)], xis };
}

function sameMatrix(a: Matrix, b: Matrix): boolean {
  return a.rows === b.rows && a.cols === b.cols && a.data.every((v, i) => v === b.data[i]);
}

/** Philox words and Gaussians for (counter, key) inputs, for tests of bit-identity. */
export async function generatorWords(
  ctx: GpuContext,
  inputs: Uint32Array,
): Promise<{ words: Uint32Array; gaussians: Float32Array }> {
  ctx.checkAlive();
  const count = inputs.length / 6;
  const halves = new Float32Array(inputs.length * 2);
  inputs.forEach((w, i) => {
    halves[2 * i] = w & 0xffff;
    halves[2 * i + 1] = w >>> 16;
  });
  ctx.device.queue.writeBuffer(ctx.pool.vecs(halves.byteLength), 0, halves);
  const dispatch: Dispatch = {
    kernel: 'generator_words',
    params: { lanes: count },
    groups: [Math.ceil(count / ELEMENT_LANES), 1],
    scratchFloats: count * 12,
  };
  const [data] = await ctx.submitter.runAndRead(
    [{ dispatches: [dispatch] }],
    [{ buffer: ctx.pool.scratch(count * 12), bytes: count * 48 }],
  );
  const out = new Float32Array(data);
  const words = new Uint32Array(count * 4);
  const gaussians = new Float32Array(count * 4);
  for (let i = 0; i < count; i++) {
    for (let e = 0; e < 4; e++) {
      words[i * 4 + e] = (out[i * 12 + 2 * e] + out[i * 12 + 2 * e + 1] * 65536) >>> 0;
      gaussians[i * 4 + e] = out[i * 12 + 8 + e];
    }
  }
  return { words, gaussians };
}
