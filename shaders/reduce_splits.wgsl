// dst[r, lane] (=|+=) alpha · Σ_z scratch[z][r][lane], after a split-K product (generated_matmul
// or stored_matmul with k_split ≠ 0, which write raw partial sums scratch[z][row][lane]);
// g_rows holds the number of splits.
@compute @workgroup_size(ELEMENT_LANES)
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
    var y = product_alpha() * sum;
    if (p.accumulate != 0u) {
      y = y + dst_buf[idx];
    }
    dst_buf[idx] = y;
  }
}
