// The three passes over a weight matrix A (rows × cols) that a gradient step makes, for N ≤ 256
// state columns (lanes), tiled LT lanes per workgroup z:
//   train_forward:  Y = σ(α A X [+ Y])                      (X cols × N, Y rows × N)
//   train_backward: partials of Aᵀ G over row chunks         (G rows × N) and, fused when
//                   `update` (N ≤ LT), A += β G Hᵀ in the same read of A (each thread reads A's
//                   entry before writing it, so the product sees the old weights)
//   train_reduce:   Z = α Σ_chunks partials [+ Z], times σ'(outputs) — chunks in order
//   train_update:   A += β D Hᵀ on its own (no product needed, or N > LT)
//   train_forward_narrow: the forward product for cols ≤ NARROW_COLS, one thread per row
// Every sum runs in a fixed order, so results do not depend on scheduling.

var<workgroup> fwd_red: array<f32, 2048>; // WG × ROWS × LT

@compute @workgroup_size(64)
fn train_forward(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(local_invocation_index) t: u32,
) {
  let r0 = wg.x * ROWS;
  let c0 = wg.z * LT;
  let nl = min(LT, p.lanes - c0);
  var acc: array<f32, 32>;
  for (var j = 0u; j < ROWS * LT; j++) {
    acc[j] = 0.0;
  }
  for (var k = t; k < p.cols; k += WG) {
    var xv: array<f32, 8>;
    let xo = p.x_off + k * p.lanes + c0;
    for (var c = 0u; c < LT; c++) {
      xv[c] = select(0.0, arena[xo + min(c, nl - 1u)], c < nl);
    }
    for (var i = 0u; i < ROWS; i++) {
      if (r0 + i < p.rows) {
        let w = mat[(r0 + i) * p.cols + k];
        for (var c = 0u; c < LT; c++) {
          acc[i * LT + c] += w * xv[c];
        }
      }
    }
  }
  for (var j = 0u; j < ROWS * LT; j++) {
    fwd_red[t * ROWS * LT + j] = acc[j];
  }
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride = stride / 2u) {
    if (t < stride) {
      for (var j = 0u; j < ROWS * LT; j++) {
        fwd_red[t * ROWS * LT + j] += fwd_red[(t + stride) * ROWS * LT + j];
      }
    }
    workgroupBarrier();
  }
  if (t < ROWS * LT) {
    let i = t / LT;
    let c = t % LT;
    if (r0 + i < p.rows && c < nl) {
      let yi = p.y_off + (r0 + i) * p.lanes + c0 + c;
      var v = p.alpha * fwd_red[t];
      if (p.accumulate == 1u) {
        v += arena[yi];
      }
      arena[yi] = activate(p.activation, v);
    }
  }
}

// x: WG consecutive columns k of A, y: row chunk, z: lane tile. x_off: G (rows × lanes);
// with `update`, h_off: H (cols × lanes) and A += β Σ_c G[r, c] H[k, c].
@compute @workgroup_size(64)
fn train_backward(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(local_invocation_index) t: u32,
) {
  let k = wg.x * WG + t;
  let s = wg.y;
  let c0 = wg.z * LT;
  let nl = min(LT, p.lanes - c0);
  if (k >= p.cols) {
    return;
  }
  var acc: array<f32, 8>;
  var hv: array<f32, 8>;
  for (var c = 0u; c < LT; c++) {
    acc[c] = 0.0;
    hv[c] = 0.0;
    if (p.update == 1u && c < nl) {
      hv[c] = arena[p.h_off + k * p.lanes + c];
    }
  }
  let r_end = min(p.rows, (s + 1u) * p.chunk);
  for (var r = s * p.chunk; r < r_end; r++) {
    var gv: array<f32, 8>;
    let go = p.x_off + r * p.lanes + c0;
    for (var c = 0u; c < LT; c++) {
      gv[c] = select(0.0, arena[go + min(c, nl - 1u)], c < nl);
    }
    let idx = r * p.cols + k;
    let w = mat[idx];
    var u = 0.0;
    for (var c = 0u; c < LT; c++) {
      acc[c] += w * gv[c];
      u += gv[c] * hv[c];
    }
    if (p.update == 1u) {
      mat[idx] = w + p.beta * u;
    }
  }
  let po = p.part_off + (s * p.cols + k) * p.lanes + c0;
  for (var c = 0u; c < nl; c++) {
    arena[po + c] = acc[c];
  }
}

// One thread per (k, c) of the cols × lanes result.
@compute @workgroup_size(64)
fn train_reduce(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * 65535u * WG;
  if (i >= p.cols * p.lanes) {
    return;
  }
  let k = i / p.lanes;
  let c = i % p.lanes;
  var v = 0.0;
  for (var s = 0u; s < p.splits; s++) {
    v += arena[p.part_off + (s * p.cols + k) * p.lanes + c];
  }
  v *= p.alpha;
  let yi = p.y_off + i;
  if (p.accumulate == 1u) {
    v += arena[yi];
  }
  if (p.activation != 0u) {
    v *= slope_from_output(p.activation, arena[p.slope_off + k * p.slope_ld + c / p.slope_div]);
  }
  arena[yi] = v;
}

// One thread per entry of A, flat index i = r · cols + k (consecutive threads, consecutive
// addresses): A[r, k] += β Σ_c D[r, c] H[k, c]. x: up to 65535 workgroups, y: the rest.
@compute @workgroup_size(64)
fn train_update(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(local_invocation_index) t: u32,
) {
  let i = (wg.y * 65535u + wg.x) * WG + t;
  if (i >= p.rows * p.cols) {
    return;
  }
  let r = i / p.cols;
  let k = i % p.cols;
  var u = 0.0;
  for (var c = 0u; c < p.lanes; c++) {
    u += arena[p.d_off + r * p.lanes + c] * arena[p.h_off + k * p.lanes + c];
  }
  mat[i] = mat[i] + p.beta * u;
}

// Forward for a narrow A (cols ≤ NARROW_COLS: the input layer, a bottleneck's fan-out): one
// thread per row and lane tile, no workgroup reduction. x: rows, z: lane tile.
@compute @workgroup_size(64)
fn train_forward_narrow(@builtin(global_invocation_id) gid: vec3<u32>) {
  let r = gid.x;
  let c0 = gid.z * LT;
  if (r >= p.rows) {
    return;
  }
  let nl = min(LT, p.lanes - c0);
  var acc: array<f32, 8>;
  for (var c = 0u; c < LT; c++) {
    acc[c] = 0.0;
  }
  for (var k = 0u; k < p.cols; k++) {
    let w = mat[r * p.cols + k];
    let xo = p.x_off + k * p.lanes + c0;
    for (var c = 0u; c < LT; c++) {
      acc[c] += w * select(0.0, arena[xo + min(c, nl - 1u)], c < nl);
    }
  }
  for (var c = 0u; c < nl; c++) {
    let yi = p.y_off + r * p.lanes + c0 + c;
    var v = p.alpha * acc[c];
    if (p.accumulate == 1u) {
      v += arena[yi];
    }
    arena[yi] = activate(p.activation, v);
  }
}
