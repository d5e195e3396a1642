// Y[:, lanes] (=|+=) alpha · G X'   or   alpha · Gᵀ X'   with X'[:, c] = weight_c · X[:, source_c].
//
// G (weights W^(ℓ) or a dense Gaussian direction) is generated inside the kernel from
// random.wgsl, tile by tile, and never stored: memory is O(m × lanes) instead of O(m²) (m = 65536
// would need 16 GiB per layer in f32). The cost is regenerating each entry once per lane tile:
// one Philox4x32-10 call (~250 integer ops) per four entries, amortised over TILE_LANES lanes,
// so the kernel is generator-bound when few lanes share the matrix and FMA-bound when many do.
//
// Split-K: when the output is narrow (a 1 × m layer has one row) a single workgroup would walk
// all of m alone, so workgroup z covers inner indices [z·k_split, (z+1)·k_split) and writes raw
// partial sums to scratch[z][row][lane]; reduce_splits then adds them into dst.
//
// Tiling: a workgroup computes a 64-row × (4·WG_X)-lane tile of Y with WG_X × 8 threads, each
// owning an 8-row × 4-lane micro-tile (rows ty + 8i, lanes tx + WG_X·j), stepping through the
// inner dimension 16 at a time. WG_X is an override: 8 (32-lane tiles) for few lanes, 32
// (128-lane tiles, 256 threads) for many, so each generated entry serves up to 128 lanes. The
// micro-tile is a constant because function-scope arrays cannot be sized by overrides.

override WG_X: u32 = 8u;
const WG_Y: u32 = 8u;
const TILE_ROWS: u32 = 64u;           // WG_Y · 8
override TILE_LANES: u32 = 4u * WG_X;
const TILE_K: u32 = 16u;
override THREADS: u32 = WG_X * WG_Y;

var<workgroup> g_tile: array<f32, 1024>;                // [TILE_K][TILE_ROWS]
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
  var acc: array<array<f32, 4>, 8>;
  let split = p.k_split != 0u;
  let k_begin = select(0u, wg.z * p.k_split, split);
  let k_end = select(p.inner, min(p.inner, k_begin + p.k_split), split);
  let k_tiles = (k_end - k_begin + TILE_K - 1u) / TILE_K;
  for (var kt = 0u; kt < k_tiles; kt++) {
    let k0 = k_begin + kt * TILE_K;
    // Generate the 64 × 16 tile of G (256 Philox calls shared by the threads).
    for (var s = 0u; s < 256u / THREADS; s++) {
      let q = li + s * THREADS;
      if (p.transposed == 0u) {
        // Y = G X: output row r is G's row, inner k is G's column; quads run along k.
        let rr = q / 4u;
        let kq = q % 4u;
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
        let kk = q / 16u;
        let rq = q % 16u;
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
    // Gather the 16 × TILE_LANES tile of X' (8 entries per thread).
    for (var s = 0u; s < 8u; s++) {
      let e = li + s * THREADS;
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
      var a: array<f32, 8>;
      for (var i = 0u; i < 8u; i++) {
        a[i] = g_tile[kk * TILE_ROWS + ty + 8u * i];
      }
      for (var j = 0u; j < 4u; j++) {
        let b = x_tile[kk * TILE_LANES + tx + WG_X * j];
        for (var i = 0u; i < 8u; i++) {
          acc[i][j] = fma(a[i], b, acc[i][j]);
        }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 8u; i++) {
    let r = row0 + ty + 8u * i;
    if (r >= p.out_rows) {
      continue;
    }
    for (var j = 0u; j < 4u; j++) {
      let c = lane0 + tx + WG_X * j;
      if (c < p.lanes) {
        if (split) {
          scratch[(wg.z * p.out_rows + r) * p.lanes + c] = acc[i][j];
          continue;
        }
        let idx = r * p.ld + p.lane_base + c;
        var y = p.alpha * acc[i][j];
        if (p.accumulate != 0u) {
          y = y + dst_buf[idx];
        }
        dst_buf[idx] = y;
      }
    }
  }
}

// dst[r, lane] (=|+=) alpha · Σ_z scratch[z][r][lane], after a split-K generated_matmul;
// g_rows holds the number of splits.
@compute @workgroup_size(64)
fn reduce_splits(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  if (c >= p.lanes) {
    return;
  }
  let r_end = min(p.out_rows, (gid.y + 1u) * ROWS_PER_THREAD);
  for (var r = gid.y * ROWS_PER_THREAD; r < r_end; r++) {
    var sum = 0.0;
    for (var z = 0u; z < p.g_rows; z++) {
      sum += scratch[(z * p.out_rows + r) * p.lanes + c];
    }
    let idx = r * p.ld + p.lane_base + c;
    var y = p.alpha * sum;
    if (p.accumulate != 0u) {
      y = y + dst_buf[idx];
    }
    dst_buf[idx] = y;
  }
}
