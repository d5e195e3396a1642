// Y[:, lanes] (=|+=) alpha · G X'   or   alpha · Gᵀ X'   with X'[:, c] = weight_c · X[:, source_c],
// G read from the weight store (`weights`, written once by store_fill.wgsl with the generator's
// own values) instead of generated. Parameters, lane map, accumulate and split-K are those of
// generated_matmul.wgsl, so the engine can swap one for the other per matrix.
//
// Why: generating costs a Philox4x32-10 call (a few hundred integer ops) per four entries per
// lane tile; reading an entry costs 4 bytes. With the matrix stored the product is a plain dense
// GEMM: m × m weights over ~100 lanes is FMA-bound on a GPU.
//
// Tiling: a workgroup computes a TILE_ROWS × TILE_LANES tile of Y with WG_X × WG_Y threads.
// Thread (tx, ty) owns the MICRO_ROWS × MICRO_LANES = 8 × 4 micro-tile of rows
// row0 + 4·ty + {0…3} and row0 + TILE_ROWS/2 + 4·ty + {0…3} and the consecutive lanes
// lane0 + 4·tx + {0…3}. Both operands sit in workgroup memory as vec4:
//   g_tile[kk][a] = G-entries of rows row0 + 4a … 4a+3 at inner index k0 + kk,
//   x_tile[kk][b] = X' at inner index k0 + kk for lanes lane0 + 4b … 4b+3,
// so one inner step is three vec4 loads (two of them broadcast across the threads of a row) for
// 32 FMAs, held in eight vec4 accumulators.
//
// Global reads of G are vec4 quads (a stored row is zero-padded to a multiple of four entries,
// so every row allows them). For Y = Gᵀ X the quads run along the output rows and are copied as
// they are; for Y = G X they run along the inner index, so a thread loads the same quad of four
// consecutive rows and transposes the 4 × 4 block in registers.

const MICRO_ROWS: u32 = 8u;
const MICRO_LANES: u32 = 4u;
override WG_X: u32 = TILE_LANES / MICRO_LANES;
override WG_Y: u32 = TILE_ROWS / MICRO_ROWS;
override THREADS: u32 = WG_X * WG_Y;

var<workgroup> g_tile: array<vec4<f32>, TILE_K * TILE_ROWS / 4u>;  // [TILE_K][TILE_ROWS / 4]
var<workgroup> x_tile: array<vec4<f32>, TILE_K * TILE_LANES / 4u>; // [TILE_K][TILE_LANES / 4]

