// Y[:, lanes] (=|+=) alpha · G X'   or   alpha · Gᵀ X'   with X'[:, c] = weight_c · X[:, source_c].
//
// G (weights W^(ℓ) or a dense Gaussian direction) is generated inside the kernel from
// random.wgsl, tile by tile, and never stored: memory is O(m × lanes) instead of O(m²) (m = 65536
// would need 16 GiB per layer in f32). The cost is regenerating each entry once per lane tile:
// one Philox4x32-10 call (~250 integer ops) per four entries, amortised over TILE_LANES lanes,
// so the kernel is generator-bound when few lanes share the matrix and FMA-bound when many do.
// The engine uses it for matrices past the weight store's budget; stored_matmul.wgsl reads the
// same values from memory instead.
//
// Split-K: when the output is narrow (a 1 × m layer has one row) a single workgroup would walk
// all of m alone, so workgroup z covers inner indices [z·k_split, (z+1)·k_split) and writes raw
// partial sums to scratch[z][row][lane]; reduce_splits (reduce_splits.wgsl) adds them into dst.
//
// Tiling: a workgroup computes a TILE_ROWS × TILE_LANES tile of Y with WG_X × WG_Y threads, each
// owning a MICRO_ROWS × MICRO_LANES micro-tile (rows ty + WG_Y·i, lanes tx + WG_X·j), stepping
// through the inner dimension TILE_K at a time. TILE_LANES is 32 for few lanes and 128 for many
// (src/engine/gpu/tiles.ts), so each generated entry serves up to 128 lanes. The micro-tile is a
// constant because function-scope arrays cannot be sized by overrides.

const MICRO_ROWS: u32 = 8u;
const MICRO_LANES: u32 = 4u;
override WG_X: u32 = TILE_LANES / MICRO_LANES;
override WG_Y: u32 = TILE_ROWS / MICRO_ROWS;
override THREADS: u32 = WG_X * WG_Y;

var<workgroup> g_tile: array<f32, TILE_K * TILE_ROWS>;  // [TILE_K][TILE_ROWS]
var<workgroup> x_tile: array<f32, TILE_K * TILE_LANES>; // [TILE_K][TILE_LANES]

@compute @workgroup_size(WG_X, WG_Y)
fn generated_matmul(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(local_invocation_index) li: u32,
) {
  let row0 = wg.x * TILE_ROWS;
  let lane0 = wg.y * TILE_LANES;
  let tx = lid.x;
  let ty = lid.y;
  var acc: array<array<f32, MICRO_LANES>, MICRO_ROWS>;
  let split = p.k_split != 0u;
  let k_begin = select(0u, wg.z * p.k_split, split);
  let k_end = select(p.inner, min(p.inner, k_begin + p.k_split), split);
  let k_tiles = (k_end - k_begin + TILE_K - 1u) / TILE_K;
  let k_quads = TILE_K / 4u;
  let row_quads = TILE_ROWS / 4u;
  for (var kt = 0u; kt < k_tiles; kt++) {
    let k0 = k_begin + kt * TILE_K;
    // Generate the TILE_ROWS × TILE_K tile of G (one Philox call per quad, shared by the threads).
    for (var q = li; q < TILE_ROWS * k_quads; q += THREADS) {
      if (p.transposed == 0u) {
        // Y = G X: output row r is G's row, inner k is G's column; quads run along k.
        let rr = q / k_quads;
        let kq = q % k_quads;
        let r = row0 + rr;
        var v = vec4<f32>(0.0);
        if (r < p.out_rows && k0 + kq * 4u < k_end) {
          v = gaussian_quad(p.seed, p.stream, p.layer, r, (k0 >> 2u) + kq);
        }
        for (var e = 0u; e < 4u; e++) {
          let kk = kq * 4u + e;
          g_tile[kk * TILE_ROWS + rr] = select(0.0, v[e], k0 + kk < k_end);
        }
      } else {
        // Y = Gᵀ X: output row r is G's column, inner k is G's row; quads run along r.
        let kk = q / row_quads;
        let rq = q % row_quads;
        let k = k0 + kk;
        var v = vec4<f32>(0.0);
        if (k < k_end && row0 + rq * 4u < p.out_rows) {
          v = gaussian_quad(p.seed, p.stream, p.layer, k, (row0 >> 2u) + rq);
        }
        for (var e = 0u; e < 4u; e++) {
          let rr = rq * 4u + e;
          g_tile[kk * TILE_ROWS + rr] = select(0.0, v[e], row0 + rr < p.out_rows);
        }
      }
    }
    // Gather the TILE_K × TILE_LANES tile of X'.
    for (var e = li; e < TILE_K * TILE_LANES; e += THREADS) {
      let kk = e / TILE_LANES;
      let cc = e % TILE_LANES;
      let k = k0 + kk;
      let c = lane0 + cc;
      var v = 0.0;
      if (k < k_end && c < p.lanes) {
        let d = lane_source(c);
        if (d.source >= 0) {
          v = d.weight * src_buf[k * p.ld + u32(d.source)];
        }
      }
      x_tile[kk * TILE_LANES + cc] = v;
    }
    workgroupBarrier();
    // Skip work that cannot matter: inner indices past the end (a d × 1 input layer has one) and
    // threads whose rows are all outside a narrow output (a 1 × m layer has one row).
    let k_count = min(TILE_K, k_end - k0);
    let rows_live = row0 + ty < p.out_rows;
    for (var kk = 0u; rows_live && kk < k_count; kk++) {
      var a: array<f32, MICRO_ROWS>;
      for (var i = 0u; i < MICRO_ROWS; i++) {
        a[i] = g_tile[kk * TILE_ROWS + ty + WG_Y * i];
      }
      for (var j = 0u; j < MICRO_LANES; j++) {
        let b = x_tile[kk * TILE_LANES + tx + WG_X * j];
        for (var i = 0u; i < MICRO_ROWS; i++) {
          acc[i][j] = fma(a[i], b, acc[i][j]);
        }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < MICRO_ROWS; i++) {
    let r = row0 + ty + WG_Y * i;
    if (r >= p.out_rows) {
      continue;
    }
    for (var j = 0u; j < MICRO_LANES; j++) {
      let c = lane0 + tx + WG_X * j;
      if (c < p.lanes) {
        if (split) {
          scratch[(wg.z * p.out_rows + r) * p.lanes + c] = acc[i][j];
          continue;
        }
        let idx = r * p.ld + p.lane_base + c;
        var y = product_alpha() * acc[i][j];
        if (p.accumulate != 0u) {
          y = y + dst_buf[idx];
        }
        dst_buf[idx] = y;
      }
    }
  }
}
