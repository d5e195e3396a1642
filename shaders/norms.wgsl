// Partial sums of ‖G‖_F² for a generated g_rows × g_cols Gaussian matrix (gaussian directions are
// scaled to unit Frobenius norm per layer). Workgroup w sums rows w, w + W, w + 2W, …; the host
// adds the W partials (at scratch[out_offset …]) in float64.

@compute @workgroup_size(REDUCE_THREADS)
fn dense_norm_squared(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(local_invocation_index) li: u32,
) {
  let quads = (p.g_cols + 3u) / 4u;
  var s = 0.0;
  for (var r = wg.x; r < p.g_rows; r += groups.x) {
    for (var q = li; q < quads; q += REDUCE_THREADS) {
      let v = gaussian_quad(p.seed, p.stream, p.layer, r, q);
      for (var e = 0u; e < 4u; e++) {
        if (q * 4u + e < p.g_cols) {
          s = fma(v[e], v[e], s);
        }
      }
    }
  }
  let total = workgroup_sum(s, li);
  if (li == 0u) {
    scratch[p.out_offset + wg.x] = total;
  }
}

// Test kernel: the generator's words and Gaussians for a list of (counter, key) inputs, so tests
// can check bit-identity with random.ts. Words travel as two exact f32 halves (16 bits each) so
// that no float store can alter a bit pattern: vecs holds 12 halves per input (6 words), scratch
// gets 8 halves (4 words) then 4 Gaussians per input.
fn word_from_halves(i: u32) -> u32 {
  return u32(vecs[i]) | (u32(vecs[i + 1u]) << 16u);
}

@compute @workgroup_size(ELEMENT_LANES)
fn generator_words(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= p.lanes) {
    return;
  }
  let b = i * 12u;
  let counter = vec4<u32>(
    word_from_halves(b), word_from_halves(b + 2u), word_from_halves(b + 4u), word_from_halves(b + 6u));
  let key = vec2<u32>(word_from_halves(b + 8u), word_from_halves(b + 10u));
  let words = philox4x32_10(counter, key);
  for (var e = 0u; e < 4u; e++) {
    scratch[i * 12u + 2u * e] = f32(words[e] & 0xFFFFu);
    scratch[i * 12u + 2u * e + 1u] = f32(words[e] >> 16u);
    scratch[i * 12u + 8u + e] = gaussian_from_word(words[e]);
  }
}

// Rows of Gaussian vectors: scratch[out_offset + i · g_cols + j] = entry (0, j) of matrix `layer`
// in (seed, stream + i), for i < lanes. The random unit vectors ξ of aligned directions, made on the
// device rather than one Philox call at a time on the host. x: quads of a row, y: rows.
@compute @workgroup_size(ELEMENT_LANES)
fn gaussian_rows(@builtin(global_invocation_id) gid: vec3<u32>) {
  let q = gid.x;
  let i = gid.y;
  if (q * 4u >= p.g_cols || i >= p.lanes) {
    return;
  }
  let v = gaussian_quad(p.seed, p.stream + i, p.layer, 0u, q);
  for (var e = 0u; e < 4u; e++) {
    if (q * 4u + e < p.g_cols) {
      scratch[p.out_offset + i * p.g_cols + q * 4u + e] = v[e];
    }
  }
}
