// Direction set-up on the device (src/engine/gpu/deviceSetup.ts), written into dst (the batch's
// direction buffer, which the lane pass then binds as `vecs`) with no trip to the host.
//
// Aligned and chained directions are Δ^(ℓ) = scale · û v̂ᵀ with û = ξ_ℓ / ‖ξ_ℓ‖ and
// v̂ = h_ℓ / ‖h_ℓ‖ (chained, inside a block: ξ_{ℓ−1} / ‖ξ_{ℓ−1}‖). The forward trace h_ℓ and the
// ξ rows are already in src. Rows are read at src[in_offset + r · in_stride …] (in_stride 0:
// every row reads the same vector, e.g. one v̂ shared by all directions) and have `inner`
// entries; one workgroup per row. Gaussian directions need only their scales (below).

// workgroup_sum: reduce.wgsl.

// Σ src[base + k]² over k < p.inner, by the whole workgroup.
fn row_sum_squares(base: u32, li: u32) -> f32 {
  var s = 0.0;
  for (var k = li; k < p.inner; k += REDUCE_THREADS) {
    let v = src_buf[base + k];
    s = fma(v, v, s);
  }
  return workgroup_sum(s, li);
}

// dst[out_offset + r] = ‖row r‖² for r < lanes: the norms a global normalisation needs.
@compute @workgroup_size(REDUCE_THREADS)
fn sum_squares(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(local_invocation_index) li: u32,
) {
  let r = wg.x;
  let s = row_sum_squares(p.in_offset + r * p.in_stride, li);
  if (li == 0u) {
    dst_buf[p.out_offset + r] = s;
  }
}

// dst[out_offset + r · inner + k] = factor · row r [k], factor = 1/‖row r‖ (0 for a zero row)
// times the piece's scale, from the request's per-layer norms² n_j at dst[norm_base + j]:
//   scale_mode 0: 1 (a unit vector, v̂);
//   scale_mode 1: per-layer normalisation, 1 where n_j > 0 (else the piece is zero);
//   scale_mode 2: global normalisation, n_j · √(J / Σ_i n_i²) where n_j > 0, J = norm_count,
// as buildDirections (src/model/directions.ts) scales û.
@compute @workgroup_size(REDUCE_THREADS)
fn scaled_unit_rows(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(local_invocation_index) li: u32,
) {
  let r = wg.x;
  let base = p.in_offset + r * p.in_stride;
  let ss = row_sum_squares(base, li);
  var factor = select(0.0, 1.0 / sqrt(ss), ss > 0.0);
  if (p.scale_mode != 0u) {
    let own = dst_buf[p.norm_base + p.norm_index];
    if (p.scale_mode == 1u) {
      factor = select(0.0, factor, own > 0.0);
    } else {
      var total = 0.0;
      for (var j = 0u; j < p.norm_count; j++) {
        total += dst_buf[p.norm_base + j];
      }
      let scale = sqrt(own * f32(p.norm_count) / total);
      factor = select(0.0, factor * scale, own > 0.0 && total > 0.0);
    }
  }
  let out = p.out_offset + r * p.inner;
  for (var k = li; k < p.inner; k += REDUCE_THREADS) {
    dst_buf[out + k] = src_buf[base + k] * factor;
  }
}

// Gaussian directions Δ^(ℓ) = scale · G: dense_norm_squared (norms.wgsl) leaves per-workgroup
// partials of ‖G‖_F² in scratch; partial_sum adds `inner` of them from scratch[in_offset] into
// dst[out_offset] (one workgroup).
@compute @workgroup_size(REDUCE_THREADS)
fn partial_sum(@builtin(local_invocation_index) li: u32) {
  var s = 0.0;
  for (var k = li; k < p.inner; k += REDUCE_THREADS) {
    s += scratch[p.in_offset + k];
  }
  let total = workgroup_sum(s, li);
  if (li == 0u) {
    dst_buf[p.out_offset] = total;
  }
}

// dst[out_offset] = the scale of one dense piece, from its direction's norms² n_j at
// dst[norm_base + j] (J = norm_count pieces, this one j = norm_index), as buildDirections scales
// it: per-layer (scale_mode 1) 1/n_j; global (scale_mode 2) √(J / Σ_i n_i²); 0 where n_j = 0.
@compute @workgroup_size(1)
fn dense_scale() {
  let own = dst_buf[p.norm_base + p.norm_index];
  var scale = 0.0;
  if (p.scale_mode == 1u) {
    scale = select(0.0, 1.0 / sqrt(own), own > 0.0);
  } else {
    var total = 0.0;
    for (var j = 0u; j < p.norm_count; j++) {
      total += dst_buf[p.norm_base + j];
    }
    scale = select(0.0, sqrt(f32(p.norm_count) / total), own > 0.0 && total > 0.0);
  }
  dst_buf[p.out_offset] = scale;
}

// Tilted directions: v̂ = cos θ ĥ + sin θ ζ with ĥ = h/‖h‖ (h at src[in_offset …], shared by every
// row) and ζ = z⊥/‖z⊥‖, z⊥ = z − (z·ĥ) ĥ, z the row's Gaussian vector at src[z_offset + r·inner …],
// (cos θ, sin θ) at src[angle_offset + 2r …]. Where z has no part orthogonal to ĥ (a 1-wide
// input: ‖z⊥‖ ≤ 10⁻⁵ ‖z‖, float32 round-off of 0) v̂ = ĥ, as tilt() in src/model/directions.ts.
// One workgroup per row, written to dst[out_offset + r · inner …].
@compute @workgroup_size(REDUCE_THREADS)
fn tilt_rows(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(local_invocation_index) li: u32,
) {
  let r = wg.x;
  let z_base = p.z_offset + r * p.inner;
  let hh = row_sum_squares(p.in_offset, li);
  let h_inv = select(0.0, 1.0 / sqrt(hh), hh > 0.0);
  var zh = 0.0;
  var zz = 0.0;
  for (var k = li; k < p.inner; k += REDUCE_THREADS) {
    let z = src_buf[z_base + k];
    zh = fma(z, src_buf[p.in_offset + k] * h_inv, zh);
    zz = fma(z, z, zz);
  }
  let dot = workgroup_sum(zh, li);
  let z_sq = workgroup_sum(zz, li);
  var pp = 0.0;
  for (var k = li; k < p.inner; k += REDUCE_THREADS) {
    let q = src_buf[z_base + k] - dot * src_buf[p.in_offset + k] * h_inv;
    pp = fma(q, q, pp);
  }
  let perp = workgroup_sum(pp, li);
  let tilts = perp > 1e-10 * z_sq && perp > 0.0;
  let perp_inv = select(0.0, 1.0 / sqrt(perp), tilts);
  let c = src_buf[p.angle_offset + 2u * r];
  let s = src_buf[p.angle_offset + 2u * r + 1u];
  let out = p.out_offset + r * p.inner;
  for (var k = li; k < p.inner; k += REDUCE_THREADS) {
    let h_hat = src_buf[p.in_offset + k] * h_inv;
    let zeta = (src_buf[z_base + k] - dot * h_hat) * perp_inv;
    dst_buf[out + k] = select(h_hat, c * h_hat + s * zeta, tilts);
  }
}
