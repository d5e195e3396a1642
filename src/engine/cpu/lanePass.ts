// A whole lane pass in one executor, for networks whose weights are small enough for every
// executor to hold all of them (docs/engine.md). The engine cuts the N = directions × lanes
// columns into chunks and deals them out to the executors; each runs every layer on its chunks,
// σ and the direction terms included, and sends back only the outputs. The state of a chunk
// (widest layer × chunk columns, float64) stays in the executor's cache: nothing per layer
// crosses threads. On a grid of t (lane-local: lane i reads only itself through Δ) a chunk is
// any run of columns; for a polynomial's coefficient lanes (lane i reads lane source[i]) it is
// whole directions.
//
// Per layer, for the chunk's columns c (direction d_c, lane i_c), as the engine's row-sharded
// pass and the float64 model:
//   Y = s W H;  X_c[:, c] = weight[i_c] · H[:, source of c];  Y[:, d] += s scale_d Δ_d X_c[:, d];
//   H ← σ(Y).
// Every entry is computed from its own column alone (sums over k in increasing order), so a
// column's result does not depend on the chunk it is in, nor on the executor: a pool of 1, of N
// and no pool give the same bits.

import type { KernelSet } from './kernels';
import type { LanePassJob, MatrixRef } from './protocol';

/**
 * Columns per chunk on a grid, at least: 8 fill the product's widest register tile. Narrow
 * networks take more (up to 64), as many as keep a chunk's state within LANE_STATE_BYTES.
 */
export const LANE_CHUNK_COLUMNS = 8;
/** A chunk's state (widest layer × chunk columns, float64) stays within this, where it can: L2. */
export const LANE_STATE_BYTES = 256 * 1024;

/** Where each array lives in the kernels' region (byte offsets from the region's start). */
interface Layout {
  bytes: number;
  matrices: Map<MatrixRef, number>;
  /** Per layer, per direction: offsets of u and v of a rank-one piece, or −1. */
  u: number[][];
  v: number[][];
  x: number;
  colWeight: number;
  colSource: number;
  ones: number;
  dots: number;
  h: number;
  y: number;
  xc: number;
  scratch: number;
}

const align = (bytes: number) => Math.ceil(bytes / 16) * 16;

export class LanePassRun {
  private readonly layout: Layout;
  private readonly maxRows: number;
  /** The region the constants were last copied to (they are copied again if it moved). */
  private placed: { buffer: ArrayBufferLike; offset: number } | null = null;
  /** Every matrix's rows, fetched once (filling a stored block runs the generator, which may move the region). */
  private readonly weights: Map<MatrixRef, Float32Array>;

  /** `matrix(m)`: all rows of m (stored or generated), float32. */
  constructor(
    private readonly kernels: KernelSet,
    private readonly job: LanePassJob,
    private readonly matrix: (m: MatrixRef) => Float32Array,
  ) {
    const { layers } = job;
    const nc = job.chunkColumns;
    this.maxRows = Math.max(job.x.length, ...layers.map((l) => l.weights.rows));
    let at = 0;
    const take = (bytes: number) => {
      const o = at;
      at += align(bytes);
      return o;
    };
    const matrices = new Map<MatrixRef, number>();
    const place = (m: MatrixRef) => {
      if (!matrices.has(m)) matrices.set(m, take(m.rows * m.cols * 4));
    };
    let dense = false;
    let gathered = false;
    const u: number[][] = [];
    const v: number[][] = [];
    for (const layer of layers) {
      place(layer.weights);
      if (layer.weight && layer.source) gathered = true;
      u.push([]);
      v.push([]);
      for (const piece of layer.pieces) {
        const ul = u[u.length - 1];
        const vl = v[v.length - 1];
        if (piece.kind === 'rankOne') {
          ul.push(take(piece.u.length * 8));
          vl.push(take(piece.v.length * 8));
        } else {
          ul.push(-1);
          vl.push(-1);
          if (piece.kind === 'dense') {
            place(piece.matrix);
            dense = true;
          }
        }
      }
    }
    const state = this.maxRows * nc * 8;
    this.layout = {
      matrices,
      u,
      v,
      x: take(job.x.length * 8),
      colWeight: take(nc * 8),
      colSource: take(nc * 4),
      ones: take(nc * 8),
      dots: take(nc * 8),
      h: take(state),
      y: take(state),
      xc: dense || gathered ? take(state) : -1,
      scratch: take(state),
      bytes: at,
    };
    this.weights = new Map([...matrices.keys()].map((m) => [m, this.matrix(m)]));
  }

  /** The region, with the job's constants (weights, u, v, x) in place. */
  private region(): { buffer: ArrayBufferLike; offset: number } {
    const r = this.kernels.region(this.layout.bytes);
    if (this.placed && this.placed.buffer === r.buffer && this.placed.offset === r.offset) return r;
    const { layout, job } = this;
    for (const [m, at] of layout.matrices) {
      new Float32Array(r.buffer, r.offset + at, m.rows * m.cols).set(this.weights.get(m) ?? []);
    }
    job.layers.forEach((layer, l) => {
      layer.pieces.forEach((piece, d) => {
        if (piece.kind !== 'rankOne') return;
        new Float64Array(r.buffer, r.offset + layout.u[l][d], piece.u.length).set(piece.u);
        new Float64Array(r.buffer, r.offset + layout.v[l][d], piece.v.length).set(piece.v);
      });
    });
    new Float64Array(r.buffer, r.offset + layout.x, job.x.length).set(job.x);
    new Float64Array(r.buffer, r.offset + layout.ones, job.chunkColumns).fill(1);
    this.placed = r;
    return r;
  }

