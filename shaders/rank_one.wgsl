// Rank-one directions Δ = u vᵀ (aligned and gradient families): (u vᵀ) X' = u (vᵀ X'),
// O(m) per lane instead of O(m²). Two dispatches per layer for all directions at once: the u of
// direction d sits at vecs[u_offset + d·out_rows] (already multiplied by s_ℓ · scale) and its v at
// vecs[v_offset + d·inner]; lane c belongs to direction (lane_base + c) / lane_group.

// scratch[c] = Σ_k v[k] · X'[k, c] for each lane c of the dispatch; one workgroup per lane.
@compute @workgroup_size(REDUCE_THREADS)
fn lane_dots(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(local_invocation_index) li: u32,
) {
  let c = wg.x;
  let d = lane_source(c);
  let v_base = p.v_offset + ((p.lane_base + c) / p.lane_group) * p.inner;
  var s = 0.0;
  if (d.source >= 0) {
    for (var k = li; k < p.inner; k += REDUCE_THREADS) {
      s = fma(vecs[v_base + k], src_buf[k * p.ld + u32(d.source)], s);
    }
    s = s * d.weight;
  }
  let total = workgroup_sum(s, li);
  if (li == 0u) {
    scratch[c] = total;
  }
}

// dst[r, c] += alpha · u_d[r] · scratch[c].
@compute @workgroup_size(ELEMENT_LANES)
fn rank_one_update(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  if (c >= p.lanes) {
    return;
  }
  let u_base = p.u_offset + ((p.lane_base + c) / p.lane_group) * p.out_rows;
  let dot = p.alpha * scratch[c];
  let r_end = min(p.out_rows, (gid.y + 1u) * ROWS_PER_THREAD);
  for (var r = gid.y * ROWS_PER_THREAD; r < r_end; r++) {
    let idx = r * p.ld + p.lane_base + c;
    dst_buf[idx] = fma(vecs[u_base + r], dot, dst_buf[idx]);
  }
}
