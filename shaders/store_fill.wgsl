// Writes a Gaussian matrix G (matrix `layer` of (seed, stream), g_rows × g_cols) into the weight
// store, bound as dst, in the layout stored_matmul.wgsl reads: row r is ⌈g_cols/4⌉ quads, quad q
// being gaussian_quad(seed, stream, layer, r, q), the very values generated_matmul regenerates,
// so a stored product equals a generated one; entries past g_cols in a row's last quad are zero.
// Runs on the device once per stored matrix: nothing crosses to the host.
// x: quads of a row, y: blocks of ROWS_PER_THREAD rows (a 65536-row matrix needs 4096 of them).
@compute @workgroup_size(ELEMENT_LANES)
fn store_fill(@builtin(global_invocation_id) gid: vec3<u32>) {
  let q = gid.x;
  let quads = (p.g_cols + 3u) / 4u;
  if (q >= quads) {
    return;
  }
  let r_end = min(p.g_rows, (gid.y + 1u) * ROWS_PER_THREAD);
  for (var r = gid.y * ROWS_PER_THREAD; r < r_end; r++) {
    let v = gaussian_quad(p.seed, p.stream, p.layer, r, q);
    let base = (r * quads + q) * 4u;
    for (var e = 0u; e < 4u; e++) {
      dst_buf[base + e] = select(0.0, v[e], q * 4u + e < p.g_cols);
    }
  }
}
