// σ applied in place to dst[:, lanes].

// tanh from exp with a series near 0: WGSL's builtin tanh has no accuracy promise of its own
// and can overflow for large |z| in some implementations. Relative error ≲ 1e-6.
fn stable_tanh(z: f32) -> f32 {
  let a = abs(z);
  if (a < 0.125) {
    let z2 = z * z;
    return z * (1.0 + z2 * (-1.0 / 3.0 + z2 * (2.0 / 15.0 + z2 * (-17.0 / 315.0 + z2 * (62.0 / 2835.0)))));
  }
  let t = exp(-2.0 * a);
  return sign(z) * (1.0 - t) / (1.0 + t);
}

@compute @workgroup_size(ELEMENT_LANES)
fn activate(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  if (c >= p.lanes) {
    return;
  }
  let r_end = min(p.out_rows, (gid.y + 1u) * ROWS_PER_THREAD);
  for (var r = gid.y * ROWS_PER_THREAD; r < r_end; r++) {
    let idx = r * p.ld + p.lane_base + c;
    let z = dst_buf[idx];
    if (p.activation == 1u) {
      dst_buf[idx] = stable_tanh(z);
    } else if (p.activation == 2u) {
      dst_buf[idx] = max(z, 0.0);
    }
  }
}