  /** The outputs of chunk b: outputSize × its columns, row-major. */
  chunk(b: number): Float64Array {
    const { job, layout, kernels } = this;
    const N = job.directions * job.lanes;
    const c0 = b * job.chunkColumns;
    const width = Math.min(N, c0 + job.chunkColumns) - c0;
    const { buffer, offset } = this.region();
    const f64 = (at: number, length: number) => new Float64Array(buffer, offset + at, length);
    const f32 = (at: number, length: number) => new Float32Array(buffer, offset + at, length);
    const colWeight = f64(layout.colWeight, width);
    const colSource = new Int32Array(buffer, offset + layout.colSource, width);
    const ones = f64(layout.ones, width);
    const dots = f64(layout.dots, width);
    const scratch = f64(layout.scratch, this.maxRows * width);
    let h = f64(layout.h, this.maxRows * width);
    let y = f64(layout.y, this.maxRows * width);
    const xc = layout.xc >= 0 ? f64(layout.xc, this.maxRows * width) : null;
    // The chunk's columns by direction: runs [from, to) of chunk columns of direction d.
    const segments: { from: number; to: number; d: number }[] = [];
    for (let c = 0; c < width; ) {
      const d = Math.floor((c0 + c) / job.lanes);
      const to = Math.min(width, (d + 1) * job.lanes - c0);
      segments.push({ from: c, to, d });
      c = to;
    }
    const lane = (c: number) => (c0 + c) % job.lanes;
    const x = f64(layout.x, job.x.length);
    for (let r = 0; r < job.x.length; r++) {
      for (let c = 0; c < width; c++) h[r * width + c] = job.startsAtInput[lane(c)] ? x[r] : 0;
    }
    // Lanes that can be non-zero at the layer's input (a polynomial's coefficient of degree j is
    // exactly zero until j perturbed layers have passed): W H skips the others, whose columns of
    // Y are zero (as the row-sharded pass skips them).
    const live = Uint8Array.from(job.startsAtInput);
    for (const [l, layer] of job.layers.entries()) {
      const { rows: out, cols: inner } = layer.weights;
      const w = f32(layout.matrices.get(layer.weights) ?? 0, out * inner);
      const hl = h.subarray(0, inner * width);
      const yl = y.subarray(0, out * width);
      const runs: [number, number][] = [];
      for (let c = 0; c < width; c++) {
        if (!live[lane(c)]) continue;
        const last = runs[runs.length - 1];
        if (last && last[1] === c) last[1] = c + 1;
        else runs.push([c, c + 1]);
      }
      if (runs.length !== 1 || runs[0][0] !== 0 || runs[0][1] !== width) yl.fill(0);
      for (const [from, to] of runs) {
        kernels.productInRegion(
          w,
          out,
          inner,
          hl,
          width,
          from,
          to,
          layer.scale,
          yl,
          false,
          scratch,
        );
      }
      if (layer.weight && layer.source) {
        const reached = live.slice();
        for (let i = 0; i < job.lanes; i++) {
          const src = layer.source[i];
          if (src >= 0 && live[src]) reached[i] = 1;
        }
        live.set(reached);
      }
      if (layer.weight) {
        for (let c = 0; c < width; c++) colWeight[c] = layer.weight[lane(c)];
        // Lane-local: X_c = H · diag(weight), never formed for rank-one terms. Otherwise X_c is
        // gathered (a chunk holds whole directions, so every source column is in it).
        let xcl: Float64Array | null = null;
        if (layer.source && xc) {
          const source = layer.source;
          for (let c = 0; c < width; c++) {
            const src = source[lane(c)];
            colSource[c] = src < 0 ? -1 : c - lane(c) + src;
          }
          xcl = xc.subarray(0, inner * width);
          kernels.gatherColumns(hl, inner, width, colSource, colWeight, xcl);
        }
        for (const { from, to, d } of segments) {
          const piece = layer.pieces[d];
          if (piece.kind === 'rankOne') {
            const u = f64(layout.u[l][d], out);
            const v = f64(layout.v[l][d], inner);
            if (xcl) kernels.rankOneDots(xcl, inner, width, from, to, v, ones, dots);
            else kernels.rankOneDots(hl, inner, width, from, to, v, colWeight, dots);
            kernels.rankOneAdd(yl, out, width, from, to, u, piece.alpha, dots);
          } else if (piece.kind === 'dense' && xc) {
            if (!xcl) {
              xcl = xc.subarray(0, inner * width);
              kernels.scaleColumns(hl, inner, width, colWeight, xcl);
            }
            const g = f32(layout.matrices.get(piece.matrix) ?? 0, out * inner);
            kernels.productInRegion(
              g,
              out,
              inner,
              xcl,
              width,
              from,
              to,
              piece.alpha,
              yl,
              true,
              scratch,
            );
          }
        }
      }
      kernels.activate(layer.activation, yl);
      [h, y] = [y, h];
    }
    const outputs = job.layers[job.layers.length - 1].weights.rows;
    return h.slice(0, outputs * width);
  }
}