@compute @workgroup_size(WG_X, WG_Y)
fn stored_matmul(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(local_invocation_index) li: u32,
) {
  let row0 = wg.x * TILE_ROWS;
  let lane0 = wg.y * TILE_LANES;
  let tx = lid.x;
  let ty = lid.y;
  let row_quads = TILE_ROWS / 4u;
  let lane_quads = TILE_LANES / 4u;
  let k_quads = TILE_K / 4u;
  // Quads per stored row of G.
  let g_quads = (p.g_cols + 3u) / 4u;
  let split = p.k_split != 0u;
  let k_begin = select(0u, wg.z * p.k_split, split);
  let k_end = select(p.inner, min(p.inner, k_begin + p.k_split), split);
  let k_tiles = (k_end - k_begin + TILE_K - 1u) / TILE_K;

  // The four lanes whose X' this thread gathers: lane quad `lq` at inner indices kk_first,
  // kk_first + kk_step, … of every tile. THREADS is a multiple of lane_quads (THREADS =
  // lane_quads · WG_Y), so the lanes, and their sources, are fixed for the whole kernel.
  let lq = li % lane_quads;
  let kk_first = li / lane_quads;
  let kk_step = THREADS / lane_quads;
  let s0 = gather_source(lane0 + lq * 4u);
  let s1 = gather_source(lane0 + lq * 4u + 1u);
  let s2 = gather_source(lane0 + lq * 4u + 2u);
  let s3 = gather_source(lane0 + lq * 4u + 3u);
  let sources = vec4<i32>(s0.source, s1.source, s2.source, s3.source);
  let src_live = sources >= vec4<i32>(0);
  let src_col = vec4<u32>(max(sources, vec4<i32>(0)));
  let src_weight = vec4<f32>(s0.weight, s1.weight, s2.weight, s3.weight);

  var acc: array<vec4<f32>, MICRO_ROWS>;
  for (var kt = 0u; kt < k_tiles; kt++) {
    let k0 = k_begin + kt * TILE_K;
    if (p.transposed == 0u) {
      // Y = G X: G's rows are output rows, its columns the inner index. Unit (a, kq) reads quad
      // k0/4 + kq of rows row0 + 4a … 4a+3 and writes g_tile[4kq + e][a] for e = 0…3. Quads past
      // the row's end are zero (the padding covers the rest of the last quad).
      for (var unit = li; unit < row_quads * k_quads; unit += THREADS) {
        let a = unit / k_quads;
        let kq = unit % k_quads;
        let q = (k0 >> 2u) + kq;
        let r = row0 + 4u * a;
        let live = q < g_quads;
        let v0 = load_quad(r, q, live);
        let v1 = load_quad(r + 1u, q, live);
        let v2 = load_quad(r + 2u, q, live);
        let v3 = load_quad(r + 3u, q, live);
        let t = 4u * kq * row_quads + a;
        g_tile[t] = vec4<f32>(v0.x, v1.x, v2.x, v3.x);
        g_tile[t + row_quads] = vec4<f32>(v0.y, v1.y, v2.y, v3.y);
        g_tile[t + 2u * row_quads] = vec4<f32>(v0.z, v1.z, v2.z, v3.z);
        g_tile[t + 3u * row_quads] = vec4<f32>(v0.w, v1.w, v2.w, v3.w);
      }
    } else {
      // Y = Gᵀ X: G's rows are the inner index, its columns output rows; quads are output rows.
      for (var unit = li; unit < TILE_K * row_quads; unit += THREADS) {
        let kk = unit / row_quads;
        let a = unit % row_quads;
        let k = k0 + kk;
        let q = (row0 >> 2u) + a;
        var v = vec4<f32>(0.0);
        if (k < k_end && q < g_quads) {
          v = weights[k * g_quads + q];
        }
        g_tile[kk * row_quads + a] = v;
      }
    }
    // Gather X' (zero past k_end and for lanes without a source).
    for (var kk = kk_first; kk < TILE_K; kk += kk_step) {
      let k = k0 + kk;
      var x = vec4<f32>(0.0);
      if (k < k_end) {
        let row = k * p.ld;
        let raw = vec4<f32>(
          src_buf[row + src_col.x],
          src_buf[row + src_col.y],
          src_buf[row + src_col.z],
          src_buf[row + src_col.w],
        );
        x = select(vec4<f32>(0.0), raw * src_weight, src_live);
      }
      x_tile[kk * lane_quads + lq] = x;
    }
    workgroupBarrier();
    // Threads whose rows are all outside a narrow output (a 1 × m layer has one row) skip the
    // FMAs; so do inner indices past the end (a d × 1 input layer has one).
    let k_count = min(TILE_K, k_end - k0);
    let rows_live = row0 + 4u * ty < p.out_rows;
    for (var kk = 0u; rows_live && kk < k_count; kk++) {
      let a0 = g_tile[kk * row_quads + ty];
      let a1 = g_tile[kk * row_quads + WG_Y + ty];
      let b = x_tile[kk * lane_quads + tx];
      acc[0] = fma(vec4<f32>(a0.x), b, acc[0]);
      acc[1] = fma(vec4<f32>(a0.y), b, acc[1]);
      acc[2] = fma(vec4<f32>(a0.z), b, acc[2]);
      acc[3] = fma(vec4<f32>(a0.w), b, acc[3]);
      acc[4] = fma(vec4<f32>(a1.x), b, acc[4]);
      acc[5] = fma(vec4<f32>(a1.y), b, acc[5]);
      acc[6] = fma(vec4<f32>(a1.z), b, acc[6]);
      acc[7] = fma(vec4<f32>(a1.w), b, acc[7]);
    }
    workgroupBarrier();
  }
  let r0 = row0 + 4u * ty;
  let r1 = r0 + TILE_ROWS / 2u;
  let c0 = lane0 + 4u * tx;
  store_row(r0, c0, acc[0], wg.z, split);
  store_row(r0 + 1u, c0, acc[1], wg.z, split);
  store_row(r0 + 2u, c0, acc[2], wg.z, split);
  store_row(r0 + 3u, c0, acc[3], wg.z, split);
  store_row(r1, c0, acc[4], wg.z, split);
  store_row(r1 + 1u, c0, acc[5], wg.z, split);
  store_row(r1 + 2u, c0, acc[6], wg.z, split);
  store_row(r1 + 3u, c0, acc[7], wg.z, split);
}

// Source lane and weight of lane c for the X' gather; source −1 for lanes past the dispatch and
// lanes without a source (they gather exact zeros, as in generated_matmul).
fn gather_source(c: u32) -> LaneDesc {
  if (c >= p.lanes) {
    return LaneDesc(-1, 0.0);
  }
  return lane_source(c);
}

// Quad q of stored row r of G, zero past the matrix.
fn load_quad(r: u32, q: u32, live: bool) -> vec4<f32> {
  if (!live || r >= p.g_rows) {
    return vec4<f32>(0.0);
  }
  return weights[r * ((p.g_cols + 3u) / 4u) + q];
}

// Y[r, c … c+3] (=|+=) alpha · y, or raw partial sums for split-K; lanes past the dispatch skipped.
fn store_row(r: u32, c: u32, y: vec4<f32>, z: u32, split: bool) {
  if (r >= p.out_rows) {
    return;
  }
  for (var e = 0u; e < MICRO_LANES; e++) {
    if (c + e >= p.lanes) {
      return;
    }
    if (split) {
      scratch[(z * p.out_rows + r) * p.lanes + c + e] = y[e];
      continue;
    }
    let idx = r * p.ld + p.lane_base + c + e;
    var value = product_alpha() * y[e];
    if (p.accumulate != 0u) {
      value = value + dst_buf[idx];
    }
    dst_buf[idx] = value;
  }
}
